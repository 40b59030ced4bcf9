"""Offline image-to-video: a Ken Burns move rendered by ffmpeg."""

from __future__ import annotations

from pathlib import Path

from framecast.media import ffmpeg
from framecast.media.motion import MOVES, animate_command, choose_move


class LocalVideoGenerator:
    """Pans and zooms across the still; the motion prompt picks the move, the seed varies it."""

    name = "local"
    # The edit renders the move inside the final encode (framecast.media.render): one encode, no clip.
    moves_in_edit = True

    def move_for(self, prompt: str, seed: int) -> str:
        """The Ken Burns move the edit should make of the still."""
        return choose_move(prompt, seed)

    def animate(
        self,
        image: Path,
        *,
        prompt: str,
        duration: float,
        width: int,
        height: int,
        fps: int,
        seed: int,
        out: Path,
        job=None,
    ) -> Path:
        """A standalone clip of the move (the pipeline itself uses `move_for`)."""
        move = MOVES[choose_move(prompt, seed)]
        out.parent.mkdir(parents=True, exist_ok=True)
        ffmpeg.run(
            animate_command(image, out, move, width=width, height=height, fps=fps, duration=duration),
            what=f"animating {image.name}",
        )
        return out
