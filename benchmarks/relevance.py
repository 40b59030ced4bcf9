"""How often a scene's offline illustration shows something its narration names (issue 11).

For 20 topics, the offline writer's script (the embedded default) and, per scene, the illustration
the local provider chooses: a scene counts as matched when a word of the chosen icon's name is a
content word of the scene's narration or visual prompt that is not a verb. Prints the share, per topic
and in all, and how many choices came from keywords vs similarity. No network, no rendering.

    .venv/bin/python benchmarks/relevance.py [--set material|fontawesome]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from framecast.media import illustrations  # noqa: E402
from framecast.providers.base import ScriptBrief  # noqa: E402
from framecast.providers.local.script import LocalScriptWriter  # noqa: E402

TOPICS = [
    "How volcanoes work",
    "How bees make honey",
    "How tides work",
    "How glaciers move",
    "Why the sky is blue",
    "How rivers carve canyons",
    "How kites fly",
    "How the heart pumps blood",
    "How rainbows form",
    "How airplanes stay in the air",
    "How batteries store energy",
    "How trees drink water",
    "How the moon shapes tides",
    "How earthquakes happen",
    "How bread rises",
    "How vaccines train the body",
    "How solar panels make power",
    "How submarines dive",
    "How coffee is grown",
    "How lightning strikes",
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="material", choices=sorted(illustrations.SETS))
    args = parser.parse_args()
    if not illustrations.available(args.set):
        print(f"the {args.set} set is not installed: {illustrations.EXTRA}")
        return 2
    matched = total = keyword = 0
    for topic in TOPICS:
        script = LocalScriptWriter().write(ScriptBrief(topic=topic, min_scenes=6, max_scenes=8, target_seconds=60))
        row = []
        for i, scene in enumerate(script.scenes):
            choice = illustrations.choose(scene.visual_prompt, scene.narration, args.set, variety=i)
            said = set(illustrations.content_words(f"{scene.narration} {scene.visual_prompt.partition(';')[0]}"))
            hit = bool(set(choice.slug.split("-")) & (said - illustrations.VERBS))  # a thing named, not a verb
            matched, total, keyword = matched + hit, total + 1, keyword + (choice.how == "keyword")
            row.append(f"{choice.slug}{'' if hit else '*'}")
        print(f"{topic:<34} {', '.join(row)}")
    print(
        f"\n{args.set}: {matched}/{total} scenes ({matched / total:.0%}) show something their narration or prompt "
        f"names; {keyword} chosen by keyword, {total - keyword} by similarity (* = no named match)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
