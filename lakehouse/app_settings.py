"""Validate the `app:` section of the config (conf/app.yaml): the web app's address, roles, users and lookups."""

from __future__ import annotations

from pydantic import Field, model_validator

from golden_record.lakehouse.settings_base import Strict


class RoleSettings(Strict):
    """What a role may do in the web app."""

    full_personal_data: bool = Field(default=False, description="sees full values of the masked classes (else their masked form)")
    decide: bool = Field(default=False, description="decides review pairs, splits and merges golden customers")
    audit: bool = Field(default=False, description="reads the access log")


class AppSettings(Strict):
    """The `app:` section (conf/app.yaml)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8050, ge=1, le=65535)
    users_env: str = Field(default="GOLDEN_RECORD_USERS", description="environment variable: `name:role:hash` entries separated by ';' or new lines")
    roles: dict[str, RoleSettings] = Field(default_factory=lambda: {"agent": RoleSettings(), "steward": RoleSettings(full_personal_data=True, decide=True)})
    phone_region: str = Field(default="DE", pattern="^[A-Z]{2}$", description="a searched national phone number is read in this region")
    name_similarity: float = Field(default=0.86, gt=0, le=1, description="Jaro-Winkler similarity at which a searched name word finds a name word")
    results: int = Field(default=25, ge=1, description="search results shown")
    review_page: int = Field(default=50, ge=1, description="review pairs shown per page")
    timeline_events: int = Field(default=200, ge=1, description="newest interactions shown on a customer page")
    reload_seconds: float = Field(default=10, ge=0, description="how often the app looks for a newer complete run (run manifest)")

    @model_validator(mode="after")
    def _roles_defined(self) -> "AppSettings":
        if not self.roles:
            raise ValueError("app.roles must define at least one role")
        return self
