"""Deterministic offline script writer: a well-formed explainer structure for any topic.

Without an LLM it cannot know facts about the topic, so it writes a sound narrative frame; a user's
notes (one fact per line, `--notes FILE`) become the body scenes, which makes it useful for real.
"""

from __future__ import annotations

import hashlib
import math
import re

from framecast.core.models import MAX_VIDEO_SECONDS, Scene, Script, Transition
from framecast.core.textrules import clip
from framecast.providers.base import ScriptBrief

# (heading, narration variants). "{subject}" reads well for noun phrases and "how X works" alike.
HOOK = [
    "{Topic}. It sounds simple, but there is more to it than meets the eye. Let's take it one step at a time.",
    "{Topic}. You have probably wondered about it at least once. Here is the short, clear version.",
]
BODY = [
    (
        "The big picture",
        [
            "Start with the big picture. When it comes to {subject}, a few simple ideas explain most of what happens.",
            "First, the big picture. A handful of basic principles drive everything about {subject}.",
        ],
    ),
    (
        "The key ingredients",
        [
            "Next, the ingredients: the materials involved, the energy that drives them, and "
            "the conditions that bring them together.",
            "Every process has ingredients. Here, that means matter, energy, and the right "
            "conditions at the right time.",
        ],
    ),
    (
        "Step by step",
        [
            "Now, step by step. One change triggers the next, and small effects build into "
            "something large enough to notice.",
            "Here is the sequence. Each stage sets up the next, like dominoes falling in a line.",
        ],
    ),
    (
        "A closer look",
        [
            "Look closer and patterns appear. Scientists measure them, compare them with "
            "predictions, and refine their models.",
            "Zoom in, and the details matter. Careful measurements reveal what simple explanations leave out.",
        ],
    ),
    (
        "A common myth",
        [
            "A common myth is that it all happens at once. In reality, most of the work is slow and invisible.",
            "People often assume it is sudden. In fact, the build-up usually takes far longer than the moment we see.",
        ],
    ),
    (
        "Why it matters",
        [
            "Why does it matter? Understanding {subject} helps us make better predictions and better decisions.",
            "So why care? Knowing about {subject} changes how we plan, how we build, and what we expect.",
        ],
    ),
]
RECAP = [
    "To recap: simple ideas, a chain of cause and effect, and a little patience. That's {subject}, in a nutshell.",
    "That's the story of {subject}. Simple parts, clear steps, big results. Thanks for watching!",
]
STYLES = ["bold flat illustration", "clean infographic style", "soft paper-cut layers", "bright geometric poster"]
MOTIONS = ["slow push in", "gentle pan right", "slow pull out", "gentle pan left"]
WORDS_PER_SECOND = 2.4  # the offline voice's pace, measured on piper's joe voice
MAX_NARRATION = 600  # models.Scene.narration
# What one scene says of a note: ~9 s of speech, like the built-in beats. A longer note is said over several
# scenes (as many as the brief allows): a long scene of slow offline motion reads as frozen video to the gate.
SCENE_CHARS = 120
MAX_TITLE, MAX_TAG = 100, 30  # YouTube's limits, as in models.Script


def _subject(topic: str) -> str:
    first, _, rest = topic.partition(" ")
    # Lower-case a capitalised first word ("How volcanoes work" → "how volcanoes work"), not acronyms.
    if first[:1].isupper() and not first.isupper():
        first = first[0].lower() + first[1:]
    return f"{first} {rest}".strip()


def _pick(options: list, key: str):
    return options[int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(options)]


def _pieces(notes: tuple[str, ...]) -> list[tuple[str, str]]:
    """(heading, text) per scene: each note cut at word boundaries into parts of at most SCENE_CHARS."""
    out = []
    for i, note in enumerate(notes):
        # A word longer than a part (a script without spaces, like Japanese) is cut where it must be.
        words = [w[k : k + SCENE_CHARS] for w in note.split() for k in range(0, len(w), SCENE_CHARS)]
        parts: list[str] = []
        for word in words:
            if parts and len(parts[-1]) + 1 + len(word) <= SCENE_CHARS:
                parts[-1] += " " + word
            else:
                parts.append(word)
        out += [
            (f"Point {i + 1}" + (f" ({k + 1}/{len(parts)})" if len(parts) > 1 else ""), part)
            for k, part in enumerate(parts)
        ]
    return out


def _sentence(text: str) -> str:
    # A long note is cut at a word boundary: a scene says one fact, and the model bounds its narration.
    text = clip(re.sub(r"\s+", " ", text).strip().rstrip("."), MAX_NARRATION - 1)
    text += "" if text.endswith("…") else "."
    return text[0].upper() + text[1:]


class LocalScriptWriter:
    """Writes a hook, body scenes (from notes when given) and a recap, sized to the brief."""

    name = "local"

    def write(self, brief: ScriptBrief) -> Script:
        folded = re.sub(r"\s+", " ", brief.topic).strip()
        topic = folded.rstrip(".?!") or folded  # "???" is refused before a brief; never an empty topic here
        values = {"Topic": topic[0].upper() + topic[1:], "subject": _subject(topic)}
        wanted = round(brief.target_seconds / 8.5)
        pieces = _pieces(brief.notes)
        count = max(brief.min_scenes, min(brief.max_scenes, wanted, 2 + max(len(BODY), len(pieces))))
        body_slots = max(count - 2, 0)
        body = [(head, _sentence(text)) for head, text in pieces[:body_slots]]
        # Without (enough) notes, the general beats fill the body; a channel asking for more scenes than there
        # are beats gets them again in their other wording, so its min_scenes is always met.
        fill = body_slots - len(body) if not brief.notes else max(0, brief.min_scenes - 2 - len(body))
        for j in range(fill):
            head, variants = BODY[j % len(BODY)]
            again = j // len(BODY)
            narration = variants[(variants.index(_pick(variants, topic + head)) + again) % len(variants)]
            body.append((head if not again else f"{head}, again", narration.format(**values)))
        beats = [(values["Topic"], _pick(HOOK, topic).format(**values)), *body]
        if count >= 2:
            beats.append(("In a nutshell", _pick(RECAP, topic).format(**values)))
        beats = beats[:count]

        scenes = []
        planned = [min(30.0, max(4.0, math.ceil(len(n.split()) / WORDS_PER_SECOND + 1.0))) for _, n in beats]
        # Planned lengths only (each slot follows its narration); scaled down to the model's bound on the total.
        scale = min(1.0, MAX_VIDEO_SECONDS / sum(planned)) if planned else 1.0
        for i, (heading, narration) in enumerate(beats):
            duration = max(4.0, math.floor(planned[i] * scale))
            scenes.append(
                Scene(
                    narration=narration,
                    visual_prompt=f"{heading}: {'a one-minute explainer' if i == 0 else values['subject']}; "
                    f"{_pick(STYLES, topic + str(i))}",
                    motion_prompt=MOTIONS[i % len(MOTIONS)],
                    duration=duration,
                    transition=Transition.dissolve if i % 3 == 2 else Transition.fade,
                    ambience=values["subject"],  # one bed for the whole video: the offline writer knows only the topic
                )
            )
        description = f"A short explainer: {values['subject']}.\n\n" + "\n".join(
            f"{i + 1}. {h}" for i, (h, _) in enumerate(beats)
        )
        words = [w.strip("_")[:MAX_TAG] for w in re.findall(r"\w+", topic.casefold())]
        tags = list(dict.fromkeys(w for w in words if len(w) > 3))[:8] + ["explainer"]
        return Script(title=clip(values["Topic"], MAX_TITLE), description=description, tags=tags, scenes=scenes)
