"""Gemini video understanding through the official google-genai SDK: it reports what it saw, the gate judges.

Upload the rendered video with the Files API, wait until Google has processed it (ACTIVE), ask
`generate_content` for JSON against a schema — per scene what is visible, whether it matches the
scene's narration and visual intent, on-screen text and its legibility, explicit content on the
gate's likelihood scale, whether the burned captions match the speech — and the transcript; then
delete the upload (best effort). Gemini gives no reliable shot times, so no shot check is fed.
Every SDK error goes through `translate`; retries are framecast.transport.retry's (the SDK's are off).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Literal

import httpx
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import BaseModel, ValidationError

from framecast.core.errors import AuthError, InvalidRequest, ProviderError, ProviderTimeout, ProviderUnavailable
from framecast.providers.base import Analysis, Findings, QualityPlan, SceneReview
from framecast.providers.gemini import OUTPUT_WEIGHT, estimate_tokens
from framecast.transport import google as google_errors
from framecast.transport.errors import redact, translate_transport
from framecast.transport.retry import RetryPolicy, with_retries

LIKELIHOODS = ("VERY_UNLIKELY", "UNLIKELY", "POSSIBLE", "LIKELY", "VERY_LIKELY")  # the gate's scale (gate.LIKELIHOOD)
# Reasons Google gives a 400 for a key it does not accept (ErrorInfo.reason): credentials, not a bad request.
KEY_REASONS = ("API_KEY_INVALID", "API_KEY_EXPIRED", "API_KEY_SERVICE_BLOCKED")


class SceneAnswer(BaseModel):
    """What Gemini is asked to say about one scene (the response schema, per scene)."""

    index: int
    visible: list[str]  # short names of what is visible (objects, places, people, graphics)
    matches_intent: bool  # does the picture show what the narration and the visual intent are about?
    match_reason: str
    on_screen_text: str  # text in the picture itself, not the burned captions ("" when none)
    text_legible: bool
    explicit_likelihood: Literal["VERY_UNLIKELY", "UNLIKELY", "POSSIBLE", "LIKELY", "VERY_LIKELY"]
    captions_match_speech: bool


class VideoAnswer(BaseModel):
    """The whole answer: one entry per planned scene, and what is said in the video."""

    scenes: list[SceneAnswer]
    transcript: str


def translate(exc: Exception, endpoint: str, secrets: list[str]) -> ProviderError:
    """The framecast error for a google-genai SDK error: Google's status meanings (framecast.transport.google)."""
    if isinstance(exc, httpx.TransportError):
        error = translate_transport("gemini", exc, secrets)
        error.args = (f"quality: gemini {endpoint}: {error.args[0]}",)
        return error
    if isinstance(exc, genai_errors.APIError):
        reasons = _reasons(exc.details)
        if exc.code == 400 and any(r in KEY_REASONS for r in reasons):
            text = redact(f"quality: gemini {endpoint}: 400 {exc.status}: {exc.message} ({','.join(reasons)})", secrets)
            return AuthError(text, provider="gemini", status=400)
        exc.errors = [{"reason": r} for r in reasons]  # where framecast.transport.google reads Google's reasons
        return google_errors.translate(exc, provider="gemini", endpoint=endpoint, stage="quality", secrets=secrets)
    return ProviderUnavailable(
        redact(f"quality: gemini {endpoint}: {type(exc).__name__}: {exc}", secrets), provider="gemini"
    )


def _reasons(body) -> list[str]:
    """Google's machine-readable reasons in an error body: ErrorInfo.reason, and a QuotaFailure whose quota is
    per day (e.g. "GenerateRequestsPerDayPerProjectPerModel") as dailyLimitExceeded: no retry today helps."""
    error = body.get("error", body) if isinstance(body, dict) else {}
    details = [d for d in error.get("details") or [] if isinstance(d, dict)] if isinstance(error, dict) else []
    found = [str(d["reason"]) for d in details if d.get("reason")]
    quotas = [str(v.get("quotaId", "")) for d in details for v in d.get("violations") or [] if isinstance(v, dict)]
    return found + (["dailyLimitExceeded"] if any("PerDay" in q for q in quotas) else [])


def prompt(plan: QualityPlan) -> str:
    """The question, with each planned scene's span, narration and visual intent as JSON."""
    starts = list(plan.scene_starts) or [0.0]
    scenes = [
        {
            "index": i,
            "start_seconds": round(start, 2),
            "end_seconds": round(starts[i + 1] if i + 1 < len(starts) else plan.duration, 2),
            "narration": plan.narration[i] if i < len(plan.narration) else "",
            "visual_intent": plan.scene_prompts[i] if i < len(plan.scene_prompts) else "",
        }
        for i, start in enumerate(starts)
    ]
    return (
        "You review a narrated explainer video before it is published. It is cut into the scenes below "
        "(times in seconds). For every scene, in order and with its index: list what is visible; say whether the "
        "picture matches the scene's narration and visual intent, and why; give any text in the picture itself "
        "(not the captions burned in at the bottom) and whether it is legible; rate explicit or unsafe content "
        "from VERY_UNLIKELY to VERY_LIKELY; and say whether the burned captions match the speech. Then "
        f"transcribe the speech of the whole video verbatim (language {plan.language}).\n"
        f"Scenes as JSON:\n{json.dumps(scenes, ensure_ascii=False)}\n"
    )


class GeminiVideoAnalyzer:
    name = "gemini"
    unit = "token"  # billed by tokens (usage_metadata), not per minute

    def __init__(
        self,
        client,
        model: str,
        secrets: list[str] | None = None,
        retry: RetryPolicy = RetryPolicy(),
        poll_seconds: float = 2.0,
        limiter=None,
        timeout: float = 60.0,
    ):
        self.client, self.model, self.secrets, self.retry = client, model, secrets or [], retry
        self.poll_seconds, self.limiter, self.timeout = poll_seconds, limiter, timeout

    @staticmethod
    def estimate_units(seconds: float) -> float:
        """Input-token equivalents of one analysis (the reservation; the bill is usage_metadata's)."""
        return estimate_tokens(seconds)

    def _call(self, endpoint: str, fn):
        # The SDK's upload raises KeyError (no session URL came back) or ValueError (never finalized) for a
        # protocol it did not get: the service's fault, worth another attempt, not a bug of ours.
        sdk = (KeyError, ValueError) if endpoint == "files.upload" else ()

        def attempt():
            try:
                return fn()
            except (genai_errors.APIError, httpx.TransportError, *sdk) as exc:
                raise translate(exc, endpoint, self.secrets) from None

        return with_retries(attempt, self.retry, limiter=self.limiter)

    def _active(self, uploaded, deadline: float):
        """The uploaded file once Google has processed it (state ACTIVE)."""
        current = uploaded
        while getattr(current.state, "value", current.state) == "PROCESSING":
            if time.monotonic() > deadline:
                raise ProviderTimeout(
                    f"quality: gemini files.get: {current.name} still PROCESSING at the deadline", provider="gemini"
                )
            time.sleep(self.poll_seconds)
            current = self._call("files.get", lambda: self.client.files.get(name=uploaded.name))
        state = getattr(current.state, "value", current.state)
        if state != "ACTIVE":
            error = getattr(current, "error", None)
            raise InvalidRequest(
                f"quality: gemini files.get: {current.name} is {state}: {getattr(error, 'message', '') or 'unusable'}",
                provider="gemini",
            )
        return current

    def analyze(self, video: Path, plan: QualityPlan, measured=None) -> Analysis:
        deadline = time.monotonic() + plan.deadline_seconds
        uploaded = self._call(
            "files.upload",
            lambda: self.client.files.upload(file=str(video), config=types.UploadFileConfig(mime_type="video/mp4")),
        )
        try:
            ready = self._active(uploaded, deadline)
            # Watching a video takes longer than an ordinary request: this call may use what is left of the deadline.
            left = max(deadline - time.monotonic(), 1.0)
            config = types.GenerateContentConfig(
                response_mime_type="application/json",
                response_schema=VideoAnswer,
                temperature=0.0,
                http_options=types.HttpOptions(timeout=int(max(left, self.timeout) * 1000)),
            )
            response = self._call(
                f"models.generateContent {self.model}",
                lambda: self.client.models.generate_content(
                    model=self.model,
                    contents=[types.Part.from_uri(file_uri=ready.uri, mime_type="video/mp4"), prompt(plan)],
                    config=config,
                ),
            )
        finally:
            self._delete(uploaded.name)
        answer = _answer(response)
        return analysis(answer, plan, billed_tokens(response.usage_metadata))

    def _delete(self, name: str) -> None:
        """Uploads expire after 48 hours anyway: a failed delete costs nothing but is not worth a failed gate."""
        try:
            self.client.files.delete(name=name)
        except (genai_errors.APIError, httpx.TransportError):
            pass


def _answer(response) -> VideoAnswer:
    parsed = getattr(response, "parsed", None)
    if isinstance(parsed, VideoAnswer):
        return parsed
    try:
        return VideoAnswer.model_validate_json(response.text or "")
    except (ValidationError, ValueError) as exc:
        raise ProviderUnavailable(
            f"quality: gemini models.generateContent: an answer that is not the asked JSON: {str(exc)[:200]}",
            provider="gemini",
        ) from None


def billed_tokens(usage) -> float | None:
    """Input-token equivalents Google bills for the call: prompt tokens (video included) plus output and
    thinking tokens at their higher price (None: no usage reported; the reservation is billed)."""
    if usage is None or usage.prompt_token_count is None:
        return None
    out = (usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)
    return float(usage.prompt_token_count + OUTPUT_WEIGHT * out)


def analysis(answer: VideoAnswer, plan: QualityPlan, tokens: float | None = None) -> Analysis:
    """The gate's inputs from Gemini's answer: labels and explicit likelihood per scene span, the transcript
    (for the speech check) and Gemini's own per-scene judgements (scene match, captions, legibility)."""
    starts = list(plan.scene_starts) or [0.0]
    found = Findings(shots_known=False)
    reviews = []
    for scene in answer.scenes:
        if not 0 <= scene.index < len(starts):
            continue  # a scene the plan does not have: nothing to locate it by
        start = starts[scene.index]
        end = starts[scene.index + 1] if scene.index + 1 < len(starts) else plan.duration
        found.labels += [(label, start, end) for label in scene.visible]
        found.explicit.append((start, LIKELIHOODS.index(scene.explicit_likelihood) + 1))
        reviews.append(
            SceneReview(
                index=scene.index,
                start=start,
                matches=scene.matches_intent,
                reason=scene.match_reason,
                visible=tuple(scene.visible),
                text=scene.on_screen_text,
                text_legible=scene.text_legible,
                captions_match=scene.captions_match_speech,
            )
        )
    found.words = answer.transcript.split()
    measurements = {"scenes_reviewed": float(len(reviews))}
    if tokens is not None:
        measurements["billed_tokens"] = tokens
    return Analysis(
        analyzer="gemini",
        findings=found,
        transcript=answer.transcript,
        scene_reviews=reviews,
        measurements=measurements,
    )
