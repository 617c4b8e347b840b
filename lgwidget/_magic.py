"""``%%lgrun`` and ``%lgrun``: parse the line and the body, build a RunWidget, show it, run it.

Nothing here speaks HTTP or renders: the magic stays thin (parse → build → run → return).
"""

from __future__ import annotations

import ast
import asyncio
import io
import json
import os
import shlex
from collections.abc import Iterator
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, needs_local_scope
from IPython.core.magic_arguments import argument, magic_arguments
from IPython.display import display
from traitlets import List, Unicode

from ._request import OPTIONS

ASSISTANT_ENV_VAR = "LGWIDGET_ASSISTANT_ID"
STREAM_MODE_ENV_VAR = "LGWIDGET_STREAM_MODE"


def _run_options(func: Any) -> Any:
    """``%%lgrun``'s options for run parameters, one per ``RunRequest`` field that asks for
    one: adding such a field adds the option."""
    for name, kind, flag, help in reversed(OPTIONS):
        if kind == "flag":
            func = argument(flag, dest=name, action="store_true", help=f"{help} ({name})")(func)
        else:
            metavar = "JSON" if kind == "json" else "NODES"
            func = argument(flag, dest=name, metavar=metavar, help=help)(func)
    return func


def _run_params(args: Any) -> dict[str, Any]:
    """The run parameters given as options, read by kind; those not given are left out."""
    params = {}
    for name, kind, flag, _ in OPTIONS:
        value = getattr(args, name)
        if kind == "json":
            value = _json_option(flag, value)
        elif kind == "nodes":
            value = _nodes(value)
        if value is not None and value is not False:
            params[name] = value
    return params


def _env_list(name: str) -> list[str] | None:
    value = os.environ.get(name)
    return [m.strip() for m in value.split(",") if m.strip()] if value else None


@magics_class
class LGRun(Magics):
    """Defaults of ``%%lgrun``, settable with ``%config LGRun.<name> = ...``."""

    url = Unicode(
        None, allow_none=True, config=True,
        help="Agent Server URL (default: $LANGGRAPH_API_URL, else http://127.0.0.1:2024).",
    )
    assistant_id = Unicode(
        os.environ.get(ASSISTANT_ENV_VAR), allow_none=True, config=True,
        help=f"Assistant when the magic names none (default: ${ASSISTANT_ENV_VAR}).",
    )
    stream_mode = List(
        Unicode(), default_value=_env_list(STREAM_MODE_ENV_VAR) or ["updates"], config=True,
        help=f"Stream modes when the magic gives none (default: ${STREAM_MODE_ENV_VAR}, "
        "comma-separated, else updates).",
    )

    @magic_arguments()
    @argument("assistant_id", nargs="?", metavar="ASSISTANT_ID",
              help="graph name or assistant id (default: %%config LGRun.assistant_id)")
    @argument("--url", help="Agent Server URL (default: %%config LGRun.url, $LANGGRAPH_API_URL)")
    @argument("--graph", metavar="NAME",
              help="run a compiled graph in this kernel instead (a notebook variable or "
              "module:attr); no server needed")
    @argument("--stream-mode", action="append", metavar="MODE",
              help="updates, values, messages-tuple, messages, custom, debug, tasks, events; "
              "repeat for several (default: updates)")
    @_run_options
    @argument("--thread", nargs="?", const=True, metavar="ID",
              help="run on a new thread, or on thread ID, so that an interrupt can be answered "
              "(in the view, or NAME.resume(value)); default: a stateless run")
    @argument("-o", "--output", metavar="NAME", help="bind the RunWidget to this variable")
    @argument("--background", action="store_true",
              help="return at once and let the run go on; Stop or NAME.cancel() ends it")
    @argument("--text", action="store_true", help="the body is one user message, as text")
    @argument("--batch", action="store_true",
              help="the body is a list of inputs (JSON or a Python expression): one run each, "
              "shown as a table (NAME is the Batch)")
    @argument("--concurrency", type=int, metavar="N",
              help="with --batch: runs at once (default: what the server takes)")
    @needs_local_scope
    @line_cell_magic
    def lgrun(self, line: str, cell: str | None = None, local_ns: Any = None) -> Any:
        """Stream a run of a LangGraph assistant into a live view (stateless unless --thread).

        The cell body is the run's input: JSON, else a Python expression evaluated in the
        notebook (so variables work); with --text, one user message. The line form takes the
        input after the assistant: ``%lgrun agent {"messages": [...]}``.

        The cell ends when the run ends, so Run All runs notebooks in order; interrupt the
        kernel or press Stop to cancel (what came so far stays). Python keeps the run in the
        RunWidget (-o NAME): NAME.chunks, NAME.updates, NAME.by_node(), NAME.status.
        """
        widget, args = self.build(line, cell, local_ns)
        display(widget)
        if args.background:
            widget.start()
        else:
            widget.run_sync()
        return None

    async def lgrun_async(self, line: str, cell: str, local_ns: Any = None) -> None:
        """The cell magic as top-level ``await``: the Stop button works while it runs."""
        widget, args = self.build(line, cell, local_ns)
        display(widget)
        if args.background:
            widget.start()
            return
        try:
            await widget.run()
        except asyncio.CancelledError:
            # The kernel was interrupted: say so in one line, not with the stack of the HTTP read.
            raise asyncio.CancelledError(
                "interrupted: the run was cancelled; what came so far stays in the widget"
            ) from None

    def build(self, line: str, cell: str | None, local_ns: Any) -> tuple[Any, Any]:
        from ._widget import RunWidget

        if cell is None:
            line, body = _split_line_input(line, self.lgrun.parser)
        else:
            body = cell
        args = self.lgrun.parser.parse_args(split_arguments(line))
        if isinstance(args.thread, str) and args.assistant_id is None and not _is_uuid(args.thread):
            # "--thread agent": the option took the assistant (thread ids are UUIDs).
            args.assistant_id, args.thread = args.thread, True
        shell = self.shell
        assert shell is not None  # a registered magic has its shell
        namespace = {**shell.user_ns, **(local_ns or {})}
        run_input = _input(body, args.text, namespace)
        modes = list(args.stream_mode or self.stream_mode)
        stream_mode = modes[0] if len(modes) == 1 else modes
        params = _run_params(args)
        if args.concurrency is not None and not args.batch:
            raise UsageError("--concurrency is for --batch")
        if args.batch:
            widget = self._batch(args, run_input, stream_mode, params, namespace)
        elif args.graph:
            if args.url:
                raise UsageError("--url is for a server; --graph runs in this kernel")
            try:
                widget = RunWidget.from_graph(_graph(args.graph, namespace), run_input,
                                              stream_mode=stream_mode,
                                              name=args.assistant_id or args.graph,
                                              thread=args.thread, **params)
            except (TypeError, ValueError) as exc:
                raise UsageError(f"--graph {args.graph}: {exc}") from None
        else:
            assistant_id = args.assistant_id or self.assistant_id
            if not assistant_id:
                raise UsageError(
                    f"name the assistant: %%lgrun ASSISTANT_ID, or set %config "
                    f"LGRun.assistant_id or ${ASSISTANT_ENV_VAR}"
                )
            widget = RunWidget(assistant_id, run_input, url=args.url or self.url,
                               stream_mode=stream_mode, thread=args.thread, **params)
        _bind(shell, args.output, widget)
        return widget, args

    def _batch(self, args: Any, inputs: Any, stream_mode: Any, params: dict[str, Any],
               namespace: dict[str, Any]) -> Any:
        """``--batch``: a Batch of the body's inputs, on the server or the ``--graph``."""
        from ._batch import batch

        if args.thread or args.text:
            raise UsageError("--batch runs each input on its own stateless run: no --thread "
                             "or --text")
        if not isinstance(inputs, (list, tuple)):
            raise UsageError(f"--batch needs a list of inputs in the body, not "
                             f"{type(inputs).__name__}")
        target = _graph(args.graph, namespace) if args.graph else (
            args.assistant_id or self.assistant_id)
        if not target:
            raise UsageError("name the assistant: %%lgrun ASSISTANT_ID --batch, or --graph NAME")
        server: dict[str, Any] = {} if args.graph else {"url": args.url or self.url}
        try:
            return batch(target, inputs, concurrency=args.concurrency, stream_mode=stream_mode,
                         **server, **params)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"--batch: {exc}") from None


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _bind(shell: Any, name: str | None, widget: Any) -> None:
    if name:
        if not name.isidentifier():
            raise UsageError(f"-o needs a Python name, not {name!r}")
        shell.user_ns[name] = widget


def _graph(name: str, namespace: dict[str, Any]) -> Any:
    """``--graph NAME``: a notebook variable, or ``module:attr`` imported."""
    if ":" in name:
        import importlib

        module, _, attr = name.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise UsageError(f"--graph {name}: {exc}") from None
    if name in namespace:
        return namespace[name]
    raise UsageError(f"--graph {name}: no such variable in the notebook (or use module:attr)")


def _input(body: str, as_text: bool, namespace: dict[str, Any]) -> Any:
    """The run's input from the body: one user message, JSON, or a Python expression."""
    if as_text:
        text = body.strip()
        if not text:
            raise UsageError("--text needs the message in the cell body")
        return {"messages": [{"role": "user", "content": text}]}
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except json.JSONDecodeError as json_error:
        try:
            tree = ast.parse(body.strip(), mode="eval")
        except SyntaxError:
            raise UsageError(
                f"the body is neither JSON ({json_error.msg} at line {json_error.lineno}, column "
                f"{json_error.colno}) nor a Python expression"
            ) from None
    try:
        return eval(compile(tree, "<%%lgrun body>", "eval"), namespace)  # the user's own code
    except Exception as exc:
        raise UsageError(
            f"the body as a Python expression failed: {type(exc).__name__}: {exc}"
        ) from None


def _json_option(name: str, value: str | None) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{name} is not JSON: {exc.msg} at column {exc.colno}") from None


def _nodes(value: str | None) -> str | list[str] | None:
    if value is None:
        return None
    if value.strip() == "*":
        return "*"
    nodes = [n.strip() for n in value.split(",") if n.strip()]
    if not nodes:
        raise UsageError("give node names separated by commas, or *")
    return nodes


def split_arguments(line: str) -> list[str]:
    """The magic's line as arguments: words as a shell splits them (quotes removed), except that
    JSON that starts with ``{`` or ``[`` is one argument however it is spaced, so that
    ``--config {"recursion_limit": 50}`` works as typed. (IPython's ``parse_argstring`` splits
    it at the space and keeps the quotes of ``'{"a": 1}'``.)"""
    return [word for word, _ in _words(line)]


def _words(line: str) -> Iterator[tuple[str, int]]:
    """Each argument of ``line`` with where it starts."""
    decoder = json.JSONDecoder()
    i = 0
    while i < len(line):
        if line[i].isspace():
            i += 1
            continue
        if line[i] in "{[":
            try:
                end = decoder.raw_decode(line, i)[1]
            except ValueError:
                pass  # not JSON: a word, and the option that takes it says what is wrong
            else:
                yield line[i:end], i
                i = end
                continue
        rest = io.StringIO(line[i:])
        lexer = shlex.shlex(rest, posix=True)
        lexer.whitespace_split = True
        try:
            word = lexer.get_token()
        except ValueError as exc:  # an unclosed quote
            raise UsageError(f"cannot read the options: {exc}") from None
        if word is None:
            return
        yield word, i
        i += rest.tell()


def _split_line_input(line: str, parser: Any) -> tuple[str, str]:
    """``--url U agent {"a": 1}`` → (``--url U agent``, ``{"a": 1}``): the input after the
    assistant is kept as written, quotes and spaces included."""
    takes_value = {s for a in parser._actions if a.nargs is None and a.option_strings
                   for s in a.option_strings}
    expect_value = have_assistant = False
    for word, start in _words(line):
        if expect_value or word.startswith("-"):
            expect_value = not expect_value and word in takes_value
        elif not have_assistant:
            have_assistant = True
        else:
            return line[:start].strip(), line[start:].strip()  # the input, as written
    return line.strip(), ""


def await_lgrun_cells(lines: list[str]) -> list[str]:
    """An IPython input transformer: ``%%lgrun`` cells become an awaited call.

    IPython turns the cell into ``get_ipython().run_cell_magic('lgrun', line, body)``; awaiting
    our coroutine instead lets the run use the kernel's own loop (top-level await), where the
    widget's Stop button is handled while the cell runs. Without autoawait the cell stays as
    it was and runs on a thread (``_runner.run_blocking``).
    """
    prefix = "get_ipython().run_cell_magic('lgrun', "
    if len(lines) != 1 or not lines[0].startswith(prefix):
        return lines
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or not shell.autoawait:
        return lines
    call = lines[0][len(prefix):]
    return [f"await get_ipython().magics_manager.registry['LGRun'].lgrun_async({call}"]


def load(shell: Any) -> None:
    shell.register_magics(LGRun)
    if await_lgrun_cells not in shell.input_transformers_post:
        shell.input_transformers_post.append(await_lgrun_cells)


def unload(shell: Any) -> None:
    """``%unload_ext lgwidget``: the magic and its input transformer are gone."""
    if await_lgrun_cells in shell.input_transformers_post:
        shell.input_transformers_post.remove(await_lgrun_cells)
    manager = shell.magics_manager
    for kind in ("line", "cell"):
        manager.magics[kind].pop("lgrun", None)
    manager.registry.pop("LGRun", None)
