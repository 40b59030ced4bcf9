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


def voice(cfg, **_):
    """Speech."""
    from framecast.providers.elevenlabs.client import ElevenLabsTextToSpeech

    return ElevenLabsTextToSpeech(_http(), cfg.voice or SPEC.default_voice, cfg.model or SPEC.defaults["voice"])


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
        "sound": (0.02, "second"),
    },
    defaults={"voice": "eleven_multilingual_v2", "sound": "eleven_text_to_sound_v2", "music": "music_v1"},
    default_voice="21m00Tcm4TlvDq8ikWAM",
    # Characters per request (ElevenLabs models page; secondary for v3's 5,000) and flash at half price.
    models=(
        ModelSpec("eleven_multilingual_v2", ("voice",), max_chars=10_000),
        ModelSpec("eleven_v3", ("voice",), max_chars=5_000),
        ModelSpec("eleven_flash_v2_5", ("voice",), max_chars=40_000, price=0.05 / 1000),
        ModelSpec("eleven_text_to_sound_v2", ("sound",)),
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
