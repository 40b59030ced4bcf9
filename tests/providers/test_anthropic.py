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


def test_a_model_whose_thinking_cannot_be_disabled_is_asked_for_low_effort_instead(sandbox):
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
    AnthropicScriptWriter(http, "claude-sonnet-5-5").write(BRIEF)  # the default: `thinking: disabled` is a 400
    body = sandbox.state.last_body[("anthropic", "messages")]
    assert "thinking" not in body and body["output_config"]["effort"] == "low"
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
