"""Copy the request/response schemas the sandbox validates against out of the official specs.

Dev-time only: reads ../shared/specs (beside the checkout), writes framecast/sandbox/specs/*.json
with every $ref inlined and the source recorded. framecast never reads ../shared at run time.
Usage: python scripts/extract-specs.py [SPECS_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "framecast" / "sandbox" / "specs"


def inline(node, components: dict, seen: tuple = ()):
    """Replace every local $ref with the schema it names (recursion cut at a repeat)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            if name in seen:
                return {}
            return inline(components[name], components, (*seen, name))
        return {k: inline(v, components, seen) for k, v in node.items() if k not in ("examples", "example", "x-codeSamples")}
    if isinstance(node, list):
        return [inline(v, components, seen) for v in node]
    return node


def main(specs: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
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
        "multipart/form-data"]["schema"]
    documents = {
        "runway.image_to_video.request.json": ("runway/openapi.json /v1/image_to_video (gen4.5, gen4_turbo, veo3.1, veo3.1_fast)", i2v),
        "runway.task.response.json": ("runway/openapi.json /v1/tasks/{id} 200", task),
        "elevenlabs.tts_with_timestamps.request.json": (
            "elevenlabs/openapi.json Body_text_to_speech_full_with_timestamps", tts),
        "openai.images_generations.request.json": ("openai/openapi.yaml CreateImageRequest", image),
        "stability.sd3.request.json": ("stability/v2beta_stable-image_generate_sd3.extract.json (hand extract)", sd3),
    }
    for name, (source, schema) in documents.items():
        schema = {"$comment": f"Extracted from the official spec: {source}. See specs/SOURCES.md.", **schema}
        (OUT / name).write_text(json.dumps(schema, indent=1, sort_keys=True))
        print(f"{name}: {len(json.dumps(schema))} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "specs")
