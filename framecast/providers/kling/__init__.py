"""Kling: image-to-video clips of 5 or 10 s (v3: 3-15 s), polled or called back (signed webhooks)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr

from framecast.core.errors import ConfigError
from framecast.providers import connect
from framecast.providers.registry import ModelSpec, ProviderSpec, SandboxMount
from framecast.settings import RateLimitConfig, VendorSettings, get_settings


class KlingSettings(VendorSettings):
    """KLING_ACCESS_KEY and KLING_SECRET_KEY (or FRAMECAST_*), FRAMECAST_KLING_BASE_URL, a fixed callback URL and
    how long a job waits for a free parallel-task slot."""

    SECRETS = ("kling_access_key", "kling_secret_key")
    URLS = ("kling_base_url",)
    kling_access_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("KLING_ACCESS_KEY", "FRAMECAST_KLING_ACCESS_KEY")
    )
    kling_secret_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("KLING_SECRET_KEY", "FRAMECAST_KLING_SECRET_KEY")
    )
    kling_base_url: str = "https://api-singapore.klingai.com"
    kling_callback_url: str | None = None
    kling_slot_wait_seconds: float = 600.0  # how long a 1303 (no free parallel-task slot) waits for one


def settings(core=None) -> KlingSettings:
    """Kling's settings, read with the core settings `core` (default: the current ones)."""
    return connect.vendor_settings(KlingSettings, core)


def motion(cfg, **_):
    """The video generator (callbacks when both FRAMECAST_CALLBACK_BASE_URL and _SECRET are set, else polled)."""
    from framecast.providers.kling.client import KlingVideoGenerator, kling_error

    core, mine = get_settings(), settings()
    secret = core.callback_secret.get_secret_value() if core.callback_secret else None
    if bool(secret) != bool(core.callback_base_url):
        raise ConfigError(
            "Kling callbacks need both FRAMECAST_CALLBACK_BASE_URL and FRAMECAST_CALLBACK_SECRET "
            "(set both, or neither to poll)"
        )
    return KlingVideoGenerator(
        connect.http("kling", mine.kling_base_url, {}, kling_error),
        cfg.model or SPEC.defaults["motion"],
        mine.require("kling_access_key", "kling_access"),
        mine.require("kling_secret_key", "kling_secret"),
        poll_seconds=core.poll_seconds,
        deadline_seconds=core.poll_deadline_seconds,
        queue_limit_seconds=core.poll_queue_limit_seconds,
        callback_url=mine.kling_callback_url,
        callback_base_url=core.callback_base_url,
        callback_secret=secret,
        record_check_seconds=core.callback_check_seconds,
        slot_wait_seconds=mine.kling_slot_wait_seconds,
    )


def billed_seconds(duration: float, model: str) -> int:
    """The clip Kling makes, and bills: the model's shortest length covering the scene."""
    from framecast.providers.kling.client import KlingVideoGenerator

    return KlingVideoGenerator.billed_seconds(duration, model)


SPEC = ProviderSpec(
    settings=KlingSettings,
    name="kling",
    roles=("motion",),
    keys=("KLING_ACCESS_KEY", "KLING_SECRET_KEY"),
    defaults={"motion": "kling-v2-1"},
    ratings={"motion": (3, 120.0)},
    # kling v2.1 std, 5 s clip ≈ $0.28
    prices={"motion": (0.056, "second")},
    models=(
        ModelSpec("kling-v2-1", ("motion",), note="two generations old (kling-v3 is current)", durations=(5, 10)),
        # $0.084/s std 720p, silent: secondary sources only (atlascloud.ai "Kling AI API pricing", HF forum cost
        # analysis, 2026; 5 s ≈ $0.42, audio about +50%), not Kling's own page. framecast sends sound: off.
        ModelSpec(
            "kling-v3",
            ("motion",),
            note="makes sound unless told sound: off; price from secondary sources",
            durations=tuple(range(3, 16)),
            price=0.084,
            source="atlascloud.ai Kling API pricing (secondary, 2026)",
        ),
        # kling-v3-turbo (about 2026-06-17, 3-15 s) is seen only on gateways (venice.ai, useapi.net, novita.ai):
        # its ID on Kling's developer API and its price are unconfirmed, so it is not registered.
    ),
    factories={"motion": motion},
    billed_seconds=billed_seconds,
    probe=None,  # no free authenticated call: the keys are checked as set
    rate_limit=RateLimitConfig(requests_per_minute=60, concurrency=2, jobs=5),  # the package's parallel tasks
    sandbox=SandboxMount(
        "kling",
        "framecast.providers.kling.sandbox",
        lambda url, key: {
            "FRAMECAST_KLING_BASE_URL": url,
            "KLING_ACCESS_KEY": "sandbox-access",
            "KLING_SECRET_KEY": key,
        },
    ),
)
