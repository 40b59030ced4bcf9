"""ElevenLabs: speech with character timing, sound effects and composed music."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr

from framecast.providers import connect
from framecast.providers.registry import ModelSpec, ProviderSpec, SandboxMount
from framecast.settings import RateLimitConfig, VendorSettings


class ElevenLabsSettings(VendorSettings):
    """ELEVENLABS_API_KEY (or FRAMECAST_ELEVENLABS_API_KEY) and FRAMECAST_ELEVENLABS_BASE_URL."""

    SECRETS = ("elevenlabs_api_key",)
    URLS = ("elevenlabs_base_url",)
    elevenlabs_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("ELEVENLABS_API_KEY", "FRAMECAST_ELEVENLABS_API_KEY")
    )
    elevenlabs_base_url: str = "https://api.elevenlabs.io"


def settings(core=None) -> ElevenLabsSettings:
    """ElevenLabs' settings, read with the core settings `core` (default: the current ones)."""
    return connect.vendor_settings(ElevenLabsSettings, core)


def _http():
    mine = settings()
    return connect.http(
        "elevenlabs", mine.elevenlabs_base_url, {"xi-api-key": mine.require("elevenlabs_api_key", "elevenlabs")}
    )


# Speech models framecast cannot time: it needs POST /v1/text-to-speech/{voice}/with-timestamps, and ElevenLabs'
# SDK 2.78.0 offers these only through text-to-dialogue (TextToDialogueTtsModelId, TtsConversationalModel); one SDK
# (@ai-sdk/elevenlabs 3.0.75) routes eleven_v4 there too. Refused until /with-timestamps support is confirmed.
NOT_ON_WITH_TIMESTAMPS = ("eleven_v4", "eleven_v4_turbo")


def voice(cfg, **_):
    """Speech."""
    from framecast.core.errors import ConfigError
    from framecast.providers.elevenlabs.client import ElevenLabsTextToSpeech

    model = cfg.model or SPEC.defaults["voice"]
    if model in NOT_ON_WITH_TIMESTAMPS:
        raise ConfigError(
            f"voice.model: {model} is not known to work on ElevenLabs' text-to-speech /with-timestamps endpoint, "
            "which framecast needs for word timing (ElevenLabs routes it through text-to-dialogue); use "
            "eleven_multilingual_v2, eleven_v3 or eleven_flash_v2_5"
        )
    return ElevenLabsTextToSpeech(_http(), cfg.voice or SPEC.default_voice, model)


def sound(cfg, **_):
    """Sound effects (transition sounds, ambience; the music bed's loop when named by music.source)."""
    from framecast.providers.elevenlabs.client import ElevenLabsSoundEffects

    return ElevenLabsSoundEffects(_http(), model=(cfg.model if cfg is not None else None) or SPEC.defaults["sound"])


def music(cfg, **_):
    """Composed music beds of an exact length."""
    from framecast.providers.elevenlabs.client import ElevenLabsMusic

    return ElevenLabsMusic(_http())


def probe(core):
    """GET /v2/voices?page_size=1: free and authenticated."""

    mine = settings(core)
    key = mine.elevenlabs_api_key.get_secret_value() if mine.elevenlabs_api_key else ""
    return connect.probe_run(
        "elevenlabs",
        "GET /v2/voices",
        lambda: connect.probe_get(
            mine.elevenlabs_base_url,
            "/v2/voices",
            {"xi-api-key": key},
            connect.probe_timeout(core),
            params={"page_size": 1},
        ),
        connect.secrets(core),
    )[0]


SPEC = ProviderSpec(
    settings=ElevenLabsSettings,
    name="elevenlabs",
    roles=("voice", "sound", "music"),
    keys=("ELEVENLABS_API_KEY",),
    ratings={"voice": (5, 3.0)},
    prices={
        "voice": (0.10 / 1000, "character"),  # pay as you go, v2/v3 (was priced at creator overage, $0.30)
        # Kept at $0.02/s on purpose. ElevenLabs' older sound-generation doc bills 25 characters a second with a set
        # duration (≈ $0.0025/s at $0.10/1K); the only 2026 figure (developer.puter.com, 2026-06, secondary) is
        # $0.12 per generation, which for framecast's ~1.2 s transitions is far above either. Neither is on
        # elevenlabs.io/pricing/api today: lowering it could under-reserve a budget, so the higher figure stays.
        "sound": (0.02, "second"),
        # Eleven Music API $0.30 a minute (developer.puter.com "ElevenLabs API pricing", 2026-06: secondary, quoting
        # elevenlabs.io/pricing/api): a budgeted run no longer refuses music for want of a price.
        "music": (0.005, "second"),
    },
    defaults={"voice": "eleven_multilingual_v2", "sound": "eleven_text_to_sound_v2", "music": "music_v1"},
    default_voice="21m00Tcm4TlvDq8ikWAM",
    # Characters per request (ElevenLabs models page; secondary for v3's 5,000) and flash at half price.
    models=(
        ModelSpec("eleven_multilingual_v2", ("voice",), max_chars=10_000),
        ModelSpec("eleven_v3", ("voice",), max_chars=5_000),
        ModelSpec("eleven_flash_v2_5", ("voice",), max_chars=40_000, price=0.05 / 1000),
        ModelSpec(
            "eleven_v4",
            ("voice",),
            max_chars=10_000,
            source="elevenlabs SDK 2.78.0 types/tts_conversational_model.py; synthflow changelog 2026-10-07",
            note="refused: not confirmed on /with-timestamps (the SDK routes it through text-to-dialogue)",
        ),
        ModelSpec(
            "eleven_v4_turbo",
            ("voice",),
            source="elevenlabs SDK 2.78.0 text_to_dialogue_tts_model_id.py",
            note="refused: not confirmed on /with-timestamps (the SDK routes it through text-to-dialogue)",
        ),
        ModelSpec("eleven_text_to_sound_v2", ("sound",), note="the only sound model that takes `loop`"),
        # elevenlabs SDK 2.78.0 types/sfx_model_id.py: `loop` is documented for v2 only, so v3 is sent none.
        ModelSpec("eleven_text_to_sound_v3", ("sound",), source="elevenlabs SDK 2.78.0 types/sfx_model_id.py"),
        # elevenlabs SDK 2.78.0 types/music_model_id.py. framecast composes with music_v1 until v2 is tried; the
        # OpenAPI of 2026-12-02 marks music_v1 deprecated (no shutdown date).
        ModelSpec("music_v1", ("music",), note="marked deprecated in ElevenLabs' OpenAPI (2026-12-02), no date"),
        ModelSpec("music_v2", ("music",), source="elevenlabs SDK 2.78.0 types/music_model_id.py (about 2026-09-15)"),
        ModelSpec("music_v2_5", ("music",), source="elevenlabs SDK 2.78.0 types/music_model_id.py"),
    ),
    factories={"voice": voice, "sound": sound, "music": music},
    probe=probe,
    rate_limit=RateLimitConfig(requests_per_minute=100, concurrency=3),
    sandbox=SandboxMount(
        "elevenlabs",
        "framecast.providers.elevenlabs.sandbox",
        lambda url, key: {"FRAMECAST_ELEVENLABS_BASE_URL": url, "ELEVENLABS_API_KEY": key},
    ),
)
