"""The web app over a copy of the sample run, with one user per role (hashes made here, never stored)."""

from __future__ import annotations

import pytest

from golden_record.lakehouse.config import PipelineConfig
from golden_record.webapp.auth import hash_password

PASSWORDS = {"sam": "steward-pass-1", "alex": "agent-pass-1", "ada": "admin-pass-1"}
ROLES = {"sam": "steward", "alex": "agent", "ada": "admin"}


@pytest.fixture(scope="session")
def passwords() -> dict[str, str]:
    """name -> password of the test users."""
    return dict(PASSWORDS)


@pytest.fixture(scope="session")
def users() -> dict[str, tuple[str, str]]:
    """name -> (role, hash) as `users_from_environment` returns them."""
    return {name: (ROLES[name], hash_password(password)) for name, password in PASSWORDS.items()}


@pytest.fixture
def app_config(copy_of_run: PipelineConfig) -> PipelineConfig:
    """A copy of the sample run whose app reloads a newer run at once."""
    return copy_of_run.merged({"app": {"reload_seconds": 0}})
