"""The script stage's channel section: who writes the script and how long it runs."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from framecast.providers.chain import StageConfig


# Provider names are checked against the registry (plugins included), so a new vendor needs no edit here.
class ScriptConfig(StageConfig):
    ROLE = "script"
    min_scenes: Annotated[int, Field(ge=1, le=40)] = 6
    max_scenes: Annotated[int, Field(ge=1, le=40)] = 12
    target_seconds: Annotated[float, Field(ge=10, le=600)] = 60

    @model_validator(mode="after")
    def _ordered(self) -> ScriptConfig:
        if self.min_scenes > self.max_scenes:
            raise ValueError(f"min_scenes ({self.min_scenes}) is larger than max_scenes ({self.max_scenes})")
        return self
