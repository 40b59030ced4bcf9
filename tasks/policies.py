"""Shared retry and cache policies for framecast tasks."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

from prefect.cache_policies import TASK_SOURCE, CachePolicy, Inputs
from prefect.tasks import exponential_backoff

import framecast
from framecast import context, providers
from framecast.core.errors import is_retryable

# Bump when a stage's output changes for the same inputs (new renderer, new prompt template):
# TASK_SOURCE hashes only the task's own body, not the framecast code it calls. The modules each stage's
# output comes from are fingerprinted in tests/stage_sources.json: a test fails when one changes and
# neither the version nor the fingerprint is updated (`python -m tasks.policies` prints the new ones).
# Why each version was bumped: CHANGELOG.md (one line per stage).
STAGE_VERSIONS = {
    "topic": "2",
    "script": "5",
    "image": "5",
    "motion": "5",
    "voice": "4",
    "music": "3",
    "sound": "2",
    "captions": "3",
    "assembly": "6",
    "quality": "6",
    "thumbnail": "4",
}
STAGE_SOURCES = {
    "topic": [
        "framecast.topic.choose",
        "framecast.topic.ideas",
        "framecast.script.write",
        "framecast.providers.llm_script",
    ],
    "script": [
        "framecast.script.write",
        "framecast.providers.chain",
        "framecast.providers.llm_script",
        "framecast.providers.local.script",
    ],
    "image": [
        "framecast.visuals",
        "framecast.media.illustrations",
        "framecast.providers.chain",
        "framecast.providers.local.image",
    ],
    "motion": [
        "framecast.visuals",
        "framecast.providers.chain",
        "framecast.media.motion",
        "framecast.providers.local.video",
    ],
    "voice": [
        "framecast.voice.narration",
        "framecast.media.align",
        "framecast.providers.chain",
        "framecast.providers.local.tts",
    ],
    "music": ["framecast.sound.music", "framecast.media.music"],
    "sound": [
        "framecast.sound.generate",
        "framecast.providers.chain",
        "framecast.providers.local.sound",
        "framecast.media.sfx",
        "framecast.media.illustrations",
    ],
    "captions": ["framecast.edit.captions", "framecast.edit.prepare"],
    "assembly": [
        "framecast.edit.render",
        "framecast.media.assembly",
        "framecast.sound.design",
        "framecast.media.render",
        "framecast.media.motion",
        "framecast.media.ffmpeg",
        "framecast.edit.timeline",
    ],
    "quality": [
        "framecast.quality.check",
        "framecast.quality.gate",
        "framecast.quality.review",
        "framecast.quality.ear",
        "framecast.providers.local.analyzer",
        "framecast.media.analysis",
        "framecast.media.listen",
    ],
    "thumbnail": ["framecast.publish.publish", "framecast.publish.thumbnail", "framecast.media.illustrations"],
}
# The provider role a stage's output is made by: the built-in vendor folders serving it are part of its sources.
STAGE_ROLES = {
    "script": "script",
    "image": "image",
    "motion": "motion",
    "voice": "voice",
    "music": "music",
    "sound": "sound",
    "quality": "analyzer",
}
CACHE_FOR = timedelta(days=30)


def vendor_sources(role: str) -> list[str]:
    """The modules of every built-in vendor folder serving `role` (its wire fake aside: it makes no output)."""
    import pkgutil
    from importlib import import_module

    from framecast.providers import registry

    names = []
    for package in registry.BUILTIN:
        if package == "framecast.providers.local":  # one module per role: named in STAGE_SOURCES, not all of them
            continue
        module = import_module(package)
        if role in module.SPEC.factories:
            names += [
                package,
                *sorted(f"{package}.{m.name}" for m in pkgutil.iter_modules(module.__path__) if m.name != "sandbox"),
            ]
    return names


def stage_sources(stage: str) -> list[str]:
    """The modules a stage's output comes from: its own (STAGE_SOURCES) and the vendor folders serving its role."""
    return STAGE_SOURCES[stage] + (vendor_sources(STAGE_ROLES[stage]) if stage in STAGE_ROLES else [])


def source_fingerprint(stage: str) -> str:
    """A hash of the source of the modules a stage's output comes from."""
    digest = hashlib.sha256()
    for name in stage_sources(stage):
        spec = importlib.util.find_spec(name)
        digest.update(name.encode() + Path(spec.origin).read_bytes())
    return digest.hexdigest()[:16]


def _identities(inputs: dict) -> str:
    """The resolved provider of every stage config among the inputs (vendor, model, local engine)."""
    return ",".join(sorted(i for i in map(providers.identity, inputs.values()) if i))


def versioned(stage: str, exclude: tuple[str, ...] = ()) -> CachePolicy:
    """Inputs + task source + the stage's version + who makes it + the artifact store + the provider endpoints.

    The store is part of the key because a cached result is a reference into one store: another
    output folder must not be handed references into this one. The endpoints are, so that a sandbox
    run's media can never come back from the cache in a real run. The provider identity is, so that
    `model: None` or `engine: auto` resolving differently never returns the old output. Secrets are never inputs.
    """
    version = f"framecast-{framecast.__version__}/{stage}-{STAGE_VERSIONS[stage]}"
    # The meter says which run pays, not what is made: a re-run with another run key hits the same cache.
    # `services` (settings, store) says where results go, never what they are; its store and endpoints enter
    # the key below as two short ids, so a Services object is never hashed.
    # `exclude`: inputs that name a task run but do not shape its output (a sound's first use).
    return (
        Inputs(exclude=["meter", "services", *exclude])
        + TASK_SOURCE
        + CachePolicy.from_cache_key_fn(lambda ctx, inputs: f"{version}|{_identities(inputs)}|{_where(inputs)}")
    )


def _where(inputs: dict) -> str:
    """The store and provider endpoints a task's results belong to: its Services', else the process's."""
    services = inputs.get("services")
    if services is None:
        return f"{context.store_id()}|{context.endpoints_id()}"
    return f"{services.store_id()}|{services.endpoints_id()}"


MAX_TASK_WAIT = 900.0  # longest Retry-After a task waits out before its next attempt


def is_transient(task, task_run, state) -> bool:
    """Retry only what may succeed next time (rate limits, timeouts, outages), never bad input.

    Prefect's retry delay is fixed when the task is defined, so a provider's Retry-After longer
    than the HTTP layer waits inside a call (see framecast/transport/http.py) is slept here, once.
    """
    exc = state.result(raise_on_failure=False)
    if not (isinstance(exc, BaseException) and is_retryable(exc)):
        return False
    if getattr(exc, "attempts_exhausted", False):
        return False  # the HTTP layer already spent its attempts on this call
    wait = getattr(exc, "retry_after", None)
    if wait:
        time.sleep(min(wait, MAX_TASK_WAIT))
    return True


# Retries for transient errors only; is_transient refuses everything else at once.
RETRY = dict(
    retries=3, retry_delay_seconds=exponential_backoff(10), retry_jitter_factor=0.5, retry_condition_fn=is_transient
)
CACHED = dict(persist_result=True, cache_expiration=CACHE_FOR)


if __name__ == "__main__":  # print the fingerprints for tests/stage_sources.json
    json.dump(
        {stage: {"version": STAGE_VERSIONS[stage], "sources": source_fingerprint(stage)} for stage in STAGE_VERSIONS},
        sys.stdout,
        indent=2,
    )
    print()
