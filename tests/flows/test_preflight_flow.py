"""A scheduled run on a retired model fails in pre-flight, before the sandbox sees a single request."""

from datetime import date

import pytest

from flows.produce_video import produce_video
from framecast.plan.preflight import PreflightFailed
from tests.conftest import ledger_entries

pytestmark = pytest.mark.usefixtures("prefect_server")
PROVIDERS = ("openai", "anthropic", "runway", "kling", "elevenlabs", "stability", "videointelligence", "youtube")


def test_a_run_on_a_model_past_its_shutdown_fails_before_any_paid_call(cloud, sandbox, tmp_path):  # noqa: F811
    channel = cloud(voice={"provider": "openai", "model": "gpt-4o-mini-tts", "voice": "alloy"})
    with pytest.raises(PreflightFailed, match=r"voice\.model: openai model 'gpt-4o-mini-tts' shut down on 2027-01-06"):
        produce_video(channel=channel, topic="How volcanoes work", publish_date=date(2027, 1, 7))
    assert sum(sandbox.state.calls(p) for p in PROVIDERS) == 0
    assert ledger_entries(tmp_path / "out") == []
