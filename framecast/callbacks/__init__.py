"""Provider webhooks: signed per-job callback URLs and the receiver that completes job records.

`framecast.callbacks.jobs` (no web framework) mints and verifies the URLs and reads outcomes;
`framecast.callbacks.receiver` is the FastAPI app Kling POSTs to. Runway has no webhooks.
"""

from framecast.callbacks.jobs import (
    DEFAULT_MAX_AGE_SECONDS, CallbackRejected, CallbackSigner, ExpiredToken, ForgedToken, job_id_from_key,
    record_key, recorded_task,
)

__all__ = ["DEFAULT_MAX_AGE_SECONDS", "CallbackRejected", "CallbackSigner", "ExpiredToken", "ForgedToken",
           "job_id_from_key", "record_key", "recorded_task"]
