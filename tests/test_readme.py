"""The README's layout table names every folder of the tree and every stage package, and nothing that is not there."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _layout_rows() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Layout\n") : readme.index("## Configuration\n")]
    return re.findall(r"^\| `([^`]+/)` \|", section, flags=re.M)


def test_layout_table_matches_the_tree() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout.split() or [str(p.relative_to(REPO)) for p in REPO.rglob("*") if p.is_file()]
    top = {path.split("/")[0] + "/" for path in tracked if "/" in path and not path.startswith(".")}
    stage_packages = {f"{p.parent.relative_to(REPO).as_posix()}/" for p in (REPO / "transforms").glob("*/__init__.py")}
    rows = set(_layout_rows())
    assert rows == (top - {"transforms/"}) | stage_packages
    for row in rows:
        assert (REPO / row).is_dir(), row
