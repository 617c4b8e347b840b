"""The wheel must carry the built front end: a wheel without it shows an empty widget."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_the_wheel_ships_the_bundle_and_py_typed(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = tmp_path.glob("lgwidget-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"lgwidget/static/widget.js", "lgwidget/static/graphwidget.js",
            "lgwidget/static/widget.css", "lgwidget/py.typed"} <= names
    assert not any(n.startswith(("tests/", "js/", "bench/")) for n in names)
