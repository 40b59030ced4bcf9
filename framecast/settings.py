"""Machine-level settings: paths, store, ledger, timeouts, limits (environment / .env); each vendor's own (keys,
base URL, knobs) are in its folder (`framecast/providers/<vendor>/`), on `VendorSettings`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, ClassVar

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
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


SECRET_FIELDS = ("callback_secret", "ledger_url")
ENV_CONFIG = SettingsConfigDict(
    env_prefix="FRAMECAST_", env_file=".env", extra="ignore", frozen=True, hide_input_in_errors=True
)


class Settings(BaseSettings):
    """Machine-level settings from the environment (FRAMECAST_*) or a .env file."""

    # hide_input_in_errors: a mistyped value may be a key, and pydantic's message would quote it.
    model_config = ENV_CONFIG

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
    # Kling webhooks: public HTTPS URL of `framecast callbacks serve` and the secret that signs each job's URL.
    callback_base_url: str | None = None  # FRAMECAST_CALLBACK_BASE_URL, e.g. https://hooks.example.com/framecast
    callback_secret: SecretStr | None = None  # FRAMECAST_CALLBACK_SECRET (>= 16 chars; `openssl rand -hex 32`)
    callback_max_age_seconds: float = 10800.0  # replay window of a callback URL: Kling queues <= 2 h, then runs minutes
    callback_check_seconds: float = 1.0  # how often a waiting job reads its record for a callback
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

    @field_validator("callback_secret", "ledger_url", mode="before")
    @classmethod
    def _clean_secret(cls, value, info: ValidationInfo):
        # `echo key > file` and Kubernetes secrets from files leave a newline: strip it, refuse what is left.
        if not isinstance(value, str):
            return value
        return clean_secret(variable_name(cls, info.field_name), value, header=info.field_name != "ledger_url")

    @field_validator("ffmpeg_jobs", "render_segment_seconds", mode="before")
    @classmethod
    def _blank_is_default(cls, value):
        # An empty variable means "the default", as it did when media/ and edit/ read the environment.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("store", "results_store")
    @classmethod
    def _store_uri(cls, value: str, info) -> str:
        if value and not value.startswith("gs://"):
            raise ValueError(
                f"FRAMECAST_{info.field_name.upper()} must be empty (local folder) or gs://BUCKET[/PREFIX]"
            )
        return value.rstrip("/")

    def secrets(self) -> list[str]:
        """The machine's own secret values (the vendors' keys: framecast.providers.secrets)."""
        found = [self.callback_secret.get_secret_value()] if self.callback_secret else []
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


class VendorSettings(BaseSettings):
    """One vendor's settings, read from the same environment and .env: its keys (the vendor's usual variable names
    or FRAMECAST_*, never logged), its base URL and its knobs. A vendor names its `SECRETS` (cleaned, redacted),
    `CLEANED` (cleaned only) and `URLS` (https, or http to this machine only)."""

    model_config = ENV_CONFIG
    SECRETS: ClassVar[tuple[str, ...]] = ()
    CLEANED: ClassVar[tuple[str, ...]] = ()
    URLS: ClassVar[tuple[str, ...]] = ()

    @field_validator("*", mode="before")
    @classmethod
    def _clean_secret(cls, value, info: ValidationInfo):
        # `echo key > file` and Kubernetes secrets from files leave a newline: strip it, refuse what is left.
        if not isinstance(value, str) or info.field_name not in (*cls.SECRETS, *cls.CLEANED):
            return value
        return clean_secret(variable_name(cls, info.field_name), value)

    @field_validator("*")
    @classmethod
    def _https_base_url(cls, value, info: ValidationInfo):
        if value and info.field_name in cls.URLS:
            check_https(variable_name(cls, info.field_name), value)
        return value

    def require(self, field: str, uses: str) -> str:
        """The secret in `field`, or a ConfigError naming the variable to set (`uses`: what the channel uses)."""
        secret = getattr(self, field)
        if secret is None or not secret.get_secret_value():
            raise ConfigError(
                f"{variable_name(type(self), field)} is not set: the channel uses {uses}; put the key in "
                f"the environment or .env (or run `framecast make --sandbox` to try without keys)"
            )
        return secret.get_secret_value()

    def secret_values(self) -> dict[str, str]:
        """Each configured secret by the variable it is read from."""
        return {
            variable_name(type(self), f): v.get_secret_value()
            for f in self.SECRETS
            if (v := getattr(self, f)) is not None and v.get_secret_value()
        }


def load(cls):
    """`cls()` (a Settings class), or a ConfigError naming each variable in error, never its value."""
    try:
        return cls()
    except ValidationError as exc:  # one line per variable, never its value (it may be a key)
        problems = "; ".join(
            f"{variable_name(cls, str(e['loc'][0]) if e['loc'] else '')}: {e['msg']}"
            for e in exc.errors(include_input=False)
        )
        raise ConfigError(f"settings: {problems} (fix the environment or .env)") from None
    except SettingsError as exc:
        raise ConfigError(f"settings: {exc} (fix the environment or .env)") from None


@lru_cache(maxsize=1)
def _cached_settings() -> Settings:
    return load(Settings)


def get_settings() -> Settings:
    """Current settings (re-read after `reset_settings`, e.g. when the CLI changes the env)."""
    return _cached_settings()


def reset_settings() -> None:
    _cached_settings.cache_clear()
