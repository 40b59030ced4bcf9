"""The Prefect artifacts a run writes keep a hostile title and provider details as text (issue 17, review L11)."""

import pytest
from markdown_it import MarkdownIt
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from framecast.core.models import ArtifactRef, Publication, QualityCheck, QualityReport
from tasks import reporting

pytestmark = pytest.mark.usefixtures("prefect_server")
TITLE = "x](http://evil) ![](http://evil/i.png) <img src=x> [y"
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def tokens(source: str):
    for token in PARSER.parse(source):
        yield token
        yield from token.children or []


def latest(key: str):
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
    return sorted(found, key=lambda a: a.created)[-1]


def test_the_published_link_and_the_quality_report_show_a_hostile_title_as_text():
    ref = ArtifactRef(uri="file:///x/video.mp4", sha256="0" * 64, size=1, media_type="video/mp4")
    youtube = {"video_id": "abc", "url": "https://www.youtube.com/watch?v=abc&t=1 (x)"}
    reporting.show_publication(
        "l11",
        Publication(
            published=True, location="/tmp/out/published/l11/2026-12-07-x", video=ref, title=TITLE, youtube=youtube
        ),
    )
    link = latest("l11-published-video")
    for source in (str(link.data), link.description):
        found = list(tokens(source))
        assert not {"image", "html_inline", "html_block"} & {t.type for t in found}
        hrefs = [t.attrs["href"] for t in found if t.type == "link_open"]
        assert hrefs == ["https://www.youtube.com/watch?v=abc&t=1%20%28x%29"]  # the one link, to the video
        assert TITLE in "".join(t.content for t in found if t.type == "text")  # the title read back exactly
    report = QualityReport(
        analyzer="local",
        passed=False,
        checks=[QualityCheck(name="label-match", passed=False, detail=TITLE, at_seconds=1.0, scene_index=0)],
    )
    reporting.show_quality("l11", report, TITLE)
    quality = latest("l11-quality-report")
    for source in (str(quality.data), quality.description):
        assert not {"link_open", "image", "html_inline", "html_block"} & {t.type for t in tokens(source)}
