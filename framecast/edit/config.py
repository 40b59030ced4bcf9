"""The edit stage's channel sections: the output format and the captions."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from framecast.core.models import Frozen


class VideoFormat(Frozen):
    """Output frame size, rate and encoder quality."""

    width: Annotated[int, Field(ge=128, le=3840)] = 1920
    height: Annotated[int, Field(ge=128, le=3840)] = 1080
    fps: Annotated[int, Field(ge=10, le=60)] = 30
    crf: Annotated[int, Field(ge=14, le=30)] = 20
    # ultrafast/superfast drop CABAC and B-frames, which YouTube's recommended encoding asks for.
    preset: Literal["veryfast", "faster", "fast", "medium", "slow"] = "veryfast"

    @field_validator("width", "height")
    @classmethod
    def _even(cls, value: int) -> int:
        if value % 2:
            raise ValueError(f"must be even for yuv420p H.264 (got {value}); use {value + 1}")
        return value

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"


class CaptionConfig(Frozen):
    burn_in: bool = True
    max_chars_per_line: Annotated[int, Field(ge=12, le=80)] = 36
    max_lines: Annotated[int, Field(ge=1, le=3)] = 2
    # Font size as a share of the frame height (libass scales from PlayResY).
    font_scale: Annotated[float, Field(ge=0.02, le=0.12)] = 0.055


class RenderSpec(Frozen):
    """What shapes the render besides the media (and nothing else: a new gate threshold does not re-render)."""

    format: VideoFormat
    music_gain_db: float
    burn_in: bool
    loudness_lufs: float
