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
    documents = {
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
        schema = {"$comment": f"Extracted from the official spec: {source}. See specs/SOURCES.md.", **schema}
        (OUT / name).write_text(json.dumps(schema, indent=1, sort_keys=True))
        print(f"{name}: {len(json.dumps(schema))} bytes")


def replies(specs: Path) -> None:
    openai = yaml.safe_load((specs / "openai/openapi.yaml").read_text())
    oc = openai["components"]["schemas"]

    def o(name: str) -> dict:
        return inline({"$ref": f"#/components/schemas/{name}"}, oc, nullable=True)

    anthropic = json.loads((specs / "anthropic/openapi.json").read_text())
    ac = anthropic["components"]["schemas"]

    def a(name: str) -> dict:
        return inline({"$ref": f"#/components/schemas/{name}"}, ac)

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
            "anthropic/openapi.json ListResponse_ModelInfo_ (GET /v1/models 200)",
            a("ListResponse_ModelInfo_"),
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
