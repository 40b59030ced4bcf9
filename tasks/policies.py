"""Shared retry and cache policies for framecast tasks."""

from __future__ import annotations

import time
from datetime import timedelta

from prefect.cache_policies import TASK_SOURCE, CachePolicy, Inputs
from prefect.tasks import exponential_backoff

import framecast
from framecast import runtime
from framecast.errors import is_retryable

# Bump when a stage's output changes for the same inputs (new renderer, new prompt template):
# TASK_SOURCE hashes only the task's own body, not the framecast code it calls.
STAGE_VERSIONS = {
    "topic": "1", "script": "1", "image": "1", "motion": "1", "voice": "1", "music": "1",
    "captions": "1", "assembly": "1", "quality": "1", "thumbnail": "1",
}
CACHE_FOR = timedelta(days=30)


def versioned(stage: str) -> CachePolicy:
    """Inputs + task source + the stage's version + the artifact store + the provider endpoints.

    The store is part of the key because a cached result is a reference into one store: another
    output folder must not be handed references into this one. The endpoints are, so that a sandbox
    run's media can never come back from the cache in a real run. Secrets are never inputs.
    """
    version = f"framecast-{framecast.__version__}/{stage}-{STAGE_VERSIONS[stage]}"
    # The meter says which run pays, not what is made: a re-run with another run key hits the same cache.
    return Inputs(exclude=["meter"]) + TASK_SOURCE + CachePolicy.from_cache_key_fn(
        lambda ctx, inputs: f"{version}|{runtime.store_id()}|{runtime.endpoints_id()}")


MAX_TASK_WAIT = 900.0  # longest Retry-After a task waits out before its next attempt


def is_transient(task, task_run, state) -> bool:
    """Retry only what may succeed next time (rate limits, timeouts, outages), never bad input.

    Prefect's retry delay is fixed when the task is defined, so a provider's Retry-After longer
    than the HTTP layer waits inside a call (see framecast/http.py) is slept here, once.
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
