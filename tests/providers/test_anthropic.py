"""Anthropic script writer over the HTTP layer against the sandbox (API version 2026-10-21)."""

import httpx
import pytest

from framecast.core.errors import ContentRejected, ProviderUnavailable, ScriptError
from framecast.providers.anthropic.client import AnthropicScriptWriter, anthropic_error
from framecast.providers.base import ScriptBrief
from framecast.sandbox import Fault
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy

BRIEF = ScriptBrief("How tides work", min_scenes=3, max_scenes=5, target_seconds=40)


@pytest.fixture
def writer(sandbox):
    client = httpx.Client(
        base_url=sandbox.base_url("anthropic"), headers={"x-api-key": "sk-ant-sandbox-123"}, timeout=10
    )
    http = ProviderHTTP(
        "anthropic",
        client,
        secrets=["sk-ant-sandbox-123"],
        reader=anthropic_error,
        retry=RetryPolicy(attempts=3, base_delay=0.01),
    )
    return AnthropicScriptWriter(http, "claude-sonnet-4-6")


def test_writes_a_script_within_the_brief(writer, sandbox):
    script = writer.write(BRIEF)
    assert 3 <= len(script.scenes) <= 5 and writer.tokens_used > 0
    # Thinking (on by default in current models) would spend max_tokens a script needs.
    assert sandbox.state.last_body[("anthropic", "messages")]["thinking"] == {"type": "disabled"}


def test_overloaded_529_is_retried(writer, sandbox):
    sandbox.state.inject("anthropic", "messages", Fault(status=529))
    writer.write(BRIEF)
    assert sandbox.state.calls("anthropic", "messages") == 2


def test_overloaded_every_time_surfaces_as_unavailable(writer, sandbox):
    sandbox.state.inject("anthropic", "messages", Fault(status=529), times=3)
    with pytest.raises(ProviderUnavailable, match="529"):
        writer.write(BRIEF)


def test_refusal_and_truncation(writer, sandbox):
    sandbox.state.inject("anthropic", "messages", Fault(kind="refusal"))
    with pytest.raises(ContentRejected):
        writer.write(BRIEF)
    sandbox.state.inject("anthropic", "messages", Fault(kind="max_tokens"), times=2)
    with pytest.raises(ScriptError, match="stop_reason=max_tokens"):
        writer.write(BRIEF)


def test_sampling_parameters_are_rejected_in_this_api_version(sandbox):
    response = httpx.post(
        sandbox.base_url("anthropic") + "/v1/messages",
        headers={"x-api-key": "k", "anthropic-version": "2026-10-21"},
        json={"model": "m", "max_tokens": 10, "messages": [], "temperature": 0.2},
    )
    assert response.status_code == 400 and "temperature" in response.json()["error"]["message"]


def _writer(sandbox, model):
    client = httpx.Client(
        base_url=sandbox.base_url("anthropic"), headers={"x-api-key": "sk-ant-sandbox-123"}, timeout=10
    )
    http = ProviderHTTP(
        "anthropic",
        client,
        secrets=["sk-ant-sandbox-123"],
        reader=anthropic_error,
        retry=RetryPolicy(attempts=3, base_delay=0.01),
    )
    return AnthropicScriptWriter(http, model)


@pytest.mark.parametrize(
    ("model", "thinking", "effort"),
    [
        ("claude-sonnet-5-5", {"type": "between_tools"}, "low"),  # the default: the lowest setting, effort low
        ("claude-haiku-5-5", None, "low"),
        ("claude-opus-5-5", None, "low"),
        ("claude-fable-5-2", None, "low"),  # unknown 5.x: `disabled` would be a 400, between_tools is unconfirmed
        ("claude-sonnet-4-6", {"type": "disabled"}, None),  # a 4.x model still takes `disabled`
        ("claude-opus-4-1", {"type": "disabled"}, None),  # unknown 4.x
    ],
)
def test_each_model_is_kept_from_thinking_the_way_it_accepts(sandbox, model, thinking, effort):
    _writer(sandbox, model).write(BRIEF)  # the sandbox refuses `disabled` on every 5.x model
    body = sandbox.state.last_body[("anthropic", "messages")]
    assert body.get("thinking") == thinking and body["output_config"].get("effort") == effort
    assert body["output_config"]["format"]["type"] == "json_schema"


def test_the_sandbox_refuses_disabled_thinking_where_the_model_does(sandbox):
    reply = httpx.post(
        sandbox.base_url("anthropic") + "/v1/messages",
        headers={"x-api-key": "sk-ant-sandbox-123", "anthropic-version": "2026-10-21"},
        json={
            "model": "claude-sonnet-5-5",
            "max_tokens": 100,
            "thinking": {"type": "disabled"},
            "messages": [{"role": "user", "content": "Topic: x"}],
        },
    )
    assert reply.status_code == 400 and "thinking.type" in reply.text


def _post(sandbox, **fields):
    return httpx.post(
        sandbox.base_url("anthropic") + "/v1/messages",
        headers={"x-api-key": "sk-ant-sandbox-123", "anthropic-version": "2026-10-21"},
        json={"max_tokens": 100, "messages": [{"role": "user", "content": "Topic: x"}], **fields},
    )


def test_the_sandbox_names_between_tools_when_it_refuses_disabled_and_checks_the_shapes(sandbox):
    refused = _post(sandbox, model="claude-sonnet-5-5", thinking={"type": "disabled"})
    assert refused.status_code == 400 and "between_tools" in refused.json()["error"]["message"]
    assert _post(sandbox, model="claude-fable-5-2", thinking={"type": "disabled"}).status_code == 400
    accepted = _post(
        sandbox, model="claude-sonnet-5-5", thinking={"type": "between_tools"}, output_config={"effort": "low"}
    )
    assert accepted.status_code == 200
    # Not in the spec (with SDK 2.17.0's between_tools): refused naming the field.
    unknown = _post(sandbox, model="claude-sonnet-5-5", thinking={"type": "off"})
    assert unknown.status_code == 400 and "thinking" in unknown.json()["error"]["message"]
    extra = _post(sandbox, model="claude-sonnet-5-5", thinking={"type": "between_tools", "budget_tokens": 1024})
    assert extra.status_code == 400
    too_hard = _post(
        sandbox, model="claude-sonnet-5-5", thinking={"type": "between_tools"}, output_config={"effort": "max"}
    )
    assert too_hard.status_code == 400 and "effort" in too_hard.json()["error"]["message"]
