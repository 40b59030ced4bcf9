"""What framecast knows about each vendor: roles, keys, default models, and each model's shutdown date.

One `ProviderSpec` per vendor. The model table records what the provider announced, with its
source, so that pre-flight (`framecast.plan.preflight`) can refuse a retired model before anything is
spent and warn while one nears its date. Third-party providers add theirs through the
`framecast.providers` entry point group: each entry point is a callable that receives `register`.
Sources: the providers' deprecation pages as summarised in the project's API notes, 2026-12-01.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import entry_points
from typing import Any, Callable

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "framecast.providers"


@dataclass(frozen=True)
class ModelSpec:
    """One model: the roles it serves and, when announced, the day it stops working."""

    id: str
    roles: tuple[str, ...]
    shutdown: date | None = None
    source: str = ""
    successor: str | None = None
    note: str = ""
    # What the model accepts, where it differs by model (empty: not restricted, or not known).
    durations: tuple[int, ...] = ()
    ratios: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    # USD per unit of the role's unit when this model costs other than its vendor's list price.
    price: float | None = None
    max_chars: int | None = None  # the most text one request takes (speech)
    # How an LLM is kept from spending its token cap on thinking: "disabled" (thinking off) or "low-effort"
    # (thinking cannot be turned off: output_config.effort low instead).
    thinking: str = ""


@dataclass(frozen=True)
class ProviderSpec:
    """One vendor: the roles it plays, the environment keys it needs, its default and known models."""

    name: str
    roles: tuple[str, ...]
    keys: tuple[str, ...] = ()
    defaults: dict[str, str] = field(default_factory=dict)
    models: tuple[ModelSpec, ...] = ()
    # role → USD per unit and the unit it bills (list prices; a channel's budget.prices overrides them).
    prices: dict[str, tuple[float, str]] = field(default_factory=dict)
    # role → factory(stage config) → the provider object; built-in vendors register theirs in framecast.providers,
    # a plugin brings them here, so adding a vendor is one module and one registration.
    factories: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    # role → (quality 1-5, typical seconds per call): framecast's own ratings, for the planner (framecast/plan/planner.py).
    ratings: dict[str, tuple[int, float]] = field(default_factory=dict)

    def model(self, model_id: str) -> ModelSpec | None:
        return next((m for m in self.models if m.id == model_id), None)


OPENAI_DEPRECATIONS = "OpenAI deprecations page (notice 2026-10-01)"
_SPECS: dict[str, ProviderSpec] = {}


def register(spec: ProviderSpec) -> None:
    """Add or replace a vendor's entry (a plugin's registration goes through here)."""
    _SPECS[spec.name] = spec


def spec(name: str) -> ProviderSpec | None:
    """The entry for `name`, plugins included."""
    _load_plugins()
    return _SPECS.get(name)


def all_specs() -> list[ProviderSpec]:
    _load_plugins()
    return list(_SPECS.values())


def model(provider: str, model_id: str) -> ModelSpec | None:
    """What the registry knows of one model of one provider (None: nothing)."""
    found = spec(provider)
    return found.model(model_id) if found else None


def default_model(role: str, provider: str) -> str | None:
    """The model used when a channel names none; None when the provider has no safe default."""
    found = spec(provider)
    return found.defaults.get(role) if found else None


_loaded: list[bool] = []


def _load_plugins(group: str = ENTRY_POINT_GROUP) -> None:
    if _loaded:
        return
    _loaded.append(True)
    for point in entry_points(group=group):
        try:
            point.load()(register)
        except Exception as exc:  # a broken plugin must not take the built-in providers down with it
            log.warning("provider plugin %s could not register: %s", point.name, exc)


def reload_plugins() -> None:
    """Read the entry points again (after installing a plugin in the same process, and in tests)."""
    _loaded.clear()
    _load_plugins()


register(ProviderSpec(
    name="openai", roles=("script", "image", "voice", "timing", "embeddings"), keys=("OPENAI_API_KEY",),
    ratings={"script": (4, 20.0), "image": (4, 15.0), "voice": (3, 2.0)},
    prices={"script": (0.01 / 1000, "token"),  # blended in/out tokens (gpt-5.5 list: $5/$30 per 1M)
            "topics": (0.01 / 1000, "token"), "image": (0.04, "image"),  # gpt-image-2, ~1536x864, medium
            "embeddings": (0.02 / 1_000_000, "token"), "voice": (0.015 / 1000, "character"),
            "timing": (0.006, "minute")},
    defaults={"script": "gpt-6.2-sol", "image": "gpt-image-2", "embeddings": "text-embedding-3-small"},
    models=(
        # developers.openai.com/api/docs/models, 2026-11: "go-to model for everyday work", $2/$10 per 1M;
        # blended here for a script call (~800 tokens in, ~1,500 out): $7.2 per 1M.
        ModelSpec("gpt-6.2-sol", ("script", "topics"), price=0.0072 / 1000,
                  source="developers.openai.com/api/docs/models (2026-11)"),
        ModelSpec("gpt-5.5", ("script", "topics"), price=0.0213 / 1000,
                  note="superseded by GPT-6.2; dearer ($5/$30 per 1M in/out); no shutdown date announced"),
        ModelSpec("gpt-image-2", ("image",)),
        # Every speech model on /audio/speech shuts down together; the successor is Realtime-only.
        ModelSpec("gpt-4o-mini-tts", ("voice",), date(2027, 1, 6), OPENAI_DEPRECATIONS,
                  note="the successor works only over the Realtime API"),
        ModelSpec("tts-1", ("voice",), date(2027, 1, 6), OPENAI_DEPRECATIONS),
        ModelSpec("tts-1-hd", ("voice",), date(2027, 1, 6), OPENAI_DEPRECATIONS),
        ModelSpec("whisper-1", ("timing",), date(2027, 2, 26), OPENAI_DEPRECATIONS,
                  note="its successor gpt-transcribe has no word timestamps"),
        ModelSpec("gpt-4o-transcribe", ("timing",), date(2027, 2, 26), OPENAI_DEPRECATIONS),
        ModelSpec("gpt-4o-mini-transcribe", ("timing",), date(2027, 2, 26), OPENAI_DEPRECATIONS),
        ModelSpec("text-embedding-3-small", ("embeddings",)),
    )))
register(ProviderSpec(
    name="anthropic", roles=("script",), keys=("ANTHROPIC_API_KEY",), defaults={"script": "claude-sonnet-5-5"},
    ratings={"script": (4, 25.0)},
    # blended, Sonnet 4.6
    prices={"script": (0.009 / 1000, "token"), "topics": (0.009 / 1000, "token")},
    models=(
        # platform.claude.com/docs/en/models/sonnet-5-5 (whats-new, migration guide), 2026-11: $2/$10 per 1M,
        # thinking adaptive and on by default; `thinking: disabled` is a 400, so effort low keeps it short.
        ModelSpec("claude-sonnet-5-5", ("script", "topics"), price=0.0072 / 1000, thinking="low-effort",
                  source="platform.claude.com models overview (2026-11)"),
        ModelSpec("claude-sonnet-4-6", ("script", "topics"), price=0.0108 / 1000, thinking="disabled",
                  note="legacy, still available, no retirement date announced; dearer ($3/$15 per 1M)"),
        ModelSpec("claude-sonnet-4-5", ("script",), date(2026, 11, 30), "Anthropic model deprecations page",
                  successor="claude-sonnet-4-6"),
    )))
register(ProviderSpec(
    name="runway", roles=("motion",), keys=("RUNWAYML_API_SECRET",), defaults={"motion": "gen4_turbo"},
    ratings={"motion": (4, 60.0)},
    # gen4_turbo: 5 credits/s at $0.01/credit
    prices={"motion": (0.05, "second")},
    # Runway's image_to_video spec (next branch): each model its own durations and ratios.
    models=(ModelSpec("gen4_turbo", ("motion",), durations=tuple(range(2, 11)),
                      ratios=("1280:720", "720:1280", "960:960")),
            # 12 credits/s at $0.01 (runwayml/skills rw-api-reference, 2026-04; $/credit: docs.dev.runwayml.com).
            ModelSpec("gen4.5", ("motion",), durations=tuple(range(2, 11)), requires=("promptText",), price=0.12),
            # 10-40 credits/s by options (same source): priced at the top of the range, so a budget is never short.
            *(ModelSpec(veo, ("motion",), durations=(4, 6, 8), ratios=("1280:720", "720:1280", "1920:1080", "1080:1920"),
                        price=0.40, note="priced at the top of Runway's 10-40 credits/s range")
              for veo in ("veo3.1", "veo3.1_fast")))))
register(ProviderSpec(
    name="kling", roles=("motion",), keys=("KLING_ACCESS_KEY", "KLING_SECRET_KEY"), defaults={"motion": "kling-v2-1"},
    ratings={"motion": (3, 120.0)},
    # kling v2.1 std, 5 s clip ≈ $0.28
    prices={"motion": (0.056, "second")},
    models=(ModelSpec("kling-v2-1", ("motion",), note="two generations old (kling-v3 is current)", durations=(5, 10)),
            ModelSpec("kling-v3", ("motion",), note="makes sound unless told sound: off",
                      durations=tuple(range(3, 16))))))
register(ProviderSpec(
    name="elevenlabs", roles=("voice", "sound", "music"), keys=("ELEVENLABS_API_KEY",),
    ratings={"voice": (5, 3.0)},
    prices={"voice": (0.10 / 1000, "character"),  # pay as you go, v2/v3 (was priced at creator overage, $0.30)
            "sound": (0.02, "second")},
    defaults={"voice": "eleven_multilingual_v2", "sound": "eleven_text_to_sound_v2", "music": "music_v1"},
    # Characters per request (ElevenLabs models page; secondary for v3's 5,000) and flash at half price.
    models=(ModelSpec("eleven_multilingual_v2", ("voice",), max_chars=10_000),
            ModelSpec("eleven_v3", ("voice",), max_chars=5_000),
            ModelSpec("eleven_flash_v2_5", ("voice",), max_chars=40_000, price=0.05 / 1000),
            ModelSpec("eleven_text_to_sound_v2", ("sound",)))))
register(ProviderSpec(
    name="stability", roles=("image",), keys=("STABILITY_API_KEY",), defaults={"image": "sd3.5-large"},
    ratings={"image": (3, 8.0)},
    # sd3.5-large: 6.5 credits at $0.01
    prices={"image": (0.065, "image")},
    models=(ModelSpec("sd3.5-large", ("image",)),)))
register(ProviderSpec(
    name="google", roles=("quality",), defaults={"quality": "videointelligence-v1"},
    # 5 features of annotate_video, each per started minute
    prices={"quality": (0.448, "minute")},
    models=(ModelSpec("videointelligence-v1", ("quality",), date(2027, 9, 14),
                      "Google Cloud Video Intelligence deprecation notice (2026-09-14)"),)))
register(ProviderSpec(
    name="youtube", roles=("publish",), keys=("YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET", "YOUTUBE_REFRESH_TOKEN")))


# Defaults per (role, provider) come from the provider registry, where each model's shutdown date is kept;
# every one is overridable per channel because providers retire models.
DEFAULT_MODELS = {(role, spec.name): model for spec in all_specs() if spec.name != "local"
                  for role, model in spec.defaults.items()}
DEFAULT_VOICES = {"local": "en_US-joe-medium", "elevenlabs": "21m00Tcm4TlvDq8ikWAM", "openai": "alloy"}
