"""OpenAI clients through the real SDK against the sandbox."""

import openai
import pytest
from PIL import Image

from framecast.core.errors import AuthError, ContentRejected, RateLimited, ScriptError
from framecast.providers.base import ScriptBrief
from framecast.providers.openai.client import OpenAIImageGenerator, OpenAIScriptWriter, image_size
from framecast.sandbox import Fault
from framecast.transport.retry import RetryPolicy

KEY = "sk-sandbox-abcdefghijklmnop"
BRIEF = ScriptBrief("How volcanoes work", min_scenes=6, max_scenes=8, target_seconds=60)
FAST = RetryPolicy(attempts=3, base_delay=0.01, max_wait=5, rate_limit_budget=0)  # no waiting out limits


@pytest.fixture
def client(sandbox):
    return openai.OpenAI(api_key=KEY, base_url=sandbox.base_url("openai") + "/v1", max_retries=0, timeout=5)


def test_writes_a_schema_valid_script_and_counts_tokens(client, sandbox):
    writer = OpenAIScriptWriter(client, "gpt-5.5", [KEY], FAST)
    script = writer.write(BRIEF)
    assert 6 <= len(script.scenes) <= 8 and "volcanoes" in script.title.lower()
    assert writer.tokens_used > 0
    assert sandbox.state.calls("openai", "chat.completions") == 1
    # A reasoning model thinks at low effort, so its thinking does not eat the 4,000-token cap.
    sent = sandbox.state.last_body[("openai", "chat.completions")]
    assert sent["reasoning_effort"] == "low" and sent["max_completion_tokens"] == 4000


def test_a_model_without_reasoning_is_not_sent_a_reasoning_effort(client, sandbox):
    OpenAIScriptWriter(client, "gpt-4.1", [KEY], FAST).write(BRIEF)
    assert "reasoning_effort" not in sandbox.state.last_body[("openai", "chat.completions")]


def test_schema_invalid_answer_gets_one_repair_round(client, sandbox):
    sandbox.state.inject("openai", "chat.completions", Fault(kind="invalid_script"))
    script = OpenAIScriptWriter(client, "gpt-5.5", [KEY], FAST).write(BRIEF)
    assert all(s.duration <= 30 for s in script.scenes)
    assert sandbox.state.calls("openai", "chat.completions") == 2


def test_truncated_answer_twice_is_a_clear_error(client, sandbox):
    sandbox.state.inject("openai", "chat.completions", Fault(kind="length"), times=2)
    with pytest.raises(ScriptError, match="finish_reason=length"):
        OpenAIScriptWriter(client, "gpt-5.5", [KEY], FAST).write(BRIEF)


def test_refusal_is_content_rejected_and_not_retried(client, sandbox):
    sandbox.state.inject("openai", "chat.completions", Fault(kind="refusal"))
    with pytest.raises(ContentRejected, match="refused"):
        OpenAIScriptWriter(client, "gpt-5.5", [KEY], FAST).write(BRIEF)
    assert sandbox.state.calls("openai") == 1


def test_rate_limit_then_success(client, sandbox):
    sandbox.state.inject("openai", "chat.completions", Fault(status=429, retry_after="0.05"))
    OpenAIScriptWriter(client, "gpt-5.5", [KEY], FAST).write(BRIEF)
    assert sandbox.state.calls("openai", "chat.completions") == 2


def test_persistent_rate_limit_surfaces_as_rate_limited(client, sandbox):
    sandbox.state.inject("openai", "chat.completions", Fault(status=429, retry_after="0.01"), times=3)
    with pytest.raises(RateLimited):
        OpenAIScriptWriter(client, "gpt-5.5", [KEY], FAST).write(BRIEF)
    assert sandbox.state.calls("openai", "chat.completions") == 3


def test_bad_key_is_an_auth_error_without_the_key(sandbox):
    client = openai.OpenAI(api_key=KEY, base_url=sandbox.base_url("openai") + "/v1", max_retries=0)
    sandbox.state.inject("openai", "chat.completions", Fault(status=401))
    with pytest.raises(AuthError) as info:
        OpenAIScriptWriter(client, "gpt-5.5", [KEY], FAST).write(BRIEF)
    assert KEY not in str(info.value)


def test_image_sizes_are_multiples_of_16_in_the_frame_shape():
    assert image_size(1920, 1080) == (1536, 864)
    assert image_size(1080, 1920) == (864, 1536)


def test_generates_an_image_at_the_frame_size(client, sandbox, tmp_path):
    out = OpenAIImageGenerator(client, "gpt-image-2", [KEY], FAST).generate(
        "A volcano: cross-section", width=320, height=180, seed=1, out=tmp_path / "i.png"
    )
    assert Image.open(out).size == (320, 180)
    assert sandbox.state.calls("openai", "images.generations") == 1


def test_speech_gets_word_timing_from_whisper_word_timestamps(client, sandbox, tmp_path):
    from framecast.providers.openai.client import OpenAITextToSpeech

    text = "Lava cools into new rock, layer upon layer."
    speech = OpenAITextToSpeech(client, "gpt-4o-mini-tts", "alloy", [KEY], FAST).synthesize(
        text, out=tmp_path / "n.wav"
    )
    assert speech.path.suffix == ".wav" and speech.duration > 1
    assert [w.word for w in speech.words] == text.split()
    assert speech.words[-1].end <= speech.duration
    assert sandbox.state.calls("openai", "audio.speech") == 1
    assert sandbox.state.calls("openai", "audio.transcriptions") == 1


def test_speech_is_timed_offline_when_the_aligner_is_installed_and_whisper_is_never_called(client, sandbox, tmp_path):
    from framecast.media import align
    from framecast.media.align import even_words
    from framecast.providers.openai.client import OpenAITextToSpeech

    if not align.available():
        pytest.skip("the align extra is not installed")
    text = "Lava cools into new rock, layer upon layer, over 1,000 years."
    speech = OpenAITextToSpeech(client, "gpt-4o-mini-tts", "alloy", [KEY], FAST, transcribe_model=None).synthesize(
        text, out=tmp_path / "n.wav"
    )
    assert sandbox.state.calls("openai", "audio.transcriptions") == 0
    assert [w.word for w in speech.words] == text.split()
    assert all(a.end <= b.start + 1e-6 for a, b in zip(speech.words, speech.words[1:]))
    assert speech.words[-1].end <= speech.duration + 0.01
    assert speech.words != even_words(text, speech.duration)  # aligned to the audio, not spread by length


def test_the_channel_times_openai_speech_offline_by_default_so_whisper_1_is_neither_paid_nor_checked(monkeypatch):
    from datetime import date

    from framecast.channel import ChannelConfig
    from framecast.media import align
    from framecast.plan import preflight
    from framecast.plan.estimate import estimate

    channel = ChannelConfig(name="spoken", voice={"provider": "openai", "model": "gpt-4o-mini-tts"})
    timed_by_whisper = not align.available()
    assert ("timing" in {line.role for line in estimate(channel)}) == timed_by_whisper
    uses = [use for chain in preflight._uses(channel) for use in chain]
    assert any(use[3] == "whisper-1" for use in uses) == timed_by_whisper
    whisper = ChannelConfig(
        name="spoken", voice={"provider": "openai", "model": "gpt-4o-mini-tts", "timing": "whisper-1"}
    )
    assert "timing" in {line.role for line in estimate(whisper)}
    from framecast.settings import Settings

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    found = preflight.check(whisper, Settings(), date(2026, 12, 20))
    assert [f.field for f in found if "whisper-1" in f.message] == []  # not retired yet: shuts down 2027-02-26
    found = preflight.check(whisper, Settings(), date(2027, 2, 27))
    assert any("whisper-1" in f.message and f.problem for f in found)


def test_image_quality_is_sent_and_the_image_is_priced_by_its_usage_tokens(client, sandbox, tmp_path):
    gen = OpenAIImageGenerator(client, "gpt-image-2", [KEY], FAST)  # quality: the default, medium
    gen.generate("A volcano", width=1920, height=1080, seed=1, out=tmp_path / "m.png")
    assert sandbox.state.last_body[("openai", "images.generations")]["quality"] == "medium"
    medium = gen.reported_usd
    # 1536x864 at medium: ~1,337 output tokens at $30 per 1M, plus the prompt's text tokens at $5 per 1M.
    assert medium == pytest.approx(0.040, abs=0.002)
    high = OpenAIImageGenerator(client, "gpt-image-2", [KEY], FAST, quality="high")
    high.generate("A volcano", width=1920, height=1080, seed=1, out=tmp_path / "h.png")
    assert sandbox.state.last_body[("openai", "images.generations")]["quality"] == "high"
    assert high.reported_usd > 3 * medium
    # A model without token prices is billed at the flat per-image price (no reported cost).
    other = OpenAIImageGenerator(client, "gpt-image-2.5-flare", [KEY], FAST)
    other.generate("A volcano", width=320, height=180, seed=1, out=tmp_path / "o.png")
    assert other.reported_usd is None


@pytest.mark.parametrize("quality", ["hd", "ultra"])
def test_the_images_fake_refuses_a_quality_gpt_image_models_do_not_take(client, quality):
    with pytest.raises(openai.BadRequestError, match="quality"):
        client.images.generate(model="gpt-image-2", prompt="x", size="1024x1024", quality=quality)


def test_the_image_stage_bills_the_usage_price_and_a_channel_price_wins(sandbox, tmp_path, monkeypatch):
    from framecast.context import Services
    from framecast.cost.budget import BudgetConfig
    from framecast.cost.ledger import default_url
    from framecast.cost.meter import Meter
    from framecast.edit.config import VideoFormat
    from framecast.settings import Settings, reset_settings
    from framecast.visuals import render_image
    from framecast.visuals.config import ImageConfig

    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    reset_settings()
    services = Services(Settings(data_dir=tmp_path / "out"))
    fmt = VideoFormat(width=1920, height=1080)

    def billed(quality: str, **budget) -> float:
        meter = Meter.open(
            default_url(tmp_path / quality),
            run="c/2026-12-07/r",
            channel="c",
            day="2026-12-07",
            budget=BudgetConfig(**budget),
        )
        cfg = ImageConfig(provider="openai", quality=quality)
        render_image("A volcano", 0, cfg, fmt, 1, meter, services=services)
        [entry] = meter.entries()
        assert entry["units"] == 1 and entry["unit"] == "image"
        return entry["usd"]

    try:
        assert billed("low") == pytest.approx(0.0103, abs=0.001)  # not the flat $0.04
        assert billed("high") > 0.1
        assert billed("medium", prices={"openai/image": 0.05}) == pytest.approx(0.05)  # the channel's price
    finally:
        reset_settings()
