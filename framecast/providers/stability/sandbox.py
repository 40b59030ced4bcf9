"""Stability AI's SD 3.5 endpoint: multipart/form-data in, image bytes out (finish-reason header)."""

from __future__ import annotations

import base64
import io
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from PIL import Image, ImageFilter

from framecast.providers.stability.client import ASPECTS
from framecast.sandbox import media
from framecast.sandbox.common import begin
from framecast.sandbox.state import SandboxState
from framecast.sandbox.validate import problems


def stability_error(status: int, message: str, code: str = "") -> dict:
    return {"id": "sandbox", "name": code or "bad_request", "errors": [message]}


def router(state: SandboxState, base_url: str = "") -> APIRouter:
    api = APIRouter()

    @api.post("/v2beta/stable-image/generate/sd3")
    async def generate(request: Request):
        # async: the multipart body is read with `await`; the image work below is quick at sandbox sizes.
        fault, early = begin(state, request, "stability", "sd3", stability_error)
        if early:
            return early
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return JSONResponse(stability_error(400, "content-type must be multipart/form-data"), status_code=400)
        accept = request.headers.get("accept", "image/*")
        if accept not in ("image/*", "application/json"):
            return JSONResponse(stability_error(400, f"accept: {accept} is not supported"), status_code=400)
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        if "seed" in form:
            form["seed"] = float(form["seed"])
        issues = problems("stability.sd3.request", form)
        if issues:
            return JSONResponse(stability_error(400, "; ".join(issues)), status_code=400)
        ratio = ASPECTS[form.get("aspect_ratio", "1:1")]
        height = max(int(1024 * state.media_scale), 64)
        width = max(int(height * ratio), 64)
        image = media.png(form["prompt"], width, height, int(form.get("seed", 0)))
        finish, fmt = "SUCCESS", form.get("output_format", "png")
        picture = Image.open(io.BytesIO(image))
        if fault is not None and fault.kind == "content_filtered":
            picture, finish = picture.filter(ImageFilter.GaussianBlur(30)), "CONTENT_FILTERED"
        if finish != "SUCCESS" or fmt != "png":
            buf = io.BytesIO()
            picture.convert("RGB" if fmt == "jpeg" else picture.mode).save(buf, fmt.upper())
            image = buf.getvalue()
        seed = str(int(form.get("seed", 0)))
        headers = {"x-request-id": uuid.uuid4().hex, "seed": seed}
        if accept == "application/json":  # the spec's ImageJSON; finish-reason is then in the body, not a header
            body = {"image": base64.b64encode(image).decode(), "finish_reason": finish, "seed": int(seed)}
            return JSONResponse(body, headers=headers, media_type=f"application/json; type=image/{fmt}")
        return Response(image, media_type=f"image/{fmt}", headers={**headers, "finish-reason": finish})

    return api
