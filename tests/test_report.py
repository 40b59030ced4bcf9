from PIL import Image

from framecast.core.models import QualityCheck, QualityReport, Scene, Script
from framecast.report import (
    contact_sheet,
    cost_rows,
    inline_image_markdown,
    quality_card,
    quality_markdown,
    script_rows,
)

REPORT = QualityReport(
    analyzer="local",
    passed=False,
    measurements={"integrated_lufs": -14.2},
    checks=[
        QualityCheck(name="loudness", passed=True, detail="-14.2 LUFS"),
        QualityCheck(
            name="black-frames", passed=False, detail="1.2 s of black | padding", at_seconds=63.5, scene_index=2
        ),
        QualityCheck(name="codec", passed=True, detail="h264 High"),
    ],
)


def test_the_quality_report_lists_every_check_and_locates_failures():
    md = quality_markdown(REPORT, "How kites fly")
    assert md.startswith("# Quality gate: FAILED")
    rows = [
        line for line in md.splitlines() if line.startswith("| ") and "check" not in line and "measurement" not in line
    ]
    assert [r.split(" | ")[0].lstrip("| ") for r in rows[:3]] == [
        "black\\-frames",
        "codec",
        "loudness",
    ]  # failures first
    assert "| black\\-frames | **FAIL** | 1:03.5 | 3 | 1\\.2 s of black \\| padding |" in md
    assert "| integrated_lufs | -14.2 |" in md
    card = quality_card(REPORT)
    assert card.startswith("**FAILED** · 1 of 3 checks") and "black\\-frames at 1:03.5 (scene 3)" in card
    assert quality_card(REPORT.model_copy(update={"passed": True})).startswith("**PASSED** · 3 checks · -14.2 LUFS")


def test_cost_rows_group_by_stage_provider_and_model_with_a_total():
    entries = [
        {"role": "image", "provider": "openai", "model": "gpt-image-2", "units": 1, "unit": "image", "usd": 0.04},
        {"role": "image", "provider": "openai", "model": "gpt-image-2", "units": 1, "unit": "image", "usd": 0.04},
        {"role": "voice", "provider": "local", "model": "", "units": 120, "unit": "char", "usd": 0.0},
    ]
    rows = cost_rows(entries)
    assert rows[0] == {
        "stage": "image",
        "provider": "openai",
        "model": "gpt-image-2",
        "calls": 2,
        "units": "2 image",
        "usd": 0.08,
    }
    assert rows[1]["model"] == "-" and rows[-1] == {
        "stage": "total",
        "provider": "",
        "model": "",
        "calls": 3,
        "units": "",
        "usd": 0.08,
    }


def test_script_rows_number_the_scenes():
    script = Script(
        title="T",
        description="d",
        tags=[],
        scenes=[Scene(narration=f"Line {i}.", visual_prompt=f"Heading {i}: picture", duration=4.0) for i in range(3)],
    )
    rows = script_rows(script)
    assert [r["scene"] for r in rows] == [1, 2, 3] and rows[2]["narration"] == "Line 2."


def test_contact_sheet_is_a_numbered_grid_and_inlines_within_a_size_cap(tmp_path):
    stills = []
    for i, colour in enumerate(["red", "green", "blue", "white", "black"]):
        stills.append(tmp_path / f"{i}.png")
        Image.new("RGB", (640, 360), colour).save(stills[-1])
    sheet = contact_sheet(stills, tmp_path / "sheet.jpg", columns=4, width=200)
    with Image.open(sheet) as im:
        assert im.size == (4 * 206 + 6, 2 * (112 + 6) + 6)
        assert im.getpixel((100, 60))[0] > 200 and im.getpixel((6 + 206 + 100, 60))[1] > 100  # red, then green
    big = tmp_path / "big.png"
    Image.effect_noise((1500, 1500), 80).convert("RGB").save(big)
    markdown = inline_image_markdown(big, "noise")
    assert markdown.startswith("![noise](data:image/jpeg;base64,") and len(markdown) < 600_000


def test_fallback_lines_carry_a_providers_reason_as_one_plain_line():
    """Issue 17 (review L11/I3): a provider's error body reaches logs and the cost artifact's markdown."""
    from types import SimpleNamespace

    from framecast.core.models import FallbackStep, Origin
    from framecast.report import fallback_lines

    reason = "HTTP 500: \x1b[2J\x1b]8;;http://evil\x07click\x1b]8;;\x07\n![](http://evil/x) [y](http://z)"
    origin = Origin(provider="local", skipped=[FallbackStep(provider="kling", reason=reason)])
    [line] = fallback_lines([], [SimpleNamespace(origin=origin)], [])
    assert "\x1b" not in line and "\n" not in line and "\x07" not in line
    assert line == "motion, scene 1: local; kling skipped: HTTP 500: click ![](http://evil/x) [y](http://z)"
    from framecast.core.safe_text import markdown

    assert "](" not in markdown(line) and "\\]\\(" in markdown(line)  # as the cost artifact shows it: text
