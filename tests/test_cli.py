"""The ``lgwidget`` command's own words: version and help."""

from __future__ import annotations

import subprocess
import sys

import pytest

import lgwidget


def _run(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "lgwidget", *args], capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout


def test_version() -> None:
    assert _run("--version").strip() == f"lgwidget {lgwidget.__version__}"


@pytest.mark.parametrize("args", [["--help"], ["demo", "--help"]])
def test_help_is_plain_words(args: list[str]) -> None:
    text = _run(*args)
    assert "demo" in text and "usage: lgwidget" in text
    assert "``" not in text and ":func:" not in text  # no reST markup
