"""One sound effect or ambience, made by the first provider of the sound chain that can, measured and stored."""

from __future__ import annotations

from framecast import providers
from framecast.context import Services
from framecast.core.errors import PermanentError
from framecast.core.models import SoundAsset
from framecast.cost.meter import Meter
from framecast.media import ffmpeg
from framecast.media.analysis import parse_ebur128
from framecast.media.assembly import measure_command
from framecast.providers import chain as fallback
from framecast.sound.config import SoundSource

SILENT_LUFS = -60.0  # a "sound" quieter than this is nothing; brought up to level it would be noise
MEDIA_TYPES = {".flac": "audio/flac", ".mp3": "audio/mpeg", ".wav": "audio/wav"}


def generate(
    prompt: str, seconds: float, kind: str, cfg: SoundSource, meter: Meter, *, services: Services
) -> SoundAsset | None:
    """The sound `prompt` asks for, `seconds` long; None when the provider that answered has nothing for it
    (the offline recipes know no sound for "tax law"): the scene then has no ambience, said in the manifest."""

    def attempt(one: SoundSource) -> SoundAsset | None:
        return _generate(prompt, seconds, kind, one, meter, services)

    asset, origin = fallback.run_chain("sound", cfg, attempt, day=meter.run_day, memory=meter.fallbacks)
    return asset.model_copy(update={"origin": origin}) if asset is not None else None


def _generate(
    prompt: str, seconds: float, kind: str, cfg: SoundSource, meter: Meter, services: Services
) -> SoundAsset | None:
    gen = providers.sound_generator(cfg)
    describe = getattr(gen, "describe", None)  # offline generators say which recipe a prompt chooses
    recipe = describe(prompt, kind) if describe else None
    if describe and recipe is None:
        return None  # an offline generator that knows no such sound: nothing made, nothing charged
    billed = min(seconds, getattr(gen, "MAX_SECONDS", seconds))  # ElevenLabs makes at most 30 s; the mix loops it
    with services.scratch() as tmp:
        with meter.charge(
            provider=gen.name, role="sound", units=round(billed, 1), unit="second", model=getattr(gen, "model", "")
        ):
            path = gen.generate(prompt, seconds=seconds, out=tmp / "sound", loop=kind == "ambience", kind=kind)
        if path is None:
            return None
        integrated, _ = parse_ebur128(ffmpeg.run(measure_command(path), what=f"measuring the {kind} sound").stderr)
        if integrated is None or integrated < SILENT_LUFS:
            # Paid, but nothing to hear: asking again would likely pay for the same; the next provider may do better.
            raise PermanentError(
                f"sound: {gen.name} returned a silent {kind} sound for {prompt[:60]!r} ({integrated} LUFS)",
                provider=gen.name,
            )
        made = ffmpeg.duration(path)  # what was made, not what was asked: the mix loops a shorter one
        ref = services.store.put(path, MEDIA_TYPES.get(path.suffix, "audio/mpeg"))
    return SoundAsset(ref=ref, prompt=prompt, seconds=round(made, 3), loudness_lufs=round(integrated, 2), recipe=recipe)
