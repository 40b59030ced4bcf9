"""OpenAI's wire protocol: chat completions (structured output) and image generation.

Over 300 lines, on purpose: every OpenAI route framecast calls (chat, images, speech, transcription, embeddings,
models) in one fake, beside the vendor's client it answers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import time

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response

from framecast.providers import registry
from framecast.providers.base import ScriptBrief
from framecast.providers.local.script import LocalScriptWriter
from framecast.sandbox import media
from framecast.sandbox.common import begin, topic_ideas
from framecast.sandbox.state import SandboxState
from framecast.sandbox.validate import Issue, issues, problems

GPT_IMAGE_ONLY_REJECTS = ("response_format", "style")
IMAGE_TOKENS_1024 = {"low": 272, "medium": 1056, "high": 4160}
JSON_TYPES = {
    "integer": "an integer",
    "number": "a decimal",
    "string": "a string",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
}
PY_TYPES = {
    str: "a string",
    int: "an integer",
    float: "a decimal",
    bool: "a boolean",
    dict: "an object",
    list: "an array",
    type(None): "null",
}
# /audio/speech answers each response_format of the spec with bytes really in that format (opus in Ogg, aac
# in ADTS, pcm raw). The spec only says application/octet-stream; the sandbox labels each with its usual type.
SPEECH_MEDIA_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}


def openai_error(status: int, message: str, code: str = "") -> dict:
    """OpenAI's error body."""
    kind = {400: "invalid_request_error", 401: "authentication_error", 429: "rate_limit_error"}.get(status, "api_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": code or None}}


def _bad(message: str, code: str = "invalid_request_error", param: str | None = None) -> JSONResponse:
    body = openai_error(400, message, code)
    body["error"]["param"] = param
    return JSONResponse(body, status_code=400)


def _param(path: tuple) -> str:
    """A field path the way OpenAI's errors name it: messages[1].role."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out


def _listed(values: list, joiner: str = "and") -> str:
    quoted = [repr(v) for v in values]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])}, {joiner} {quoted[-1]}"


def _schema_error(issue: Issue) -> JSONResponse:
    """OpenAI's 400 for the first way a request breaks the spec's schema, naming the parameter."""
    param = _param(issue.path)
    if issue.code == "missing":
        return _bad(f"Missing required parameter: '{param}'.", "missing_required_parameter", param)
    if issue.code == "invalid_value":
        return _bad(
            f"Invalid value: {issue.value!r}. Supported values are: {_listed(issue.allowed)}.", "invalid_value", param
        )
    if issue.code == "invalid_type":
        expected = [JSON_TYPES.get(t, t) for t in issue.expected]
        wanted = expected[0] if len(expected) == 1 else "one of " + " or ".join(expected)
        got = PY_TYPES.get(type(issue.value), "a value")
        return _bad(f"Invalid type for '{param}': expected {wanted}, but got {got} instead.", "invalid_type", param)
    if issue.code == "unrecognized":
        return _bad(f"Unrecognized request argument supplied: {param}", "unknown_parameter", param)
    limit = {
        "maxLength": "string_above_max_length",
        "minLength": "string_below_min_length",
        "maxItems": "array_above_max_length",
        "minItems": "array_below_min_length",
        "maximum": "decimal_above_max_value",
        "minimum": "decimal_below_min_value",
    }
    code = (
        "empty_array"
        if issue.validator == "minItems" and issue.value == []
        else limit.get(issue.validator, "invalid_value")
    )
    return _bad(f"Invalid '{param}': {issue.message}", code, param)


def router(state: SandboxState, base_url: str = "") -> APIRouter:
    api = APIRouter()

    @api.get("/v1/models")
    def models(request: Request):
        # The cheapest authenticated call: pre-flight's key check.
        fault, early = begin(state, request, "openai", "models", openai_error)
        if early:
            return early
        # The spec's Model with its optional `shutdown_date` (YYYY-MM-DD, null while none is announced): the registry's
        # OpenAI models and dates, as OpenAI reports them.
        model = {"object": "model", "created": 1735689600, "owned_by": "openai"}
        data = [
            {**model, "id": m.id, "shutdown_date": m.shutdown.isoformat() if m.shutdown else None}
            for m in registry.spec("openai").models
        ]
        return {"object": "list", "data": data}

    @api.post("/v1/chat/completions")
    def chat(request: Request, body: dict = Body(...)):
        fault, early = begin(state, request, "openai", "chat.completions", openai_error)
        if early:
            return early
        found = issues("openai.chat_completions.request", body)
        if found:
            return _schema_error(found[0])  # OpenAI names one parameter per error
        if "max_tokens" in body:
            return _bad(
                "Unsupported parameter: 'max_tokens' is not supported with this model. "
                "Use 'max_completion_tokens' instead.",
                "unsupported_parameter",
                "max_tokens",
            )
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema" and not (fmt.get("json_schema") or {}).get("schema"):
            return _bad("Missing required parameter: 'response_format.json_schema.schema'.", param="response_format")
        text = " ".join(m.get("content", "") for m in body["messages"] if isinstance(m.get("content"), str))
        if (fmt.get("json_schema") or {}).get("name") == "topic_ideas":
            content = json.dumps(topic_ideas("\n".join(m.get("content", "") for m in body["messages"])))
            return {
                "id": f"chatcmpl-sandbox{state.calls('openai')}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "logprobs": None,
                        "message": {"role": "assistant", "content": content, "refusal": None},
                    }
                ],
                "usage": {
                    "prompt_tokens": len(text) // 4,
                    "completion_tokens": len(content) // 4,
                    "total_tokens": (len(text) + len(content)) // 4,
                },
            }
        topic = (re.search(r"Topic:\s*(.+)", text) or re.search(r"(.+)", text)).group(1).strip()
        # Follow the brief the way a model would: scene count and length from the prompt.
        counts = re.search(r"Scenes:\s*(\d+)\s*to\s*(\d+)", text)
        length = re.search(r"about\s*(\d+)\s*seconds", text)
        lo, hi = (int(counts.group(1)), int(counts.group(2))) if counts else (6, 8)
        script = LocalScriptWriter().write(
            ScriptBrief(
                topic=topic[:200], min_scenes=lo, max_scenes=hi, target_seconds=float(length.group(1)) if length else 60
            )
        )
        content = json.dumps(script.model_dump(mode="json"))
        finish, refusal = "stop", None
        kind = fault.kind if fault else ""
        if kind == "refusal":
            content, refusal = None, "I can't help with that request."
        elif kind == "length":
            content, finish = content[: len(content) // 2], "length"
        elif kind == "invalid_script":
            broken = script.model_dump(mode="json")
            broken["scenes"][0]["duration"] = 99
            content = json.dumps(broken)
        return {
            "id": f"chatcmpl-sandbox{state.calls('openai')}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            # logprobs: none were asked for, so null, as the spec allows (the key itself is required).
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish,
                    "logprobs": None,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                }
            ],
            "usage": {
                "prompt_tokens": len(text) // 4,
                "completion_tokens": len(content or "") // 4,
                "total_tokens": (len(text) + len(content or "")) // 4,
            },
        }

    @api.post("/v1/images/generations")
    def images(request: Request, body: dict = Body(...)):
        fault, early = begin(state, request, "openai", "images.generations", openai_error)
        if early:
            return early
        issues = problems("openai.images_generations.request", body)
        if issues:
            return _bad("; ".join(issues))
        model = str(body.get("model", ""))
        if model.startswith("dall-e"):
            return JSONResponse(
                openai_error(404, f"The model '{model}' has been deprecated.", "model_not_found"), status_code=404
            )
        for param in GPT_IMAGE_ONLY_REJECTS:
            if param in body:
                return _bad(f"Unknown parameter: '{param}'.", "unknown_parameter", param)
        size = str(body.get("size", "1024x1024"))
        match = re.fullmatch(r"(\d+)x(\d+)", size)
        if not match or int(match.group(1)) % 16 or int(match.group(2)) % 16:
            return _bad(f"Invalid size '{size}': both sides must be multiples of 16.", param="size")
        scale = state.media_scale
        width, height = (max(int(int(v) * scale) // 16 * 16, 64) for v in match.groups())
        quality = body.get("quality") or "auto"
        if quality in ("standard", "hd"):  # the spec: dall-e only; GPT image models take low, medium, high, auto
            return _bad(f"Invalid quality '{quality}' for {model}: use low, medium, high or auto.", param="quality")
        quality = "high" if quality == "auto" else quality  # the server's pick, and the dearest: why framecast sends it
        image = media.png(body["prompt"], width, height)
        # Output tokens by quality, scaled by area from gpt-image-1's published table (1024x1024: 272 / 1056 / 4160).
        area = int(match.group(1)) * int(match.group(2)) / (1024 * 1024)
        prompt_tokens = len(body["prompt"]) // 4
        image_tokens = round(IMAGE_TOKENS_1024[quality] * area)
        return {
            "created": int(time.time()),
            "data": [{"b64_json": base64.b64encode(image).decode()}],
            "background": "opaque",
            "output_format": "png",
            "quality": quality,
            "usage": {
                "input_tokens": prompt_tokens,
                "output_tokens": image_tokens,
                "total_tokens": prompt_tokens + image_tokens,
                "input_tokens_details": {"text_tokens": prompt_tokens, "image_tokens": 0},
                "output_tokens_details": {"image_tokens": image_tokens, "text_tokens": 0},
            },
        }

    @api.post("/v1/embeddings")
    def embeddings(request: Request, body: dict = Body(...)):
        _, early = begin(state, request, "openai", "embeddings", openai_error)
        if early:
            return early
        inputs = body.get("input")
        inputs = [inputs] if isinstance(inputs, str) else inputs
        if not body.get("model") or not isinstance(inputs, list) or not inputs:
            return _bad("'model' and a non-empty 'input' are required.")
        if len(inputs) > 2048:
            return _bad("input: at most 2048 items per request", param="input")
        encoding = body.get("encoding_format", "float")
        data = []
        for i, text in enumerate(inputs):
            vector = media.bag_of_words_vector(str(text))
            value = (
                base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode() if encoding == "base64" else vector
            )
            data.append({"object": "embedding", "index": i, "embedding": value})
        tokens = sum(len(str(t)) // 4 for t in inputs)
        return {
            "object": "list",
            "data": data,
            "model": body["model"],
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }

    @api.post("/v1/audio/speech")
    def speech(request: Request, body: dict = Body(...)):
        fault, early = begin(state, request, "openai", "audio.speech", openai_error)
        if early:
            return early
        found = issues("openai.audio_speech.request", body)
        if found:
            return _schema_error(found[0])
        fmt = body.get("response_format", "mp3")
        if fmt in ("mp3", "wav"):  # as before (the transcription route knows spoken audio by its checksum)
            audio, _ = media.speech(body["input"], fmt)
        else:  # opus in Ogg, aac in ADTS, flac, pcm: raw 24 kHz 16-bit little-endian mono, as OpenAI documents
            audio, _ = media.speech_as(
                body["input"], fmt, 48000 if fmt == "opus" else 24000, 64 if fmt in ("opus", "aac") else None
            )
        with state.lock:
            state.transcripts[hashlib.sha256(audio).hexdigest()] = body["input"]
        return Response(audio, media_type=SPEECH_MEDIA_TYPES[fmt])

    @api.post("/v1/audio/transcriptions")
    async def transcriptions(request: Request):
        fault, early = begin(state, request, "openai", "audio.transcriptions", openai_error)
        if early:
            return early
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return _bad("Missing required parameter: 'file'.", "missing_required_parameter", "file")
        granularities = form.getlist("timestamp_granularities[]")
        if "word" in granularities and form.get("model") != "whisper-1":
            return _bad("timestamp_granularities word is only supported by whisper-1", param="model")
        if granularities and form.get("response_format") != "verbose_json":
            return _bad("timestamp_granularities requires response_format=verbose_json", param="response_format")
        audio = await upload.read()
        # No speech recognition here: the sandbox knows what it spoke, by the audio's checksum.
        with state.lock:
            text = state.transcripts.get(hashlib.sha256(audio).hexdigest(), "")
        duration = media.duration_of(audio)
        spoken = text.split()
        step = (duration - 0.2) / max(len(spoken), 1)
        words = [
            {"word": w.strip(".,!?;:"), "start": round(0.1 + i * step, 3), "end": round(0.1 + (i + 1) * step, 3)}
            for i, w in enumerate(spoken)
        ]
        return {"task": "transcribe", "language": "english", "duration": duration, "text": text, "words": words}

    return api
