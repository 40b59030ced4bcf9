"""What the sound design costs the render, and what it leaves of the voice (issue 11).

A 7-scene, ~60 s timeline spoken by flite: the soundtrack's mix with no sounds, then with the
demo's transition sounds and ambience (the offline recipes), timed in one run; plus the time to
synthesise the sounds, and the speech-over-bed margin (LU) the gate checks, for both. Also: how
many of the relevance benchmark's 20 topics the offline recipes give an ambience.

    .venv/bin/python benchmarks/sound.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from relevance import TOPICS  # noqa: E402  (the relevance benchmark's 20 topics; run as a script, its folder is on the path)

from framecast.core.models import ArtifactRef, Scene, SoundAsset, Transition  # noqa: E402
from framecast.edit.timeline import plan_timeline  # noqa: E402
from framecast.media import ffmpeg  # noqa: E402
from framecast.media.analysis import parse_ebur128  # noqa: E402
from framecast.media.assembly import audio_mix_command, parse_speech_over_bed, voice_loudness_command  # noqa: E402
from framecast.media.sfx import synth_command  # noqa: E402
from framecast.providers.local.sound import match  # noqa: E402
from framecast.sound.config import SoundConfig  # noqa: E402
from framecast.sound.design import bed_sounds, plan_cues, requests  # noqa: E402

LINE = "Deep below the surface, rock melts into magma, rises through cracks, and erupts as lava."


def sounds_for(tmp: Path, timeline, scenes, cfg: SoundConfig) -> tuple[list, float]:
    """(cue, asset) per cue, each distinct sound synthesised once; and the seconds that took."""
    started, made = time.perf_counter(), {}
    for k, (prompt, seconds, kind) in enumerate(requests(plan_cues(timeline, scenes, cfg))):
        found = match(prompt, kind)
        if found is None:
            continue
        path = tmp / f"sound{k}.flac"
        ffmpeg.run(synth_command(found.recipe, seconds, path, seed=k), what="sound")
        lufs, _ = parse_ebur128(ffmpeg.run(["-i", str(path), "-af", "ebur128", "-f", "null", "-"], what="m").stderr)
        ref = ArtifactRef(uri=path.as_uri(), sha256="0" * 64, size=1, media_type="audio/flac")
        made[(prompt, seconds, kind)] = SoundAsset(ref=ref, prompt=prompt, seconds=seconds, loudness_lufs=lufs)
    placed = [(c, made[c.request]) for c in plan_cues(timeline, scenes, cfg) if c.request in made]
    return placed, time.perf_counter() - started


def mix_once(tmp: Path, voices, timeline, placed, music: Path) -> tuple[float, float | None]:
    voice_lufs, _ = parse_ebur128(ffmpeg.run(voice_loudness_command(voices), what="voice").stderr) if placed else (0, 0)
    bed = bed_sounds(placed, lambda ref: Path(ref.uri.removeprefix("file://")), voice_lufs, timeline.total)
    started = time.perf_counter()
    proc = ffmpeg.run(
        audio_mix_command(voices, timeline, tmp / "mix.wav", music=music, sounds=bed, meter=True), what="mix"
    )
    return time.perf_counter() - started, parse_speech_over_bed(proc.stderr)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        kinds = [Transition.fade, Transition.fade, Transition.dissolve] * 2 + [Transition.fade]
        scenes = [
            Scene(
                narration=LINE,
                visual_prompt="a volcano",
                duration=8,
                transition=t,
                ambience="lava hissing, distant rumble",
            )
            for t in kinds
        ]
        voices = []
        for i in range(len(scenes)):
            voices.append(tmp / f"v{i}.wav")
            ffmpeg.run(["-f", "lavfi", "-i", f"flite=text='{LINE}':voice=slt", str(voices[-1])], what="speech")
        timeline = plan_timeline(scenes, [ffmpeg.duration(v) for v in voices], 30)
        from framecast.media.music import music_command

        music = tmp / "music.wav"
        ffmpeg.run(music_command(music, seed=7), what="music")
        placed, synth = sounds_for(tmp, timeline, scenes, SoundConfig(ambience=True))
        plain, scored = [], []
        for _ in range(args.repeat):  # interleaved, so a busy moment of the machine hits both alike
            plain.append(mix_once(tmp, voices, timeline, [], music))
            scored.append(mix_once(tmp, voices, timeline, placed, music))
    a, b = statistics.median(t for t, _ in plain), statistics.median(t for t, _ in scored)
    print(
        f"timeline: {len(scenes)} scenes, {timeline.total:.1f} s; {len(placed)} sounds placed, "
        f"{len({c.request for c, _ in placed})} synthesised in {synth:.2f} s"
    )
    print(f"mix, music only:        {a:.2f} s (median of {args.repeat}); speech over bed {plain[0][1]} LU")
    print(f"mix, music + sounds:    {b:.2f} s; speech over bed {scored[0][1]} LU; ratio {b / a:.2f}")
    heard = [t for t in TOPICS if match(t, "ambience")]
    print(
        f"offline ambience found for {len(heard)} of {len(TOPICS)} topics; none for: "
        f"{', '.join(t for t in TOPICS if t not in heard)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
