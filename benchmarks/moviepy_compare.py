"""framecast's render against MoviePy 2 on the same plan: the comparison users ask for.

    pip install -e '.[bench]'
    python benchmarks/moviepy_compare.py [--scenes 2] [--width 1920 --height 1080 --fps 30]

Both render the first N scenes of the demo plan (stills, narration, captions, music) made by the
local stages. MoviePy does the same edit two ways — `idiomatic`, as its docs and users write Ken
Burns (`resized(lambda t: …)` and a moving position in a composite), and `tuned`, one Pillow
crop + resize per frame (the idiomatic one's framing is not exact yet: a black band shows at the
right edge in some scenes; its cost is what is compared) — with the same eased moves, crossfades, captions as TextClips,
narration at its times over the music bed at its gain; encoded by the same system ffmpeg with the
same x264 settings. MoviePy has no ducking, limiter or loudness normalisation, so those are left
out of its edit — which only flatters it. Both render frame by frame at a constant cost per
second of video, so seconds per second of video extrapolate to the full 60 s linearly.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from common import assemble, demo_scenes, make_plan


def moviepy_render(plan, out: Path, style: str = "tuned") -> None:
    """The same edit in MoviePy 2: `tuned` moves each still with one Pillow crop+resize per frame;
    `idiomatic` the way MoviePy's docs and users do it (`resized(lambda t: …)` + a moving position)."""
    os.environ.setdefault("IMAGEIO_FFMPEG_EXE", shutil.which("ffmpeg") or "ffmpeg")
    import numpy as np
    from moviepy import AudioFileClip, CompositeAudioClip, CompositeVideoClip, ImageClip, TextClip, afx, vfx
    from PIL import Image

    from framecast import context as runtime
    from framecast.assets import FONT_BOLD
    from framecast.edit import timed_words
    from framecast.edit.captions import build_cues
    from framecast.media.motion import MOVES

    store, fmt, tl = runtime.store(), plan.channel.format, plan.timeline
    width, height = fmt.width, fmt.height

    def moved(still: Path, move, duration: float):
        image = Image.open(still).convert("RGB")

        def frame(t: float):
            p = min(max(t / duration, 0.0), 1.0)
            e = p * p * (3 - 2 * p)
            z = move.z0 + (move.z1 - move.z0) * e
            cx, cy = move.x0 + (move.x1 - move.x0) * e, move.y0 + (move.y1 - move.y0) * e
            w, h = image.width / z, image.height / z
            x = min(max(image.width * cx - w / 2, 0), image.width - w)
            y = min(max(image.height * cy - h / 2, 0), image.height - h)
            return np.asarray(image.resize((width, height), Image.Resampling.BICUBIC, box=(x, y, x + w, y + h)))

        if style == "idiomatic":

            def ease(t: float) -> float:
                p = min(max(t / duration, 0.0), 1.0)
                return p * p * (3 - 2 * p)

            def zoom(t: float) -> float:  # scale so that the frame shows 1/z of the (cover-sized) still
                return move.z0 + (move.z1 - move.z0) * ease(t)

            def position(t: float):
                z, e = zoom(t), ease(t)
                cx, cy = move.x0 + (move.x1 - move.x0) * e, move.y0 + (move.y1 - move.y0) * e
                x = min(max(width * z * cx - width / 2, 0), width * z - width)
                y = min(max(height * z * cy - height / 2, 0), height * z - height)
                return (-x, -y)

            moving = ImageClip(np.asarray(image)).with_duration(duration).resized(zoom).with_position(position)
            return CompositeVideoClip([moving], size=(width, height)).with_duration(duration)
        return ImageClip(np.asarray(image)).with_duration(duration).transform(lambda _get, t: frame(t))

    layers = []
    for slot, clip in zip(tl.slots, plan.clips):
        scene = moved(store.local_path(clip.ref), MOVES[clip.move], slot.duration).with_start(slot.start)
        if slot.index and tl.slots[slot.index - 1].transition_seconds:
            scene = scene.with_effects([vfx.CrossFadeIn(tl.slots[slot.index - 1].transition_seconds)])
        layers.append(scene)
    cfg = plan.channel.captions
    for cue in build_cues(
        timed_words(tl, plan.voices), max_chars_per_line=cfg.max_chars_per_line, max_lines=cfg.max_lines
    ):
        text = TextClip(
            font=str(FONT_BOLD),
            text="\n".join(cue.lines),
            font_size=int(height * cfg.font_scale * 0.6),
            color="white",
            stroke_color="black",
            stroke_width=3,
            method="label",
        )
        layers.append(
            text.with_start(cue.start).with_duration(cue.end - cue.start).with_position(("center", int(height * 0.8)))
        )
    sounds = [
        AudioFileClip(str(store.local_path(v.ref))).with_start(s.narration_start) for s, v in zip(tl.slots, plan.voices)
    ]
    if plan.music is not None:
        bed = AudioFileClip(str(store.local_path(plan.music))).with_effects(
            [afx.AudioLoop(duration=tl.total), afx.MultiplyVolume(10 ** (plan.channel.music.gain_db / 20))]
        )
        sounds.append(bed)
    video = CompositeVideoClip(layers, size=(width, height)).with_duration(tl.total)
    video = video.with_audio(CompositeAudioClip(sounds).with_duration(tl.total))
    video.write_videofile(
        str(out),
        fps=fmt.fps,
        codec="libx264",
        preset=fmt.preset,
        audio_codec="aac",
        audio_bitrate="192k",
        audio_fps=48000,
        threads=os.cpu_count(),
        logger=None,
        ffmpeg_params=[
            "-crf",
            str(fmt.crf),
            "-pix_fmt",
            "yuv420p",
            "-profile:v",
            "high",
            "-g",
            str(max(fmt.fps // 2, 1)),
            "-bf",
            "2",
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenes", type=int, default=2)
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--topic", default="How volcanoes work")
    parser.add_argument("--styles", default="tuned,idiomatic", help="which MoviePy edits to time")
    args = parser.parse_args()

    scenes = demo_scenes(args.topic)[: args.scenes]
    plan = make_plan(args.topic, width=args.width, height=args.height, fps=args.fps, scenes=scenes)
    seconds = plan.timeline.total

    start = time.perf_counter()
    assemble(plan)
    ours = time.perf_counter() - start
    results = {}
    for style in args.styles.split(","):
        start = time.perf_counter()
        moviepy_render(plan, Path(os.environ["FRAMECAST_DATA_DIR"]) / f"moviepy-{style}.mp4", style)
        results[style] = time.perf_counter() - start

    print(f"plan          {args.width}x{args.height}@{args.fps}, first {len(scenes)} scenes, {seconds:.1f} s of video")
    print(
        f"framecast     {ours:7.1f} s  ({ours / seconds:.2f} s per second of video; 60 s ≈ {60 * ours / seconds:.0f} s)"
    )
    for style, theirs in results.items():
        print(
            f"MoviePy 2, {style:<10} {theirs:7.1f} s  ({theirs / seconds:.2f} s per second of video; "
            f"60 s ≈ {60 * theirs / seconds:.0f} s): {theirs / ours:5.1f}x framecast's time (target ≥ 20x)"
        )


if __name__ == "__main__":
    main()
