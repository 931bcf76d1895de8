"""The salt of the suppression list: from the environment, or a random one kept beside the lakehouse."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.errors import PipelineError


def salt_file(config: PipelineConfig) -> Path:
    """Where a generated salt is kept when the salt's environment variable is unset: {root}/privacy/salt."""
    root = config.paths.root
    if root.startswith("dbfs:"):
        root = "/dbfs" + root.removeprefix("dbfs:")
    elif "://" in root:
        raise PipelineError(f"paths.root {root} is not a local path: set {config.privacy.suppression.salt_env} (e.g. from a secret scope)")
    return Path(root) / "privacy" / "salt"


def suppression_salt(config: PipelineConfig, create: bool = False) -> str | None:
    """The salt: the configured environment variable, else the kept file; `create` writes a random one (mode 600) when neither exists."""
    from_env = os.environ.get(config.privacy.suppression.salt_env)
    if from_env:
        return from_env
    path = salt_file(config)
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()
