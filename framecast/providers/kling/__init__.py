"""Kling: image-to-video clips of 5 or 10 s (v3: 3-15 s), polled or called back (signed webhooks)."""

from __future__ import annotations

from framecast.core.errors import ConfigError
from framecast.providers import connect
from framecast.providers.registry import ModelSpec, ProviderSpec, SandboxMount
from framecast.settings import RateLimitConfig, get_settings


def motion(cfg, **_):
    """The video generator (callbacks when both FRAMECAST_CALLBACK_BASE_URL and _SECRET are set, else polled)."""
    from framecast.providers.kling.client import KlingVideoGenerator, kling_error

    settings = get_settings()
    secret = settings.callback_secret.get_secret_value() if settings.callback_secret else None
    if bool(secret) != bool(settings.callback_base_url):
        raise ConfigError("Kling callbacks need both FRAMECAST_CALLBACK_BASE_URL and FRAMECAST_CALLBACK_SECRET "
                          "(set both, or neither to poll)")
    return KlingVideoGenerator(connect.http("kling", settings.kling_base_url, {}, kling_error),
                               cfg.model or SPEC.defaults["motion"],
                               settings.api_key("kling_access"), settings.api_key("kling_secret"),
                               poll_seconds=settings.poll_seconds,
                               deadline_seconds=settings.poll_deadline_seconds,
                               queue_limit_seconds=settings.poll_queue_limit_seconds,
                               callback_url=settings.kling_callback_url,
                               callback_base_url=settings.callback_base_url, callback_secret=secret,
                               record_check_seconds=settings.callback_check_seconds,
                               slot_wait_seconds=settings.kling_slot_wait_seconds)


def billed_seconds(duration: float, model: str) -> int:
    """The clip Kling makes, and bills: the model's shortest length covering the scene."""
    from framecast.providers.kling.client import KlingVideoGenerator

    return KlingVideoGenerator.billed_seconds(duration, model)


SPEC = ProviderSpec(
    name="kling", roles=("motion",), keys=("KLING_ACCESS_KEY", "KLING_SECRET_KEY"), defaults={"motion": "kling-v2-1"},
    ratings={"motion": (3, 120.0)},
    # kling v2.1 std, 5 s clip ≈ $0.28
    prices={"motion": (0.056, "second")},
    models=(ModelSpec("kling-v2-1", ("motion",), note="two generations old (kling-v3 is current)", durations=(5, 10)),
            ModelSpec("kling-v3", ("motion",), note="makes sound unless told sound: off",
                      durations=tuple(range(3, 16)))),
    factories={"motion": motion},
    billed_seconds=billed_seconds,
    probe=None,  # no free authenticated call: the keys are checked as set
    rate_limit=RateLimitConfig(requests_per_minute=60, concurrency=2, jobs=5),  # the package's parallel tasks
    sandbox=SandboxMount("kling", "framecast.providers.kling.sandbox", lambda url, key: {
        "FRAMECAST_KLING_BASE_URL": url, "KLING_ACCESS_KEY": "sandbox-access", "KLING_SECRET_KEY": key}),
)
