"""ElevenLabs TTS with timestamps against the sandbox."""

import httpx
import pytest

from framecast.core.errors import InvalidRequest
from framecast.providers.elevenlabs.client import ElevenLabsTextToSpeech, words_from_alignment
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy

TEXT = "Magma rises through cracks in the crust."


@pytest.fixture
def tts(sandbox):
    client = httpx.Client(base_url=sandbox.base_url("elevenlabs"), headers={"xi-api-key": "key-abcdef"}, timeout=30)
    return ElevenLabsTextToSpeech(
        ProviderHTTP("elevenlabs", client, retry=RetryPolicy(base_delay=0.01)),
        "21m00Tcm4TlvDq8ikWAM",
        "eleven_multilingual_v2",
    )


def test_speech_with_word_timing_from_character_alignment(tts, tmp_path):
    speech = tts.synthesize(TEXT, out=tmp_path / "n.wav")
    assert speech.path.suffix == ".mp3" and speech.path.stat().st_size > 1000
    assert [w.word for w in speech.words] == TEXT.split()
    assert speech.words[-1].end <= speech.duration + 0.1
    assert all(a.end <= b.start for a, b in zip(speech.words, speech.words[1:]))


def test_words_from_alignment_groups_on_whitespace():
    alignment = {
        "characters": list("Hi  you"),
        "character_start_times_seconds": [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        "character_end_times_seconds": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
    }
    words = words_from_alignment(alignment)
    assert [(w.word, w.start, w.end) for w in words] == [("Hi", 0, 0.2), ("you", 0.4, 0.7)]


def test_language_code_with_multilingual_v2_is_rejected_like_the_real_api(sandbox):
    response = httpx.post(
        sandbox.base_url("elevenlabs") + "/v1/text-to-speech/v/with-timestamps",
        headers={"xi-api-key": "k"},
        json={"text": "hi", "model_id": "eleven_multilingual_v2", "language_code": "en"},
    )
    assert response.status_code == 400


def test_validation_error_is_permanent(tts, sandbox, tmp_path):
    tts.model_id = 12345  # wrong type: the spec says string
    with pytest.raises(InvalidRequest, match="422"):
        tts.synthesize(TEXT, out=tmp_path / "n.wav")
    assert sandbox.state.calls("elevenlabs") == 1


def test_voice_listing_follows_pages(sandbox):
    from framecast.providers.elevenlabs.client import list_voices

    client = httpx.Client(base_url=sandbox.base_url("elevenlabs"), headers={"xi-api-key": "key-abcdef"}, timeout=10)
    voices = list_voices(ProviderHTTP("elevenlabs", client), page_size=2)
    assert [v["name"] for v in voices] == ["Rachel", "Domi", "Bella"]
    assert sandbox.state.calls("elevenlabs", "voices") == 2


def test_sound_generation_returns_audio(sandbox, tmp_path):
    from framecast.media import ffmpeg
    from framecast.providers.elevenlabs.client import ElevenLabsSoundEffects

    client = httpx.Client(base_url=sandbox.base_url("elevenlabs"), headers={"xi-api-key": "key-abcdef"}, timeout=30)
    path = ElevenLabsSoundEffects(ProviderHTTP("elevenlabs", client)).generate(
        "soft ocean ambience", seconds=6, out=tmp_path / "amb.wav"
    )
    assert path.suffix == ".mp3" and abs(ffmpeg.duration(path) - 6) < 0.3


@pytest.mark.parametrize(("model", "loop"), [("eleven_text_to_sound_v2", True), ("eleven_text_to_sound_v3", None)])
def test_loop_is_sent_only_to_the_sound_model_that_takes_it(sandbox, tmp_path, model, loop):
    from framecast.providers.elevenlabs.client import ElevenLabsSoundEffects

    client = httpx.Client(base_url=sandbox.base_url("elevenlabs"), headers={"xi-api-key": "key-abcdef"}, timeout=30)
    ElevenLabsSoundEffects(ProviderHTTP("elevenlabs", client), model=model).generate(
        "soft ocean ambience", seconds=2, out=tmp_path / "amb.wav", loop=True
    )
    sent = sandbox.state.last_body[("elevenlabs", "sound_generation")]
    assert sent["model_id"] == model and sent.get("loop") is loop


def test_the_sandbox_refuses_loop_on_sound_v3_naming_the_field(sandbox):
    reply = httpx.post(
        sandbox.base_url("elevenlabs") + "/v1/sound-generation",
        headers={"xi-api-key": "key-abcdef"},
        json={"text": "whoosh", "duration_seconds": 1, "loop": True, "model_id": "eleven_text_to_sound_v3"},
    )
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"] == ["body", "loop"]


@pytest.mark.parametrize("model", ["eleven_v4", "eleven_v4_turbo"])
def test_eleven_v4_is_refused_naming_voice_model_and_the_fix(model):
    from framecast.core.errors import ConfigError
    from framecast.providers.elevenlabs import voice
    from framecast.voice.config import VoiceConfig

    with pytest.raises(ConfigError, match=r"voice\.model: .*with-timestamps.*eleven_multilingual_v2"):
        voice(VoiceConfig(provider="elevenlabs", model=model))


def test_music_has_a_list_price_so_a_budgeted_run_is_not_refused():
    from framecast.cost import pricing

    pricing.require_price("elevenlabs", "music", {}, "music_v1")  # raises when there is none
    assert pricing.cost("elevenlabs", "music", 60, model="music_v1") == pytest.approx(0.30)  # $0.30 a minute
