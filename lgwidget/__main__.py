"""The lgwidget command: ``lgwidget demo`` serves the bundled agent and opens JupyterLab."""

from __future__ import annotations

import argparse
import sys

from ._version import __version__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="lgwidget",
        description="Live, readable LangGraph runs in Jupyter. The package is used from a "
        "notebook (%load_ext lgwidget, lgwidget.RunWidget); this command runs the demo.",
    )
    parser.add_argument("--version", action="version", version=f"lgwidget {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="run the demo: a local Agent Server with the bundled example agent, then "
        "JupyterLab on the quickstart notebook",
        description="Start a local LangGraph Agent Server (langgraph dev) serving the bundled "
        "example agent, then JupyterLab on the quickstart notebook. No API key and no network "
        "are needed. Ctrl-C stops both.",
    )
    demo.add_argument("--no-browser", action="store_true",
                      help="do not open a browser; print JupyterLab's URL instead")
    demo.add_argument("--port", type=int, help="the Agent Server's port (default: a free one)")
    args = parser.parse_args(argv)
    from .demo.command import run_demo

    return run_demo(no_browser=args.no_browser, port=args.port)


if __name__ == "__main__":
    sys.exit(main())
