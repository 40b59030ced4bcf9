"""Sound effects offline: a prompt matched to one of ffmpeg's synthesised recipes (framecast.media.sfx).

The offline equivalent of ElevenLabs sound generation, behind the same `generate` call. A prompt
chooses its recipe by the words it says first ("lava bubbling, distant rumble" → rumble), then,
with the `illustrate` extra installed, by WordLlama similarity to each recipe's words above a
threshold. A prompt that matches nothing makes no sound: silence is better than a random bed
under a scene about tax law.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from framecast.media import ffmpeg
from framecast.media.sfx import RECIPES, Recipe, synth_command

# Word to word, WordLlama's static vectors find near-synonyms ("battery" ~ "electricity" 0.43, "snow" ~ "weather"
# 0.45) but also chance neighbours ("heart" ~ "people" 0.45); only a closer word chooses a sound.
SIMILARITY_MIN = 0.5


@dataclass(frozen=True)
class Match:
    recipe: str
    how: str  # "keyword" | "similarity"
    matched: tuple[str, ...]
    score: float

    def record(self) -> dict:
        return {"recipe": self.recipe, "how": self.how, "matched": list(self.matched), "score": round(self.score, 3)}


def match(prompt: str, kind: str) -> Match | None:
    """The recipe of `kind` a prompt asks for, and why; None when nothing offline sounds like it."""
    from framecast.media import illustrations

    recipes = [r for r in RECIPES.values() if r.kind == kind]
    words = illustrations.content_words(prompt)
    said = set(words) | {w.lower() for w in prompt.replace(",", " ").split()}
    best: tuple[int, int, Recipe, tuple[str, ...]] | None = None
    for order, recipe in enumerate(recipes):
        hits = tuple(w for w in recipe.words if w in said)
        # More hits first, then the earlier a hit comes in the prompt (its subject), then the recipe's order.
        first = min((words.index(w) for w in hits if w in words), default=len(words))
        if hits and (best is None or (-len(hits), first, order) < (-len(best[3]), best[0], best[1])):
            best = (first, order, recipe, hits)
    if best is not None:
        return Match(best[2].name, "keyword", best[3], float(len(best[3])))
    if not words or not illustrations.available():
        return None
    vocabulary = [(r, w) for r in recipes for w in r.words]
    scores = illustrations.unit_vectors(words) @ _recipe_vectors(kind).T
    said_at, heard_at = divmod(int(scores.argmax()), scores.shape[1])
    score = float(scores[said_at, heard_at])
    recipe, word = vocabulary[heard_at]
    return Match(recipe.name, "similarity", (words[said_at], word), score) if score >= SIMILARITY_MIN else None


@lru_cache(maxsize=2)
def _recipe_vectors(kind: str):
    from framecast.media import illustrations

    return illustrations.unit_vectors([w for r in RECIPES.values() if r.kind == kind for w in r.words])


class LocalSoundGenerator:
    """Synthesised sound effects and ambiences: no key, no network."""

    name = "local"
    model = "ffmpeg-synth"

    def describe(self, prompt: str, kind: str) -> dict | None:
        """Which recipe the prompt chooses and why (for the manifest); None when no recipe fits."""
        found = match(prompt, kind)
        return found.record() if found else None

    def generate(
        self, prompt: str, *, seconds: float, out: Path, loop: bool = False, kind: str = "ambience"
    ) -> Path | None:
        """The recipe the prompt chooses, `seconds` long, written under `out` (FLAC); None when none fits."""
        found = match(prompt, kind)
        if found is None:
            return None
        seed = int(hashlib.sha256(f"{prompt}|{seconds}".encode()).hexdigest()[:6], 16)
        path = out.with_suffix(".flac")
        path.parent.mkdir(parents=True, exist_ok=True)
        ffmpeg.run(synth_command(found.recipe, seconds, path, seed=seed), what=f"synthesising the {found.recipe} sound")
        return path
