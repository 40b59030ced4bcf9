"""What a run shows its operator: the script, a contact sheet, the gate's report and the cost, as plain data.

Pure builders (no Prefect here): the orchestration layer turns them into Prefect artifacts.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from framecast.assets import FONT_BOLD
from framecast.core.models import QualityReport, Script
from framecast.core.safe_text import markdown as md
from framecast.core.safe_text import terminal

SHEET_COLUMNS = 4
SHEET_THUMB_WIDTH = 320
MAX_INLINE_BYTES = 400_000  # an inline image beyond this would bloat the artifact table; it is shrunk first


def script_rows(script: Script) -> list[dict]:
    """One row per scene: what is said, what is shown, for how long."""
    return [
        {
            "scene": i + 1,
            "narration": s.narration,
            "visual": s.visual_prompt,
            "seconds": round(s.duration, 1),
            "transition": s.transition,
        }
        for i, s in enumerate(script.scenes)
    ]


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def quality_markdown(report: QualityReport, title: str) -> str:
    """Every check of the gate; a failure shows where it happened (time and scene)."""
    verdict = "PASSED" if report.passed else "FAILED"
    # Titles and details come from topics, scripts and providers: escaped, they stay text (no link, image, cell).
    lines = [
        f"# Quality gate: {verdict}",
        "",
        f"**{md(title)}** — analyzer {md(report.analyzer)}, {len(report.checks)} checks, {len(report.failures)} failed",
        "",
        "| check | result | at | scene | detail |",
        "|---|---|---|---|---|",
    ]
    for c in sorted(report.checks, key=lambda c: (c.passed, c.name)):
        scene = "–" if c.scene_index is None else str(c.scene_index + 1)
        result = "pass" if c.passed else "**FAIL**"
        lines.append(f"| {md(c.name)} | {result} | {_clock(c.at_seconds)} | {scene} | {md(c.detail)} |")
    if report.measurements:
        lines += ["", "| measurement | value |", "|---|---|"]
        lines += [f"| {k} | {v:g} |" for k, v in sorted(report.measurements.items())]
    return "\n".join(lines)


def quality_card(report: QualityReport, limit: int = 3) -> str:
    """The verdict in a line or a few: what the run's Artifacts tab shows on the report's card."""
    if report.passed:
        lufs = report.measurements.get("integrated_lufs")
        return f"**PASSED** · {len(report.checks)} checks" + (f" · {lufs:g} LUFS" if lufs is not None else "")
    lines = [f"**FAILED** · {len(report.failures)} of {len(report.checks)} checks"]
    for c in report.failures[:limit]:
        where = f" at {_clock(c.at_seconds)}" if c.at_seconds is not None else ""
        scene = f" (scene {c.scene_index + 1})" if c.scene_index is not None else ""
        lines.append(f"- {md(c.name)}{where}{scene}: {md(c.detail[:160])}")
    return "\n".join(lines)


def cost_rows(entries: list[dict]) -> list[dict]:
    """Calls of one run grouped by stage, provider and model, with a total row."""
    groups: dict[tuple, list[dict]] = {}
    for e in entries:
        groups.setdefault((e.get("role", ""), e.get("provider", ""), e.get("model", "")), []).append(e)
    rows = [
        {
            "stage": role,
            "provider": provider,
            "model": model or "-",
            "calls": len(rows),
            "units": f"{sum(r.get('units', 0) for r in rows):g} {rows[0].get('unit', '')}".strip(),
            "usd": round(sum(r.get("usd", 0.0) for r in rows), 4),
        }
        for (role, provider, model), rows in groups.items()
    ]
    rows.append(
        {
            "stage": "total",
            "provider": "",
            "model": "",
            "calls": len(entries),
            "units": "",
            "usd": round(sum(e.get("usd", 0.0) for e in entries), 4),
        }
    )
    return rows


def contact_sheet(stills: list[Path], out: Path, columns: int = SHEET_COLUMNS, width: int = SHEET_THUMB_WIDTH) -> Path:
    """A JPEG grid of the scene stills, numbered, so a run's pictures can be judged at a glance."""
    thumbs = []
    for path in stills:
        with Image.open(path) as im:
            scale = width / im.width
            thumbs.append(im.convert("RGB").resize((width, max(1, round(im.height * scale)))))
    cols = max(1, min(columns, len(thumbs)))
    rows = -(-len(thumbs) // cols)
    cell_h = max(t.height for t in thumbs)
    gap = 6
    sheet = Image.new("RGB", (cols * (width + gap) + gap, rows * (cell_h + gap) + gap), (24, 24, 28))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.truetype(str(FONT_BOLD), max(10, width // 15))
    for i, thumb in enumerate(thumbs):
        x, y = gap + (i % cols) * (width + gap), gap + (i // cols) * (cell_h + gap)
        sheet.paste(thumb, (x, y))
        size = font.size
        draw.rectangle((x, y, x + int(size * 1.6), y + int(size * 1.4)), fill=(0, 0, 0))
        draw.text((x + size // 3, y + size // 10), str(i + 1), fill=(255, 255, 255), font=font)
    sheet.save(out, "JPEG", quality=80)
    return out


def inline_image_markdown(path: Path, alt: str) -> str:
    """Markdown showing the image inline (a data: URI), so it renders with no file server or bucket access."""
    data = Path(path).read_bytes()
    if len(data) > MAX_INLINE_BYTES:
        with Image.open(path) as im:
            buffer = io.BytesIO()
            factor = (MAX_INLINE_BYTES / len(data)) ** 0.5
            im.convert("RGB").resize((max(1, int(im.width * factor)), max(1, int(im.height * factor)))).save(
                buffer, "JPEG", quality=70
            )
            data = buffer.getvalue()
    return f"![{alt}](data:image/jpeg;base64,{base64.b64encode(data).decode()})"


def scene_origins(images, clips, narrations) -> list[dict]:
    """Per scene, who made its picture, motion and voice, what each skipped, and which illustration (manifest)."""

    def one(asset) -> dict | None:
        return asset.origin.model_dump(mode="json") if getattr(asset, "origin", None) else None

    return [
        {
            "scene": i + 1,
            "image": one(im),
            "motion": one(clip),
            "voice": one(voice),
            **({"illustration": im.illustration} if getattr(im, "illustration", None) else {}),
        }
        for i, (im, clip, voice) in enumerate(zip(images, clips, narrations))
    ]


def fallback_lines(images, clips, narrations) -> list[str]:
    """One line per stage and outcome that fell back, e.g. 'motion, scenes 1-3: kling (runway skipped: quota…)'."""
    groups: dict[tuple[str, str], list[int]] = {}
    for stage, assets in (("image", images), ("motion", clips), ("voice", narrations)):
        for i, asset in enumerate(assets):
            origin = getattr(asset, "origin", None)
            if origin is not None and origin.skipped:
                # Skip reasons quote providers' replies: one line, no terminal escapes, in logs and artifacts.
                groups.setdefault((stage, terminal(origin.describe())), []).append(i + 1)
    return [
        f"{stage}, scene{'s' if len(scenes) > 1 else ''} {', '.join(map(str, scenes))}: {what}"
        for (stage, what), scenes in groups.items()
    ]


def made_by(assets) -> str:
    """Which providers made a stage's assets, e.g. 'kling ×3, local ×1'."""
    counts: dict[str, int] = {}
    for asset in assets:
        origin = getattr(asset, "origin", None)
        name = origin.provider if origin else "?"
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{name} ×{n}" for name, n in counts.items())
