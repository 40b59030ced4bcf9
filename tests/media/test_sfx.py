"""The offline sound recipes: each writes a real, audible, stereo sound of the asked length (real ffmpeg)."""

import re

import pytest

from framecast.media import ffmpeg
from framecast.media.sfx import RECIPES, synth_command


def levels(path):
    proc = ffmpeg.run(
        [
            "-i",
            str(path),
            "-af",
            "ebur128=peak=true,astats=measure_overall=none:measure_perchannel=RMS_level",
            "-f",
            "null",
            "-",
        ],
        what="measuring",
    )
    integrated = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", proc.stderr)[-1])
    peak = float(re.findall(r"Peak:\s+(-?[\d.]+|-inf) dBFS", proc.stderr)[-1])
    return integrated, peak


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_every_recipe_makes_an_audible_unclipped_stereo_sound_of_its_length(tmp_path, name):
    seconds = 1.3 if RECIPES[name].kind == "transition" else 4.0
    out = tmp_path / f"{name}.flac"
    ffmpeg.run(synth_command(name, seconds, out, seed=5), what=name)
    info = ffmpeg.probe(out)
    audio = ffmpeg.stream(info, "audio")
    assert (audio["channels"], int(audio["sample_rate"])) == (2, 48000)
    assert abs(float(info["format"]["duration"]) - seconds) < 0.03
    integrated, peak = levels(out)
    assert -45 < integrated and peak < 0  # heard, and never clipped


def test_noise_beds_differ_between_left_and_right_and_between_seeds(tmp_path):
    a, b = tmp_path / "a.wav", tmp_path / "b.wav"
    for path, seed in ((a, 1), (b, 2)):
        args = synth_command("wind", 2.0, path, seed=seed)
        args[args.index("flac")] = "pcm_s16le"
        ffmpeg.run(args, what="wind")
    raw = a.read_bytes()[44:]
    left, right = raw[0::4][:20000], raw[2::4][:20000]
    assert left != right  # a wide bed, not the same noise in both ears
    assert a.read_bytes() != b.read_bytes()
