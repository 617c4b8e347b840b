"""The lgwidget command: ``lgwidget demo`` serves the bundled agent and opens JupyterLab."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lgwidget", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo",
        help="serve the bundled example agent with langgraph dev and open the quickstart "
        "notebook in JupyterLab (no API key, no network)",
    )
    demo.add_argument("--no-browser", action="store_true",
                      help="do not open a browser; print JupyterLab's URL")
    demo.add_argument("--port", type=int, help="the Agent Server's port (default: a free one)")
    args = parser.parse_args(argv)
    from .demo.command import run_demo

    return run_demo(no_browser=args.no_browser, port=args.port)


if __name__ == "__main__":
    sys.exit(main())
