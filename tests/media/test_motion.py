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
    args = animate_command(Path("in.png"), Path("out.mp4"), MOVES["pan-left"], width=640, height=360, fps=25,
                           duration=4.0)
    assert args[args.index("-frames:v") + 1] == "100"


def test_a_pan_moves_a_fixed_window_instead_of_rezooming_every_frame():
    vf = kenburns_filter(MOVES["pan-left"], width=640, height=360, fps=25, frames=100)
    assert "zoompan" not in vf
    assert "loop=loop=99:size=1" in vf and "crop=1280:720:" in vf and "scale=640:360:flags=area" in vf
