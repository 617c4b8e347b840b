"""Chunks the benchmarks feed to a widget, built in the kernel (``from bench.chunks import ...``
with the repository root on the kernel's ``sys.path``) and, for checks, in the benchmark itself.

* realistic ``updates`` (``make_parts("chat" | "random", n, size)``): LangChain-like AI messages
  with usage and response metadata, tool calls and tool results from two nodes (``agent``,
  ``tools``), of about ``size`` bytes of JSON each, seeded. ``chat`` text comes from a
  Zipf-distributed vocabulary of 4,000 English-like words (zlib compresses it about 2.5x, as it
  does English prose); ``random`` is base64 of random bytes, the incompressible worst case.
  ``replay(parts)`` yields them, and to the event loop every 64 parts, as a socket read does.
* tokens of one answer (``make_tokens(n)``): a seeded mix of words with a leading space,
  sub-word pieces, punctuation, paragraph breaks, non-ASCII and astral characters, and text that
  looks like HTML or Markdown (it must stay text); ``token_chunk(token, last)`` makes one
  ``messages`` event of it shaped as the Agent Server sends it in messages-tuple mode
  (langgraph-api 0.16.7): the AIMessageChunk with every key, the metadata with the server's
  keys, and ``"chunk_position": "last"`` (plus finish_reason) on the last chunk.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import uuid
import zlib

# ---------------------------------------------------------------------------------- updates


def _vocabulary(rng, size=4000):
    onsets = ["", "b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "w", "th",
              "st", "pr", "tr", "ch", "sh", "br", "cl", "gr"]
    vowels = ["a", "e", "i", "o", "u", "ea", "ou", "io", "ai", "ee"]
    codas = ["", "", "n", "r", "s", "t", "l", "nd", "st", "ng", "ck", "m", "rs", "tion", "ed"]
    common = ("the of and to a in is that for it as with was on be by this are or from at an "
              "which have not but can all your will one more has their if would about there "
              "when what so up out them into some time other than then its only also these "
              "state graph node agent model tool call result message answer step search").split()
    words = set(common)
    while len(words) < size:
        words.add("".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)
                          for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4)))))
    words = common + sorted(words - set(common))
    weights = [1 / (rank + 2) for rank in range(len(words))]  # Zipf
    return words, weights


def _sentences(rng, words, weights, chars):
    out, length = [], 0
    while length < chars:
        sentence = rng.choices(words, weights, k=rng.randint(6, 18))
        s = " ".join(sentence).capitalize() + rng.choice([".", ".", ".", "?", ",", ":"]) + " "
        out.append(s)
        length += len(s)
    return "".join(out)[:chars]


def _shell(rng, i, kind):
    rid = f"run-{uuid.UUID(int=rng.getrandbits(128))}"
    call_id = "call_" + base64.b64encode(rng.randbytes(18)).decode().replace("/", "x")
    if kind == 0:
        return "agent", {"messages": [{"content": "", "additional_kwargs": {},
            "response_metadata": {"finish_reason": "stop", "model_name": "gpt-4o-mini-2024-07-18",
                                  "system_fingerprint": f"fp_{rng.getrandbits(40):010x}"},
            "type": "ai", "name": None, "id": rid, "tool_calls": [], "invalid_tool_calls": [],
            "usage_metadata": {"input_tokens": rng.randint(50, 4000),
                               "output_tokens": rng.randint(5, 400),
                               "total_tokens": rng.randint(100, 4400)}}]}
    if kind == 1:
        return "agent", {"messages": [{"content": "", "additional_kwargs": {},
            "response_metadata": {"finish_reason": "tool_calls"}, "type": "ai", "name": None,
            "id": rid, "tool_calls": [{"name": "search", "args": {"query": ""}, "id": call_id,
                                       "type": "tool_call"}], "invalid_tool_calls": []}]}
    return "tools", {"messages": [{"content": "", "additional_kwargs": {},
        "response_metadata": {}, "type": "tool", "name": "search", "id": str(uuid.UUID(
        int=rng.getrandbits(128))), "tool_call_id": call_id, "artifact": None,
        "status": "success"}]}


def _fill(update, text):
    m = update["messages"][0]
    if m.get("tool_calls"):
        m["tool_calls"][0]["args"]["query"] = text[:80]
        m["content"] = text[80:]
    else:
        m["content"] = text


def make_parts(kind, n, size, seed=20240601):
    rng = random.Random(seed)
    words, weights = _vocabulary(rng)
    parts = [("metadata", {"run_id": str(uuid.UUID(int=rng.getrandbits(128))), "attempt": 1})]
    for i in range(n):
        node, update = _shell(rng, i, (0, 1, 2)[i % 3])
        base = len(json.dumps({node: update}, separators=(",", ":")))
        room = max(0, size - base)
        if kind == "chat":
            text = _sentences(rng, words, weights, room)
        else:
            text = base64.b64encode(rng.randbytes(room)).decode()[:room]
        _fill(update, text)
        parts.append(("updates", {node: update}))
    return parts


async def replay(parts):
    for i, part in enumerate(parts):
        if i % 64 == 63:
            await asyncio.sleep(0)
        yield part


async def bare_parts(parts):
    """The baseline: iterate and ``json.dumps`` each part, what any consumer that forwards JSON
    must do."""
    n = 0
    async for _event, data in replay(parts):
        json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        n += 1
    return n


def payload_facts(parts):
    texts = [json.dumps(d, separators=(",", ":"), ensure_ascii=False) for _, d in parts]
    raw = "\n".join(texts).encode()
    return {"payload_bytes": sum(map(len, texts)),
            "zlib1_ratio": len(raw) / len(zlib.compress(raw, 1)),
            "sample": texts[1][:400]}


# ---------------------------------------------------------------------------------- tokens

_WORDS = (
    "the of and to in is that for it as with was on be by this are or from at an which "
    "graph node state stream token message model agent tool call run step edge update "
    "value chunk batch frame view panel widget kernel browser server client event "
    "latency throughput render layout paint memory budget queue thread socket buffer "
    "because however therefore although while where when then also only still even "
    "first second third next last early late fast slow large small long short "
    "café naïve façade résumé Zürich Ångström señor déjà coöperate"
).split()
_PUNCT = [",", ".", ";", ":", " —", "…", "!", "?", " (", ")", '"', "'s"]
_ODD = [" 🙂", " ✓", " “quoted”", " <b>not bold</b>", " &amp;", " **md**", " `code`",
        " \U0001d518\U0001d52b\U0001d526\U0001d520\U0001d52c\U0001d521\U0001d522",
        " \\n", " \t tab", " 中文", " عربى"]
_SUFFIX = ["ing", "ed", "s", "ly", "tion", "er", "ness"]


def make_tokens(n, seed=20000):
    """n tokens of an LLM-like answer: seeded, the same in the kernel and the benchmark."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.02:
            tok = "\n\n"
        elif r < 0.12:
            tok = rng.choice(_PUNCT)
        elif r < 0.13:
            tok = rng.choice(_ODD)
        elif r < 0.22:
            tok = rng.choice(_SUFFIX)
        else:
            tok = " " + rng.choice(_WORDS)
        out.append(tok)
    return out


RUN_ID = "1f0a9b2c-77aa-6d3e-bf11-0242ac120002"
_NS = "answer:6c1f0e52-2b7e-5a0d-9c3f-1f0a9b2c77aa"
# The metadata of a messages-tuple chunk as the Agent Server sends it (langgraph-api 0.16).
META = {
    "created_by": "system", "graph_id": "agent",
    "assistant_id": "fe096781-5601-53d2-b2f6-0d3403f7e9ca", "run_attempt": 1,
    "langgraph_version": "1.2.1", "langgraph_api_version": "0.16.7", "langgraph_plan": "developer",
    "langgraph_host": "self-hosted", "langgraph_api_url": "http://127.0.0.1:2024",
    "run_id": RUN_ID, "thread_id": "3f1b6c1e-8d1c-4b6e-9a53-6f4d2b8f0a11", "user_id": "",
    "langgraph_step": 1, "langgraph_node": "answer", "langgraph_triggers": ["branch:to:answer"],
    "langgraph_path": ["__pregel_pull", "answer"], "langgraph_checkpoint_ns": _NS,
    "checkpoint_ns": _NS, "ls_provider": "openai", "ls_model_name": "gpt-4o-mini",
    "ls_model_type": "chat", "ls_temperature": 0.0,
}
_CHUNK = {
    "content": "", "additional_kwargs": {}, "response_metadata": {}, "type": "AIMessageChunk",
    "name": None, "id": "run-1", "tool_calls": [], "invalid_tool_calls": [],
    "tool_call_chunks": [], "usage_metadata": None,
}
_FINISH = {"finish_reason": "stop", "model_name": "gpt-4o-mini-2024-07-18",
           "system_fingerprint": "fp_0ba0d124f1", "service_tier": "default",
           "model_provider": "openai"}


def token_chunk(token, last=False):
    """One ``messages`` event (messages-tuple mode) carrying one token of message ``run-1``."""
    chunk = {**_CHUNK, "content": token}
    if last:
        chunk.update(response_metadata=_FINISH, chunk_position="last")
    return ("messages", [chunk, META])


def final_update(text, n):
    """The ``updates`` event of the node once the message is whole."""
    message = {
        "content": text, "additional_kwargs": {}, "response_metadata": _FINISH, "type": "ai",
        "name": None, "id": "run-1", "tool_calls": [], "invalid_tool_calls": [],
        "usage_metadata": {"input_tokens": 31, "output_tokens": n, "total_tokens": n + 31},
    }
    return ("updates", {"answer": {"messages": [message]}})
