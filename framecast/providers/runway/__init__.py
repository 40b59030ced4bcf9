"""Runway: image-to-video clips, billed per second of the model's clip lengths."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr

from framecast.providers import connect
from framecast.providers.registry import ModelSpec, ProviderSpec, SandboxMount
from framecast.settings import RateLimitConfig, VendorSettings, get_settings


class RunwaySettings(VendorSettings):
    """RUNWAYML_API_SECRET (or FRAMECAST_RUNWAY_API_KEY), FRAMECAST_RUNWAY_BASE_URL and the re-POST knobs."""

    SECRETS = ("runway_api_key",)
    URLS = ("runway_base_url",)
    runway_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("RUNWAYML_API_SECRET", "FRAMECAST_RUNWAY_API_KEY")
    )
    runway_base_url: str = "https://api.dev.runwayml.com"
    runway_resubmit_after_seconds: float = 300.0  # after a POST whose answer was lost, before one more
    runway_max_unconfirmed: int = 1  # such re-POSTs per clip and day (each may pay for a lost job)


def settings(core=None) -> RunwaySettings:
    """Runway's settings, read with the core settings `core` (default: the current ones)."""
    return connect.vendor_settings(RunwaySettings, core)


def motion(cfg, **_):
    """The video generator (jobs polled, a lost POST re-sent at most `runway_max_unconfirmed` times a day)."""
    from framecast.providers.runway.client import RunwayVideoGenerator

    core, mine = get_settings(), settings()
    client = connect.http(
        "runway", mine.runway_base_url, {"Authorization": f"Bearer {mine.require('runway_api_key', 'runway')}"}
    )
    return RunwayVideoGenerator(
        client,
        cfg.model or SPEC.defaults["motion"],
        poll_seconds=core.poll_seconds,
        deadline_seconds=core.poll_deadline_seconds,
        queue_limit_seconds=core.poll_queue_limit_seconds,
        resubmit_after_seconds=mine.runway_resubmit_after_seconds,
        max_unconfirmed=mine.runway_max_unconfirmed,
    )


def billed_seconds(duration: float, model: str) -> int:
    """The clip length Runway is asked for, and bills: the model's lengths."""
    from framecast.providers.runway.client import RunwayVideoGenerator

    return RunwayVideoGenerator.billed_seconds(duration, model)


SPEC = ProviderSpec(
    settings=RunwaySettings,
    name="runway",
    roles=("motion",),
    keys=("RUNWAYML_API_SECRET",),
    defaults={"motion": "gen4_turbo"},
    ratings={"motion": (4, 60.0)},
    # gen4_turbo: 5 credits/s at $0.01/credit
    prices={"motion": (0.05, "second")},
    # Runway's image_to_video spec (next branch): each model its own durations and ratios.
    models=(
        ModelSpec("gen4_turbo", ("motion",), durations=tuple(range(2, 11)), ratios=("1280:720", "720:1280", "960:960")),
        # 12 credits/s at $0.01 (runwayml/skills rw-api-reference, 2026-04; $/credit: docs.dev.runwayml.com).
        ModelSpec("gen4.5", ("motion",), durations=tuple(range(2, 11)), requires=("promptText",), price=0.12),
        # runwayml/skills rw-api-reference (2026-04-17): veo3.1 20-40 credits/s, veo3.1_fast 10-15, audio at the top
        # of each range. framecast sends `audio: false` (it discards a clip's audio), so the silent rates apply.
        *(
            ModelSpec(
                veo,
                ("motion",),
                durations=(4, 6, 8),
                ratios=("1280:720", "720:1280", "1920:1080", "1080:1920"),
                price=price,
                source="runwayml/skills rw-api-reference (2026-04-17)",
                note=f"${price:.2f}/s with audio off (framecast sends audio: false)",
            )
            for veo, price in (("veo3.1", 0.20), ("veo3.1_fast", 0.10))
        ),
    ),
    factories={"motion": motion},
    billed_seconds=billed_seconds,
    # No free authenticated call in the spec framecast follows: the key is checked as set, not as accepted.
    probe=None,
    rate_limit=RateLimitConfig(requests_per_minute=60, concurrency=2, jobs=10),  # more queue as THROTTLED
    sandbox=SandboxMount(
        "runway",
        "framecast.providers.runway.sandbox",
        lambda url, key: {"FRAMECAST_RUNWAY_BASE_URL": url, "RUNWAYML_API_SECRET": key},
    ),
)
