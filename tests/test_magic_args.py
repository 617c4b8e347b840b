"""How ``%%lgrun`` reads its line, alone (no kernel): JSON options as people type them."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from lgwidget._magic import LGRun, _run_params, _split_line_input, split_arguments

PARSER = LGRun.lgrun.parser


@pytest.mark.parametrize("line", [
    'agent --config {"recursion_limit": 50}',  # as the help prints it
    "agent --config '{\"recursion_limit\": 50}'",  # quoted, as a shell user types it
    'agent --config {"recursion_limit":50}',
])
def test_json_options_as_typed(line: str) -> None:
    args = PARSER.parse_args(split_arguments(line))
    assert args.assistant_id == "agent"
    assert _run_params(args) == {"config": {"recursion_limit": 50}}


def test_every_json_option_and_the_rest_of_the_line() -> None:
    line = ('agent --context {"user": "a b"} --metadata [1, {"k": [2, 3]}] --subgraphs '
            '--interrupt-before plan, act -o w')
    args = PARSER.parse_args(split_arguments(line.replace("plan, act", '"plan, act"')))
    assert _run_params(args) == {"context": {"user": "a b"}, "metadata": [1, {"k": [2, 3]}],
                                 "stream_subgraphs": True, "interrupt_before": ["plan", "act"]}
    assert args.output == "w"


def test_bad_json_is_a_usage_error_naming_the_option() -> None:
    args = PARSER.parse_args(split_arguments("agent --config {oops}"))
    with pytest.raises(UsageError, match="--config is not JSON"):
        _run_params(args)


def test_an_unclosed_quote_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="cannot read the options"):
        split_arguments("agent --config '{")


def test_the_line_form_keeps_the_input_as_written() -> None:
    assert _split_line_input('agent --config {"a": 1}  {"messages": [1,  2]}', PARSER) == (
        'agent --config {"a": 1}', '{"messages": [1,  2]}')
    assert _split_line_input("--url http://h:1 agent", PARSER) == ("--url http://h:1 agent", "")
