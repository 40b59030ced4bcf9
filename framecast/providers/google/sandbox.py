"""Google Cloud Video Intelligence's REST protocol: annotate → long-running operation → results.

The analysis is real but simple: shot changes from frame differences one second apart (which
catches dissolves as well as cuts), the transcript echoed from the request's phrase hints (a
recogniser given perfect hints), explicit content "VERY_UNLIKELY" and generic labels — unless a
fault says otherwise: "explicit", "misaligned", "wrong_narration", "operation_error", "slow".
"""

from __future__ import annotations

import base64
import random
import subprocess
import tempfile
import uuid
from pathlib import Path

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from framecast.media import ffmpeg
from framecast.sandbox.common import begin
from framecast.sandbox.state import SandboxState

RESPONSE_TYPE = "type.googleapis.com/google.cloud.videointelligence.v1.AnnotateVideoResponse"
THUMB_W, THUMB_H, RATE = 32, 18, 4


def google_error(status: int, message: str, code: str = "") -> dict:
    names = {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        429: "RESOURCE_EXHAUSTED",
        500: "INTERNAL",
        503: "UNAVAILABLE",
    }
    return {"error": {"code": status, "message": message, "status": code or names.get(status, "UNKNOWN")}}


def _video_bytes(body: dict) -> bytes:
    if body.get("inputContent"):
        return base64.b64decode(body["inputContent"])
    uri = body.get("inputUri", "")
    bucket, _, key = uri.removeprefix("gs://").partition("/")
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    client = storage.Client(project="sandbox", credentials=AnonymousCredentials())
    return client.bucket(bucket).blob(key).download_as_bytes()


def shot_starts(video: Path, duration: float) -> list[float]:
    """Times where the picture changes far more than slow camera motion does."""
    proc = subprocess.run(
        [
            ffmpeg.tools().ffmpeg,
            "-v",
            "error",
            "-i",
            str(video),
            "-vf",
            # The bottom 30% is left out: burned-in captions change there without a shot change.
            f"fps={RATE},crop=iw:ih*0.7:0:0,scale={THUMB_W}:{THUMB_H},format=gray",
            "-f",
            "rawvideo",
            "-",
        ],
        capture_output=True,
        check=True,
    )
    size = THUMB_W * THUMB_H
    frames = [proc.stdout[i : i + size] for i in range(0, len(proc.stdout) - size + 1, size)]
    gap = RATE // 2
    diffs = [0.0] * len(frames)
    for i in range(gap, len(frames) - gap):
        a, b = frames[i - gap], frames[i + gap]
        diffs[i] = sum(abs(x - y) for x, y in zip(a, b)) / size
    ordered = sorted(diffs)
    threshold = max(10.0, 3 * ordered[len(ordered) // 2])

    def abrupt(i: int) -> bool:
        # A cut is a peak: the picture a second before and after differs far more than it does a second
        # further out on either side. A slow zoom on a high-contrast picture keeps that difference up all
        # along (a plateau), and is camera motion, not a shot change.
        around = [diffs[j] for j in (i - 2 * gap, i + 2 * gap) if 0 <= j < len(diffs)]
        return not around or diffs[i] > 2 * max(around)

    starts, cluster = [0.0], []
    for i, d in enumerate(diffs + [0.0]):
        if d > threshold and abrupt(i):
            cluster.append((d, i))
        elif cluster:
            starts.append(round(max(cluster)[1] / RATE, 2))
            cluster = []
    return [s for s in starts if s < duration]


def _offset(seconds: float) -> str:
    return f"{seconds:.3f}s"


def analyse(body: dict, fault: str, media_dir: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".mp4", dir=media_dir) as tmp:
        tmp.write(_video_bytes(body))
        tmp.flush()
        duration = ffmpeg.duration(Path(tmp.name))
        shots = shot_starts(Path(tmp.name), duration)
    if fault == "misaligned":
        shots = [0.0] + [min(s + 2.5, duration - 0.1) for s in shots[1:]]
    bounds = shots + [duration]
    shot_annotations = [
        {"startTimeOffset": _offset(a), "endTimeOffset": _offset(b)} for a, b in zip(bounds, bounds[1:])
    ]
    # Enum values by name, as the REST API (and the discovery document's string enum) gives them.
    frames = [{"timeOffset": _offset(t), "pornographyLikelihood": "VERY_UNLIKELY"} for t in range(int(duration))]
    if fault == "explicit" and frames:
        frames[min(2, len(frames) - 1)]["pornographyLikelihood"] = "VERY_LIKELY"
    phrases = [
        p
        for c in body.get("videoContext", {}).get("speechTranscriptionConfig", {}).get("speechContexts", [])
        for p in c.get("phrases", [])
    ]
    words = " ".join(phrases).split()
    if fault == "wrong_narration":
        rng = random.Random(7)
        words = [w if rng.random() < 0.4 else rng.choice(["banana", "window", "seventeen", "purple"]) for w in words]
    step = duration / max(len(words), 1)
    transcription = {
        "alternatives": [
            {
                "transcript": " ".join(words),
                "confidence": 0.9,
                "words": [
                    {"word": w, "startTime": _offset(i * step), "endTime": _offset((i + 1) * step)}
                    for i, w in enumerate(words)
                ],
            }
        ],
        "languageCode": "en-us",
    }
    labels = [
        {
            "entity": {"entityId": "/m/03g09t", "description": name, "languageCode": "en-US"},
            "segments": [
                {"segment": {"startTimeOffset": _offset(0), "endTimeOffset": _offset(duration)}, "confidence": 0.8}
            ],
        }
        for name in ("graphics", "font", "illustration")
    ]
    return {
        "annotationResults": [
            {
                "inputUri": body.get("inputUri", ""),
                "segment": {"startTimeOffset": "0s", "endTimeOffset": _offset(duration)},
                "shotAnnotations": shot_annotations,
                "explicitAnnotation": {"frames": frames},
                "speechTranscriptions": [transcription] if words else [],
                "segmentLabelAnnotations": labels,
                "objectAnnotations": [],
            }
        ]
    }


def router(state: SandboxState, base_url: str = "") -> APIRouter:
    api = APIRouter()

    @api.post("/v1/videos:annotate")
    def annotate(request: Request, body: dict = Body(...)):
        fault, early = begin(state, request, "videointelligence", "annotate", google_error, "user-agent")
        if early:
            return early
        features = body.get("features") or []
        if not features or not (body.get("inputUri") or body.get("inputContent")):
            return JSONResponse(
                google_error(400, "features and inputUri or inputContent are required"), status_code=400
            )
        if body.get("inputUri") and not str(body["inputUri"]).startswith("gs://"):
            return JSONResponse(google_error(400, "inputUri must be a gs:// URI"), status_code=400)
        if 6 in features and not body.get("videoContext", {}).get("speechTranscriptionConfig", {}).get("languageCode"):
            return JSONResponse(
                google_error(400, "SPEECH_TRANSCRIPTION needs speechTranscriptionConfig.languageCode"), status_code=400
            )
        op = uuid.uuid4().hex
        with state.lock:
            state.tasks[op] = {"body": body, "fault": fault.kind if fault else "", "polls": 0}
        return {"name": f"projects/sandbox/locations/us-east1/operations/{op}"}

    @api.get("/v1/projects/{project}/locations/{location}/operations/{op}")
    def operation(project: str, location: str, op: str, request: Request):
        begin(state, request, "videointelligence", "operations", google_error, "user-agent")
        with state.lock:
            task = state.tasks.get(op)
            if task:
                task["polls"] += 1
        if task is None:
            return JSONResponse(google_error(404, "operation not found"), status_code=404)
        name = f"projects/{project}/locations/{location}/operations/{op}"
        if task["fault"] == "slow" or task["polls"] == 1:
            return {"name": name, "done": False}
        if task["fault"] == "operation_error":
            return {"name": name, "done": True, "error": {"code": 3, "message": "Input video is corrupt"}}
        if "result" not in task:
            try:
                task["result"] = analyse(task["body"], task["fault"], state.media_dir)
            except Exception as exc:  # an unreadable input is the API's INVALID_ARGUMENT, not a crash
                return {"name": name, "done": True, "error": {"code": 3, "message": f"cannot read input: {exc}"}}
        return {"name": name, "done": True, "response": {"@type": RESPONSE_TYPE, **task["result"]}}

    return api
