"""The channel with a cloud provider at every stage: what `framecast make --sandbox` runs."""

from __future__ import annotations

from framecast.channel import ChannelConfig

CLOUD_PROVIDERS = {
    "script": "openai",
    "image": "openai",
    "motion": "runway",
    "voice": "elevenlabs",
    "sound": "elevenlabs",
}
CLOUD_MUSIC = "elevenlabs"


def with_cloud_providers(channel: ChannelConfig) -> ChannelConfig:
    """The channel with a cloud provider at every stage, the gate's Gemini eye included (what `--sandbox` runs),
    named NAME-sandbox."""
    data = channel.model_dump(mode="json")
    for stage, provider in CLOUD_PROVIDERS.items():
        data[stage] = {**data[stage], "provider": provider, "providers": [], "model": None, "models": {}}
    data["voice"]["voice"], data["voice"]["voices"] = None, {}
    if data["music"]["source"] == "generated":
        data["music"]["source"] = CLOUD_MUSIC
    if data["quality"]["analyzers"] == ["local"]:  # the gate's cloud eye too, with its fallback chain
        data["quality"] = {**data["quality"], "analyzers": ["local", "gemini"], "fallback": ["google", "local"]}
    data["name"] = f"{channel.name}-sandbox"[:63]
    return ChannelConfig.model_validate(data)
