"""Provider registry: which implementation plays each role, chosen by channel config."""

from __future__ import annotations

import contextlib
import math
import threading
from typing import Any, Callable

from framecast.core.errors import ConfigError
from framecast.providers.chain import StageConfig
from framecast.providers.base import (
    ImageGenerator, ScriptWriter, TextToSpeech, VideoAnalyzer, VideoGenerator,
)

Factory = Callable[[Any], Any]
_FACTORIES: dict[tuple[str, str], Factory] = {}
_LIMITER_WRAPPER: list[Callable[[str, Any], Any]] = []
_JOB_SLOT_WRAPPER: list[Callable[[str, Any], Any]] = []
_JOB_SLOTS: dict[str, threading.BoundedSemaphore] = {}
_JOB_SLOTS_LOCK = threading.Lock()


def wrap_limiters(wrapper: Callable[[str, Any], Any]) -> None:
    """Wrap each provider's in-process limiter (the orchestration layer adds cross-run limits)."""
    _LIMITER_WRAPPER[:] = [wrapper]


def wrap_job_slots(wrapper: Callable[[str, Any], Any]) -> None:
    """Wrap each provider's in-process job slots (the orchestration layer adds slots shared across runs)."""
    _JOB_SLOT_WRAPPER[:] = [wrapper]


def job_slot(provider: str):
    """Held from a paid job's submission until its media is downloaded, so the jobs in flight never exceed
    the account's parallel-task limit (`jobs` in FRAMECAST_RATE_LIMITS); a provider without jobs: no slot."""
    from framecast.settings import DEFAULT_RATE_LIMITS, get_settings

    settings = get_settings()
    jobs = settings.rate_limit(provider).jobs if provider in {*DEFAULT_RATE_LIMITS, *settings.rate_limits} else None
    if not jobs:
        return contextlib.nullcontext()
    with _JOB_SLOTS_LOCK:
        local = _JOB_SLOTS.setdefault(provider, threading.BoundedSemaphore(jobs))
    return _JOB_SLOT_WRAPPER[0](provider, local) if _JOB_SLOT_WRAPPER else local


def clip_seconds(provider: str, duration: float, model: str | None = None) -> int:
    """Seconds of video a provider bills for a clip of `duration` (Kling: 5 or 10; Runway: the model's lengths)."""
    from framecast.providers import registry

    if provider == "kling":
        from framecast.providers.kling import KlingVideoGenerator

        return KlingVideoGenerator.billed_seconds(duration, model or registry.DEFAULT_MODELS[("motion", "kling")])
    if provider == "runway":
        from framecast.providers.runway import RunwayVideoGenerator

        return RunwayVideoGenerator.billed_seconds(duration, model or registry.DEFAULT_MODELS[("motion", "runway")])
    return min(10, math.ceil(duration))


def register(role: str, name: str, factory: Factory) -> None:
    """Make `name` selectable as the provider of `role` (e.g. a vendor plugin)."""
    _FACTORIES[(role, name)] = factory


def _build(role: str, name: str, cfg: Any) -> Any:
    from framecast.providers import registry

    factory = _FACTORIES.get((role, name))
    if factory is None:  # a plugin's vendor brings its factories in its registry entry
        found = registry.spec(name)
        factory = found.factories.get(role) if found else None
    if factory is None:
        known = sorted({n for r, n in _FACTORIES if r == role} | {s.name for s in registry.all_specs()
                                                                   if role in s.factories})
        raise ConfigError(f"{role}.provider: unknown provider {name!r}; known: {', '.join(known)}")
    return factory(cfg)


def script_writer(cfg: StageConfig) -> ScriptWriter:
    return _build("script", cfg.provider, cfg)


def image_generator(cfg: StageConfig) -> ImageGenerator:
    return _build("image", cfg.provider, cfg)


def video_generator(cfg: StageConfig) -> VideoGenerator:
    return _build("motion", cfg.provider, cfg)


def text_to_speech(cfg: StageConfig) -> TextToSpeech:
    return _build("voice", cfg.provider, cfg)


def sound_effects(name: str):
    """The provider of generated sound by name (the looped ambience bed of music.source: elevenlabs)."""
    return _build("sound", name, None)


def sound_generator(cfg: StageConfig):
    """The provider of one link of the sound design's chain (transition sounds, ambience)."""
    return _build("sound", cfg.provider, cfg)


def music_composer(name: str):
    """The provider of composed music beds of an exact length."""
    return _build("music", name, None)


def publisher(name: str):
    """A publishing target beyond the artifact store (e.g. YouTube)."""
    return _build("publisher", name, None)


def embedder(name: str):
    """Text embeddings (for topic de-duplication)."""
    return _build("embeddings", name, None)


def video_analyzer(name: str = "local") -> VideoAnalyzer:
    return _build("analyzer", name, None)


# Revisions of the offline makers, part of their identity: bumped when their output changes, so only their
# cached media is made again (a stage version bump would re-pay every cached cloud script, picture or clip).
# script 2: long notes said in parts, tags cut to 30 characters. image 2: cards draw any script without tofu.
# motion 2: camera moves keep moving on long scenes and small frames (issue 17).
LOCAL_REVISIONS = {"script": "2", "image": "2", "motion": "2"}


def identity(cfg: Any) -> str | None:
    """Who makes a stage's output, resolved: vendor, model (None = today's default, spelled out) and, for the
    local voice, the engine `auto` picks here. Part of cache keys, so a changed default never hands back old media."""
    role = getattr(cfg, "ROLE", None)  # a stage config of a provider chain (script, image, motion, voice, sound)
    if role is None:
        return None
    links = cfg.chain()
    if len(links) > 1:  # a fallback chain: who may make it, in order
        return " > ".join(identity(link) for link in links)
    from framecast.providers import registry
    from framecast.providers.registry import DEFAULT_VOICES

    # The local entry's "default" voice is a voice, not a model: it is spelled out below, as before.
    default = registry.default_model(role, cfg.provider) if cfg.provider != "local" else None
    parts = [role, cfg.provider, cfg.model or default or ""]
    if cfg.provider == "local" and role in LOCAL_REVISIONS:
        parts.append(f"rev{LOCAL_REVISIONS[role]}")
    if role == "voice":
        parts.append(cfg.voice or DEFAULT_VOICES.get(cfg.provider, ""))
        if cfg.provider == "local":
            from framecast.providers.local_tts import piper_available

            parts.append(cfg.engine if cfg.engine != "auto" else ("piper" if piper_available() else "flite"))
    if role == "sound" and cfg.provider == "local":  # a prompt matched by keywords only may find nothing
        from framecast.media.illustrations import available

        parts.append("similarity" if available() else "keywords")
    return ":".join(parts)


def _register_local() -> None:
    from framecast.providers.local_analyzer import LocalVideoAnalyzer
    from framecast.providers.local_image import LocalImageGenerator
    from framecast.providers.local_script import LocalScriptWriter
    from framecast.providers.local_sound import LocalSoundGenerator
    from framecast.providers.local_tts import LocalTextToSpeech
    from framecast.providers.local_video import LocalVideoGenerator

    register("script", "local", lambda cfg: LocalScriptWriter())
    register("image", "local", lambda cfg: LocalImageGenerator(cfg.icon_set() if cfg is not None else None))
    register("motion", "local", lambda cfg: LocalVideoGenerator())
    register("sound", "local", lambda cfg: LocalSoundGenerator())
    register("voice", "local", lambda cfg: LocalTextToSpeech(cfg.engine, cfg.voice or "en_US-joe-medium", cfg.speed))
    register("analyzer", "local", lambda cfg: LocalVideoAnalyzer())


def _register_cloud() -> None:
    # Imported lazily: a channel on local providers never loads a vendor SDK.
    import httpx

    from framecast.providers.registry import DEFAULT_MODELS, DEFAULT_VOICES
    from framecast.settings import get_settings
    from framecast.transport.http import ProviderHTTP, RateLimiter

    # One limiter per provider, shared by every call in the process (limits: settings.rate_limit).
    limiters: dict[str, RateLimiter] = {}

    def limiter_for(provider: str) -> RateLimiter:
        if provider not in limiters:
            limit = get_settings().rate_limit(provider)
            limiters[provider] = RateLimiter(limit.requests_per_minute, limit.concurrency)
        return limiters[provider]

    def shared_limiter(provider: str):
        local = limiter_for(provider)
        return _LIMITER_WRAPPER[0](provider, local) if _LIMITER_WRAPPER else local

    def http(provider: str, base_url: str, headers: dict, reader=None) -> ProviderHTTP:
        settings = get_settings()
        # No redirects: httpx would carry xi-api-key / x-api-key to whatever origin a 3xx names (review L3);
        # media downloads follow theirs by hand, each hop checked (framecast.transport.downloads).
        client = httpx.Client(base_url=base_url, headers=headers, timeout=settings.http_timeout_seconds,
                              follow_redirects=False)
        extra = {"reader": reader} if reader else {}
        return ProviderHTTP(provider, client, secrets=settings.secrets(), limiter=shared_limiter(provider),
                            media_hosts=settings.media_hosts.get(provider), **extra)

    def openai_client():
        import openai

        settings = get_settings()
        return openai.OpenAI(api_key=settings.api_key("openai"), base_url=settings.openai_base_url, max_retries=0,
                             timeout=settings.http_timeout_seconds)

    def openai_script(cfg):
        from framecast.providers.openai import OpenAIScriptWriter

        return OpenAIScriptWriter(openai_client(), cfg.model or DEFAULT_MODELS[("script", "openai")],
                                  get_settings().secrets(), limiter=shared_limiter("openai"))

    def openai_image(cfg):
        from framecast.providers.openai import OpenAIImageGenerator

        return OpenAIImageGenerator(openai_client(), cfg.model or DEFAULT_MODELS[("image", "openai")],
                                    get_settings().secrets(), limiter=shared_limiter("openai"))

    def runway(cfg):
        from framecast.providers.runway import RunwayVideoGenerator

        settings = get_settings()
        client = http("runway", settings.runway_base_url, {"Authorization": f"Bearer {settings.api_key('runway')}"})
        return RunwayVideoGenerator(client, cfg.model or DEFAULT_MODELS[("motion", "runway")],
                                    poll_seconds=settings.poll_seconds,
                                    deadline_seconds=settings.poll_deadline_seconds,
                                    queue_limit_seconds=settings.poll_queue_limit_seconds,
                                    resubmit_after_seconds=settings.runway_resubmit_after_seconds,
                                    max_unconfirmed=settings.runway_max_unconfirmed)

    def elevenlabs(cfg):
        from framecast.providers.elevenlabs import ElevenLabsTextToSpeech

        settings = get_settings()
        client = http("elevenlabs", settings.elevenlabs_base_url, {"xi-api-key": settings.api_key("elevenlabs")})
        return ElevenLabsTextToSpeech(client, cfg.voice or DEFAULT_VOICES["elevenlabs"],
                                      cfg.model or DEFAULT_MODELS[("voice", "elevenlabs")])

    def anthropic(cfg):
        from framecast.providers.anthropic import AnthropicScriptWriter, anthropic_error

        settings = get_settings()
        client = http("anthropic", settings.anthropic_base_url, {"x-api-key": settings.api_key("anthropic")},
                      anthropic_error)
        return AnthropicScriptWriter(client, cfg.model or DEFAULT_MODELS[("script", "anthropic")])

    def stability(cfg):
        from framecast.providers.stability import StabilityImageGenerator

        settings = get_settings()
        client = http("stability", settings.stability_base_url,
                      {"authorization": f"Bearer {settings.api_key('stability')}"})
        return StabilityImageGenerator(client, cfg.model or DEFAULT_MODELS[("image", "stability")])

    def kling(cfg):
        from framecast.providers.kling import KlingVideoGenerator, kling_error

        settings = get_settings()
        secret = settings.callback_secret.get_secret_value() if settings.callback_secret else None
        if bool(secret) != bool(settings.callback_base_url):
            raise ConfigError("Kling callbacks need both FRAMECAST_CALLBACK_BASE_URL and FRAMECAST_CALLBACK_SECRET "
                              "(set both, or neither to poll)")
        return KlingVideoGenerator(http("kling", settings.kling_base_url, {}, kling_error),
                                   cfg.model or DEFAULT_MODELS[("motion", "kling")],
                                   settings.api_key("kling_access"), settings.api_key("kling_secret"),
                                   poll_seconds=settings.poll_seconds,
                                   deadline_seconds=settings.poll_deadline_seconds,
                                   queue_limit_seconds=settings.poll_queue_limit_seconds,
                                   callback_url=settings.kling_callback_url,
                                   callback_base_url=settings.callback_base_url, callback_secret=secret,
                                   record_check_seconds=settings.callback_check_seconds,
                                   slot_wait_seconds=settings.kling_slot_wait_seconds)

    def openai_voice(cfg):
        from framecast.providers.openai import OpenAITextToSpeech

        if not cfg.model:  # no default: every OpenAI speech model shuts down 2027-01-06 (providers/registry.py)
            raise ConfigError("voice.model: OpenAI speech has no default model (tts-1, tts-1-hd and gpt-4o-mini-tts "
                              "shut down on 2027-01-06); name one until then, or use voice.provider: elevenlabs "
                              "or local")
        timing = cfg.timing_source()  # the offline aligner, or whisper-1 (a second paid call)
        return OpenAITextToSpeech(openai_client(), cfg.model,
                                  cfg.voice or DEFAULT_VOICES["openai"], get_settings().secrets(),
                                  transcribe_model=None if timing == "local" else timing,
                                  limiter=shared_limiter("openai"))

    def elevenlabs_sound(cfg):
        from framecast.providers.elevenlabs import ElevenLabsSoundEffects

        settings = get_settings()
        return ElevenLabsSoundEffects(http("elevenlabs", settings.elevenlabs_base_url,
                                           {"xi-api-key": settings.api_key("elevenlabs")}),
                                      model=(cfg.model if cfg is not None else None) or DEFAULT_MODELS[("sound", "elevenlabs")])

    def elevenlabs_music(cfg):
        from framecast.providers.elevenlabs import ElevenLabsMusic

        settings = get_settings()
        return ElevenLabsMusic(http("elevenlabs", settings.elevenlabs_base_url,
                                    {"xi-api-key": settings.api_key("elevenlabs")}))

    def openai_embeddings(cfg):
        from framecast.providers.openai import OpenAIEmbeddings

        return OpenAIEmbeddings(openai_client(), DEFAULT_MODELS[("embeddings", "openai")], get_settings().secrets(),
                                limiter=shared_limiter("openai"))

    def google_analyzer(cfg):
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import videointelligence_v1 as vi

        from framecast.providers.google.client import GoogleVideoAnalyzer

        endpoint = get_settings().videointelligence_endpoint
        if endpoint:  # a local stand-in (the sandbox): REST transport, no Google credentials
            client = vi.VideoIntelligenceServiceClient(transport="rest", credentials=AnonymousCredentials(),
                                                       client_options={"api_endpoint": endpoint})
        else:
            client = vi.VideoIntelligenceServiceClient()
        return GoogleVideoAnalyzer(client)

    def youtube(cfg):
        from framecast import context as runtime
        from framecast.providers.youtube import YouTubePublisher, youtube_error

        settings = get_settings()
        if not settings.youtube_client_id:
            raise ConfigError("YOUTUBE_CLIENT_ID is not set: the channel publishes to YouTube; put the OAuth client "
                              "id, YOUTUBE_CLIENT_SECRET and YOUTUBE_REFRESH_TOKEN in the environment or .env")
        client = httpx.Client(base_url=settings.youtube_base_url, timeout=settings.http_timeout_seconds,
                              follow_redirects=False)  # 308 is the resumable protocol's "go on", not a redirect
        http = ProviderHTTP("youtube", client, secrets=settings.secrets(), reader=youtube_error)
        store = runtime.store()
        return YouTubePublisher(http, settings.google_token_url, settings.youtube_client_id,
                                settings.api_key("youtube_client"), settings.api_key("youtube_refresh"),
                                (store.get_record, store.put_record))

    register("publisher", "youtube", youtube)
    register("analyzer", "google", google_analyzer)
    register("embeddings", "openai", openai_embeddings)
    register("voice", "openai", openai_voice)
    register("sound", "elevenlabs", elevenlabs_sound)
    register("music", "elevenlabs", elevenlabs_music)
    register("script", "openai", openai_script)
    register("script", "anthropic", anthropic)
    register("image", "stability", stability)
    register("motion", "kling", kling)
    register("image", "openai", openai_image)
    register("motion", "runway", runway)
    register("voice", "elevenlabs", elevenlabs)


_register_local()
_register_cloud()
