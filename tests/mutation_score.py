"""The mutation score of the pure layers, read from mutmut's results (run ``mutmut run`` first).

    python tests/mutation_score.py            # per module, then every mutant that was not killed
    python tests/mutation_score.py --min 85   # and exit 1 when fewer than 85 % are killed

Scored: every function of _model, _transport, _decode and _request, and ``_client._secrets``
(the rest of _client.py talks HTTP and is left to the server tests). ``redact`` (in _decode)
and ``_secrets`` are shown on lines of their own too. A mutant killed by a timeout counts as
killed; one with no test that reaches it (``no tests``) or not checked counts against the score.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("_model", "_transport", "_decode", "_request", "_client")
#: mutmut's names for the mutants of a function: lgwidget._client.x__secrets__mutmut_3
SCORED_CLIENT = ("lgwidget._client.x__secrets__mutmut_",)
ALSO_SHOWN = {"redact": "lgwidget._decode.x_redact__mutmut_",
              "_secrets": "lgwidget._client.x__secrets__mutmut_"}
KILLED = {1, 3, 36, -24, 24, 152, 255}  # killed, pytest internal error, timeouts (mutmut's codes)
STATUS = {0: "survived", 33: "no tests", 5: "no tests", None: "not checked"}


def results() -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    for module in MODULES:
        meta = ROOT / "mutants" / "lgwidget" / f"{module}.py.meta"
        if not meta.exists():
            sys.exit(f"{meta} is missing: run mutmut first (see tests/MUTATION.md)")
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        for name, code in codes.items():
            if module != "_client" or name.startswith(SCORED_CLIENT):
                found[name] = code
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--min", type=float, default=0.0, help="lowest acceptable score, in %%")
    args = parser.parse_args()
    found = results()

    def line(label: str, names: list[str]) -> tuple[int, int]:
        killed = sum(found[n] in KILLED for n in names)
        total = len(names)
        print(f"{label:<22} {killed:>4} / {total:<4} {100 * killed / max(total, 1):5.1f} %")
        return killed, total

    for module in MODULES:
        label = "_client (_secrets only)" if module == "_client" else module
        line(label, [n for n in found if n.startswith(f"lgwidget.{module}.")])
    for label, prefix in ALSO_SHOWN.items():
        line(f"  of which {label}", [n for n in found if n.startswith(prefix)])
    killed, total = line("all", list(found))
    left = Counter(STATUS.get(c, f"exit {c}") for c in found.values() if c not in KILLED)
    for name in sorted(n for n, c in found.items() if c not in KILLED):
        print(f"  {STATUS.get(found[name], found[name])}: {name}")
    if left:
        print("not killed:", ", ".join(f"{k} {v}" for k, v in left.items()))
    return 0 if 100 * killed >= args.min * total else 1


if __name__ == "__main__":
    sys.exit(main())
