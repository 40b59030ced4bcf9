"""GoogleVideoAnalyzer through the real client (REST transport) against the sandbox."""

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import videointelligence_v1 as vi

from framecast.core.errors import InvalidRequest, ProviderTimeout, ProviderUnavailable
from framecast.media import ffmpeg
from framecast.providers.base import QualityPlan
from framecast.providers.google.client import GoogleVideoAnalyzer
from framecast.quality.check import judge
from framecast.sandbox import Fault
from framecast.transport.retry import RetryPolicy

NARRATION = ("Magma rises from deep below.", "Pressure builds under the crust.", "Then the volcano erupts.")


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    """Three visibly different 3 s scenes joined by 0.5 s dissolves, with a tone."""
    out = tmp_path_factory.mktemp("vi") / "v.mp4"
    colors = ["0x1f3a93", "0xc0392b", "0x27ae60"]
    inputs = sum((["-f", "lavfi", "-i", f"color={c}:s=320x180:r=12:d=3.5"] for c in colors), [])
    graph = (
        "[0:v][1:v]xfade=transition=dissolve:duration=0.5:offset=3[a];"
        "[a][2:v]xfade=transition=dissolve:duration=0.5:offset=6,format=yuv420p[v]"
    )
    ffmpeg.run(
        [
            *inputs,
            "-f",
            "lavfi",
            "-i",
            "sine=d=9.5",
            "-filter_complex",
            graph,
            "-map",
            "[v]",
            "-map",
            "3:a",
            "-shortest",
            "-c:v",
            "libx264",
            "-c:a",
            "aac",
            str(out),
        ],
        what="vi test video",
    )
    return out


def plan(**kw) -> QualityPlan:
    base = dict(
        width=320,
        height=180,
        fps=12,
        duration=9.5,
        scene_starts=(0.0, 3.0, 6.0),
        loudness_lufs=-14,
        loudness_tolerance=1.5,
        true_peak_max_db=-1,
        duration_tolerance=0.5,
        max_black_seconds=0.5,
        max_frozen_seconds=4,
        max_silence_seconds=3,
        caption_cues=3,
        narration=NARRATION,
        scene_prompts=("Magma: rising", "Pressure: building", "Eruption: volcano"),
        transition_seconds=(0.5, 0.5, 0.0),
        deadline_seconds=30,
    )
    return QualityPlan(**{**base, **kw})


@pytest.fixture
def analyzer(sandbox):
    client = vi.VideoIntelligenceServiceClient(
        transport="rest",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": sandbox.base_url("videointelligence")},
    )
    return GoogleVideoAnalyzer(client, RetryPolicy(attempts=2, base_delay=0.01))


def checked(analyzer, video, plan: QualityPlan):
    """What the analyzer found, judged by the quality stage."""
    return judge(analyzer.analyze(video, plan), plan)


def failed(report):
    return {c.name: c for c in report.failures}


def test_a_clean_video_passes_every_content_check(analyzer, video, sandbox):
    report = checked(analyzer, video, plan())
    assert report.passed, report.summary()
    assert {c.name for c in report.checks} >= {"shot-alignment", "explicit-content", "speech-transcript", "label-match"}
    assert report.measurements["shots"] == 3
    assert sandbox.state.calls("videointelligence", "annotate") == 1


def test_the_video_can_come_from_gcs(analyzer, video, gcs_bucket):
    client, bucket = gcs_bucket
    client.bucket(bucket).blob("v.mp4").upload_from_filename(str(video))
    assert checked(analyzer, video, plan(video_uri=f"gs://{bucket}/v.mp4")).passed


@pytest.mark.parametrize(
    "kind, check, scene",
    [
        ("explicit", "explicit-content", 0),
        ("misaligned", "shot-alignment", 1),
        ("wrong_narration", "speech-transcript", None),
    ],
)
def test_each_problem_fails_its_check_and_names_where(analyzer, video, sandbox, kind, check, scene):
    sandbox.state.inject("videointelligence", "annotate", Fault(kind=kind))
    report = checked(analyzer, video, plan())
    assert not report.passed and check in failed(report)
    assert any(c.scene_index == scene for c in report.failures if c.name == check)


def test_api_errors_and_operation_errors_are_translated(analyzer, video, sandbox):
    sandbox.state.inject("videointelligence", "annotate", Fault(status=503), times=2)
    with pytest.raises(ProviderUnavailable):
        analyzer.analyze(video, plan())
    assert sandbox.state.calls("videointelligence", "annotate") == 2  # retried once, by framecast only
    sandbox.state.inject("videointelligence", "annotate", Fault(kind="operation_error"))
    with pytest.raises(InvalidRequest, match="corrupt"):
        analyzer.analyze(video, plan())


def test_an_operation_that_never_finishes_hits_the_deadline(analyzer, video, sandbox):
    sandbox.state.inject("videointelligence", "annotate", Fault(kind="slow"))
    with pytest.raises(ProviderTimeout):
        analyzer.analyze(video, plan(deadline_seconds=2))
