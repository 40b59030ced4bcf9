"""Text from topics, scripts and providers stays text in Prefect's markdown artifacts (issue 17, review L11)."""

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from framecast.core.models import QualityCheck, QualityReport
from framecast.core.safe_text import markdown
from framecast.report import quality_card, quality_markdown

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
FORBIDDEN = {"link_open", "image", "html_inline", "html_block", "autolink"}
HOSTILE = [
    "![](http://host/x)",
    "x](http://evil) [y",
    "[a]: http://evil",
    "<http://evil>",
    "<img src=x>",
    "www.evil.com",
    "https://evil.example/p",
    "| cell |",
    "**bold**",
    "`code`",
    "# heading",
    "\\",
    "&amp;",
    "[x][1]\n\n[1]: http://evil",
    "~~s~~",
    "<!-- c -->",
    "javascript:alert(1)",
    "\n\n---\n",
    "1. item",
]
texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=60),
    st.lists(st.sampled_from(HOSTILE + ["a", " ", "(", ")", "[", "]", "!", ":", "."]), max_size=12).map("".join),
)


def tokens(source: str):
    for token in PARSER.parse(source):
        yield token
        yield from token.children or []


def inline_text(source: str) -> str:
    return "".join(t.content for t in tokens(source) if t.type in ("text", "code_inline"))


@settings(max_examples=200, deadline=None)
@given(texts)
@example("![](http://host/x)")
@example("x](http://evil) [y")
def test_escaped_text_never_forms_a_link_image_or_html_and_reads_back_exactly(text):
    escaped = markdown(text)
    assert "\n" not in escaped and "://" not in escaped and "www." not in escaped.lower()  # no GFM autolink either
    source = f"A {escaped} Z"
    assert not FORBIDDEN & {t.type for t in tokens(source)}
    flat = re.sub("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", " ", text)
    assert inline_text(source) == f"A {flat} Z".strip().replace("\r", " ")


@settings(max_examples=150, deadline=None)
@given(texts, texts, texts)
def test_the_quality_report_and_card_keep_titles_and_details_as_text(title, detail, name):
    report = QualityReport(
        analyzer="local",
        passed=False,
        measurements={"x": 1.0},
        checks=[
            QualityCheck(name=name or "check", passed=False, detail=detail, at_seconds=1.0, scene_index=0),
            QualityCheck(name="codec", passed=True, detail="ok"),
        ],
    )
    for source in (quality_markdown(report, title), quality_card(report)):
        assert not FORBIDDEN & {t.type for t in tokens(source)}
    table = [t for t in tokens(quality_markdown(report, title)) if t.type == "tr_open"]
    cells = [t for t in tokens(quality_markdown(report, title)) if t.type in ("td_open", "th_open")]
    assert len(table) == 1 + 2 + 1 + 1 and len(cells) == 5 * 3 + 2 * 2  # every row keeps its cells
