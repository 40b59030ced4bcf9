"""Scene visuals: a still per scene, then the still brought to life as a clip."""

from __future__ import annotations

import hashlib
import json

from framecast import providers
from framecast.context import Services
from framecast.core.errors import StorageError
from framecast.core.models import ClipAsset, ImageAsset
from framecast.cost.meter import Meter
from framecast.edit.config import VideoFormat
from framecast.media import ffmpeg
from framecast.providers import chain as fallback
from framecast.providers.base import JobRecord
from framecast.visuals.config import ImageConfig, MotionConfig


def scene_seed(channel_seed: int, index: int, prompt: str) -> int:
    """A stable per-scene seed: the same scene renders the same, different scenes differ."""
    return int(hashlib.sha256(f"{channel_seed}:{index}:{prompt}".encode()).hexdigest()[:8], 16)


def render_image(
    visual_prompt: str,
    index: int,
    cfg: ImageConfig,
    fmt: VideoFormat,
    seed: int,
    meter: Meter,
    narration: str = "",
    *,
    services: Services,
) -> ImageAsset:
    """Generate the scene's still at the channel's frame size with the first provider of its chain that can."""

    def attempt(one: ImageConfig) -> ImageAsset:
        return _render_image(visual_prompt, index, one, fmt, seed, meter, narration, services)

    asset, origin = fallback.run_chain("image", cfg, attempt, day=meter.run_day, memory=meter.fallbacks)
    return asset.model_copy(update={"origin": origin})


def _render_image(
    visual_prompt: str,
    index: int,
    cfg: ImageConfig,
    fmt: VideoFormat,
    seed: int,
    meter: Meter,
    narration: str,
    services: Services,
) -> ImageAsset:
    gen = providers.image_generator(cfg)
    prompt = f"{visual_prompt}; {cfg.style}" if cfg.style else visual_prompt
    picked = scene_seed(seed, index, prompt)
    # A generator that illustrates from the scene's words (local) is told the narration too.
    said = {"narration": narration} if getattr(gen, "illustrates", False) else {}
    with services.scratch() as tmp:
        with meter.charge(
            provider=gen.name, role="image", units=1, unit="image", model=getattr(gen, "model", "")
        ) as bill:
            path = gen.generate(prompt, width=fmt.width, height=fmt.height, seed=picked, out=tmp / "image.png", **said)
            bill.usd = getattr(gen, "reported_usd", None)  # priced from the response's usage tokens, when it has them
        ref = services.store.put(path, "image/png")
    choice = gen.choose(prompt, narration, picked) if said else None
    return ImageAsset(ref=ref, width=fmt.width, height=fmt.height, illustration=choice.record() if choice else None)


def uses_narration(cfg: ImageConfig) -> bool:
    """Whether the pictures depend on what is said (the local provider illustrating), so the narration belongs
    in the image stage's inputs; for every other provider it does not, and an edit of it buys no new pictures."""
    return any(link.provider == "local" and link.icon_set() for link in cfg.chain())


def credits(images: list[ImageAsset]) -> list[str]:
    """The attribution lines the pictures' licences ask for, once per icon set (for the video's description)."""
    from framecast.media.illustrations import SETS

    used = dict.fromkeys(im.illustration["set"] for im in images if im.illustration)
    return [SETS[name][2] for name in used if name in SETS]


def job_record(
    store,
    gen,
    image: ImageAsset,
    prompt: str,
    duration: float,
    fmt: VideoFormat,
    seed: int,
    on_accept=None,
    on_clear=None,
) -> JobRecord:
    """The store record holding the provider job for exactly these inputs at the provider's endpoint (one paid job
    per cache key); a job made at one base URL is never resumed at another (a sandbox's at the real provider)."""
    identity = [
        gen.name,
        getattr(gen, "model", ""),
        image.ref.sha256,
        prompt,
        round(duration, 3),
        fmt.width,
        fmt.height,
        fmt.fps,
        seed,
    ]
    endpoint = getattr(gen, "endpoint", "") or ""
    key = _job_key(gen.name, [*identity, endpoint] if endpoint else identity)
    legacy = _job_key(gen.name, identity) if endpoint else None

    def load() -> dict | None:
        record = store.get_record(key)
        if record is None and legacy:
            record = _adopt(store, legacy, key, endpoint)
        if record and record.get("endpoint", endpoint) != endpoint:
            raise StorageError(
                f"{gen.name} (motion): job record {key} holds a job made at {record['endpoint']}, not "
                f"at {endpoint}; it is not resumed here. Delete the record to submit a new job"
            )
        return record

    def save(data: dict) -> None:
        store.put_record(key, {**data, "endpoint": endpoint} if data and endpoint else data)

    return JobRecord(load=load, save=save, on_accept=on_accept, key=key, on_clear=on_clear)


def _job_key(provider: str, identity: list) -> str:
    return f"jobs/{provider}/{hashlib.sha256(json.dumps(identity).encode()).hexdigest()}"


def _adopt(store, legacy: str, key: str, endpoint: str) -> dict | None:
    # Records written before the endpoint was part of the key name none: the first run with the same inputs takes
    # the job over (as it would have before), so a job in flight across an upgrade is resumed, not paid again.
    record = store.get_record(legacy)
    if not record:
        return record
    record = {**record, "endpoint": endpoint}
    store.put_record(key, record)
    store.delete_record(legacy)
    return record


def animate(
    image: ImageAsset,
    visual_prompt: str,
    motion_prompt: str,
    index: int,
    duration: float,
    cfg: MotionConfig,
    fmt: VideoFormat,
    seed: int,
    meter: Meter,
    *,
    services: Services,
) -> ClipAsset:
    """Turn the still into a clip of `duration` seconds with the first provider of the chain that can, and store it."""

    def attempt(one: MotionConfig) -> ClipAsset:
        return _animate(image, visual_prompt, motion_prompt, index, duration, one, fmt, seed, meter, services)

    clip, origin = fallback.run_chain("motion", cfg, attempt, day=meter.run_day, memory=meter.fallbacks)
    return clip.model_copy(update={"origin": origin})


def _animate(
    image: ImageAsset,
    visual_prompt: str,
    motion_prompt: str,
    index: int,
    duration: float,
    cfg: MotionConfig,
    fmt: VideoFormat,
    seed: int,
    meter: Meter,
    services: Services,
) -> ClipAsset:
    gen = providers.video_generator(cfg)
    store = services.store
    if getattr(gen, "moves_in_edit", False):
        # Nothing is rendered here: the edit moves the still inside its one encode of the video.
        move = gen.move_for(motion_prompt, scene_seed(seed, index, visual_prompt))
        with meter.charge(provider=gen.name, role="motion", units=round(duration, 3), unit="second"):
            pass
        return ClipAsset(ref=image.ref, duration=duration, width=fmt.width, height=fmt.height, fps=fmt.fps, move=move)
    # A job slot from submission to download (the account's parallel-task limit), then the charge: reserve
    # what the provider will bill for this clip (Kling: 5 or 10 s), not the scene's length.
    with (
        providers.job_slot(gen.name),
        meter.charge(
            provider=gen.name,
            role="motion",
            units=providers.clip_seconds(gen.name, duration, getattr(gen, "model", None)),
            unit="second",
            model=getattr(gen, "model", ""),
        ) as bill,
        services.scratch() as tmp,
    ):
        clip_seed = scene_seed(seed, index, visual_prompt)

        def job_key(data: dict) -> str | None:
            task = data.get("task_id") or data.get("id")
            return f"{gen.name}:{task}" if task else None

        def accepted(data: dict) -> None:
            # The provider took the job: it is billed from now on, once per job id, even if the download fails.
            if job_key(data):
                bill.units = data.get("seconds") or bill.units
                bill.accepted(job_key(data))

        def ended_without_clip(data: dict) -> None:
            # Failed or cancelled at the provider: refunded there, so here too. Only the provider's own
            # authenticated answer clears a job, never a callback alone (a forged one would refund a paid job).
            if job_key(data):
                meter.refund(job_key(data))

        job = job_record(
            store, gen, image, motion_prompt, duration, fmt, clip_seed, on_accept=accepted, on_clear=ended_without_clip
        )
        accepted(job.get())  # a job recorded by an earlier attempt: resumed, and already billed then
        path = gen.animate(
            store.local_path(image.ref),
            prompt=motion_prompt,
            duration=duration,
            width=fmt.width,
            height=fmt.height,
            fps=fmt.fps,
            seed=clip_seed,
            out=tmp / "clip.mp4",
            job=job,
        )
        actual = ffmpeg.duration(path)
        ref = store.put(path, "video/mp4")
        if not bill.billed:  # a generator without provider jobs (local): billed for what it made
            bill.units = round(actual, 3)
    return ClipAsset(ref=ref, duration=actual, width=fmt.width, height=fmt.height, fps=fmt.fps)
