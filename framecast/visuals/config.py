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
