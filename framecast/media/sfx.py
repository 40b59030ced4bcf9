"""Sounds synthesised by ffmpeg: the offline equivalents of generated sound effects.

Pure builders, like the rest of `framecast.media`. Each recipe is a filter graph of noise
(pink, brown, white, velvet: sparse clicks that read as crackle or rain), sine tones, band
filters and slow tremolos, so it works offline and costs milliseconds of CPU. Transition sounds
(whoosh, swell, impact) carry their own envelope; ambiences are steady beds, faded where they are
placed (framecast.media.assembly). Left and right use different noise seeds, so beds sound wide.
The words of each recipe are what a prompt must say to choose it (framecast.providers.local.sound).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SAMPLE_RATE = 48000
EDGE_FADE = 0.05  # seconds: no click where a generated bed starts or stops


def _noise(color: str, seconds: float, seed: int, amplitude: float) -> str:
    return f"anoisesrc=d={seconds:.3f}:c={color}:r={SAMPLE_RATE}:a={amplitude}:seed={seed}"


def _tone(freq: float, seconds: float, level: float) -> str:
    return f"sine=f={freq}:d={seconds:.3f}:r={SAMPLE_RATE},volume={level}"


def _mix(tag: str, parts: list[str], after: str = "") -> str:
    """Chains `parts` summed into `[tag]`, then `after` (a filter chain, may be empty)."""
    labels = [f"{tag}{i}" for i in range(len(parts))]
    heads = ";".join(f"{part}[{label}]" for part, label in zip(parts, labels))
    tail = f",{after}" if after else ""
    return f"{heads};{''.join(f'[{x}]' for x in labels)}amix=inputs={len(parts)}:normalize=0{tail}[{tag}]"


def _envelope(seconds: float, curve: str) -> str:
    rise, fall = seconds * 0.55, seconds * 0.45
    return f"afade=t=in:d={rise:.3f}:curve={curve},afade=t=out:st={rise:.3f}:d={fall:.3f}:curve={curve}"


Graph = Callable[[float, int, str], str]  # (seconds, seed, output label) -> one channel's graph


@dataclass(frozen=True)
class Recipe:
    name: str
    kind: Literal["transition", "ambience"]
    words: tuple[str, ...]
    graph: Graph


# A table: one recipe per entry, its words and its graph together, kept dense by hand.
# fmt: off
RECIPES = {r.name: r for r in (
    # A whoosh: pink noise through a band, rising and falling.
    Recipe("whoosh", "transition", ("whoosh", "swoosh", "swish", "woosh", "sweep", "swipe", "air"),
           lambda s, seed, t: f"{_noise('pink', s, seed, 0.5)},highpass=f=350,lowpass=f=4500,"
                              f"{_envelope(s, 'exp')}[{t}]"),
    # A swell: two soft tones a fifth apart under a dissolve.
    Recipe("swell", "transition", ("swell", "riser", "rise", "shimmer", "shimmering", "pad", "bloom"),
           lambda s, seed, t: _mix(t, [_tone(196, s, 0.5), _tone(294, s, 0.35)],
                                   f"lowpass=f=1200,{_envelope(s, 'qsin')}")),
    # An impact: a low thump that dies away (off by default: a sound on every cut is noise, not design).
    Recipe("impact", "transition", ("impact", "hit", "boom", "thud", "slam", "punch"),
           lambda s, seed, t: _mix(t, [f"{_noise('brown', s, seed, 0.9)},lowpass=f=160", _tone(55, s, 0.6)],
                                   f"afade=t=out:st=0.02:d={max(s - 0.02, 0.05):.3f}:curve=exp")),
    Recipe("wind", "ambience", ("wind", "windy", "breeze", "gust", "gale", "blizzard", "desert", "mountain", "arctic",
                                "tundra", "sky", "canyon", "cliff", "kite", "flight", "airplane", "plane", "wing",
                                "snow", "ice", "glacier", "iceberg", "polar", "dune"),
           lambda s, seed, t: f"{_noise('pink', s, seed, 0.7)},bandpass=f=600:width_type=h:w=500,"
                              f"tremolo=f=0.15:d=0.7,lowpass=f=1800[{t}]"),
    Recipe("rain", "ambience", ("rain", "rainy", "drizzle", "downpour", "shower", "monsoon", "raindrop", "umbrella",
                                "weather"),
           lambda s, seed, t: _mix(t, [f"{_noise('white', s, seed, 0.35)},highpass=f=1500,lowpass=f=9000",
                                       f"{_noise('velvet', s, seed + 7, 0.5)},highpass=f=2500,volume=0.06"])),
    Recipe("surf", "ambience", ("ocean", "sea", "wave", "surf", "beach", "shore", "coast", "tide", "tidal", "harbor",
                                "island", "sail", "ship"),
           lambda s, seed, t: f"{_noise('brown', s, seed, 0.9)},lowpass=f=900,tremolo=f=0.1:d=0.9[{t}]"),
    Recipe("stream", "ambience", ("river", "stream", "creek", "brook", "waterfall", "water", "flowing", "rapid",
                                  "fountain", "lake"),
           lambda s, seed, t: f"{_noise('pink', s, seed, 0.5)},bandpass=f=1500:width_type=h:w=2500,"
                              f"tremolo=f=4:d=0.1[{t}]"),
    Recipe("fire", "ambience", ("fire", "flame", "campfire", "crackle", "crackling", "burning", "blaze", "hearth",
                                "ember", "torch", "candle", "forge"),
           lambda s, seed, t: _mix(t, [f"{_noise('brown', s, seed, 0.8)},lowpass=f=350",
                                       f"{_noise('velvet', s, seed + 3, 0.6)},highpass=f=1800,volume=0.08"])),
    Recipe("rumble", "ambience", ("rumble", "volcano", "volcanic", "lava", "magma", "eruption", "earthquake", "quake",
                                  "tremor", "thunder", "lightning", "seismic", "storm", "avalanche", "geyser"),
           lambda s, seed, t: _mix(t, [f"{_noise('brown', s, seed, 1.0)},lowpass=f=110,tremolo=f=0.25:d=0.5,volume=2",
                                       f"{_noise('velvet', s, seed + 5, 0.4)},lowpass=f=2500,volume=0.05"])),
    Recipe("space", "ambience", ("space", "cosmos", "cosmic", "star", "galaxy", "planet", "orbit", "universe", "nebula",
                                 "astronaut", "void", "moon", "satellite", "rocket", "telescope", "gravity",
                                 "astronomy", "comet", "asteroid", "eclipse"),
           lambda s, seed, t: _mix(t, [_tone(55, s, 0.3), _tone(82.4, s, 0.2),
                                       f"{_noise('pink', s, seed, 0.2)},lowpass=f=300"], "tremolo=f=0.1:d=0.4")),
    Recipe("hum", "ambience", ("machine", "engine", "factory", "computer", "electric", "electricity", "server", "motor",
                               "hum", "laboratory", "lab", "robot", "circuit", "battery",
                               "energy", "magnet", "atom", "internet"),
           lambda s, seed, t: _mix(t, [_tone(60, s, 0.25), _tone(120, s, 0.12),
                                       f"{_noise('pink', s, seed, 0.15)},bandpass=f=900:width_type=h:w=800"])),
    Recipe("city", "ambience", ("city", "traffic", "street", "crowd", "market", "urban", "town", "station", "car",
                                "road", "bus", "train"),
           lambda s, seed, t: _mix(t, [f"{_noise('brown', s, seed, 0.7)},lowpass=f=500",
                                       f"{_noise('pink', s, seed + 1, 0.25)},bandpass=f=1200:width_type=h:w=1500,"
                                       f"tremolo=f=0.35:d=0.4"])),
    Recipe("forest", "ambience", ("forest", "jungle", "tree", "leaf", "leaves", "bird", "woodland", "meadow", "garden",
                                  "nature", "plant", "flower", "bee", "insect", "rainforest", "grass", "park"),
           lambda s, seed, t: _mix(t, [f"{_noise('pink', s, seed, 0.35)},highpass=f=2500,lowpass=f=7500,"
                                       f"tremolo=f=0.3:d=0.6", f"{_noise('brown', s, seed + 2, 0.3)},lowpass=f=250"])),
    Recipe("room", "ambience", ("room", "office", "classroom", "library", "indoor", "interior", "home", "kitchen",
                                "desk", "book", "school", "museum", "clock", "study", "bread", "bakery", "oven",
                                "cafe"),
           lambda s, seed, t: _mix(t, [f"{_noise('brown', s, seed, 0.3)},lowpass=f=300",
                                       f"{_noise('pink', s, seed + 4, 0.05)},lowpass=f=3000"])),
    Recipe("underwater", "ambience", ("underwater", "bubble", "reef", "submarine", "diver", "diving", "fish", "coral",
                                      "whale", "shark", "abyss"),
           lambda s, seed, t: _mix(t, [f"{_noise('brown', s, seed, 0.8)},lowpass=f=300,tremolo=f=0.2:d=0.5",
                                       f"{_noise('velvet', s, seed + 6, 0.5)},lowpass=f=800,volume=0.1"])),
    Recipe("cave", "ambience", ("cave", "cavern", "underground", "tunnel", "mine", "crypt", "tomb", "dungeon"),
           lambda s, seed, t: f"{_noise('brown', s, seed, 0.4)},lowpass=f=250,"
                              f"aecho=0.8:0.7:400|900:0.3|0.2[{t}]"),
)}
# fmt: on


def synth_command(name: str, seconds: float, out: Path, seed: int = 0) -> list[str]:
    """ffmpeg arguments that write recipe `name`, `seconds` long, as 48 kHz stereo FLAC to `out`."""
    recipe = RECIPES[name]
    seconds = round(max(seconds, 0.1), 3)
    edges = (
        f"afade=t=in:d={EDGE_FADE}," if recipe.kind == "ambience" else ""
    ) + f"afade=t=out:st={max(seconds - EDGE_FADE, 0):.3f}:d={EDGE_FADE}"
    graph = ";".join(
        [
            recipe.graph(seconds, seed, "left"),
            recipe.graph(seconds, seed + 101, "right"),
            f"[left][right]join=inputs=2:channel_layout=stereo,atrim=duration={seconds:.3f},{edges}[out]",
        ]
    )
    return ["-filter_complex", graph, "-map", "[out]", "-c:a", "flac", "-ar", str(SAMPLE_RATE), str(out)]
