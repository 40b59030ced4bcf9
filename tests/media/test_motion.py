from pathlib import Path

from framecast.media.motion import MOVES, animate_command, choose_move, kenburns_filter


def test_motion_prompt_picks_the_move():
    assert choose_move("gentle pan left", 0) == "pan-left"
    assert choose_move("slow pull out", 0) == "pull-out"
    assert choose_move("slow push in", 0) == "push-in"


def test_unspecified_motion_varies_with_the_seed():
    assert len({choose_move("", seed) for seed in range(10)}) == len(MOVES)


def test_kenburns_renders_exact_frame_count_from_an_oversampled_still():
    vf = kenburns_filter(MOVES["push-in"], width=640, height=360, fps=25, frames=100)
    assert vf.startswith("scale=1280:720")
    assert ":d=100:s=640x360:fps=25" in vf
    args = animate_command(
        Path("in.png"), Path("out.mp4"), MOVES["pan-left"], width=640, height=360, fps=25, duration=4.0
    )
    assert args[args.index("-frames:v") + 1] == "100"


def test_a_pan_moves_a_fixed_window_instead_of_rezooming_every_frame():
    vf = kenburns_filter(MOVES["pan-left"], width=640, height=360, fps=25, frames=100)
    assert "zoompan" not in vf
    assert "loop=loop=99:size=1" in vf and "crop=1280:720:" in vf and "scale=640:360:flags=area" in vf


def test_every_move_on_a_small_frame_keeps_moving_through_a_long_scene(tmp_path):
    """Issue 17 (smoke channel): the pans' ends lay outside what a 1.15 zoom can reach, so the window stood
    still for a third of the scene at each end, and a 320×180 frame had too few whole-pixel steps for a slow
    rise: a 15 s scene failed the gate as frozen-video. 40 s is about the longest a 600-character narration
    makes a scene."""
    import re
    import subprocess

    from PIL import Image, ImageDraw

    from framecast.media.motion import oversample, reachable

    card = Image.linear_gradient("L").resize((320, 180)).convert("RGB")
    ImageDraw.Draw(card).rectangle((130, 60, 190, 110), fill=(255, 255, 255))
    card.save(tmp_path / "card.png")
    assert oversample(180) == 4 and oversample(1080) == 2
    for name, move in MOVES.items():
        move = reachable(move)
        assert 0.5 / move.z0 <= min(move.x0, move.y0) and max(move.x0, move.y0) <= 1 - 0.5 / move.z0
        assert 0.5 / move.z1 <= min(move.x1, move.y1) and max(move.x1, move.y1) <= 1 - 0.5 / move.z1
        for seconds in (15.0, 40.0):
            out = tmp_path / f"{name}.mp4"
            subprocess.run(
                [
                    "ffmpeg",
                    "-y",
                    "-v",
                    "error",
                    *animate_command(
                        tmp_path / "card.png", out, MOVES[name], width=320, height=180, fps=12, duration=seconds, crf=23
                    ),
                ],
                check=True,
            )
            probe = subprocess.run(
                ["ffmpeg", "-i", str(out), "-vf", "freezedetect=n=-60dB:d=1", "-f", "null", "-"],
                capture_output=True,
                text=True,
            )
            # Only the gentle start and end may read as still for a moment: well below the gate's 4 s default.
            frozen = [float(d) for d in re.findall(r"freeze_duration: ([\d.]+)", probe.stderr)]
            assert max(frozen, default=0) < 3.0, (name, seconds, frozen)
