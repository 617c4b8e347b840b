"""The test command: installs what the tests need, then runs every check, Python and JS.

    python tests/run.py [PYTEST ARGS...]      e.g. python tests/run.py -x tests/test_widget.py

Works on a fresh clone in a fresh virtualenv. It installs the package with its test extra
(building the front end needs Node.js 20 and npm), the front end's node modules (``npm ci``) and,
as root on Debian, the ``chromium`` package the browser tests drive. Then it runs ruff and mypy
on ``lgwidget/``, the Python suite and the front-end suite; each runs even when one before it
failed, and the exit code is 1 if any failed. ``--no-install`` skips the installing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")


def step(title: str, cmd: list[str], **kwargs: object) -> bool:
    print(f"\n== {title}: {' '.join(cmd)}", flush=True)
    started = time.monotonic()
    code = subprocess.call(cmd, cwd=kwargs.pop("cwd", ROOT), **kwargs)  # type: ignore[arg-type]
    print(f"== {title}: {'ok' if code == 0 else f'FAILED (exit {code})'} "
          f"in {time.monotonic() - started:.0f} s", flush=True)
    return code == 0


def install() -> bool:
    if not shutil.which("npm"):
        print("The tests need Node.js 20 and npm on the PATH (to build the front end and run "
              "its tests); npm was not found.", file=sys.stderr)
        return False
    ok = True
    if not CHROMIUM.exists():
        if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            ok = step("chromium", ["apt-get", "update", "-qq"], env=env) and step(
                "chromium", ["apt-get", "install", "-y", "-qq", "chromium"], env=env)
        else:
            print(f"The browser tests drive Debian's chromium at {CHROMIUM}, which is missing: "
                  "apt-get install chromium (as root).", file=sys.stderr)
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_ROOT_USER_ACTION": "ignore"}
    ok = step("install", [sys.executable, "-m", "pip", "install", "-q", "-e", ".[test]"],
              env=env) and ok
    return step("install", ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=ROOT / "js") and ok


def main(argv: list[str]) -> int:
    started = time.monotonic()
    installed = True
    if "--no-install" in argv:
        argv = [a for a in argv if a != "--no-install"]
    else:
        installed = install()
        if not installed:
            print("\nSetting up failed; the checks below may fail for that reason.", flush=True)
    results = {
        "ruff": step("ruff", [sys.executable, "-m", "ruff", "check", "."]),
        "mypy": step("mypy", [sys.executable, "-m", "mypy"]),
        "python tests": step("python tests", [sys.executable, "-m", "pytest", *argv]),
        "js tests": step("js tests", ["npm", "--prefix", "js", "test"]),
    }
    failed = [name for name, ok in results.items() if not ok] + ([] if installed else ["set-up"])
    minutes = (time.monotonic() - started) / 60
    print(f"\n{'All checks passed' if not failed else 'FAILED: ' + ', '.join(failed)} "
          f"({minutes:.1f} min)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
