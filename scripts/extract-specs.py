"""Copy the request and reply schemas the sandbox is checked against out of the official specs.

Dev-time only: reads ../shared/specs beside the checkout and writes framecast/sandbox/specs/*.json (or
$FRAMECAST_SPECS_OUT), every $ref inlined and the source recorded in $comment.
Neither framecast nor its tests ever read ../shared: tests/sandbox/test_replies_match_specs.py validates the
sandbox's 2xx bodies against these copies. Re-run it when the specs are refreshed.

Beyond inlining: OpenAI's spec is OpenAPI 3.1 but still writes some types the 3.0 way (`nullable: true`),
which JSON Schema ignores; those become `anyOf [..., null]`. Google's discovery documents are turned into
JSON Schema (`$ref: Name` inlined, `type: any` dropped; discovery marks no property as required, so they
check types and enum values only).

Gemini (generativelanguage v1beta) comes as Google publishes it through its discovery service in OpenAPI 3.0 form
(`$discovery/OPENAPI3_0?version=v1beta`): the same inlining as OpenAI's.

Usage: python scripts/extract-specs.py [SPECS_DIR]
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(os.environ.get("FRAMECAST_SPECS_OUT") or ROOT / "framecast" / "sandbox" / "specs")
DROP = ("examples", "example", "x-codeSamples", "x-oaiMeta")


def inline(node, components: dict, seen: tuple = (), *, nullable: bool = False):
    """Replace every local $ref with the schema it names (recursion cut at a repeat)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            if name in seen:
                return {}
            target = inline(components[name], components, (*seen, name), nullable=nullable)
            extra = {
                k: inline(v, components, seen, nullable=nullable) for k, v in node.items() if k not in ("$ref", *DROP)
            }
            return {**target, **extra} if extra else target
        out = {k: inline(v, components, seen, nullable=nullable) for k, v in node.items() if k not in DROP}
        if nullable and out.pop("nullable", False) is True:
            description = out.pop("description", None)
            out = {"anyOf": [out, {"type": "null"}], **({"description": description} if description else {})}
        return out
    if isinstance(node, list):
        return [inline(v, components, seen, nullable=nullable) for v in node]
    return node


def discovery(node, schemas: dict, seen: tuple = ()):
    """A Google discovery-document schema as JSON Schema."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            return {} if ref in seen else discovery(schemas[ref], schemas, (*seen, ref))
        out = {}
        for key, value in node.items():
            if key in ("id", "annotations", "enumDescriptions", "description", "deprecated", "readOnly"):
                continue
            if key == "type" and value == "any":
                continue
            if key == "properties":
                out[key] = {name: discovery(v, schemas, seen) for name, v in value.items()}
            else:
                out[key] = discovery(value, schemas, seen)
        return out
    if isinstance(node, list):
        return [discovery(v, schemas, seen) for v in node]
    return node


def newer_than_the_specs(name: str, schema: dict) -> dict:
    """What the vendors' current SDKs add to the collected specs (the specs lag them), each with its source."""
    if name == "anthropic.messages.request.json":
        # anthropic SDK 2.17.0 types/thinking_config_between_tools_param.py: {"type": "between_tools"}, nothing else.
        between = {
            "additionalProperties": False,
            "properties": {"type": {"const": "between_tools", "title": "Type", "type": "string"}},
            "required": ["type"],
            "title": "ThinkingConfigBetweenTools",
            "type": "object",
        }
        thinking = schema["properties"]["thinking"]
        thinking["oneOf"].append(between)
        thinking["discriminator"]["mapping"]["between_tools"] = "#/components/schemas/ThinkingConfigBetweenTools"
    if name == "elevenlabs.sound_generation.request.json":
        # elevenlabs SDK 2.78.0 types/sfx_model_id.py adds eleven_text_to_sound_v3 (`loop` stays v2-only).
        schema["properties"]["model_id"]["enum"] = ["eleven_text_to_sound_v2", "eleven_text_to_sound_v3"]
    if name == "elevenlabs.music.request.json":
        # elevenlabs SDK 2.78.0 types/music_model_id.py adds music_v2_5.
        enum = schema["properties"]["model_id"]["enum"]
        enum += [m for m in ("music_v2", "music_v2_5") if m not in enum]
    return schema


def requests(specs: Path) -> None:
    """The request schemas (Runway, ElevenLabs, OpenAI images, Stability)."""
    runway = json.loads((specs / "runway/openapi.json").read_text())
    i2v = runway["paths"]["/v1/image_to_video"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    i2v = {"oneOf": [o for o in i2v["oneOf"] if o.get("title") in ("gen4.5", "gen4_turbo", "veo3.1", "veo3.1_fast")]}
    task = runway["paths"]["/v1/tasks/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    eleven = json.loads((specs / "elevenlabs/openapi.json").read_text())
    ec = eleven["components"]["schemas"]
    tts = inline({"$ref": "#/components/schemas/Body_text_to_speech_full_with_timestamps"}, ec)
    openai = yaml.safe_load((specs / "openai/openapi.yaml").read_text())
    oc = openai["components"]["schemas"]
    image = inline({"$ref": "#/components/schemas/CreateImageRequest"}, oc)
    stability = json.loads((specs / "stability/v2beta_stable-image_generate_sd3.extract.json").read_text())
    sd3 = stability["paths"]["/v2beta/stable-image/generate/sd3"]["post"]["requestBody"]["content"][
        "multipart/form-data"
    ]["schema"]
    anthropic = json.loads((specs / "anthropic/openapi.json").read_text())
    ac = anthropic["components"]["schemas"]
    # Only the parts of CreateMessageParams the sandbox checks by schema (the rest predates API version 2026-10-21).
    messages = {
        "type": "object",
        "properties": {
            "thinking": inline({"$ref": "#/components/schemas/ThinkingConfigParam"}, ac),
            "output_config": inline({"$ref": "#/components/schemas/OutputConfig"}, ac),
        },
    }
    documents = {
        "anthropic.messages.request.json": (
            "anthropic/openapi.json CreateMessageParams thinking + output_config, with anthropic SDK 2.17.0's "
            "between_tools",
            messages,
        ),
        "runway.image_to_video.request.json": (
            "runway/openapi.json /v1/image_to_video (gen4.5, gen4_turbo, veo3.1, veo3.1_fast)",
            i2v,
        ),
        "runway.task.response.json": ("runway/openapi.json /v1/tasks/{id} 200", task),
        "elevenlabs.tts_with_timestamps.request.json": (
            "elevenlabs/openapi.json Body_text_to_speech_full_with_timestamps",
            tts,
        ),
        "openai.images_generations.request.json": ("openai/openapi.yaml CreateImageRequest", image),
        "stability.sd3.request.json": ("stability/v2beta_stable-image_generate_sd3.extract.json (hand extract)", sd3),
    }
    for name, (source, schema) in documents.items():
        schema = newer_than_the_specs(name, schema)
        schema = {"$comment": f"Extracted from the official spec: {source}. See specs/SOURCES.md.", **schema}
        (OUT / name).write_text(json.dumps(schema, indent=1, sort_keys=True))
        print(f"{name}: {len(json.dumps(schema))} bytes")


# The lifecycle fields of Anthropic's ModelInfo, which the stored spec (2026-05-06) predates: transcribed from the
# official SDK, anthropic 2.17.0 (PyPI wheel) `anthropic/types/model_info.py` and `types/model_line.py`. The SDK's
# non-Optional `lifecycle` is required; its Optional fields default to None (sent as null or left out).
def _rfc3339(what: str) -> dict:
    return {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}], "description": what}


ANTHROPIC_SDK_MODEL_INFO = {
    "lifecycle": {
        "enum": ["active", "deprecated", "retired"],
        "type": "string",
        "description": "The model's current lifecycle stage.",
    },
    "deprecated_at": _rfc3339("RFC 3339 time of the model's most recent deprecation; null while it is active."),
    "retires_at": _rfc3339("RFC 3339 time of the currently scheduled retirement; null while active or unscheduled."),
    "line": {
        "anyOf": [{"enum": ["haiku", "sonnet", "opus", "fable", "mythos"], "type": "string"}, {"type": "null"}],
        "description": "The model line (more may be added); null when the model belongs to no line.",
    },
}


def with_sdk_lifecycle(info: dict) -> dict:
    """The spec's ModelInfo plus the SDK's lifecycle fields (`lifecycle` required, as the SDK types it)."""
    return {
        **info,
        "properties": {**info["properties"], **ANTHROPIC_SDK_MODEL_INFO},
        "required": sorted({*info["required"], "lifecycle"}),
    }


def replies(specs: Path) -> None:
    openai = yaml.safe_load((specs / "openai/openapi.yaml").read_text())
    oc = openai["components"]["schemas"]

    def o(name: str) -> dict:
        return inline({"$ref": f"#/components/schemas/{name}"}, oc, nullable=True)

    anthropic = json.loads((specs / "anthropic/openapi.json").read_text())
    ac = anthropic["components"]["schemas"]

    def a(name: str) -> dict:
        return inline({"$ref": f"#/components/schemas/{name}"}, ac)

    models_list = a("ListResponse_ModelInfo_")
    models_list["properties"]["data"]["items"] = with_sdk_lifecycle(models_list["properties"]["data"]["items"])
    runway = json.loads((specs / "runway/openapi.json").read_text())
    i2v = runway["paths"]["/v1/image_to_video"]["post"]["responses"]
    eleven = json.loads((specs / "elevenlabs/openapi.json").read_text())
    ec = eleven["components"]["schemas"]

    def e(name: str) -> dict:
        return inline({"$ref": f"#/components/schemas/{name}"}, ec)

    def query(path: str, method: str, name: str) -> dict:
        params = eleven["paths"][path][method]["parameters"]
        return inline(next(p["schema"] for p in params if p.get("name") == name), ec)

    stability = json.loads((specs / "stability/v2beta_stable-image_generate_sd3.extract.json").read_text())
    sd3 = stability["paths"]["/v2beta/stable-image/generate/sd3"]["post"]["responses"]["200"]
    sd3_json = inline({"$ref": "#/components/schemas/ImageJSON"}, stability["components"]["schemas"])
    sd3_json["x-sandbox-media-types"] = sorted(sd3["content"])  # not JSON Schema: the 200's content types
    sd3_json["x-sandbox-headers"] = {k: v.get("schema", {}) for k, v in sd3["headers"].items()}
    vi = json.loads((specs / "google/videointelligence.v1.json").read_text())
    yt = json.loads((specs / "google/youtube.v3.json").read_text())

    documents = {
        "openai.models.response.json": (
            "openai/openapi.yaml ListModelsResponse (GET /models 200)",
            o("ListModelsResponse"),
        ),
        "openai.chat_completions.request.json": (
            "openai/openapi.yaml CreateChatCompletionRequest",
            o("CreateChatCompletionRequest"),
        ),
        "openai.audio_speech.request.json": ("openai/openapi.yaml CreateSpeechRequest", o("CreateSpeechRequest")),
        "openai.chat_completions.response.json": (
            "openai/openapi.yaml CreateChatCompletionResponse (POST /chat/completions 200, application/json)",
            o("CreateChatCompletionResponse"),
        ),
        "openai.images_generations.response.json": (
            "openai/openapi.yaml ImagesResponse (POST /images/generations 200, application/json)",
            o("ImagesResponse"),
        ),
        "openai.embeddings.response.json": (
            "openai/openapi.yaml CreateEmbeddingResponse (POST /embeddings 200)",
            o("CreateEmbeddingResponse"),
        ),
        # The 200 is a oneOf of json / diarized_json / verbose_json that a verbose answer matches twice (no
        # branch forbids extra fields): the branch for the response_format asked is the one to check.
        "openai.transcriptions_verbose_json.response.json": (
            "openai/openapi.yaml CreateTranscriptionResponseVerboseJson (POST /audio/transcriptions 200, "
            "response_format=verbose_json)",
            o("CreateTranscriptionResponseVerboseJson"),
        ),
        "openai.error.response.json": ("openai/openapi.yaml ErrorResponse", o("ErrorResponse")),
        "anthropic.messages.response.json": ("anthropic/openapi.json Message (POST /v1/messages 200)", a("Message")),
        "anthropic.models.response.json": (
            "anthropic/openapi.json ListResponse_ModelInfo_ (GET /v1/models 200), items with the lifecycle fields of "
            "the anthropic 2.17.0 SDK's types/model_info.py",
            models_list,
        ),
        "anthropic.model_info.response.json": (
            "anthropic/openapi.json ModelInfo (GET /v1/models/{model_id} 200) with the lifecycle fields of the "
            "anthropic 2.17.0 SDK's types/model_info.py",
            with_sdk_lifecycle(a("ModelInfo")),
        ),
        "anthropic.error.response.json": ("anthropic/openapi.json ErrorResponse (every 4XX)", a("ErrorResponse")),
        "runway.image_to_video.response.json": (
            "runway/openapi.json /v1/image_to_video 200",
            i2v["200"]["content"]["application/json"]["schema"],
        ),
        "runway.error.response.json": (
            "runway/openapi.json /v1/image_to_video 400",
            i2v["400"]["content"]["application/json"]["schema"],
        ),
        "elevenlabs.tts_with_timestamps.response.json": (
            "elevenlabs/openapi.json AudioWithTimestampsResponseModel (POST /v1/text-to-speech/{voice_id}/"
            "with-timestamps 200)",
            e("AudioWithTimestampsResponseModel"),
        ),
        "elevenlabs.tts_with_timestamps.output_format.json": (
            "elevenlabs/openapi.json /v1/text-to-speech/{voice_id}/with-timestamps query output_format",
            query("/v1/text-to-speech/{voice_id}/with-timestamps", "post", "output_format"),
        ),
        "elevenlabs.sound_generation.output_format.json": (
            "elevenlabs/openapi.json /v1/sound-generation query output_format",
            query("/v1/sound-generation", "post", "output_format"),
        ),
        "elevenlabs.sound_generation.request.json": (
            "elevenlabs/openapi.json Body_Sound_Generation_v1_sound_generation_post (POST /v1/sound-generation)",
            e("Body_Sound_Generation_v1_sound_generation_post"),
        ),
        "elevenlabs.music.request.json": (
            "elevenlabs/openapi.json Body_Compose_music_v1_music_post (POST /v1/music)",
            e("Body_Compose_music_v1_music_post"),
        ),
        "elevenlabs.music.output_format.json": (
            "elevenlabs/openapi.json /v1/music query output_format",
            query("/v1/music", "post", "output_format"),
        ),
        "elevenlabs.voices.response.json": (
            "elevenlabs/openapi.json GetVoicesV2ResponseModel (GET /v2/voices 200)",
            e("GetVoicesV2ResponseModel"),
        ),
        "stability.sd3.response.json": (
            "stability/v2beta_stable-image_generate_sd3.extract.json ImageJSON (200 with accept: application/json; "
            "x-sandbox-media-types / x-sandbox-headers: the 200's content types and headers)",
            sd3_json,
        ),
        "videointelligence.operation.response.json": (
            "google/videointelligence.v1.json GoogleLongrunning_Operation (videos.annotate, operations.get)",
            discovery({"$ref": "GoogleLongrunning_Operation"}, vi["schemas"]),
        ),
        "videointelligence.annotate_video.response.json": (
            "google/videointelligence.v1.json GoogleCloudVideointelligenceV1_AnnotateVideoResponse (the done "
            "operation's response)",
            discovery({"$ref": "GoogleCloudVideointelligenceV1_AnnotateVideoResponse"}, vi["schemas"]),
        ),
        "youtube.video.response.json": (
            "google/youtube.v3.json Video (videos.insert)",
            discovery({"$ref": "Video"}, yt["schemas"]),
        ),
        "youtube.thumbnail_set.response.json": (
            "google/youtube.v3.json ThumbnailSetResponse (thumbnails.set)",
            discovery({"$ref": "ThumbnailSetResponse"}, yt["schemas"]),
        ),
        "youtube.caption.response.json": (
            "google/youtube.v3.json Caption (captions.insert)",
            discovery({"$ref": "Caption"}, yt["schemas"]),
        ),
    }
    for name, (source, schema) in documents.items():
        schema = newer_than_the_specs(name, schema)
        schema = {"$comment": f"Extracted from the official spec: {source}. See specs/SOURCES.md.", **schema}
        (OUT / name).write_text(json.dumps(schema, indent=1, sort_keys=True))
        print(f"{name}: {len(json.dumps(schema))} bytes")


def gemini(specs: Path) -> None:
    """Gemini's Files API and generateContent, from Google's published description of generativelanguage v1beta
    (the discovery service's OpenAPI 3.0 form, $discovery/OPENAPI3_0?version=v1beta; see SOURCES.md)."""
    source = specs / "google/generativelanguage.v1beta.openapi.json"
    if not source.is_file():  # collected after the other specs (issue 20): say so rather than fail the rest
        print(f"skipped gemini.*: {source} is missing (see framecast/sandbox/specs/SOURCES.md)")
        return
    doc = json.loads(source.read_text())
    gc = doc["components"]["schemas"]
    revision = doc["info"].get("x-google-revision", "?")

    def g(name: str) -> dict:
        return inline({"$ref": f"#/components/schemas/{name}"}, gc, nullable=True)

    request = g("GenerateContentRequest")
    # The model travels in the path (models/{model}:generateContent); the proto's "Required" is about the path.
    request["required"] = [r for r in request.get("required", []) if r != "model"]
    documents = {
        "gemini.create_file.request.json": (
            "CreateFileRequest (POST /upload/v1beta/files, resumable start)",
            g("CreateFileRequest"),
        ),
        "gemini.create_file.response.json": ("CreateFileResponse (the finalized upload)", g("CreateFileResponse")),
        "gemini.file.response.json": ("File (GET /v1beta/files/{file})", g("File")),
        "gemini.model.response.json": ("Model (GET /v1beta/models/{model})", g("Model")),
        "gemini.generate_content.request.json": ("GenerateContentRequest (body; model from the path)", request),
        "gemini.generate_content.response.json": (
            "GenerateContentResponse (POST /v1beta/{model}:generateContent 200)",
            g("GenerateContentResponse"),
        ),
        "gemini.error.response.json": (
            "Status, as the error body's `error` (google.rpc.Status)",
            {"type": "object", "required": ["error"], "properties": {"error": g("Status")}},
        ),
    }
    for name, (source, schema) in documents.items():
        where = f"google/generativelanguage.v1beta.openapi.json (revision {revision}) {source}"
        schema = {"$comment": f"Extracted from the official spec: {where}. See specs/SOURCES.md.", **schema}
        (OUT / name).write_text(json.dumps(schema, indent=1, sort_keys=True))
        print(f"{name}: {len(json.dumps(schema))} bytes")


def main(specs: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    requests(specs)
    replies(specs)
    gemini(specs)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "specs")
