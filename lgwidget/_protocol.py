"""The messages between the kernel and the front end, defined once on this side.

Keep in sync with ``js/src/protocol.js``. Kernel → browser: ``{"type": BATCH, "seq": n}`` with
one binary buffer, a compressed batch of chunks (see ``_transport``). Browser → kernel:

- ``{"type": SYNC, "have": n}``: send again every batch from chunk ``n`` on (the view missed them);
- ``{"type": STOP}``: the Stop button;
- ``{"type": ANSWER, "id": interrupt id, "value": ...}``: an answer typed in an interrupt card;
- ``{"type": HISTORY, "limit": n}``: list the thread's checkpoints (the ``checkpoints`` trait);
- ``{"type": RERUN, "checkpoint_id": ..., "input": ...}``: run the thread again from one;
- a batch's table: ``{"type": STOP}`` (Stop all) and ``{"type": RERUN_FAILED}``.
"""

from __future__ import annotations

BATCH = "batch"
SYNC = "sync"
STOP = "stop"
ANSWER = "answer"
HISTORY = "history"
RERUN = "rerun"
RERUN_FAILED = "rerun_failed"
