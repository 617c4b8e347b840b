"""A build hook that runs before the front end's build: without npm it stops with one line."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLE = Path(__file__).parent / "lgwidget" / "static" / "widget.js"


class NpmCheckHook(BuildHookInterface):
    PLUGIN_NAME = "npm-check"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if BUNDLE.exists() or shutil.which("npm"):
            return
        # SystemExit, not an exception: pip shows this line, not the build backend's traceback.
        sys.exit("lgwidget: building the front end (js/) needs Node.js 20 and npm on the PATH, "
                 "and npm was not found. Install Node.js (https://nodejs.org), then install again.")
