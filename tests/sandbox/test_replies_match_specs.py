"""The sandbox answers like the official specs say.

Every route of the sandbox is called with a valid request and its 2xx answer is checked against the reply
schema taken from the provider's official spec (copied into framecast/sandbox/specs/ by
scripts/extract-specs.py; these tests never read the specs themselves). A route the sandbox
gains without a case here fails `test_every_route_has_a_case`. Binary answers are checked for the content type
and the media format the spec names; Kling has no published spec (NO_SPEC).

Then the error shapes: OpenAI chat requests checked by the spec's request schema, Runway's `issues`,
Anthropic's `request_id`, and every ElevenLabs `output_format`.
"""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import tempfile
import uuid
from pathlib import Path

import httpx
import pytest
from PIL import Image

from framecast.media import ffmpeg
from framecast.sandbox import Fault
from framecast.sandbox.server import SANDBOX_KEY
from framecast.sandbox.validate import SPECS, problems

RUNWAY_VERSION = "2024-11-06"
ANTHROPIC_VERSION = "2026-10-21"
# Routes no official spec describes, and why (their replies are checked by the provider tests instead).
NO_SPEC = {
    "POST /kling/v1/videos/image2video": "Kling publishes no machine-readable spec",
    "GET /kling/v1/videos/image2video/{task_id}": "Kling publishes no machine-readable spec",
    "GET /kling/media/{name}": "Kling publishes no machine-readable spec (a CDN download)",
}
# Google's OAuth token endpoint is not in the YouTube discovery document: RFC 6749 section 5.1 is its spec.
RFC6749_TOKEN = {
    "type": "object",
    "required": ["access_token", "token_type"],
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"type": "string"},
        "expires_in": {"type": "integer"},
    },
}


def spec(name: str) -> dict:
    return json.loads((SPECS / f"{name}.json").read_text())


def png(width: int = 64, height: int = 36, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(buf, fmt)
    return buf.getvalue()


def data_uri() -> str:
    return "data:image/png;base64," + base64.b64encode(png()).decode()


def probe(data: bytes) -> dict:
    """ffprobe's view of the first stream of `data`: codec_name, sample_rate, bit_rate, format_name."""
    with tempfile.NamedTemporaryFile() as tmp:
        tmp.write(data)
        tmp.flush()
        out = subprocess.run(
            [ffmpeg.tools().ffprobe, "-v", "error", "-show_streams", "-show_format", "-of", "json", tmp.name],
            capture_output=True,
            text=True,
        )
    if out.returncode:
        return {"error": out.stderr.strip()[:200]}
    info = json.loads(out.stdout)
    stream = (info.get("streams") or [{}])[0]
    return {
        "codec_name": stream.get("codec_name"),
        "sample_rate": int(stream.get("sample_rate") or 0),
        "bit_rate": int(stream.get("bit_rate") or 0),
        "format_name": info.get("format", {}).get("format_name", ""),
    }


def checked(response: httpx.Response, schema: str | dict | None, what: str = "") -> list[str]:
    """Why a reply is not the spec's 2xx (empty when it is): status, JSON body against `schema`."""
    label = what or f"{response.request.method} {response.request.url.path}"
    if not 200 <= response.status_code < 300:
        return [f"{label}: HTTP {response.status_code} {response.text[:300]}"]
    if schema is None:
        return []
    try:
        body = response.json()
    except ValueError:
        return [f"{label}: not JSON: {response.text[:100]!r}"]
    if isinstance(schema, dict):
        from jsonschema import Draft202012Validator

        found = [
            f"{'.'.join(map(str, e.path)) or '(body)'}: {e.message[:200]}"
            for e in Draft202012Validator(schema).iter_errors(body)
        ]
    else:
        found = problems(schema, body)
    return [f"{label} vs {schema if isinstance(schema, str) else 'RFC 6749'}: {p}" for p in found]


def client(sandbox, provider: str, **headers) -> httpx.Client:
    auth = {
        "anthropic": {"x-api-key": SANDBOX_KEY, "anthropic-version": ANTHROPIC_VERSION},
        "elevenlabs": {"xi-api-key": SANDBOX_KEY},
        "runway": {"authorization": f"Bearer {SANDBOX_KEY}", "x-runway-version": RUNWAY_VERSION},
    }
    base = auth.get(provider, {"authorization": f"Bearer {SANDBOX_KEY}"})
    return httpx.Client(base_url=sandbox.base_url(provider), headers={**base, **headers}, timeout=60)


SCRIPT_PROMPT = "Topic: How tides work\nScenes: 2 to 3\nabout 20 seconds"
TOPICS_PROMPT = "Topics wanted: 2\n- Why bread rises"


# -- the cases: each calls one route (or a few that only make sense together) and lists what is wrong ------


def openai_models(sandbox):
    """The spec's list; every model's `shutdown_date` is YYYY-MM-DD or null, and a retiring one carries its date."""
    with client(sandbox, "openai") as c:
        reply = c.get("/v1/models")
    found = checked(reply, "openai.models.response")
    dates = {m["id"]: m.get("shutdown_date", "absent") for m in reply.json()["data"]}
    found += [f"{m}: {d!r}" for m, d in dates.items() if d is not None and not re.fullmatch(r"\d{4}-\d\d-\d\d", d)]
    return found + ([] if dates.get("gpt-5") == "2026-12-11" else [f"gpt-5's shutdown_date: {dates.get('gpt-5')!r}"])


def openai_chat(sandbox):
    fmt = {"type": "json_schema", "json_schema": {"name": "video_script", "schema": {"type": "object"}, "strict": True}}
    body = {
        "model": "gpt-5.5",
        "messages": [{"role": "system", "content": "Write scripts."}, {"role": "user", "content": SCRIPT_PROMPT}],
        "max_completion_tokens": 4000,
        "response_format": fmt,
        "reasoning_effort": "low",
    }
    topics = {
        **body,
        "messages": [{"role": "user", "content": TOPICS_PROMPT}],
        "response_format": {**fmt, "json_schema": {**fmt["json_schema"], "name": "topic_ideas"}},
    }
    found = []
    with client(sandbox, "openai") as c:
        found += checked(c.post("/v1/chat/completions", json=body), "openai.chat_completions.response", "script")
        found += checked(c.post("/v1/chat/completions", json=topics), "openai.chat_completions.response", "topics")
        for kind in ("refusal", "length"):
            sandbox.state.inject("openai", "chat.completions", Fault(kind=kind))
            found += checked(c.post("/v1/chat/completions", json=body), "openai.chat_completions.response", kind)
    return found


def openai_images(sandbox):
    with client(sandbox, "openai") as c:
        reply = c.post(
            "/v1/images/generations",
            json={"model": "gpt-image-2", "prompt": "A lighthouse at dusk", "size": "1024x1024", "quality": "low"},
        )
        return checked(reply, "openai.images_generations.response")


def openai_embeddings(sandbox):
    # encoding_format=float only: the spec's schema has no branch for base64's string `embedding`.
    with client(sandbox, "openai") as c:
        reply = c.post("/v1/embeddings", json={"model": "text-embedding-3-small", "input": ["tides", "moon phases"]})
        return checked(reply, "openai.embeddings.response")


SPEECH_CODECS = {"mp3": "mp3", "opus": "opus", "aac": "aac", "flac": "flac", "wav": "pcm_s16le"}


def openai_speech(sandbox):
    """Every response_format the spec lists, answered in that format (pcm: raw 24 kHz 16-bit mono)."""
    found = []
    formats = spec("openai.audio_speech.request")["properties"]["response_format"]["enum"]
    with client(sandbox, "openai") as c:
        for fmt in formats:
            reply = c.post(
                "/v1/audio/speech",
                json={
                    "model": "gpt-4o-mini-tts",
                    "voice": "alloy",
                    "input": "The tide comes in.",
                    "response_format": fmt,
                },
            )
            found += checked(reply, None, f"speech {fmt}")
            if reply.status_code != 200:
                continue
            if fmt == "pcm":
                if len(reply.content) < 24000 or len(reply.content) % 2:  # 0.5 s at 24 kHz, 16 bit
                    found.append(f"speech pcm: {len(reply.content)} bytes is not raw 24 kHz 16-bit audio")
            elif probe(reply.content).get("codec_name") != SPEECH_CODECS[fmt]:
                found.append(f"speech {fmt}: the audio is {probe(reply.content)}")
    return found


def openai_transcriptions(sandbox):
    with client(sandbox, "openai") as c:
        audio = c.post(
            "/v1/audio/speech",
            json={
                "model": "gpt-4o-mini-tts",
                "voice": "alloy",
                "input": "The tide comes in.",
                "response_format": "wav",
            },
        ).content
        reply = c.post(
            "/v1/audio/transcriptions",
            files={"file": ("a.wav", audio, "audio/wav")},
            data={"model": "whisper-1", "response_format": "verbose_json", "timestamp_granularities[]": "word"},
        )
        return checked(reply, "openai.transcriptions_verbose_json.response")


def anthropic_models(sandbox):
    """The list and each model (GET /v1/models/{model_id}) with the SDK's lifecycle fields; 404 for an unknown id."""
    found = []
    with client(sandbox, "anthropic") as c:
        found += checked(c.get("/v1/models"), "anthropic.models.response")
        for model in ("claude-sonnet-5-5", "claude-opus-4-5", "claude-sonnet-4-5"):
            found += checked(c.get(f"/v1/models/{model}"), "anthropic.model_info.response", model)
        stages = {m: c.get(f"/v1/models/{m}").json()["lifecycle"] for m in ("claude-sonnet-5-5", "claude-sonnet-4-5")}
        if stages != {"claude-sonnet-5-5": "active", "claude-sonnet-4-5": "retired"}:
            found.append(f"lifecycle: {stages}")
        missing = c.get("/v1/models/claude-nonesuch-1")
        if missing.status_code != 404:
            found.append(f"unknown model: {missing.status_code}")
        found += [f"unknown model: {p}" for p in problems("anthropic.error.response", missing.json())]
    return found


def anthropic_messages(sandbox):
    body = {
        "model": "claude-sonnet-4-6",
        "max_tokens": 4000,
        "system": "Write scripts.",
        "messages": [{"role": "user", "content": SCRIPT_PROMPT}],
        "thinking": {"type": "disabled"},
        "output_config": {"format": {"type": "json_schema", "schema": {"type": "object"}}},
    }
    topics = {
        **body,
        "messages": [{"role": "user", "content": TOPICS_PROMPT}],
        "output_config": {
            "format": {"type": "json_schema", "schema": {"type": "object", "properties": {"topics": {"type": "array"}}}}
        },
    }
    found = []
    with client(sandbox, "anthropic") as c:
        found += checked(c.post("/v1/messages", json=body), "anthropic.messages.response", "script")
        found += checked(c.post("/v1/messages", json=topics), "anthropic.messages.response", "topics")
        for kind in ("refusal", "max_tokens"):
            sandbox.state.inject("anthropic", "messages", Fault(kind=kind))
            found += checked(c.post("/v1/messages", json=body), "anthropic.messages.response", kind)
    return found


def runway_task(c: httpx.Client) -> str:
    return c.post(
        "/v1/image_to_video",
        json={"model": "gen4_turbo", "promptImage": data_uri(), "ratio": "1280:720", "duration": 5},
    ).json()["id"]


def runway_create(sandbox):
    with client(sandbox, "runway") as c:
        return checked(
            c.post(
                "/v1/image_to_video",
                json={"model": "gen4_turbo", "promptImage": data_uri(), "ratio": "1280:720", "duration": 5},
            ),
            "runway.image_to_video.response",
        )


def runway_poll(sandbox):
    """Each status a task goes through, each one checked: PENDING, THROTTLED, RUNNING, SUCCEEDED, FAILED."""
    found, seen = [], set()
    with client(sandbox, "runway") as c:
        for fault in ("", "throttled", "failed_safety"):
            if fault:
                sandbox.state.inject("runway", "image_to_video", Fault(kind=fault))
            task_id = runway_task(c)
            for _ in range(5):
                reply = c.get(f"/v1/tasks/{task_id}")
                status = reply.json().get("status") if reply.status_code == 200 else None
                seen.add(status)
                found += checked(reply, "runway.task.response", f"task {status}")
                if status in ("SUCCEEDED", "FAILED", None):
                    break
    missing = {"PENDING", "THROTTLED", "RUNNING", "SUCCEEDED", "FAILED"} - seen
    return found + ([f"task statuses never seen: {sorted(missing)}"] if missing else [])


def runway_cancel(sandbox):
    with client(sandbox, "runway") as c:
        reply = c.delete(f"/v1/tasks/{runway_task(c)}")  # the spec's 204: No Content
        return checked(reply, None) + (
            [f"DELETE: {reply.status_code} {reply.content[:50]!r}, not an empty 204"]
            if reply.status_code != 204 or reply.content
            else []
        )


def runway_media(sandbox):
    with client(sandbox, "runway") as c:
        task_id = runway_task(c)
        while (task := c.get(f"/v1/tasks/{task_id}").json())["status"] != "SUCCEEDED":
            pass
        reply = httpx.get(task["output"][0], timeout=60)
    found = checked(reply, None, "runway media")
    if reply.headers.get("content-type") != "video/mp4" or probe(reply.content).get("codec_name") != "h264":
        found.append(f"runway media: {reply.headers.get('content-type')} {probe(reply.content)}")
    return found


def elevenlabs_tts(sandbox):
    with client(sandbox, "elevenlabs") as c:
        reply = c.post(
            "/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/with-timestamps",
            json={"text": "The tide comes in.", "model_id": "eleven_multilingual_v2"},
        )
        return checked(reply, "elevenlabs.tts_with_timestamps.response")


def elevenlabs_sound(sandbox):
    with client(sandbox, "elevenlabs") as c:
        reply = c.post(
            "/v1/sound-generation",
            params={"output_format": "mp3_44100_128"},
            json={"text": "waves on a beach", "duration_seconds": 1.0},
        )
    found = checked(reply, None, "sound-generation")
    if reply.headers.get("content-type") != "audio/mpeg" or probe(reply.content).get("codec_name") != "mp3":
        found.append(f"sound-generation: {reply.headers.get('content-type')} {probe(reply.content)}")
    return found


def elevenlabs_music(sandbox):
    with client(sandbox, "elevenlabs") as c:
        reply = c.post(
            "/v1/music",
            params={"output_format": "mp3_44100_128"},
            json={"prompt": "calm ambient pad", "music_length_ms": 4000, "force_instrumental": True},
        )
    found = checked(reply, None, "music")
    heard = probe(reply.content)
    if reply.headers.get("content-type") != "audio/mpeg" or heard.get("codec_name") != "mp3":
        found.append(f"music: {reply.headers.get('content-type')} {heard}")
    return found


def elevenlabs_voices(sandbox):
    found = []
    with client(sandbox, "elevenlabs") as c:
        first = c.get("/v2/voices", params={"page_size": 2})
        found += checked(first, "elevenlabs.voices.response", "voices page 1")
        token = first.json().get("next_page_token") if first.status_code == 200 else None
        if token:
            found += checked(
                c.get("/v2/voices", params={"page_size": 2, "next_page_token": token}),
                "elevenlabs.voices.response",
                "voices page 2",
            )
    return found


def stability_sd3(sandbox):
    """The 200's content types and headers as the spec lists them, and ImageJSON for accept: application/json."""
    described = spec("stability.sd3.response")
    found = []
    with client(sandbox, "stability") as c:
        for fmt, accept in (("png", "image/*"), ("jpeg", "image/*"), ("webp", "image/*"), ("png", "application/json")):
            fields = {"prompt": "A lighthouse", "output_format": fmt, "aspect_ratio": "16:9", "seed": "3"}
            reply = c.post(
                "/v2beta/stable-image/generate/sd3",
                headers={"accept": accept},
                files={k: (None, v) for k, v in fields.items()},
            )
            what = f"sd3 {fmt} accept {accept}"
            json_reply = accept == "application/json"
            found += checked(reply, "stability.sd3.response" if json_reply else None, what)
            if reply.status_code != 200:
                continue
            wanted = f"application/json; type=image/{fmt}" if json_reply else f"image/{fmt}"
            if reply.headers.get("content-type") != wanted or wanted not in described["x-sandbox-media-types"]:
                found.append(f"{what}: content-type {reply.headers.get('content-type')}, not {wanted}")
            # finish-reason is "absent on JSON responses (in body as finish_reason)", the spec says.
            headers = set(described["x-sandbox-headers"]) - {"content-type", *(["finish-reason"] if json_reply else [])}
            found += [f"{what}: no {h} header" for h in sorted(headers) if h not in reply.headers]
            try:
                image = base64.b64decode(reply.json()["image"]) if json_reply else reply.content
                actual = Image.open(io.BytesIO(image)).format.lower()
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                actual = f"unreadable ({exc})"
            if actual != fmt:
                found.append(f"{what}: the image is {actual}")
    return found


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> bytes:
    from framecast.sandbox import media

    out = tmp_path_factory.mktemp("clip") / "c.mp4"
    return media.mp4_from_data_uri(data_uri(), out, 64, 36, 1.0, fps=12).read_bytes()


def videointelligence(sandbox, clip):
    body = {
        "inputContent": base64.b64encode(clip).decode(),
        "features": [1, 2, 3, 6],
        "videoContext": {
            "speechTranscriptionConfig": {
                "languageCode": "en-US",
                "speechContexts": [{"phrases": ["The tide comes in."]}],
            }
        },
    }
    found = []
    with client(sandbox, "videointelligence") as c:
        started = c.post("/v1/videos:annotate", json=body)
        found += checked(started, "videointelligence.operation.response", "annotate")
        name = started.json().get("name", "") if started.status_code == 200 else ""
        for _ in range(2):
            reply = c.get(f"/v1/{name}")
            found += checked(reply, "videointelligence.operation.response", "operations.get")
        result = dict(reply.json().get("response") or {}) if reply.status_code == 200 else {}
        if result.pop("@type", None) is None:
            found.append(f"operations.get: no finished response: {reply.text[:200]}")
        found += [
            f"operation response vs videointelligence.annotate_video.response: {p}"
            for p in problems("videointelligence.annotate_video.response", result)
        ]
    return found


def gemini(sandbox, clip):
    """Resumable upload (start, then the bytes), files.get, generateContent with a response schema, delete."""
    found = []
    key = {"x-goog-api-key": SANDBOX_KEY}
    with httpx.Client(base_url=sandbox.base_url("gemini"), headers=key, timeout=30) as c:
        start = c.post(
            "/upload/v1beta/files",
            json={"file": {"mimeType": "video/mp4", "sizeBytes": str(len(clip))}},
            headers={"x-goog-upload-protocol": "resumable", "x-goog-upload-command": "start"},
        )
        found += checked(start, None, "files.create (session)")  # the session URL in a header, no resource
        if "x-goog-upload-url" not in start.headers:
            return found + ["files.create: no x-goog-upload-url header"]
        done = c.post(
            start.headers["x-goog-upload-url"],
            content=clip,
            headers={"x-goog-upload-command": "upload, finalize", "x-goog-upload-offset": "0"},
        )
        found += checked(done, "gemini.create_file.response", "files.upload (finalize)")
        name = (done.json().get("file") or {}).get("name", "") if done.status_code == 200 else ""
        got = c.get(f"/v1beta/{name}")
        found += checked(got, "gemini.file.response", "files.get")
        scenes = [{"index": 0, "narration": "The tide comes in.", "visual_intent": "a beach at dawn"}]
        schema = {
            "type": "OBJECT",
            "properties": {"scenes": {"type": "ARRAY", "items": {"type": "OBJECT"}}, "transcript": {"type": "STRING"}},
            "required": ["scenes", "transcript"],
        }
        body = {
            "contents": [
                {
                    "role": "user",
                    "parts": [
                        {"fileData": {"fileUri": got.json().get("uri", ""), "mimeType": "video/mp4"}},
                        {"text": f"Scenes as JSON:\n{json.dumps(scenes)}\n"},
                    ],
                }
            ],
            "generationConfig": {"responseMimeType": "application/json", "responseSchema": schema},
        }
        answer = c.post("/v1beta/models/gemini-3.8-flash:generateContent", json=body)
        found += checked(answer, "gemini.generate_content.response", "generateContent")
        found += checked(c.delete(f"/v1beta/{name}"), None, "files.delete")
        found += checked(c.get("/v1beta/models/gemini-3.8-flash"), "gemini.model.response", "models.get")
    return found


def youtube(sandbox):
    """Token, resumable upload (session, then the bytes), thumbnail and captions."""
    found = []
    video = b"\x00" * 4096
    with httpx.Client(base_url=sandbox.base_url("youtube"), timeout=30, follow_redirects=False) as c:
        token = c.post(
            "/token",
            data={
                "grant_type": "refresh_token",
                "client_id": "sandbox-client",
                "client_secret": SANDBOX_KEY,
                "refresh_token": "sandbox-refresh-token",
            },
        )
        found += checked(token, RFC6749_TOKEN, "token")
        auth = {"authorization": f"Bearer {token.json().get('access_token', '')}"}
        meta = {"snippet": {"title": "How tides work", "categoryId": "27"}, "status": {"privacyStatus": "private"}}
        session = c.post(
            "/upload/youtube/v3/videos",
            params={"uploadType": "resumable", "part": "snippet,status"},
            json=meta,
            headers={**auth, "x-upload-content-length": str(len(video))},
        )
        # The resumable protocol's first step answers 200 with the session URI in Location and no resource.
        found += checked(session, None, "videos.insert (session)")
        if "location" not in session.headers:
            return found + ["videos.insert: no Location header"]
        done = c.put(
            session.headers["location"],
            content=video,
            headers={**auth, "content-range": f"bytes 0-{len(video) - 1}/{len(video)}"},
        )
        found += checked(done, "youtube.video.response", "videos.insert (upload)")
        video_id = done.json().get("id", "") if done.status_code == 200 else ""
        thumb = c.post(
            "/upload/youtube/v3/thumbnails/set",
            params={"videoId": video_id},
            content=png(fmt="JPEG"),
            headers={**auth, "content-type": "image/jpeg"},
        )
        found += checked(thumb, "youtube.thumbnail_set.response", "thumbnails.set")
        boundary = uuid.uuid4().hex
        caption = (
            f"--{boundary}\r\ncontent-type: application/json\r\n\r\n"
            f'{{"snippet": {{"videoId": "{video_id}", "language": "en", "name": "English"}}}}\r\n'
            f"--{boundary}\r\ncontent-type: application/octet-stream\r\n\r\n"
            "1\n00:00:00,000 --> 00:00:01,000\nHello\n\r\n"
            f"--{boundary}--\r\n"
        )
        captions = c.post(
            "/upload/youtube/v3/captions",
            params={"part": "snippet", "uploadType": "multipart"},
            content=caption,
            headers={**auth, "content-type": f"multipart/related; boundary={boundary}"},
        )
        found += checked(captions, "youtube.caption.response", "captions.insert")
    return found


CASES = {
    "GET /openai/v1/models": openai_models,
    "POST /openai/v1/chat/completions": openai_chat,
    "POST /openai/v1/images/generations": openai_images,
    "POST /openai/v1/embeddings": openai_embeddings,
    "POST /openai/v1/audio/speech": openai_speech,
    "POST /openai/v1/audio/transcriptions": openai_transcriptions,
    "GET /anthropic/v1/models": anthropic_models,
    "GET /anthropic/v1/models/{model_id}": anthropic_models,
    "POST /anthropic/v1/messages": anthropic_messages,
    "POST /runway/v1/image_to_video": runway_create,
    "GET /runway/v1/tasks/{task_id}": runway_poll,
    "DELETE /runway/v1/tasks/{task_id}": runway_cancel,
    "GET /runway/media/{name}": runway_media,
    "POST /elevenlabs/v1/text-to-speech/{voice_id}/with-timestamps": elevenlabs_tts,
    "POST /elevenlabs/v1/sound-generation": elevenlabs_sound,
    "POST /elevenlabs/v1/music": elevenlabs_music,
    "GET /elevenlabs/v2/voices": elevenlabs_voices,
    "POST /stability/v2beta/stable-image/generate/sd3": stability_sd3,
    "POST /videointelligence/v1/videos:annotate": videointelligence,
    "GET /videointelligence/v1/projects/{project}/locations/{location}/operations/{op}": videointelligence,
    "POST /gemini/upload/v1beta/files": gemini,
    "GET /gemini/v1beta/files/{fid}": gemini,
    "GET /gemini/v1beta/models/{model}": gemini,
    "DELETE /gemini/v1beta/files/{fid}": gemini,
    "POST /gemini/v1beta/models/{model}:generateContent": gemini,
    "POST /youtube/token": youtube,
    "POST /youtube/upload/youtube/v3/videos": youtube,
    "PUT /youtube/upload/youtube/v3/videos": youtube,
    "POST /youtube/upload/youtube/v3/thumbnails/set": youtube,
    "POST /youtube/upload/youtube/v3/captions": youtube,
}


def routes(app) -> set[str]:
    """Every route the sandbox serves but its own control endpoints (read from its OpenAPI description)."""
    return {
        f"{method.upper()} {path}"
        for path, methods in app.openapi()["paths"].items()
        if not path.startswith("/__sandbox/")
        for method in methods
    }


def test_every_route_has_a_case(sandbox_server):
    assert routes(sandbox_server.app) - set(CASES) - set(NO_SPEC) == set()
    assert set(CASES) | set(NO_SPEC) <= routes(sandbox_server.app)  # no stale case


@pytest.mark.parametrize("case", sorted(set(CASES.values()), key=lambda f: f.__name__), ids=lambda f: f.__name__)
def test_replies_match_the_spec(sandbox, case, request):
    extra = {"clip": request.getfixturevalue("clip")} if "clip" in case.__code__.co_varnames else {}
    assert case(sandbox, **extra) == []


# -- errors ---------------------------------------------------------------------------------------------


def test_openai_chat_requests_are_checked_by_the_spec(sandbox):
    with client(sandbox, "openai") as c:
        wizard = c.post(
            "/v1/chat/completions",
            json={
                "model": "gpt-5.5",
                "messages": [{"role": "user", "content": "hi"}, {"role": "wizard", "content": "abracadabra"}],
            },
        )
        missing = c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]})
        wrong_type = c.post(
            "/v1/chat/completions",
            json={"model": "gpt-5.5", "messages": [{"role": "user", "content": "hi"}], "max_completion_tokens": "many"},
        )
    for reply in (wizard, missing, wrong_type):
        assert reply.status_code == 400, reply.text
        assert problems("openai.error.response", reply.json()) == []
    error = wizard.json()["error"]
    assert (error["param"], error["code"], error["type"]) == (
        "messages[1].role",
        "invalid_value",
        "invalid_request_error",
    )
    assert "'wizard'" in error["message"] and "'assistant'" in error["message"]
    assert (missing.json()["error"]["param"], missing.json()["error"]["code"]) == (
        "model",
        "missing_required_parameter",
    )
    assert (wrong_type.json()["error"]["param"], wrong_type.json()["error"]["code"]) == (
        "max_completion_tokens",
        "invalid_type",
    )


def test_runway_errors_have_the_spec_shape_and_name_the_field(sandbox):
    with client(sandbox, "runway") as c:
        replies = {
            "registry rule": c.post(
                "/v1/image_to_video",
                json={"model": "gen4_turbo", "promptImage": data_uri(), "ratio": "16:9", "duration": 5},
            ),
            "no image": c.post("/v1/image_to_video", json={"model": "gen4_turbo", "ratio": "1280:720", "duration": 5}),
            "unknown model": c.post(
                "/v1/image_to_video",
                json={"model": "gen9", "promptImage": data_uri(), "ratio": "1280:720", "duration": 5},
            ),
            "bad type": c.post(
                "/v1/image_to_video",
                json={
                    "model": "gen4_turbo",
                    "promptImage": data_uri(),
                    "ratio": "1280:720",
                    "duration": 5,
                    "seed": "seven",
                },
            ),
        }
    paths = {}
    for what, reply in replies.items():
        assert reply.status_code == 400, (what, reply.text)
        assert problems("runway.error.response", reply.json()) == [], what
        issues = reply.json().get("issues") or []
        assert issues and all(i["path"] for i in issues), (what, reply.json())
        paths[what] = {tuple(i["path"]) for i in issues}
    assert ("ratio",) in paths["registry rule"]
    assert ("promptImage",) in paths["no image"]
    assert ("model",) in paths["unknown model"]
    assert ("seed",) in paths["bad type"]


def test_anthropic_errors_carry_the_request_id(sandbox):
    with client(sandbox, "anthropic") as c:
        ok = c.get("/v1/models")
        removed = c.post(
            "/v1/messages",
            json={
                "model": "claude-sonnet-4-6",
                "max_tokens": 10,
                "temperature": 0.2,
                "messages": [{"role": "user", "content": "hi"}],
            },
        )
        sandbox.state.inject("anthropic", "messages", Fault(status=529))
        overloaded = c.post(
            "/v1/messages",
            json={"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]},
        )
    with client(sandbox, "anthropic", **{"x-api-key": ""}) as c:
        unauthorized = c.get("/v1/models")
    assert ok.status_code == 200 and ok.headers.get("request-id", "").startswith("req_")
    ids = set()
    for reply, status in ((removed, 400), (overloaded, 529), (unauthorized, 401)):
        assert reply.status_code == status, reply.text
        body = reply.json()
        assert problems("anthropic.error.response", body) == []
        assert isinstance(body["request_id"], str) and body["request_id"].startswith("req_")
        assert reply.headers.get("request-id") == body["request_id"]
        ids.add(body["request_id"])
    assert len(ids) == 3  # one per request


OUTPUT_FORMATS = spec("elevenlabs.tts_with_timestamps.output_format")["enum"]
CODECS = {"mp3": "mp3", "opus": "opus", "wav": "pcm_s16le"}
RAW_BYTES_PER_SAMPLE = {"pcm": 2, "ulaw": 1, "alaw": 1}


@pytest.mark.parametrize("output_format", OUTPUT_FORMATS)
def test_elevenlabs_speaks_every_output_format_of_the_spec(sandbox, output_format):
    with client(sandbox, "elevenlabs") as c:
        reply = c.post(
            "/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/with-timestamps",
            params={"output_format": output_format},
            json={"text": "The tide comes in."},
        )
    assert reply.status_code == 200, reply.text
    assert problems("elevenlabs.tts_with_timestamps.response", reply.json()) == []
    audio = base64.b64decode(reply.json()["audio_base64"])
    codec, rate = output_format.split("_")[:2]
    if codec in RAW_BYTES_PER_SAMPLE:  # headerless samples: their count must match the spoken length
        spoken = reply.json()["alignment"]["character_end_times_seconds"][-1]
        seconds = len(audio) / RAW_BYTES_PER_SAMPLE[codec] / int(rate)
        assert abs(seconds - spoken) < 0.25 and len(audio) % RAW_BYTES_PER_SAMPLE[codec] == 0
    else:
        found = probe(audio)
        assert (found["codec_name"], found["sample_rate"]) == (CODECS[codec], int(rate)), found
        if codec == "mp3":  # constant bit rate: the one asked for
            assert found["bit_rate"] == int(output_format.split("_")[2]) * 1000, found


def test_the_checked_in_schemas_record_their_source():
    for path in Path(SPECS).glob("*.json"):
        assert json.loads(path.read_text())["$comment"].startswith("Extracted from the official spec"), path.name
