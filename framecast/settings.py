"""Machine-level settings: paths, provider credentials and endpoints, limits (environment / .env)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from dotenv import dotenv_values
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from framecast.core.envcheck import check_https, clean_secret, pattern_problem, variable_name
from framecast.core.errors import ConfigError
from framecast.core.models import Frozen

REPO_ROOT = Path(__file__).resolve().parents[1]


class RateLimitConfig(Frozen):
    """One provider account's limits (both apply: a call waits for a slot and for its turn)."""

    requests_per_minute: Annotated[float, Field(gt=0)]
    concurrency: Annotated[int, Field(ge=1)]  # HTTP requests in flight
    # Paid generation jobs in flight (submitted, not yet downloaded): the account's parallel-task limit.
    jobs: Annotated[int, Field(ge=1)] | None = None


# The providers' published limits for their lowest paid tiers (2026-11); raise them in
# FRAMECAST_RATE_LIMITS when your account allows more.
DEFAULT_RATE_LIMITS = {
    "openai": RateLimitConfig(requests_per_minute=500, concurrency=8),
    "anthropic": RateLimitConfig(requests_per_minute=50, concurrency=4),
    "runway": RateLimitConfig(requests_per_minute=60, concurrency=2, jobs=10),  # more queue as THROTTLED
    "kling": RateLimitConfig(requests_per_minute=60, concurrency=2, jobs=5),    # the package's parallel tasks
    "elevenlabs": RateLimitConfig(requests_per_minute=100, concurrency=3),
    "stability": RateLimitConfig(requests_per_minute=600, concurrency=4),  # 150 per 10 s
}


SECRET_FIELDS = ("openai_api_key", "runway_api_key", "elevenlabs_api_key", "youtube_client_secret",
                 "youtube_refresh_token", "anthropic_api_key", "stability_api_key", "kling_access_key",
                 "kling_secret_key", "callback_secret", "ledger_url")
# Every URL a key or token is sent to: https, or plain http only to this machine (the sandbox).
BASE_URL_FIELDS = ("youtube_base_url", "google_token_url", "openai_base_url", "anthropic_base_url",
                   "stability_base_url", "kling_base_url", "videointelligence_endpoint", "runway_base_url",
                   "elevenlabs_base_url")


class Settings(BaseSettings):
    """Machine-level settings from the environment (FRAMECAST_*) or a .env file."""

    # hide_input_in_errors: a mistyped value may be a key, and pydantic's message would quote it.
    model_config = SettingsConfigDict(env_prefix="FRAMECAST_", env_file=".env", extra="ignore", frozen=True,
                                      hide_input_in_errors=True)

    data_dir: Path = Path("framecast-output")
    # Where artifacts live: empty = data_dir (a local folder), or gs://BUCKET[/PREFIX] for GCS.
    store: str = ""
    # Where Prefect task results live: empty = beside the artifacts (STORE/prefect-results/), or gs://BUCKET[/PREFIX]
    # (recommended: a bucket only the workers can write, apart from the store the callback receiver writes).
    results_store: str = ""
    channels_dir: Path | None = None
    # The cost ledger (any SQLAlchemy URL; the Prefect server's postgresql+asyncpg:// URL works): shared by
    # every worker that should share budgets. Empty = a SQLite file in data_dir. Secret: it may hold a password.
    ledger_url: SecretStr | None = None
    # The media tools: FRAMECAST_FFMPEG / FRAMECAST_FFPROBE (paths or names on PATH), else the ones on PATH.
    ffmpeg: str | None = None
    ffprobe: str | None = None
    # ffmpeg processes at once in one process (FRAMECAST_FFMPEG_JOBS): empty = one per core.
    ffmpeg_jobs: int | None = None
    # Length of one render segment (FRAMECAST_RENDER_SEGMENT_SECONDS): empty = the renderer's default.
    render_segment_seconds: float | None = None

    # Provider credentials: the vendors' usual variable names (or FRAMECAST_*), never logged.
    openai_api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("OPENAI_API_KEY", "FRAMECAST_OPENAI_API_KEY"))
    runway_api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("RUNWAYML_API_SECRET", "FRAMECAST_RUNWAY_API_KEY"))
    elevenlabs_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("ELEVENLABS_API_KEY", "FRAMECAST_ELEVENLABS_API_KEY"))
    youtube_client_id: str | None = Field(None, validation_alias=AliasChoices("YOUTUBE_CLIENT_ID", "FRAMECAST_YOUTUBE_CLIENT_ID"))
    youtube_client_secret: SecretStr | None = Field(
        None, validation_alias=AliasChoices("YOUTUBE_CLIENT_SECRET", "FRAMECAST_YOUTUBE_CLIENT_SECRET"))
    youtube_refresh_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("YOUTUBE_REFRESH_TOKEN", "FRAMECAST_YOUTUBE_REFRESH_TOKEN"))
    youtube_base_url: str = "https://www.googleapis.com"
    google_token_url: str = "https://oauth2.googleapis.com/token"
    anthropic_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("ANTHROPIC_API_KEY", "FRAMECAST_ANTHROPIC_API_KEY"))
    stability_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("STABILITY_API_KEY", "FRAMECAST_STABILITY_API_KEY"))
    kling_access_key: SecretStr | None = Field(None, validation_alias=AliasChoices("KLING_ACCESS_KEY", "FRAMECAST_KLING_ACCESS_KEY"))
    kling_secret_key: SecretStr | None = Field(None, validation_alias=AliasChoices("KLING_SECRET_KEY", "FRAMECAST_KLING_SECRET_KEY"))
    openai_base_url: str = "https://api.openai.com/v1"
    anthropic_base_url: str = "https://api.anthropic.com"
    stability_base_url: str = "https://api.stability.ai"
    kling_base_url: str = "https://api-singapore.klingai.com"
    kling_callback_url: str | None = None
    videointelligence_endpoint: str | None = None  # e.g. the sandbox's http://127.0.0.1:PORT/videointelligence
    runway_base_url: str = "https://api.dev.runwayml.com"
    elevenlabs_base_url: str = "https://api.elevenlabs.io"
    http_timeout_seconds: float = 60.0
    # Pre-flight asks each provider whether its key is accepted (one free call each) before a run spends.
    preflight_probes: bool = True
    # JSON, e.g. FRAMECAST_RATE_LIMITS='{"runway": {"requests_per_minute": 30, "concurrency": 1}}'
    rate_limits: dict[str, RateLimitConfig] = Field(default_factory=dict)
    poll_seconds: float = 5.0
    # Task threads per flow run: sized for provider waits (12 Runway scenes at once), not for CPU; ffmpeg
    # processes are limited separately (FRAMECAST_FFMPEG_JOBS, default one per core).
    task_workers: int = Field(16, ge=1)
    poll_deadline_seconds: float = 900.0  # from RUNNING (Runway): queue time counts toward the next one
    poll_queue_limit_seconds: float = 7200.0  # PENDING/THROTTLED before a job is given up (and cancelled)
    runway_resubmit_after_seconds: float = 300.0  # after a POST whose answer was lost, before one more
    runway_max_unconfirmed: int = 1  # such re-POSTs per clip and day (each may pay for a lost job)
    # Kling webhooks: public HTTPS URL of `framecast callbacks serve` and the secret that signs each job's URL.
    callback_base_url: str | None = None        # FRAMECAST_CALLBACK_BASE_URL, e.g. https://hooks.example.com/framecast
    callback_secret: SecretStr | None = None    # FRAMECAST_CALLBACK_SECRET (>= 16 chars; `openssl rand -hex 32`)
    callback_max_age_seconds: float = 10800.0   # replay window of a callback URL: Kling queues <= 2 h, then runs minutes
    callback_check_seconds: float = 1.0         # how often a waiting job reads its record for a callback
    kling_slot_wait_seconds: float = 600.0      # how long a 1303 (no free parallel-task slot) waits for one
    # How long a run waits for its channel's lock (the previous run of the channel) before it fails, naming the fix.
    channel_wait_seconds: float = Field(21600.0, gt=0)
    # Hosts a provider's media may be downloaded from, replacing its built-in list: JSON, e.g.
    # FRAMECAST_MEDIA_HOSTS='{"runway": ["dnznrvs05pmza.cloudfront.net", "*.runwayml.com"]}' (exact host or *.domain).
    media_hosts: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("media_hosts")
    @classmethod
    def _media_hosts(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for provider, hosts in value.items():
            for host in hosts:
                if problem := pattern_problem(host):
                    raise ValueError(f"FRAMECAST_MEDIA_HOSTS[{provider!r}]: {problem}")
        return value

    def api_key(self, provider: str) -> str:
        """The provider's API key, or a ConfigError naming the variable to set."""
        names = {"openai": "OPENAI_API_KEY", "runway": "RUNWAYML_API_SECRET", "elevenlabs": "ELEVENLABS_API_KEY",
                 "anthropic": "ANTHROPIC_API_KEY", "stability": "STABILITY_API_KEY",
                 "kling_access": "KLING_ACCESS_KEY", "kling_secret": "KLING_SECRET_KEY",
                 "youtube_client": "YOUTUBE_CLIENT_SECRET", "youtube_refresh": "YOUTUBE_REFRESH_TOKEN"}
        secret = (getattr(self, f"{provider}_api_key", None) or getattr(self, f"{provider}_key", None)
                  or getattr(self, f"{provider}_secret", None) or getattr(self, f"{provider}_token", None))
        if secret is None or not secret.get_secret_value():
            raise ConfigError(f"{names[provider]} is not set: the channel uses {provider}; put the key in the "
                              f"environment or .env (or run `framecast make --sandbox` to try without keys)")
        return secret.get_secret_value()

    @field_validator(*SECRET_FIELDS, "youtube_client_id", mode="before")
    @classmethod
    def _clean_secret(cls, value, info: ValidationInfo):
        # `echo key > file` and Kubernetes secrets from files leave a newline: strip it, refuse what is left.
        if not isinstance(value, str):
            return value
        return clean_secret(variable_name(cls, info.field_name), value, header=info.field_name != "ledger_url")

    @field_validator(*BASE_URL_FIELDS)
    @classmethod
    def _https_base_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value:
            check_https(variable_name(cls, info.field_name), value)
        return value

    @field_validator("ffmpeg_jobs", "render_segment_seconds", mode="before")
    @classmethod
    def _blank_is_default(cls, value):
        # An empty variable means "the default", as it did when media/ and edit/ read the environment.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("store", "results_store")
    @classmethod
    def _store_uri(cls, value: str, info) -> str:
        if value and not value.startswith("gs://"):
            raise ValueError(f"FRAMECAST_{info.field_name.upper()} must be empty (local folder) or gs://BUCKET[/PREFIX]")
        return value.rstrip("/")

    def rate_limit(self, provider: str) -> RateLimitConfig:
        return self.rate_limits.get(provider) or DEFAULT_RATE_LIMITS[provider]

    def secrets(self) -> list[str]:
        """Every configured secret value, for redaction."""
        values = (self.openai_api_key, self.runway_api_key, self.elevenlabs_api_key, self.anthropic_api_key,
                  self.stability_api_key, self.kling_access_key, self.kling_secret_key, self.youtube_client_secret,
                  self.youtube_refresh_token, self.callback_secret)
        found = [s.get_secret_value() for s in values if s]
        # Keys that only a registry entry names (a plugin's vendor): redacted like the built-in ones.
        from framecast.providers import registry

        found += [v for spec in registry.all_specs() for name in spec.keys
                  if (v := self.env_value(name)) and v not in found and name != "YOUTUBE_CLIENT_ID"]
        if self.ledger_url:
            from framecast.core.dburl import url_secrets

            found += url_secrets(self.ledger_url.get_secret_value())
        return found

    def env_value(self, name: str) -> str | None:
        """A variable from the environment, else from .env (what a plugin's keys are read from), stripped."""
        value = os.environ.get(name)
        if not value:
            env_file = Path(".env")
            value = dotenv_values(env_file).get(name) if env_file.is_file() else None
        return clean_secret(name, value) or None if value else None

    def resolved_channels_dir(self) -> Path:
        """deployments/ of the working directory, else of the source checkout."""
        if self.channels_dir is not None:
            return self.channels_dir
        local = Path.cwd() / "deployments"
        return local if local.is_dir() else REPO_ROOT / "deployments"


@lru_cache(maxsize=1)
def _cached_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:  # one line per variable, never its value (it may be a key)
        problems = "; ".join(f"{variable_name(Settings, str(e['loc'][0]) if e['loc'] else '')}: {e['msg']}"
                             for e in exc.errors(include_input=False))
        raise ConfigError(f"settings: {problems} (fix the environment or .env)") from None
    except SettingsError as exc:
        raise ConfigError(f"settings: {exc} (fix the environment or .env)") from None


def get_settings() -> Settings:
    """Current settings (re-read after `reset_settings`, e.g. when the CLI changes the env)."""
    return _cached_settings()


def reset_settings() -> None:
    _cached_settings.cache_clear()
