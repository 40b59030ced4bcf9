"""Gemini's wire protocol as the google-genai SDK speaks it: resumable upload, files.get, generateContent, delete.

Built from Google's published description of generativelanguage v1beta (framecast/sandbox/specs/gemini.*):
requests are validated against it and every reply conforms to it. The answer is made from the request, so it
is deterministic: each scene listed in the prompt matches its intent and shows the words of its visual
intent, nothing explicit, legible text, captions that match; the transcript is the narration found in the
prompt. An upload is PROCESSING until its first files.get. Faults, besides the generic ones: generateContent
"mismatch" (scene 1, or 0 in a one-scene video, does not match), "explicit" (scene 0 LIKELY), "garbled"
(the transcript is wrong), "captions" (scene 0's captions do not match), "illegible" (scene 0's text);
files.get "failed" (processing FAILED). models.get answers pre-flight's key probe.
"""

from __future__ import annotations

import json
import re
import uuid

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from jsonschema import Draft202012Validator

from framecast.sandbox import validate
from framecast.sandbox.common import begin
from framecast.sandbox.state import SandboxState

NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}
NAMES |= {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
AUTH = "x-goog-api-key"  # the SDK sends the API key in this header


def google_error(status: int, message: str, code: str = "") -> dict:
    return {"error": {"code": status, "message": message, "status": NAMES.get(status, "UNKNOWN")}}


def _bad(problems: list[str]) -> JSONResponse:
    return JSONResponse(google_error(400, "Invalid JSON payload received. " + "; ".join(problems[:5])), 400)


def _file(state: SandboxState, base_url: str, fid: str) -> dict:
    task = state.tasks[f"gemini-file-{fid}"]
    body = {
        "name": f"files/{fid}",
        "mimeType": task["mime"],
        "sizeBytes": str(len(task["data"])),
        "createTime": "2026-12-07T00:00:00.000000Z",
        "updateTime": "2026-12-07T00:00:00.000000Z",
        "expirationTime": "2026-12-09T00:00:00.000000Z",
        "uri": f"{base_url}/v1beta/files/{fid}",
        "state": task["state"],
        "source": "UPLOADED",
    }
    if task["state"] == "FAILED":
        body["error"] = {"code": 3, "message": "the video could not be processed"}
    return body


# Map fields (their keys are data) and untyped values: left as sent.
VERBATIM = ("properties", "responseJsonSchema", "response_json_schema", "args", "response")


def camel(node, parent: str = ""):
    """A request as the proto3 JSON mapping reads it: parsers take the original snake_case field names as well
    as lowerCamelCase (the SDK sends e.g. `file_uri`), so both are validated as the spec's lowerCamelCase."""
    if isinstance(node, list):
        return [camel(v, parent) for v in node]
    if not isinstance(node, dict) or parent in VERBATIM:
        return node if not isinstance(node, dict) else {k: camel(v) for k, v in node.items()}
    out = {}
    for key, value in node.items():
        name = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key)
        out[name] = value if name in VERBATIM[1:2] else camel(value, name)
    return out


def scenes_in(text: str) -> list[dict]:
    """The scenes framecast lists in its prompt (the JSON line after "Scenes as JSON:")."""
    found = re.search(r"Scenes as JSON:\n(\[.*\])", text)
    try:
        return json.loads(found.group(1)) if found else []
    except ValueError:
        return []


def json_schema(schema: dict) -> dict:
    """Gemini's response Schema (OpenAPI subset, types in capitals) as JSON Schema, to check the fake's answer."""
    out: dict = {}
    kind = str(schema.get("type", "")).lower()
    if kind and kind != "type_unspecified":
        out["type"] = kind
    if schema.get("enum"):
        out["enum"] = schema["enum"]
    if "properties" in schema:
        out["properties"] = {k: json_schema(v) for k, v in schema["properties"].items()}
    if "items" in schema:
        out["items"] = json_schema(schema["items"])
    if schema.get("required"):
        out["required"] = schema["required"]
    return out


def answer(scenes: list[dict], fault: str) -> dict:
    """What a careful reviewer would say of a video made exactly as planned, unless a fault says otherwise."""
    wrong = 1 if len(scenes) > 1 else 0
    reviews = []
    for s in scenes:
        i = s.get("index", 0)
        words = re.findall(r"[A-Za-z]+", str(s.get("visual_intent", "")).partition(";")[0])
        reviews.append(
            {
                "index": i,
                "visible": [w.lower() for w in words[:6]] or ["illustration"],
                "matches_intent": not (fault == "mismatch" and i == wrong),
                "match_reason": "a kitchen appliance unrelated to the narration"
                if fault == "mismatch" and i == wrong
                else "the picture shows what the narration describes",
                "on_screen_text": "LABEL" if fault == "illegible" and i == 0 else "",
                "text_legible": not (fault == "illegible" and i == 0),
                "explicit_likelihood": "LIKELY" if fault == "explicit" and i == 0 else "VERY_UNLIKELY",
                "captions_match_speech": not (fault == "captions" and i == 0),
            }
        )
    transcript = " ".join(str(s.get("narration", "")) for s in scenes)
    if fault == "garbled":
        transcript = " ".join("banana" if n % 2 else w for n, w in enumerate(transcript.split()))
    return {"scenes": reviews, "transcript": transcript}


def router(state: SandboxState, base_url: str = "") -> APIRouter:
    api = APIRouter()
    gemini_url = base_url + "/gemini"

    # Async only to read the raw body (`begin` takes it as the request's identity; an upload chunk is bytes); the
    # work runs in the thread pool like every other fake's, so a slow fault never blocks the loop.
    @api.post("/upload/v1beta/files")
    async def upload(request: Request):
        raw = await request.body()
        return await run_in_threadpool(_upload, request, raw)

    def _upload(request: Request, raw: bytes):
        command = request.headers.get("x-goog-upload-command", "")
        fid = request.query_params.get("upload_id", "")
        if "start" in command:
            fault, early = begin(state, request, "gemini", "files.create", google_error, AUTH)
            if early:
                return early
            body = camel(json.loads(raw or b"{}"))
            if isinstance((body.get("file") or {}).get("sizeBytes"), int):  # proto3 JSON takes an int64 as a number
                body["file"]["sizeBytes"] = str(body["file"]["sizeBytes"])
            problems = validate.problems("gemini.create_file.request", body)
            if problems or request.headers.get("x-goog-upload-protocol") != "resumable":
                return _bad(problems or ["X-Goog-Upload-Protocol must be resumable"])
            fid = uuid.uuid4().hex[:12]
            mime = (body.get("file") or {}).get("mimeType") or request.headers.get(
                "x-goog-upload-header-content-type", "application/octet-stream"
            )
            with state.lock:
                state.tasks[f"gemini-file-{fid}"] = {"mime": mime, "data": b"", "state": "PROCESSING", "gets": 0}
            url = f"{gemini_url}/upload/v1beta/files?upload_id={fid}&upload_protocol=resumable"
            return Response(status_code=200, headers={"x-goog-upload-url": url, "x-goog-upload-status": "active"})
        # The session URL is the credential (Google's upload URLs carry it; the SDK sends no key with the chunks).
        fault, early = begin(state, request, "gemini", "files.upload", google_error, "x-goog-upload-command")
        if early:
            early.headers["x-goog-upload-status"] = "final"  # the SDK retries a chunk answer without a status
            return early
        task = state.tasks.get(f"gemini-file-{fid}")
        if task is None:
            return JSONResponse(google_error(404, "no such upload"), 404, headers={"x-goog-upload-status": "final"})
        offset = int(request.headers.get("x-goog-upload-offset", "-1"))
        if offset != len(task["data"]):
            return JSONResponse(
                google_error(400, f"offset {offset}, expected {len(task['data'])}"),
                400,
                headers={"x-goog-upload-status": "final"},
            )
        task["data"] += raw
        if "finalize" not in command:
            return Response(status_code=200, headers={"x-goog-upload-status": "active"})
        return JSONResponse({"file": _file(state, gemini_url, fid)}, headers={"x-goog-upload-status": "final"})

    @api.get("/v1beta/models/{model}")
    def get_model(model: str, request: Request):
        fault, early = begin(state, request, "gemini", "models.get", google_error, AUTH)
        if early:
            return early
        if not model.startswith("gemini-"):
            return JSONResponse(google_error(404, f"models/{model} is not found for API version v1beta"), 404)
        return {
            "name": f"models/{model}",
            "baseModelId": model,
            "version": "001",
            "displayName": model,
            "inputTokenLimit": 1048576,
            "outputTokenLimit": 65536,
            "supportedGenerationMethods": ["generateContent", "countTokens"],
        }

    @api.get("/v1beta/files/{fid}")
    def get_file(fid: str, request: Request):
        fault, early = begin(state, request, "gemini", "files.get", google_error, AUTH)
        if early:
            return early
        task = state.tasks.get(f"gemini-file-{fid}")
        if task is None:
            return JSONResponse(google_error(404, f"File files/{fid} not found"), 404)
        task["gets"] += 1
        if task["state"] == "PROCESSING":  # processed by the first poll
            task["state"] = "FAILED" if fault and fault.kind == "failed" else "ACTIVE"
        return _file(state, gemini_url, fid)

    @api.delete("/v1beta/files/{fid}")
    def delete_file(fid: str, request: Request):
        fault, early = begin(state, request, "gemini", "files.delete", google_error, AUTH)
        if early:
            return early
        with state.lock:
            gone = state.tasks.pop(f"gemini-file-{fid}", None)
        if gone is None:
            return JSONResponse(google_error(404, f"File files/{fid} not found"), 404)
        return {}

    @api.post("/v1beta/models/{model}:generateContent")
    async def generate(model: str, request: Request):
        raw = await request.body()
        return await run_in_threadpool(_generate, model, request, raw)

    def _generate(model: str, request: Request, raw: bytes):
        fault, early = begin(state, request, "gemini", "generateContent", google_error, AUTH)
        if early:
            return early
        body = camel(json.loads(raw or b"{}"))
        problems = validate.problems("gemini.generate_content.request", body)
        if problems:
            return _bad(problems)
        parts = [p for c in body.get("contents", []) for p in c.get("parts", [])]
        files = [p["fileData"]["fileUri"].rsplit("/", 1)[-1] for p in parts if "fileData" in p]
        for fid in files:
            task = state.tasks.get(f"gemini-file-{fid}")
            if task is None or task["state"] != "ACTIVE":
                state_ = task["state"] if task else "missing"
                return JSONResponse(google_error(400, f"The File {fid} is not in an ACTIVE state ({state_})"), 400)
        text = "\n".join(p.get("text", "") for p in parts)
        config = body.get("generationConfig") or {}
        if config.get("responseMimeType") != "application/json" or not (
            config.get("responseSchema") or config.get("responseJsonSchema")
        ):
            return _bad(["generationConfig: the sandbox answers structured JSON only (responseMimeType, schema)"])
        made = answer(scenes_in(text), fault.kind if fault else "")
        wanted = config.get("responseJsonSchema") or json_schema(config["responseSchema"])
        wrong = list(Draft202012Validator(wanted).iter_errors(made))
        if wrong:  # a schema the fake cannot fill: say so as Google says a schema it rejects
            return _bad([f"generationConfig.responseSchema: the sandbox's answer breaks it: {wrong[0].message}"])
        reply = json.dumps(made)
        seconds = sum(len(state.tasks[f"gemini-file-{f}"]["data"]) for f in files) / 50_000  # ~a 400 kbit/s video
        prompt_tokens = int(seconds * 300) + len(text) // 4
        return {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": reply}]}, "finishReason": "STOP", "index": 0}
            ],
            "usageMetadata": {
                "promptTokenCount": prompt_tokens,
                "candidatesTokenCount": len(reply) // 4,
                "thoughtsTokenCount": 100,
                "totalTokenCount": prompt_tokens + len(reply) // 4 + 100,
            },
            "modelVersion": model,
            "responseId": uuid.uuid4().hex,
        }

    return api
