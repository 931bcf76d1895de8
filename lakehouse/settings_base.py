"""What every config section is built from: strict, immutable models, and the error a bad config raises."""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

FileRef = Path | Traversable
"""A file on disk, or one shipped in the package (a Traversable: also inside a zipped wheel)."""


class ConfigError(ValueError):
    """A configuration problem, with a message naming the file, section and field."""


class Strict(BaseModel):
    """Reject unknown keys (typos in the YAML) and keep loaded settings immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
