"""The visuals stage's channel sections: who draws each scene's picture and who animates it."""

from __future__ import annotations

from typing import Literal

from framecast.providers.chain import StageConfig


class ImageConfig(StageConfig):
    ROLE = "image"
    style: str = ""
    # The local provider's pictures: an icon set chosen by the scene's words (framecast/media/illustrations.py),
    # "none" for title cards, "auto" = material when the `illustrate` extra is installed, else title cards.
    illustrations: Literal["auto", "none", "material", "fontawesome"] = "auto"
    # GPT image models' quality, always sent: left out, the server's default `auto` picks it, and so the cost
    # (a 1536x864 picture by gpt-image-1's token table at gpt-image-2's $30 per 1M output: about $0.01 low,
    # $0.04 medium, $0.16 high). Other providers ignore it.
    quality: Literal["low", "medium", "high", "auto"] = "medium"

    def icon_set(self) -> str | None:
        """The icon set the local provider draws from, or None (a ConfigError when a named set is missing)."""
        from framecast.media import illustrations

        if self.illustrations == "none":
            return None
        if self.illustrations == "auto":
            return "material" if illustrations.available("material") else None
        illustrations.require(self.illustrations)
        return self.illustrations


class MotionConfig(StageConfig):
    ROLE = "motion"
