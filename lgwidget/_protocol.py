"""The messages between the kernel and the front end, defined once on this side.

Keep in sync with ``js/src/protocol.js``. Kernel → browser: ``{"type": BATCH, "seq": n}`` with
one binary buffer, a compressed batch of chunks (see ``_transport``). Browser → kernel:
``{"type": SYNC, "have": n}`` (send again every batch from chunk ``n`` on: the view missed
them) and ``{"type": STOP}`` (the Stop button).
"""

from __future__ import annotations

BATCH = "batch"
SYNC = "sync"
STOP = "stop"
