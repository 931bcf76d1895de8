"""Who is asking: users and roles from the environment (scrypt password hashes), HTTP basic authentication, CSRF tokens."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

from golden_record.lakehouse.app_settings import AppSettings, RoleSettings
from golden_record.lakehouse.errors import PipelineError

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
"""scrypt cost parameters of a password hash (about 50 ms per check on this machine's cores)."""


@dataclass(frozen=True)
class User:
    """An employee allowed into the app: name, role and what the role may do."""

    name: str
    role: str
    may: RoleSettings


def hash_password(password: str, salt: bytes | None = None) -> str:
    """`scrypt$<salt hex>$<hash hex>` of a password (random salt unless given)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Whether the password hashes to the stored `scrypt$salt$hash` (constant-time comparison)."""
    try:
        scheme, salt, digest = stored.split("$")
        expected = bytes.fromhex(digest)
        salt_bytes = bytes.fromhex(salt)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    return hmac.compare_digest(hashlib.scrypt(password.encode("utf-8"), salt=salt_bytes, **SCRYPT), expected)


def parse_users(text: str, settings: AppSettings) -> dict[str, tuple[str, str]]:
    """name -> (role, password hash) from `name:role:hash` entries separated by ';' or new lines; PipelineError on a bad entry."""
    users: dict[str, tuple[str, str]] = {}
    for entry in (part.strip() for line in text.splitlines() for part in line.split(";")):
        if not entry:
            continue
        fields = entry.split(":")
        if len(fields) != 3 or not all(fields):
            raise PipelineError(f"{settings.users_env}: entries must read name:role:hash, got {fields[0]!r}…")
        name, role, stored = fields
        if role not in settings.roles:
            raise PipelineError(f"{settings.users_env}: user {name!r} has role {role!r}; roles in conf/app.yaml: {sorted(settings.roles)}")
        if not stored.startswith("scrypt$"):
            raise PipelineError(f"{settings.users_env}: user {name!r}: store a hash from `golden-record hash-password`, never a password")
        users[name] = (role, stored)
    return users


def users_from_environment(settings: AppSettings) -> dict[str, tuple[str, str]]:
    """The users of `settings.users_env`; PipelineError when none is set (nobody could sign in)."""
    users = parse_users(os.environ.get(settings.users_env, ""), settings)
    if not users:
        raise PipelineError(f"no users: set {settings.users_env} to name:role:hash entries (hash from `golden-record hash-password`)")
    return users


class Authenticator:
    """Checks HTTP basic credentials against the users; remembers good checks so a page costs one scrypt per session."""

    def __init__(self, users: dict[str, tuple[str, str]], settings: AppSettings) -> None:
        self.users = users
        self.settings = settings
        self._checked: dict[tuple[str, str], str] = {}
        self._secret = secrets.token_bytes(32)

    def user(self, authorization: str | None) -> User | None:
        """The user an `Authorization: Basic …` header names with the right password, else None."""
        if not authorization or not authorization.lower().startswith("basic "):
            return None
        try:
            name, _, password = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        known = self.users.get(name)
        if known is None:
            return None
        role, stored = known
        proof = hmac.new(self._secret, f"{name}:{password}".encode(), hashlib.sha256).hexdigest()
        if self._checked.get((name, stored)) != proof:
            if not password_matches(password, stored):
                return None
            self._checked[(name, stored)] = proof
        return User(name, role, self.settings.roles[role])

    def csrf_token(self, user: User) -> str:
        """The token a user's forms carry (an HMAC of the user name with this process's secret)."""
        return hmac.new(self._secret, f"csrf:{user.name}".encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, user: User, token: str | None) -> bool:
        """Whether a submitted form carries the user's token (a page of this app sent it)."""
        return token is not None and hmac.compare_digest(token, self.csrf_token(user))
