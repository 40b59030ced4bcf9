"""Where a channel's videos go (`publish:` in its file): the artifact store, and YouTube when configured."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from framecast.core.models import Frozen


class YouTubeConfig(Frozen):
    """Upload settings; privacy must be chosen explicitly (YouTube's own default is public)."""

    privacy: Literal["private", "unlisted", "public"]
    category_id: str = "27"  # Education
    # Schedule the video to go public at this UTC time of the publish date ("HH:MM"); needs private.
    publish_at_utc: str | None = None
    caption_language: str = "en"

    @model_validator(mode="after")
    def _schedule_needs_private(self) -> YouTubeConfig:
        if self.publish_at_utc and self.privacy != "private":
            raise ValueError("publish_at_utc needs privacy: private (YouTube makes it public at that time)")
        if self.publish_at_utc and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", self.publish_at_utc):
            raise ValueError("publish_at_utc must be HH:MM in UTC, e.g. '14:00'")
        return self


class PublishConfig(Frozen):
    # The artifact store always; YouTube when listed (and configured below).
    targets: list[Literal["store", "youtube"]] = Field(default_factory=lambda: ["store"])
    youtube: YouTubeConfig | None = None

    @model_validator(mode="after")
    def _youtube_configured(self) -> PublishConfig:
        if "youtube" in self.targets and self.youtube is None:
            raise ValueError(
                "targets has youtube: add publish.youtube with at least privacy (private, unlisted or public)"
            )
        return self
