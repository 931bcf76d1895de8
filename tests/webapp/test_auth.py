"""Users from the environment, scrypt hashes, HTTP basic checks and form tokens."""

from __future__ import annotations

import base64

import pytest

from golden_record.lakehouse.app_settings import AppSettings, RoleSettings
from golden_record.lakehouse.errors import PipelineError
from golden_record.webapp.auth import Authenticator, hash_password, parse_users, password_matches

SETTINGS = AppSettings(roles={"agent": RoleSettings(), "steward": RoleSettings(full_personal_data=True, decide=True)})


def basic(name: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


def test_a_hash_verifies_its_password_only() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    assert password_matches("correct horse", stored)
    assert not password_matches("correct hors", stored)
    assert not password_matches("correct horse", "scrypt$zz$00")
    assert hash_password("same", salt=b"1" * 16) == hash_password("same", salt=b"1" * 16) != hash_password("same")


def test_users_entries_are_name_role_hash_and_never_a_password() -> None:
    text = f"sam:steward:{hash_password('pw-sam-123')}\n alex:agent:{hash_password('pw-alex-123')} ;"
    assert {name: role for name, (role, _) in parse_users(text, SETTINGS).items()} == {"sam": "steward", "alex": "agent"}
    with pytest.raises(PipelineError, match="role 'boss'"):
        parse_users(f"kim:boss:{hash_password('x')}", SETTINGS)
    with pytest.raises(PipelineError, match="never a password"):
        parse_users("kim:agent:secret", SETTINGS)
    with pytest.raises(PipelineError, match="name:role:hash"):
        parse_users("kim:agent", SETTINGS)


def test_basic_credentials_name_a_user_with_their_role() -> None:
    auth = Authenticator(parse_users(f"sam:steward:{hash_password('pw-sam-123')}", SETTINGS), SETTINGS)
    user = auth.user(basic("sam", "pw-sam-123"))
    assert (user.name, user.role, user.may.decide) == ("sam", "steward", True)
    assert auth.user(basic("sam", "pw-sam-123")) == user  # remembered check, same answer
    assert auth.user(basic("sam", "wrong")) is None
    assert auth.user(basic("nobody", "pw-sam-123")) is None
    assert auth.user("Basic not-base64!") is None
    assert auth.user(None) is None
    token = auth.csrf_token(user)
    assert auth.csrf_ok(user, token) and not auth.csrf_ok(user, token[:-1] + "0") and not auth.csrf_ok(user, None)
