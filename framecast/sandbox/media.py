"""Deterministic real media for the sandbox: PNG stills, MP4 clips, MP3 speech."""

from __future__ import annotations

import base64
import io
import tempfile
from pathlib import Path

from PIL import Image

from framecast.media import ffmpeg
from framecast.media.motion import MOVES, animate_command
from framecast.providers.local_image import LocalImageGenerator


def png(prompt: str, width: int, height: int, seed: int = 0) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = LocalImageGenerator().generate(prompt, width=width, height=height, seed=seed, out=Path(tmp) / "i.png")
        return path.read_bytes()


def mp4_from_data_uri(data_uri: str, out: Path, width: int, height: int, duration: float, fps: int = 24) -> Path:
    """A slow pan across the submitted image, like a real image-to-video result (but plainer).

    The provider's work happens on this machine in the sandbox, so it is made cheaply (a moving
    window, ultrafast x264): the pipeline's own render is what runs at full cost.
    """
    _, _, payload = data_uri.partition(",")
    with tempfile.TemporaryDirectory() as tmp:
        still = Path(tmp) / "still.png"
        Image.open(io.BytesIO(base64.b64decode(payload))).convert("RGB").save(still)
        ffmpeg.run(animate_command(still, out, MOVES["pan-right"], width=width, height=height, fps=fps,
                                   duration=duration, crf=23, preset="ultrafast"), what="sandbox clip")
    return out


def speech(text: str, fmt: str = "mp3") -> tuple[bytes, float]:
    """Speech for `text` (ffmpeg's flite) as MP3 44.1 kHz 128 kb/s or 24 kHz WAV, and its duration."""
    with tempfile.TemporaryDirectory() as tmp:
        text_file, out = Path(tmp) / "t.txt", Path(tmp) / f"s.{fmt}"
        text_file.write_text(text, encoding="utf-8")
        codec = ["-ar", "44100", "-c:a", "libmp3lame", "-b:a", "128k"] if fmt == "mp3" else ["-ar", "24000"]
        ffmpeg.run(["-f", "lavfi", "-i", f"flite=textfile='{text_file}':voice=slt", *codec, str(out)],
                   what="sandbox speech")
        return out.read_bytes(), ffmpeg.duration(out)


def duration_of(audio: bytes) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.bin"
        path.write_bytes(audio)
        return ffmpeg.duration(path)


def ambience(seconds: float) -> bytes:
    """A soft generated pad as MP3, standing in for a generated sound effect."""
    from framecast.media.music import music_command

    with tempfile.TemporaryDirectory() as tmp:
        bar, out = Path(tmp) / "bar.wav", Path(tmp) / "a.mp3"
        ffmpeg.run(music_command(bar, seed=1), what="sandbox ambience")
        ffmpeg.run(["-stream_loop", "-1", "-i", str(bar), "-t", f"{seconds:.2f}", "-c:a", "libmp3lame", "-b:a", "128k",
                    str(out)], what="sandbox ambience mp3")
        return out.read_bytes()


def bag_of_words_vector(text: str, dims: int = 256) -> list[float]:
    """A deterministic unit vector: texts sharing words point the same way (a stand-in embedding)."""
    import hashlib
    import math
    import re

    vector = [0.0] * dims
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if len(word) > 2:
            vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % dims] += 1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]
