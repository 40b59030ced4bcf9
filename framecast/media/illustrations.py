"""Offline illustrations about the scene: an icon from an openly licensed set, chosen by what is said.

The sets ship inside PyPI wheels (extra `illustrate`), so nothing is downloaded at run time:
  material     Material Design Icons (Pictogrammers), 7,447 SVGs, Apache-2.0 — the default: no
               share-alike, so a channel's videos carry no licence obligation beyond the credit.
  fontawesome  Font Awesome Free (Fonticons, Inc.), 2,163 SVGs, CC BY 4.0 — attribution required.
The OpenMoji set (CC BY-SA 4.0) is not offered: share-alike would bind every video made with it.
A scene's words (its visual prompt counts double: it says what to show) are matched to icon names:
exact words first (plurals folded, "volcanoes" → volcano), then, when no word names an icon, the
nearest name by WordLlama's static embeddings (16 MB, inside its wheel, loaded with downloads off).
Each choice records the set, the icon, the matched words or the similarity score, and the licence.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import lru_cache

from framecast.core.errors import ConfigError

EXTRA = "pip install 'framecast[illustrate]'"
SETS = {
    "material": (
        "material_design_icons_pack",
        "Apache-2.0",
        "Illustrations: Material Design Icons by Pictogrammers (Apache-2.0)",
    ),
    "fontawesome": (
        "fontawesome_free_pack",
        "CC BY 4.0",
        "Illustrations: Font Awesome Free by Fonticons, Inc. (CC BY 4.0, fontawesome.com/license/free)",
    ),
}
# Icon-name words that make a variant of a thing, not another thing ("volcano-outline", "bee-off").
VARIANTS = {
    "outline",
    "off",
    "plus",
    "minus",
    "remove",
    "alert",
    "check",
    "cancel",
    "edit",
    "lock",
    "sync",
    "cog",
    "settings",
    "arrow",
    "up",
    "down",
    "left",
    "right",
    "multiple",
    "variant",
    "box",
    "circle",
    "clock",
    "star",
    "heart",
    "sharp",
    "solid",
    "regular",
    "thin",
    "bold",
    "filled",
    "question",
    "search",
    "marker",
}
STOP = set(
    """a an the and or but of to in on at by for with from into onto over under as is are was were be been being
it its it's this that these those there here then than so such very more most much many few each every all any some
no not only also just can could will would should may might must do does did done have has had how what why when
where which who whom whose you your we our they their them he she his her him i me my us one two three first next
last about like big small way ways thing things part parts look closer picture nutshell explainer minute kind lot
idea ideas matter matters point points question answer story today video
makes make made work works working happen happens get gets got see seen keep keeps""".split()
)


@dataclass(frozen=True)
class Icon:
    slug: str
    svg: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Choice:
    """The illustration of a scene and why it was chosen."""

    set: str
    slug: str
    svg: str
    how: str  # "keyword" | "similarity"
    matched: tuple[str, ...]
    score: float
    licence: str
    credit: str

    def record(self) -> dict:
        return {
            "set": self.set,
            "icon": self.slug,
            "how": self.how,
            "matched": list(self.matched),
            "score": round(self.score, 3),
            "licence": self.licence,
        }


def available(name: str = "material") -> bool:
    """True when the set's package (and the embedding model) are installed."""
    try:
        importlib.import_module(SETS[name][0])
        importlib.import_module("resvg_py")
        importlib.import_module("wordllama")
    except ImportError:
        return False
    return True


def require(name: str) -> None:
    """A ConfigError naming the field and the extra when the set cannot be used."""
    if name not in SETS:
        raise ConfigError(
            f"image.illustrations: unknown icon set {name!r}; known: {', '.join(SETS)} (or none for title cards)"
        )
    if not available(name):
        raise ConfigError(f"image.illustrations: {name} needs its package: {EXTRA}")


# Verbs that are also icon names ("form", "shape", "train"): in "How rainbows form" they say what happens,
# not what to show, so they count a quarter. (A part-of-speech tagger would do better; none ships offline.)
VERBS = set(
    """form forms shape shapes train trains move moves rise rises store stores drink drinks carve carves fly
flies pump pumps dive dives grow grows grown strike strikes stay stays happen happens build builds cool cools heat
heats turn turns change changes travel travels spin spins fall falls flow flows""".split()
)


def singular(word: str) -> str:
    """A plural folded to the singular the icon names use (volcanoes → volcano, leaves → leaf, bees → bee)."""
    for suffix, repl in (
        ("ies", "y"),
        ("ves", "f"),
        ("oes", "o"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("sses", "ss"),
        ("xes", "x"),
    ):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + repl
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


def content_words(text: str) -> list[str]:
    """The words of `text` that can name a thing, in order, singular."""
    return [
        w if w in VERBS else singular(w) for w in re.findall(r"[a-z]+", text.lower()) if w not in STOP and len(w) > 2
    ]


@lru_cache(maxsize=4)
def catalogue(name: str) -> tuple[Icon, ...]:
    """Every icon of the set that is a thing, not a variant of one (no deprecated icons)."""
    module = importlib.import_module(SETS[name][0])
    icons = []
    for key, value in vars(module).items():
        if not key.isupper() or not hasattr(value, "svg") or getattr(value, "deprecated", False):
            continue
        words = tuple(value.slug.split("-"))
        if any(w in VARIANTS for w in words[1:]) or any(w.isdigit() for w in words):
            continue
        icons.append(Icon(value.slug, value.svg, words))
    return tuple(sorted(icons, key=lambda i: i.slug))


@lru_cache(maxsize=1)
def _embedder():
    import os

    import wordllama

    return wordllama.WordLlama.load(cache_dir=os.path.dirname(wordllama.__file__), disable_download=True)


@lru_cache(maxsize=4)
def _name_vectors(name: str):
    import numpy as np

    vectors = _embedder().embed([" ".join(i.words) for i in catalogue(name)])
    return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9)


def unit_vectors(texts: list[str]):
    """The static embeddings of `texts`, one unit-length row each (for cosine similarity by dot product)."""
    import numpy as np

    vectors = np.asarray(_embedder().embed(list(texts)))
    return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9)


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts by the static embeddings (0 unrelated … 1 the same)."""
    import numpy as np

    va, vb = _embedder().embed([a, b])
    return float(va @ vb / ((np.linalg.norm(va) * np.linalg.norm(vb)) + 1e-9))


def _keyword_hits(icons, weights: dict[str, float]) -> list[tuple[float, tuple[str, ...], Icon]]:
    scored = []
    for icon in icons:
        hits = tuple(w for w in icon.words if w in weights)
        # The icon's head word is said ("bee", "bee-flower"), and more than a passing verb ("form" in "rainbows form").
        if hits and icon.words[0] in weights and sum(weights[w] for w in hits) >= 1:
            # More weight said, fewer unsaid words in the name: "volcano" before "volcano-eruption-map".
            scored.append((sum(weights[w] for w in hits) / (1 + 0.5 * (len(icon.words) - len(hits))), hits, icon))
    return sorted(scored, key=lambda s: (-s[0], s[2].slug))


def choose(prompt: str, narration: str = "", name: str = "material", variety: int = 0, avoid: int = 0) -> Choice:
    """The set's icon for a scene, and why.

    In order: an icon named by the words of what to show (the visual prompt's subject); else one named by
    the narration; else the name nearest to all of them by similarity. `variety` picks among near-equal
    candidates (a scene's seed, so scenes differ and each stays the same); `avoid` skips that many of the
    best (a regenerated scene gets the next-best picture).
    """
    import numpy as np

    icons = catalogue(name)
    shown = prompt.partition(";")[0]  # what comes after ";" is style ("flat illustration, warm light")
    heading, colon, detail = shown.partition(":")
    # "Heading: what to show" (the local writer's form): the heading is a section title, the rest the subject.
    subject = {w: 0.5 if w in VERBS else 2.0 for w in content_words(detail if colon else shown)}
    said: dict[str, float] = {}
    for word in content_words(narration) + content_words(heading if colon else ""):
        said[word] = said.get(word, 0) + 1.0
    _, licence, credit = SETS[name]
    for weights in (subject, {**said, **{w: said.get(w, 0) + 2.0 for w in subject}}):
        scored = _keyword_hits(icons, weights)
        if len(scored) > avoid:
            near = [s for s in scored[avoid:] if s[0] >= 0.8 * scored[avoid][0]]
            score, hits, icon = near[variety % len(near)]
            return Choice(name, icon.slug, icon.svg, "keyword", hits, score, licence, credit)
    words = list(subject) + sorted(said, key=lambda w: -said[w])
    query = " ".join(words[:12]) or shown or narration
    vector = _embedder().embed([query])[0]
    sims = _name_vectors(name) @ (vector / (np.linalg.norm(vector) + 1e-9))
    order = np.argsort(-sims)
    best = int(order[avoid + variety % 3])
    icon = icons[best]
    return Choice(name, icon.slug, icon.svg, "similarity", (), float(sims[best]), licence, credit)


def rasterise(svg: str, size: int, colour: tuple[int, int, int]) -> bytes:
    """PNG bytes of the icon, `size` px square, in `colour` (resvg: no system libraries)."""
    import resvg_py

    tinted = svg.replace("<svg ", f'<svg fill="#{colour[0]:02x}{colour[1]:02x}{colour[2]:02x}" ', 1)
    return bytes(resvg_py.svg_to_bytes(svg_string=tinted, width=size, height=size))
