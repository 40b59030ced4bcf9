"""The gate's ear: is each scene's narration what the script says, and do the captions keep time with it?

The local analyzer transcribes each scene's stretch of the final mix with the offline recogniser
(framecast/media/listen.py); these pure functions judge what it heard. Per scene, the word error rate of
what was heard against the scene's narration (a swapped, garbled, silent or drowned narration fails);
per scene, how far the caption cues start from the words they show (a shifted caption track fails).
The recogniser is general-purpose and knows nothing of the script, so a clean narration still has
errors (about 0.2-0.4 on the demo, docs/stages.md, Quality): the limits sit well above that.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from statistics import median

from framecast.core.models import QualityCheck
from framecast.media.align import spoken_tokens
from framecast.media.listen import Heard, HeardScene
from framecast.providers.base import QualityPlan

ASS_DIALOGUE = re.compile(
    r"^Dialogue:\s*[^,]*,(\d+):(\d\d):(\d\d(?:\.\d+)?),(\d+):(\d\d):(\d\d(?:\.\d+)?),(?:[^,]*,){6}(.*)$"
)


# Signs a voice reads out as words (piper and the cloud voices alike); the rest of the punctuation is silent.
SAID = {"%": " percent ", "&": " and ", "+": " plus ", "=": " equals ", "@": " at ", "\\": " "}


def tokens(text: str) -> list[str]:
    """The words `text` is spoken as, lower case (numbers read out, signs such as % and & said, the rest of the
    punctuation gone)."""
    for sign, said in SAID.items():
        text = text.replace(sign, said)
    return [t for word in text.split() for t in spoken_tokens(word)]


def word_error_rate(reference: list[str], heard: list[str]) -> float:
    """Word-level edit distance over the reference length (1.0 for anything heard where nothing was said)."""
    if not reference:
        return 0.0 if not heard else 1.0
    row = list(range(len(heard) + 1))
    for i, r in enumerate(reference, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(heard, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1] / len(reference)


def speech_windows(narration_starts: list[float], total: float, lead: float = 0.25) -> list[tuple[float, float]]:
    """Where each scene's narration can be heard: from just before it starts to just before the next one."""
    ends = [*narration_starts[1:], total + lead]
    return [(max(start - lead, 0.0), max(end - lead, start)) for start, end in zip(narration_starts, ends)]


def unspellable(text: str) -> list[str]:
    """The written words the recogniser cannot spell: letters, but none it knows (another script, e.g. 火山)."""
    return [w for w in text.split() if any(c.isalpha() for c in w) and not spoken_tokens(w)]


def scene_checks(heard: list[HeardScene], narration: tuple[str, ...], limit: float) -> tuple[list[QualityCheck], float]:
    """One failure per scene whose speech is too far from its narration; and the whole video's rate.

    A scene with words in a script the English recogniser cannot spell is not judged (said in the detail):
    the voice says them somehow, and what it says cannot be compared."""
    checks, errors, words, skipped = [], 0.0, 0, []
    for i, (scene, text) in enumerate(zip(heard, narration)):
        if unspellable(text):
            skipped.append(i + 1)
            continue
        said, reference = scene.words, tokens(text)
        rate = word_error_rate(reference, [h.word.lower() for h in said])
        errors, words = errors + rate * len(reference), words + len(reference)
        if rate > limit:
            got = " ".join(h.word for h in said[:12]) or "nothing"
            checks.append(
                QualityCheck(
                    name="speech-heard",
                    passed=False,
                    at_seconds=said[0].start if said else None,
                    scene_index=i,
                    detail=f"scene {i + 1}: word error rate {rate:.0%} against its narration (max {limit:.0%}); "
                    f"heard {got!r}, the script says {text[:80]!r}",
                )
            )
    overall = errors / words if words else 0.0
    if not checks:
        note = f"; scene(s) {', '.join(map(str, skipped))} not judged (words in another script)" if skipped else ""
        checks.append(
            QualityCheck(
                name="speech-heard",
                passed=True,
                detail=f"every scene's narration heard (word error rate {overall:.0%}, max {limit:.0%} per scene)"
                + note,
            )
        )
    return checks, overall


def floor_checks(heard: list[HeardScene], limit: float) -> tuple[list[QualityCheck], float | None]:
    """One failure per scene whose speech stands less than `limit` dB over the floor of the mix: the voice
    drowned by the music or sounds, measured on the finished mix alone."""
    found = [(i, s.speech_over_floor_db) for i, s in enumerate(heard) if s.speech_over_floor_db is not None]
    checks = [
        QualityCheck(
            name="speech-over-floor",
            passed=False,
            at_seconds=heard[i].words[0].start if heard[i].words else None,
            scene_index=i,
            detail=f"scene {i + 1}: the voice stands {margin:.1f} dB over the quietest tenth of the mix (at least "
            f"{limit:.0f}): the bed drowns it; lower music.gain_db or sound.ambience_gain_db",
        )
        for i, margin in found
        if margin < limit
    ]
    least = min((m for _, m in found), default=None)
    if not checks:
        shown = f"at least {least:.1f} dB" if least is not None else "(no scene long enough to measure)"
        checks.append(
            QualityCheck(name="speech-over-floor", passed=True, detail=f"the voice stands {shown} over the bed")
        )
    return checks, least


def ass_cues(text: str) -> list[tuple[float, float, str]]:
    """(start, end, text) of every Dialogue line of an ASS script: the captions burned into the picture."""
    cues = []
    for line in text.splitlines():
        found = ASS_DIALOGUE.match(line.strip())
        if found:
            h1, m1, s1, h2, m2, s2, body = found.groups()
            start = int(h1) * 3600 + int(m1) * 60 + float(s1)
            end = int(h2) * 3600 + int(m2) * 60 + float(s2)
            cues.append((start, end, re.sub(r"\{[^}]*\}", "", body).replace("\\N", " ").replace("\\n", " ")))
    return cues


RUN = 3  # a cue's first word counts as found only with the two words after it heard in the same order


def caption_offsets(heard: list[Heard], cues: list[tuple[float, float, str]]) -> list[tuple[float, float]]:
    """(cue start, seconds the cue starts after its first word is spoken), for every cue whose first written
    word was recognised together with the words after it (matched in order across the whole video, so a
    common word such as "a" in another cue is not taken for it). Cues opening on a word the recogniser cannot
    spell are left out."""
    caption, first = [], []
    for start, _, text in cues:
        written = text.split()
        if written and not unspellable(text) and spoken_tokens(written[0]):
            first.append((len(caption), start))
        caption += tokens(text)
    spoken = [h.word.lower() for h in heard]
    at = {}
    for block in SequenceMatcher(None, caption, spoken, autojunk=False).get_matching_blocks():
        for k in range(block.size - RUN + 1):
            at[block.a + k] = heard[block.b + k].start
    return [(start, round(start - at[index], 3)) for index, start in first if index in at]


def caption_checks(
    offsets: list[tuple[float, float]], windows: list[tuple[float, float]], limit: float
) -> tuple[list[QualityCheck], float | None]:
    """One failure per scene whose captions start, at the median, more than `limit` seconds off its speech: on
    two cues or more, or on one when the whole video's median is off too (one cue alone, a word heard a little
    early, does not fail a scene)."""
    checks = []
    overall = median(off for _, off in offsets) if offsets else None
    for i, (a, b) in enumerate(windows):
        mine = [off for start, off in offsets if a <= start < b]
        enough = len(mine) >= 2 or (overall is not None and abs(overall) > limit)
        if mine and enough and abs(median(mine)) > limit:
            lag = median(mine)
            checks.append(
                QualityCheck(
                    name="caption-timing",
                    passed=False,
                    at_seconds=round(a, 2),
                    scene_index=i,
                    detail=f"scene {i + 1}: captions appear {abs(lag):.2f} s {'after' if lag > 0 else 'before'} "
                    f"the words are spoken (median of {len(mine)} cue(s); max {limit:.2f} s)",
                )
            )
    if not checks:
        detail = (
            f"captions keep time with the speech (median offset {overall:+.2f} s over {len(offsets)} cue(s), "
            f"max {limit:.2f} s)"
            if overall is not None
            else "no caption's first word was recognised: timing not measured"
        )
        checks.append(QualityCheck(name="caption-timing", passed=True, detail=detail))
    return checks, overall


def judge(heard: list[HeardScene], plan: QualityPlan) -> tuple[list[QualityCheck], dict[str, float]]:
    """The ear's three checks over what was heard in each scene, and the measurements for the report."""
    said, rate = scene_checks(heard, plan.narration, plan.max_scene_word_error_rate)
    measurements = {"heard_word_error_rate": round(rate, 3)}
    # Scenes the recogniser cannot judge (words in another script) do not time captions either.
    judged = [i for i, text in enumerate(plan.narration) if not unspellable(text) and i < len(heard)]
    windows = [plan.speech_windows[i] for i in judged if i < len(plan.speech_windows)]
    cues = [c for c in plan.caption_timing if any(a <= c[0] < b for a, b in windows)]
    offsets = caption_offsets([h for i in judged for h in heard[i].words], cues)
    timed, lag = caption_checks(offsets, list(plan.speech_windows), plan.max_caption_offset_seconds)
    if lag is not None:
        measurements["caption_offset_seconds"] = lag
    clear: list[QualityCheck] = []
    if plan.min_speech_over_floor_db is not None:
        clear, least = floor_checks(heard, plan.min_speech_over_floor_db)
        if least is not None:
            measurements["speech_over_floor_db"] = least
    return said + timed + clear, measurements
