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
from framecast import providers
from framecast import context
from framecast.core.errors import is_retryable

# Bump when a stage's output changes for the same inputs (new renderer, new prompt template):
# TASK_SOURCE hashes only the task's own body, not the framecast code it calls. The modules each stage's
# output comes from are fingerprinted in tests/stage_sources.json: a test fails when one changes and
# neither the version nor the fingerprint is updated (`python -m tasks.policies` prints the new ones).
# captions 2: sidecars escaped (issue 17: no cue from narration text). assembly 5: camera moves keep moving on long
# scenes (issue 17). thumbnail 3: any script drawn without tofu. The offline makers' own changes are revisions in
# framecast.providers.LOCAL_REVISIONS, so cached cloud media stays valid.
# sound 1: transition sounds and ambience generated per (prompt, length). assembly 4: sounds placed against the
# voice's loudness and the speech-over-bed meter. quality 4: speech over bed. script 3: scenes say their ambience.
# quality 3: relevance by similarity. assembly 3: transition sounds. image 3: offline illustrations. script 2: new default models and per-model thinking rules. voice 3: flite narration and OpenAI speech timed by the offline aligner (framecast/media/align.py).
STAGE_VERSIONS = {
    "topic": "1", "script": "3", "image": "3", "motion": "3", "voice": "3", "music": "2", "sound": "1",
    "captions": "2", "assembly": "5", "quality": "4", "thumbnail": "3",
}
STAGE_SOURCES = {
    "topic": ["framecast.topic.choose", "framecast.topic.ideas", "framecast.script.write",
              "framecast.providers.llm_script"],
    "script": ["framecast.script.write", "framecast.providers.chain", "framecast.providers.llm_script", "framecast.providers.local_script",
               "framecast.providers.openai", "framecast.providers.anthropic"],
    "image": ["framecast.visuals", "framecast.media.illustrations", "framecast.providers.chain", "framecast.providers.local_image", "framecast.providers.openai",
              "framecast.providers.stability"],
    "motion": ["framecast.visuals", "framecast.providers.chain", "framecast.media.motion", "framecast.providers.local_video",
               "framecast.providers.runway", "framecast.providers.kling"],
    "voice": ["framecast.voice.narration", "framecast.media.align", "framecast.providers.chain", "framecast.providers.local_tts",
              "framecast.providers.elevenlabs",
              "framecast.providers.openai"],
    "music": ["framecast.sound.music", "framecast.media.music", "framecast.providers.elevenlabs"],
    "sound": ["framecast.sound.generate", "framecast.providers.chain", "framecast.providers.local_sound", "framecast.media.sfx",
              "framecast.providers.elevenlabs", "framecast.media.illustrations"],
    "captions": ["framecast.edit.captions", "framecast.edit.prepare"],
    "assembly": ["framecast.edit.render", "framecast.media.assembly", "framecast.sound.design", "framecast.media.render",
                 "framecast.media.motion", "framecast.media.ffmpeg", "framecast.edit.timeline"],
    "quality": ["framecast.quality.check", "framecast.quality.gate", "framecast.providers.local_analyzer",
                "framecast.providers.google_vi", "framecast.media.analysis"],
    "thumbnail": ["framecast.publish.publish", "framecast.publish.thumbnail", "framecast.media.illustrations"],
}
CACHE_FOR = timedelta(days=30)


def source_fingerprint(stage: str) -> str:
    """A hash of the source of the modules a stage's output comes from."""
    digest = hashlib.sha256()
    for name in STAGE_SOURCES[stage]:
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
    return Inputs(exclude=["meter", "services", *exclude]) + TASK_SOURCE + CachePolicy.from_cache_key_fn(
        lambda ctx, inputs: f"{version}|{_identities(inputs)}|{_where(inputs)}")


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
RETRY = dict(retries=3, retry_delay_seconds=exponential_backoff(10), retry_jitter_factor=0.5,
             retry_condition_fn=is_transient)
CACHED = dict(persist_result=True, cache_expiration=CACHE_FOR)


if __name__ == "__main__":  # print the fingerprints for tests/stage_sources.json
    json.dump({stage: {"version": STAGE_VERSIONS[stage], "sources": source_fingerprint(stage)}
               for stage in STAGE_VERSIONS}, sys.stdout, indent=2)
    print()
