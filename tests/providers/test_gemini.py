"""The Gemini analyzer through the official google-genai SDK against the sandbox's Gemini fake, and the gate
checks, fallback chain, pre-flight and price it feeds."""

import pytest

from framecast import providers
from framecast.context import Services
from framecast.core.errors import AuthError, InvalidRequest, QuotaExhausted
from framecast.core.models import CaptionFiles, Scene, SceneSlot, Script, Timeline, Transition, VideoAsset
from framecast.cost import pricing
from framecast.cost.ledger import default_url
from framecast.cost.meter import Meter
from framecast.media import ffmpeg
from framecast.providers.base import QualityPlan
from framecast.providers.gemini import DEFAULT_MODEL, OUTPUT_WEIGHT, estimate_tokens
from framecast.providers.gemini.sandbox import google_error
from framecast.quality import gate
from framecast.quality.check import check, judge
from framecast.quality.config import QualityConfig
from framecast.sandbox import Fault
from framecast.sandbox.server import SANDBOX_KEY
from framecast.settings import get_settings, reset_settings
from framecast.transport.retry import RetryPolicy

NARRATION = ("Magma rises from deep below.", "Then the volcano erupts.")
PROMPTS = ("magma chamber under a volcano; flat style", "volcano erupting lava; flat style")
# Gemini's answer to a used-up daily quota: a 429 whose QuotaFailure names a per-day quota.
DAILY = google_error(429, "You exceeded your current quota, please check your plan and billing details.")
DAILY["error"]["details"] = [
    {
        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
        "violations": [
            {"quotaMetric": "generate_content_requests", "quotaId": "GenerateRequestsPerDayPerProjectPerModel"}
        ],
    }
]
BAD_KEY = google_error(400, "API key not valid. Please pass a valid API key.")
BAD_KEY["error"]["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    """Two 3 s scenes with a tone (320x180)."""
    out = tmp_path_factory.mktemp("gemini") / "v.mp4"
    ffmpeg.run(
        ["-f", "lavfi", "-i", "testsrc=s=320x180:r=12:d=6", "-f", "lavfi", "-i", "sine=d=6", "-shortest"]
        + ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", str(out)],
        what="gemini test video",
    )
    return out


@pytest.fixture
def env(sandbox, monkeypatch, tmp_path):
    """Every provider pointed at the sandbox (Gemini's key, base URL and poll interval among them)."""
    for key, value in sandbox.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path / "out"))
    reset_settings()
    yield sandbox
    reset_settings()


def plan(**kw) -> QualityPlan:
    base = dict(width=320, height=180, fps=12, duration=6.0, scene_starts=(0.0, 3.0), loudness_lufs=-14)
    base |= dict(loudness_tolerance=1.5, true_peak_max_db=-1, duration_tolerance=0.75, max_black_seconds=0.5)
    base |= dict(max_frozen_seconds=4, max_silence_seconds=3, caption_cues=2, narration=NARRATION)
    return QualityPlan(**(base | dict(scene_prompts=PROMPTS) | kw))


def analyze(video, **kw):
    analyzer = providers.video_analyzer_model("gemini", None)
    analyzer.retry = RetryPolicy(base_delay=0.01, jitter=0.0)  # the real policy, without its second of backoff
    return analyzer.analyze(video, plan(**kw))


def test_the_sdk_uploads_asks_for_json_by_schema_and_deletes_the_upload(env, video):
    found = analyze(video)
    calls = {e: env.state.calls("gemini", e) for e in ("files.create", "files.upload", "files.get")}
    calls |= {e: env.state.calls("gemini", e) for e in ("generateContent", "files.delete")}
    assert calls == {"files.create": 1, "files.upload": 1, "files.get": 1, "generateContent": 1, "files.delete": 1}
    assert not [k for k in env.state.tasks if k.startswith("gemini-file-")]  # deleted at the fake
    sent = env.state.last_body[("gemini", "generateContent")]["generationConfig"]
    assert sent["responseMimeType"] == "application/json"
    assert sent["responseSchema"]["required"] == ["scenes", "transcript"]
    assert found.transcript == " ".join(NARRATION)
    assert [r.index for r in found.scene_reviews] == [0, 1] and found.findings.shots_known is False
    assert ("volcano", 3.0, 6.0) in found.findings.labels and found.measurements["billed_tokens"] > 0


def test_the_answer_feeds_the_gates_checks_and_no_shot_check(env, video):
    report = judge(analyze(video), plan())
    names = {c.name for c in report.checks}
    assert {"speech-transcript", "explicit-content", "label-match", "scene-match", "caption-match"} <= names
    assert "text-legibility" in names and "shot-alignment" not in names
    assert report.passed, report.summary()


def test_a_scene_that_does_not_match_fails_with_its_index_and_is_sent_back(env, video):
    env.state.inject("gemini", "generateContent", Fault(kind="mismatch"))
    report = judge(analyze(video), plan())
    [bad] = report.failures
    assert (bad.name, bad.scene_index, bad.at_seconds) == ("scene-match", 1, 3.0)
    assert gate.scenes_to_regenerate(report.failures) == [1]
    env.state.inject("gemini", "generateContent", Fault(kind="captions"))
    env.state.inject("gemini", "generateContent", Fault(kind="explicit"))
    captions = judge(analyze(video), plan()).failures
    assert [(c.name, c.scene_index) for c in captions] == [("caption-match", 0)]
    assert gate.scenes_to_regenerate(captions) == []  # a new picture cannot fix captions
    explicit = judge(analyze(video), plan()).failures
    assert [(c.name, c.scene_index) for c in explicit] == [("explicit-content", 0)]


@pytest.mark.parametrize(
    "status, body, error",
    [(401, None, AuthError), (403, None, AuthError), (429, DAILY, QuotaExhausted), (400, BAD_KEY, AuthError)],
)
def test_errors_after_the_upload_map_to_framecast_errors_and_the_upload_is_deleted(env, video, status, body, error):
    env.state.inject("gemini", "generateContent", Fault(status=status, body=body))
    with pytest.raises(error) as info:
        analyze(video)
    text = str(info.value)
    assert text.startswith("quality: gemini models.generateContent") and SANDBOX_KEY not in text
    assert info.value.provider == "gemini" and info.value.status == status
    assert env.state.calls("gemini", "generateContent") == 1  # permanent: not retried (each moves to the fallback)
    assert env.state.calls("gemini", "files.delete") == 1


@pytest.mark.parametrize("fault", [Fault(status=500), Fault(status=429, retry_after="0.05")], ids=["500", "429"])
def test_a_transient_error_is_retried_by_framecasts_policy_not_the_sdks(env, video, fault):
    env.state.inject("gemini", "generateContent", fault)
    found = analyze(video)
    assert found.transcript and env.state.calls("gemini", "generateContent") == 2
    assert env.state.early[("gemini", "generateContent")] == 0  # a 429's Retry-After was waited out


def test_an_upload_google_could_not_process_is_refused_and_deleted(env, video):
    env.state.inject("gemini", "files.get", Fault(kind="failed"))
    with pytest.raises(InvalidRequest, match=r"files/\w+ is FAILED: the video could not be processed"):
        analyze(video)
    assert env.state.calls("gemini", "generateContent") == 0 and env.state.calls("gemini", "files.delete") == 1


def gate_inputs(video, tmp_path):
    ref = Services(get_settings()).store.put(video, "video/mp4")
    slots = [
        SceneSlot(
            index=i,
            start=3.0 * i,
            duration=3.0,
            transition_out=Transition.cut,
            transition_seconds=0.0,
            narration_start=3.0 * i,
        )
        for i in range(2)
    ]
    script = Script(title="Volcanoes", scenes=[Scene(narration=n, visual_prompt=p) for n, p in zip(NARRATION, PROMPTS)])
    captions = CaptionFiles(srt=ref, vtt=ref, ass=ref, cue_count=2)
    meter = Meter.open(default_url(tmp_path), run="c/2026-12-07/r", channel="c", day="2026-12-07")
    return (
        VideoAsset(ref=ref, duration=6.0, width=320, height=180, fps=12),
        Timeline(slots=slots, total=6.0),
        captions,
        script,
        meter,
    )


def run_gate(video, tmp_path, q: QualityConfig, meter=None):
    asset, timeline, captions, script, fresh = gate_inputs(video, tmp_path)
    from framecast.edit.config import VideoFormat

    fmt = VideoFormat(width=320, height=180, fps=12)
    return check(asset, timeline, captions, q, fmt, "en", meter or fresh, script, services=Services(get_settings()))


def test_a_gemini_quota_falls_back_to_google_and_the_run_remembers_it(env, video, tmp_path):
    q = QualityConfig(analyzers=["gemini"], fallback=["google", "local"])
    env.state.inject("gemini", "generateContent", Fault(status=429, body=DAILY))
    meter = gate_inputs(video, tmp_path)[-1]
    report = run_gate(video, tmp_path, q, meter)
    calls_before = env.state.calls("gemini")
    assert report.analyzer == "google"
    [note] = [c for c in report.checks if c.name == "cloud-eye"]
    assert "gemini: quota used up" in note.detail and "google judged instead" in note.detail
    # Later in the same run gemini is not asked again (here the chain's next is local checks only).
    again = run_gate(video, tmp_path, QualityConfig(analyzers=["gemini"], fallback=["local"]), meter)
    assert again.analyzer == "local" and env.state.calls("gemini") == 0 + calls_before
    assert "gemini: quota used up" in next(c.detail for c in again.checks if c.name == "cloud-eye")
    billed = {(e["provider"], e["unit"]) for e in meter.entries() if e["provider"] != "local"}
    assert billed == {("google", "minute")}  # the refused gemini call reserved, then released


def test_no_gemini_key_and_google_refused_leaves_local_checks_only(env, video, tmp_path, monkeypatch):
    monkeypatch.delenv("GEMINI_API_KEY")
    reset_settings()
    env.state.inject("videointelligence", "annotate", Fault(status=401))
    report = run_gate(video, tmp_path, QualityConfig(analyzers=["gemini"], fallback=["google", "local"]))
    assert report.analyzer == "local"
    [note] = [c for c in report.checks if c.name == "cloud-eye"]
    assert "GEMINI_API_KEY is not set" in note.detail and "google: credentials refused" in note.detail
    assert note.detail.endswith("local checks only") and env.state.calls("gemini") == 0


def test_a_gemini_call_is_billed_by_the_tokens_google_counted(env, video, tmp_path):
    meter = gate_inputs(video, tmp_path)[-1]
    report = run_gate(video, tmp_path, QualityConfig(analyzers=["gemini"]), meter)
    assert report.analyzer == "gemini" and report.passed, report.summary()
    [entry] = [e for e in meter.entries() if e["provider"] == "gemini"]
    assert (entry["unit"], entry["model"]) == ("token", DEFAULT_MODEL)
    assert entry["units"] == report.measurements["billed_tokens"] != estimate_tokens(6.0)
    assert entry["usd"] == pricing.cost("gemini", "quality", entry["units"]) > 0
    # 0.75 USD per 1M input tokens; an output token weighs 5 (3.75 USD per 1M)
    assert pricing.price("gemini", "quality") == (0.75 / 1e6, "token") and OUTPUT_WEIGHT == 5


def test_the_fallback_chain_is_checked_field_by_field():
    with pytest.raises(ValueError, match="quality.fallback .* needs exactly one cloud analyzer"):
        QualityConfig(analyzers=["local"], fallback=["google"])
    with pytest.raises(ValueError, match="local .* can only be the last entry"):
        QualityConfig(analyzers=["gemini"], fallback=["local", "google"])
    with pytest.raises(ValueError, match="names an analyzer twice"):
        QualityConfig(analyzers=["gemini"], fallback=["gemini"])
    with pytest.raises(ValueError, match="fallbak"):
        QualityConfig(analyzers=["gemini"], fallbak=["google"])
    assert QualityConfig(analyzers=["local", "gemini"], fallback=["google", "local"]).cloud_chain() == [
        "gemini",
        "google",
        "local",
    ]
