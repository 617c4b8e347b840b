"""A run's parameters, declared once with the SDK's names.

:class:`RunRequest` is what every entry point builds and hands down: ``lgwidget.stream``,
``Client.stream``, ``RunWidget``, ``RunWidget.from_graph`` and ``%%lgrun``. Adding a parameter
is one field here (with ``_option(...)`` if ``%%lgrun`` should take it too). Names and
defaults follow ``langgraph_sdk``'s ``client.runs.stream(thread_id, ...)``, with one deliberate
difference: ``on_disconnect`` defaults to ``"cancel"``. The server's own default,
``"continue"``, leaves an orphan run occupying the worker once the user stops watching.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import quote

#: Wire names that differ from the SDK's keyword names, as in the SDK.
_WIRE_NAMES = {"langsmith_tracing": "langsmith_tracer"}


def _option(kind: str, help: str, flag: str | None = None) -> dict[str, Any]:
    """Field metadata that makes ``%%lgrun`` take the parameter: ``kind`` says how its text is
    read (``json``, ``nodes``: comma-separated names or ``*``, ``flag``: on when given)."""
    return {"option": kind, "help": help, "flag": flag}


@dataclasses.dataclass(frozen=True)
class RunRequest:
    """One run: the assistant (a graph name or an assistant id), its input, and every
    parameter of the SDK's ``client.runs.stream``. None is never sent."""

    assistant_id: str
    input: Any = None
    stream_mode: str | list[str] = "updates"
    #: The thread to run on (``POST /threads/{thread_id}/runs/stream``); None: a stateless run.
    #: In the URL, not the body.
    thread_id: str | None = None
    #: ``{"resume": value}`` answers an interrupt (a thread run only); several pending:
    #: ``{"resume": {interrupt_id: value, ...}}``.
    command: Any = None
    #: Run from this checkpoint of the thread (LangGraph Studio's time travel).
    checkpoint_id: str | None = None
    checkpoint: Any = None
    config: Any = dataclasses.field(
        default=None, metadata=_option("json", 'run config, e.g. {"recursion_limit": 50}'))
    context: Any = dataclasses.field(default=None, metadata=_option("json", "run context"))
    metadata: Any = dataclasses.field(default=None, metadata=_option("json", "run metadata"))
    stream_subgraphs: bool | None = dataclasses.field(
        default=None, metadata=_option("flag", "stream subgraphs too", "--subgraphs"))
    stream_resumable: bool | None = None
    interrupt_before: Any = dataclasses.field(
        default=None, metadata=_option("nodes", "comma-separated node names, or *"))
    interrupt_after: Any = dataclasses.field(
        default=None, metadata=_option("nodes", "comma-separated node names, or *"))
    durability: str | None = None
    on_completion: str | None = None
    on_disconnect: str | None = "cancel"
    if_not_exists: str | None = None
    webhook: str | None = None
    feedback_keys: Any = None
    after_seconds: int | None = None
    multitask_strategy: str | None = None
    checkpoint_during: bool | None = None
    langsmith_tracing: Any = None

    @classmethod
    def make(cls, assistant_id: str, input: Any = None, stream_mode: Any = "updates",
             **params: Any) -> RunRequest:
        """A request from keyword arguments; an unknown one raises ``TypeError`` naming it."""
        unknown = sorted(set(params) - set(PARAMS))
        if unknown:
            raise TypeError(f"unexpected keyword argument {unknown[0]!r}; a run takes "
                            f"{', '.join(sorted(PARAMS))}")
        if not isinstance(assistant_id, str) or not assistant_id:
            raise TypeError(
                f"assistant_id must be a graph name or an assistant id, not {assistant_id!r}")
        if isinstance(stream_mode, (tuple, list)):
            stream_mode = list(stream_mode)
        return cls(assistant_id, input, stream_mode, **params)

    def path(self) -> str:
        """Where the run streams from: a thread's runs, or the stateless ``/runs/stream``."""
        if self.thread_id is None:
            return "/runs/stream"
        return f"/threads/{quote(self.thread_id, safe='')}/runs/stream"

    @property
    def stream_modes(self) -> list[str]:
        """``stream_mode`` as a list."""
        mode = self.stream_mode
        return [mode] if isinstance(mode, str) else list(mode or [])

    def params(self) -> dict[str, Any]:
        """The parameters besides assistant_id, input and stream_mode that are set."""
        return {name: value for name in PARAMS if (value := getattr(self, name)) is not None}

    def payload(self) -> dict[str, Any]:
        """The request body, as the SDK sends it."""
        body = {"assistant_id": self.assistant_id, "input": self.input,
                "stream_mode": self.stream_mode}
        body.update({_WIRE_NAMES.get(k, k): v for k, v in self.params().items()
                     if k != "thread_id"})
        return {k: v for k, v in body.items() if v is not None}


#: Every parameter besides assistant_id, input and stream_mode, in declaration order.
PARAMS = tuple(f.name for f in dataclasses.fields(RunRequest))[3:]
#: The parameters ``%%lgrun`` takes as options: (name, kind, flag, help).
OPTIONS = tuple(
    (f.name, f.metadata["option"], f.metadata["flag"] or "--" + f.name.replace("_", "-"),
     f.metadata["help"])
    for f in dataclasses.fields(RunRequest) if "option" in f.metadata
)

