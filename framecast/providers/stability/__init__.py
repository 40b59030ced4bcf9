"""Stability AI: images (Stable Diffusion 3.5)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr

from framecast.providers import connect
from framecast.providers.registry import ModelSpec, ProviderSpec, SandboxMount
from framecast.settings import RateLimitConfig, VendorSettings


class StabilitySettings(VendorSettings):
    """STABILITY_API_KEY (or FRAMECAST_STABILITY_API_KEY) and FRAMECAST_STABILITY_BASE_URL."""

    SECRETS = ("stability_api_key",)
    URLS = ("stability_base_url",)
    stability_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("STABILITY_API_KEY", "FRAMECAST_STABILITY_API_KEY")
    )
    stability_base_url: str = "https://api.stability.ai"


def settings(core=None) -> StabilitySettings:
    """Stability's settings, read with the core settings `core` (default: the current ones)."""
    return connect.vendor_settings(StabilitySettings, core)


def image(cfg, **_):
    """The image generator."""
    from framecast.providers.stability.client import StabilityImageGenerator

    mine = settings()
    client = connect.http(
        "stability",
        mine.stability_base_url,
        {"authorization": f"Bearer {mine.require('stability_api_key', 'stability')}"},
    )
    return StabilityImageGenerator(client, cfg.model or SPEC.defaults["image"])


SPEC = ProviderSpec(
    settings=StabilitySettings,
    name="stability",
    roles=("image",),
    keys=("STABILITY_API_KEY",),
    defaults={"image": "sd3.5-large"},
    ratings={"image": (3, 8.0)},
    # sd3.5-large: 6.5 credits at $0.01
    prices={"image": (0.065, "image")},
    models=(ModelSpec("sd3.5-large", ("image",)),),
    factories={"image": image},
    probe=None,  # no free authenticated call: the key is checked as set
    rate_limit=RateLimitConfig(requests_per_minute=600, concurrency=4),  # 150 per 10 s
    sandbox=SandboxMount(
        "stability",
        "framecast.providers.stability.sandbox",
        lambda url, key: {"FRAMECAST_STABILITY_BASE_URL": url, "STABILITY_API_KEY": key},
    ),
)
