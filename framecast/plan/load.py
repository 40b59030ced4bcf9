"""Load a channel file by name or path, and plan its tier (the providers the file leaves open)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from framecast.channel import ChannelConfig, available_channels
from framecast.core.errors import ConfigError
from framecast.core.validation import describe_validation_error, read_yaml
from framecast.plan import planner
from framecast.settings import Settings, get_settings


def load_channel(name_or_path: str, settings: Settings | None = None, planned: bool = True) -> ChannelConfig:
    """Load a channel by name (deployments/NAME.yaml) or by path to its YAML file (`planned`: with a tier's
    providers filled in)."""
    settings = settings or get_settings()
    path = Path(name_or_path)
    if not (path.suffix in (".yaml", ".yml") and path.is_file()):
        channels_dir = settings.resolved_channels_dir()
        path = channels_dir / f"{name_or_path}.yaml"
        if not path.is_file():
            known = ", ".join(available_channels(channels_dir)) or "none"
            raise ConfigError(
                f"unknown channel {name_or_path!r}: no {path}. Known channels: {known}. "
                f"Create {path} (copy deployments/demo.yaml) or pass a path to a channel YAML file."
            )
    data = read_yaml(path, "channel file")
    data.setdefault("name", path.stem)
    if isinstance(data.get("topics_file"), str) and not Path(data["topics_file"]).is_absolute():
        data["topics_file"] = str((path.parent / data["topics_file"]).resolve())  # relative to the channel file
    try:
        channel = ChannelConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, f"channel file {path}")) from exc
    # a tier: the planner fills in the stages the file leaves open
    return planner.apply(channel) if planned else channel
