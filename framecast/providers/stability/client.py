"""Stability AI's SD 3.5 image generation: multipart form in, image bytes out."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from framecast.core.errors import ContentRejected
from framecast.transport.http import ProviderHTTP

ASPECTS = {
    "21:9": 21 / 9,
    "16:9": 16 / 9,
    "3:2": 3 / 2,
    "5:4": 5 / 4,
    "1:1": 1.0,
    "4:5": 4 / 5,
    "2:3": 2 / 3,
    "9:16": 9 / 16,
    "9:21": 9 / 21,
}


def aspect_for(width: int, height: int) -> str:
    """The supported aspect ratio closest to the frame."""
    return min(ASPECTS, key=lambda k: abs(ASPECTS[k] - width / height))


class StabilityImageGenerator:
    name = "stability"

    def __init__(self, http: ProviderHTTP, model: str):
        self.http, self.model = http, model

    def generate(self, prompt: str, *, width: int, height: int, seed: int, out: Path) -> Path:
        fields = {
            "prompt": prompt[:10000],
            "model": self.model,
            "aspect_ratio": aspect_for(width, height),
            "seed": str(seed % 4294967294),
            "output_format": "png",
        }
        # multipart/form-data (not JSON): httpx builds it from `files`, one part per field.
        response = self.http.request(
            "POST",
            "/v2beta/stable-image/generate/sd3",
            files={k: (None, v) for k, v in fields.items()},
            headers={"accept": "image/*"},
        )
        if response.headers.get("finish-reason", "SUCCESS") == "CONTENT_FILTERED":
            raise ContentRejected(
                "stability: the image was blurred by the content filter (finish-reason CONTENT_FILTERED)",
                provider="stability",
            )
        image = Image.open(io.BytesIO(response.content)).convert("RGB")
        # Fill the frame: scale to cover, then centre-crop to the exact size.
        scale = max(width / image.width, height / image.height)
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
        left, top = (image.width - width) // 2, (image.height - height) // 2
        out.parent.mkdir(parents=True, exist_ok=True)
        image.crop((left, top, left + width, top + height)).save(out, "PNG")
        return out
