"""Google Cloud Video Intelligence as a content analyzer: it reports what it found, the quality gate judges.

Deprecated by Google on 2026-09-14 and shut down on 2027-09-14; deprecated here in favour of the
`gemini` analyzer (framecast/providers/gemini/, Gemini video understanding), its successor behind the
same VideoAnalyzer protocol.
One annotate_video call with shot changes, labels, explicit content, speech transcription (the
narration is sent as phrase hints) and object tracking; the long-running operation is awaited
with a deadline.
"""

from __future__ import annotations

from pathlib import Path

from google.api_core import exceptions as gexc
from google.cloud import videointelligence_v1 as vi

from framecast.core.errors import InvalidRequest, ProviderError, ProviderTimeout, QuotaExhausted
from framecast.providers.base import Analysis, Findings, QualityPlan
from framecast.transport import google as google_errors
from framecast.transport.retry import RetryPolicy

FEATURES = [
    vi.Feature.SHOT_CHANGE_DETECTION,
    vi.Feature.LABEL_DETECTION,
    vi.Feature.EXPLICIT_CONTENT_DETECTION,
    vi.Feature.SPEECH_TRANSCRIPTION,
    vi.Feature.OBJECT_TRACKING,
]
INLINE_LIMIT = 10 * 1024 * 1024  # larger videos must be on GCS (gs:// input_uri)


def _seconds(offset) -> float:
    return offset.total_seconds() if hasattr(offset, "total_seconds") else float(offset or 0)


def translate(exc: Exception, endpoint: str = "annotate_video") -> ProviderError:
    """framecast.transport.google' translation; a plain 403 (PERMISSION_DENIED) stays QuotaExhausted here."""
    return google_errors.translate(
        exc, provider="google", endpoint=f"videointelligence {endpoint}", stage="quality", forbidden=QuotaExhausted
    )


def findings_from(response: vi.AnnotateVideoResponse) -> tuple[Findings, str]:
    """Shots, explicit frames, transcript words and labels from the first annotation result."""
    result = response.annotation_results[0] if response.annotation_results else vi.VideoAnnotationResults()
    found = Findings()
    found.shot_starts = sorted(_seconds(s.start_time_offset) for s in result.shot_annotations)
    found.explicit = [
        (_seconds(f.time_offset), int(f.pornography_likelihood)) for f in result.explicit_annotation.frames
    ]
    words = [w.word for t in result.speech_transcriptions for a in t.alternatives[:1] for w in a.words]
    transcript = " ".join(a.transcript for t in result.speech_transcriptions for a in t.alternatives[:1])
    found.words = words
    for label in result.segment_label_annotations:
        for seg in label.segments:
            found.labels.append(
                (
                    label.entity.description,
                    _seconds(seg.segment.start_time_offset),
                    _seconds(seg.segment.end_time_offset),
                )
            )
    for obj in result.object_annotations:
        found.labels.append(
            (obj.entity.description, _seconds(obj.segment.start_time_offset), _seconds(obj.segment.end_time_offset))
        )
    return found, transcript or " ".join(words)


class GoogleVideoAnalyzer:
    name = "google"

    def __init__(self, client: vi.VideoIntelligenceServiceClient, retry: RetryPolicy = RetryPolicy()):
        self.client, self.retry = client, retry

    def analyze(self, video: Path, plan: QualityPlan, measured=None) -> Analysis:
        request = {
            "features": FEATURES,
            "video_context": {
                "speech_transcription_config": {
                    "language_code": plan.language,
                    "enable_automatic_punctuation": True,
                    "speech_contexts": [{"phrases": [n[:100] for n in plan.narration][:500]}] if plan.narration else [],
                }
            },
        }
        if plan.video_uri.startswith("gs://"):
            request["input_uri"] = plan.video_uri
        elif video.stat().st_size <= INLINE_LIMIT:
            request["input_content"] = video.read_bytes()
        else:
            raise InvalidRequest(
                "videointelligence needs the video on GCS (set FRAMECAST_STORE=gs://…) above 10 MB", provider="google"
            )
        # The client's own retry is off: framecast.transport.retry.with_retries (through google_errors.call) is the
        # one policy.
        operation = google_errors.call(
            lambda: self.client.annotate_video(request=request, retry=None, timeout=120),
            provider="google",
            endpoint="videointelligence annotate_video",
            stage="quality",
            retry=self.retry,
            forbidden=QuotaExhausted,
        )
        try:
            response = operation.result(timeout=plan.deadline_seconds)
        except gexc.GoogleAPICallError as exc:
            raise translate(exc, "operations.get") from exc
        except TimeoutError as exc:  # concurrent.futures.TimeoutError from the operation poller
            raise ProviderTimeout(
                f"videointelligence: no result within {plan.deadline_seconds:.0f} s", provider="google"
            ) from exc
        found, transcript = findings_from(response)
        return Analysis(
            analyzer=self.name,
            findings=found,
            transcript=transcript,
            measurements={"shots": float(len(found.shot_starts))},
        )
