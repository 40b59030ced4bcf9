"""The shared HTTP layer against the sandbox: translation, retries, Retry-After, downloads."""

import base64
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, quote_plus

import httpx
import pytest

from framecast.core.errors import (
    AuthError,
    InvalidRequest,
    ProviderTimeout,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
)
from framecast.sandbox import Fault
from framecast.transport.errors import classify, parse_retry_after, redact
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RateLimiter, RetryPolicy

KEY = "sk-test-0123456789abcdef"
ENDPOINT = "/v1/text-to-speech/voice/with-timestamps"
BODY = {"text": "Hello there.", "model_id": "eleven_multilingual_v2"}


@pytest.fixture
def waits():
    return []


@pytest.fixture
def http(sandbox, waits):
    client = httpx.Client(base_url=sandbox.base_url("elevenlabs"), headers={"xi-api-key": KEY}, timeout=2.0)
    yield ProviderHTTP(
        "elevenlabs", client, secrets=[KEY], retry=RetryPolicy(attempts=3, base_delay=0.01), sleep=waits.append
    )
    client.close()


def test_parse_retry_after_seconds_and_http_date():
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    later = (now + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(later, now) == 30.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.parametrize(
    "status, message, expected",
    [
        (401, "bad key", AuthError),
        (429, "slow down", RateLimited),
        (429, "insufficient_quota", QuotaExhausted),
        (503, "busy", ProviderUnavailable),
        (408, "timeout", ProviderUnavailable),
        (422, "bad field", InvalidRequest),
    ],
)
def test_classify(status, message, expected):
    assert type(classify("p", status, message)) is expected


def test_rate_limit_is_retried_no_sooner_than_retry_after(http, sandbox, waits):
    sandbox.state.inject("elevenlabs", "tts.with_timestamps", Fault(kind="concurrent", retry_after="2"))
    body = http.json("POST", ENDPOINT, json=BODY)
    assert body["audio_base64"]
    assert sandbox.state.calls("elevenlabs", "tts.with_timestamps") == 2
    assert waits and waits[0] >= 2.0


def test_server_errors_are_retried_then_surface_as_retryable(http, sandbox, waits):
    sandbox.state.inject("elevenlabs", "tts.with_timestamps", Fault(status=503), times=3)
    with pytest.raises(ProviderUnavailable, match="503"):
        http.json("POST", ENDPOINT, json=BODY)
    assert sandbox.state.calls("elevenlabs") == 3 and len(waits) == 2


def test_permanent_errors_are_not_retried_and_secrets_never_leak(sandbox, waits):
    client = httpx.Client(base_url=sandbox.base_url("elevenlabs"), headers={"xi-api-key": ""}, timeout=2.0)
    http = ProviderHTTP("elevenlabs", client, secrets=[KEY], retry=RetryPolicy(base_delay=0.01), sleep=waits.append)
    with pytest.raises(AuthError) as info:
        http.json("POST", ENDPOINT, json={**BODY, "text": f"my key is {KEY}"})
    assert sandbox.state.calls("elevenlabs") == 1 and waits == []
    assert KEY not in str(info.value)
    assert redact(f"Bearer {KEY}", [KEY]) == "Bearer ***"


def test_a_long_retry_after_is_handed_to_the_task_retry(http, sandbox, waits):
    sandbox.state.inject("elevenlabs", "tts.with_timestamps", Fault(status=429, retry_after="600"))
    with pytest.raises(RateLimited) as info:
        http.json("POST", ENDPOINT, json=BODY)
    assert info.value.retry_after == 600 and waits == []


def test_timeouts_are_retryable(http, sandbox):
    sandbox.state.inject("elevenlabs", "tts.with_timestamps", Fault(kind="timeout", delay=2.5), times=3)
    with pytest.raises(ProviderTimeout):
        http.json("POST", ENDPOINT, json=BODY)


def test_malformed_json_is_a_clear_retryable_error(http, sandbox):
    sandbox.state.inject("elevenlabs", "tts.with_timestamps", Fault(kind="malformed"))
    with pytest.raises(ProviderUnavailable, match="malformed JSON"):
        http.json("POST", ENDPOINT, json=BODY)


def test_downloads_refuse_foreign_hosts_plain_http_and_wrong_types(http, sandbox, tmp_path):
    with pytest.raises(InvalidRequest, match="not one elevenlabs serves from"):
        http.download(
            "https://evil.example.com/x.mp4",
            tmp_path / "x",
            allowed_hosts=("elevenlabs.io",),
            max_bytes=10,
            content_types=("video/",),
        )
    production = ProviderHTTP("elevenlabs", httpx.Client(base_url="https://api.elevenlabs.io"))
    with pytest.raises(InvalidRequest, match="over http"):
        production.download(
            "http://elevenlabs.io/x.mp4",
            tmp_path / "x",
            allowed_hosts=("elevenlabs.io",),
            max_bytes=10,
            content_types=("video/",),
        )
    with pytest.raises(InvalidRequest, match="expected video/"):
        http.download(
            sandbox.url + "/__sandbox/counters",
            tmp_path / "x",
            allowed_hosts=(),
            max_bytes=1000,
            content_types=("video/",),
        )
    assert not (tmp_path / "x").exists()


def test_rate_limiter_spaces_requests():
    import time

    limiter = RateLimiter(rpm=600, concurrency=2)  # one every 0.1 s
    start = time.monotonic()
    for _ in range(4):
        with limiter.slot():
            pass
    assert time.monotonic() - start >= 0.29


def test_provider_variants_of_retry_after():
    from framecast.transport.errors import retry_after_from

    assert retry_after_from({"retry-after-ms": "1500"}) == "1.5"
    assert retry_after_from({"retry-after": "3"}) == "3"
    assert float(retry_after_from({"x-ratelimit-reset-requests": "6m0s"})) == 360
    assert float(retry_after_from({"x-ratelimit-reset-tokens": "20ms"})) == 0.02
    assert retry_after_from({}) is None


def test_latency_knob_and_reset_through_the_control_api(sandbox):
    import time

    httpx.post(sandbox.url + "/__sandbox/latency", params={"provider": "elevenlabs", "seconds": 0.3})
    start = time.monotonic()
    httpx.get(sandbox.base_url("elevenlabs") + "/v2/voices", headers={"xi-api-key": "k"})
    assert time.monotonic() - start >= 0.3
    httpx.post(sandbox.url + "/__sandbox/reset")
    assert httpx.get(sandbox.url + "/__sandbox/counters").json() == {}


def test_a_rate_limit_is_waited_out_for_the_providers_window_not_four_fast_attempts(http, sandbox, waits):
    # A one-minute window: six 429s with Retry-After 10 s; four attempts alone would give up after 30 s.
    sandbox.state.inject("elevenlabs", "tts.with_timestamps", Fault(status=429, retry_after="10"), times=6)
    assert http.request("POST", ENDPOINT, json=BODY).status_code == 200
    assert sandbox.state.calls("elevenlabs", "tts.with_timestamps") == 7 and sum(waits) >= 60


def test_a_rate_limit_beyond_the_time_budget_gives_up_and_says_where_and_how_long(http, sandbox, waits):
    sandbox.state.inject("elevenlabs", "tts.with_timestamps", Fault(status=429, retry_after="50"), times=5)
    with pytest.raises(RateLimited) as info:
        http.request("POST", ENDPOINT, json=BODY)
    assert sum(waits) <= 120 and info.value.attempts_exhausted
    assert str(info.value).endswith(f"— POST {ENDPOINT}, waited 100 s (3 attempts)")


def test_a_failure_names_the_stage_the_endpoint_and_the_attempts(http, sandbox, tmp_path):
    from framecast.cost.ledger import default_url
    from framecast.cost.meter import Meter

    meter = Meter.open(default_url(tmp_path), run="c/2026-12-01/r", channel="c", day="2026-12-01")
    sandbox.state.inject("elevenlabs", "tts.with_timestamps", Fault(status=503), times=3)
    with pytest.raises(ProviderUnavailable) as info:
        with meter.charge(provider="elevenlabs", role="voice", units=12, unit="character"):
            http.request("POST", ENDPOINT, json=BODY)
    assert str(info.value).startswith("voice: elevenlabs 503: ") and str(info.value).endswith(
        f"— POST {ENDPOINT} (3 attempts)"
    )


def test_stabilitys_error_shape_is_read_like_the_others():
    from framecast.transport.errors import default_error_reader

    response = httpx.Response(
        400,
        json={"id": "a1b2", "name": "bad_request", "errors": ["height: must be a multiple of 64", "seed: too large"]},
    )
    assert default_error_reader(response) == ("height: must be a multiple of 64; seed: too large", "bad_request")


def test_the_sandbox_counts_a_retry_sooner_than_its_retry_after(sandbox):
    import time as clock

    client = httpx.Client(base_url=sandbox.base_url("elevenlabs"), headers={"xi-api-key": KEY}, timeout=5.0)
    patient = ProviderHTTP("elevenlabs", client, secrets=[KEY], retry=RetryPolicy(base_delay=0.01), sleep=clock.sleep)
    sandbox.state.inject("elevenlabs", "tts.with_timestamps", Fault(status=429, retry_after="0.4"))
    patient.request("POST", ENDPOINT, json=BODY)
    assert sum(sandbox.state.early.values()) == 0
    hasty = ProviderHTTP(
        "elevenlabs", client, secrets=[KEY], retry=RetryPolicy(base_delay=0.01), sleep=lambda seconds: None
    )  # a client that ignores Retry-After
    sandbox.state.inject("elevenlabs", "tts.with_timestamps", Fault(status=429, retry_after="5"))
    hasty.request("POST", ENDPOINT, json=BODY)
    assert sandbox.state.early[("elevenlabs", "tts.with_timestamps")] == 1
    client.close()


def test_the_api_key_never_goes_to_a_media_host_other_than_the_apis(tmp_path):
    import subprocess
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen = []
    clip = tmp_path / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=d=1:s=64x48:r=10", "-pix_fmt", "yuv420p", str(clip)],
        check=True,
    )

    class Media(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            seen.append({k.lower(): v for k, v in self.headers.items()})
            body = clip.read_bytes()  # a real MP4: downloads are probed before they are kept
            self.send_response(200)
            self.send_header("content-type", "video/mp4")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Media)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    api = httpx.Client(base_url=f"http://localhost:{port}", headers={"Authorization": f"Bearer {KEY}"})
    http = ProviderHTTP("runway", api, secrets=[KEY])
    try:
        http.download(
            f"http://127.0.0.1:{port}/clip.mp4",
            tmp_path / "a.mp4",
            allowed_hosts=(),
            max_bytes=1 << 20,
            content_types=("video/",),
        )  # another host (a CDN): no key
        http.download(
            f"http://localhost:{port}/clip.mp4",
            tmp_path / "b.mp4",
            allowed_hosts=(),
            max_bytes=1 << 20,
            content_types=("video/",),
        )  # the API's own host serves it: the key is what it expects
    finally:
        server.shutdown()
        api.close()
    assert "authorization" not in seen[0] and seen[1]["authorization"] == f"Bearer {KEY}"


def _chain(exc: BaseException) -> str:
    """Everything a traceback of `exc` prints: its text and every cause's and context's."""
    import traceback

    return "".join(traceback.format_exception(exc))


def test_a_key_quoted_by_h11_in_repr_form_never_reaches_the_error_or_its_causes(sandbox, waits):
    """M1: h11 writes an illegal header value as a repr (`\\n` as two characters): the raw key no longer matched."""
    raw = KEY + "\n"
    client = httpx.Client(base_url=sandbox.base_url("elevenlabs"), headers={"xi-api-key": raw}, timeout=2.0)
    http = ProviderHTTP("elevenlabs", client, secrets=[raw], retry=RetryPolicy(attempts=1), sleep=waits.append)
    with pytest.raises(ProviderUnavailable) as info:
        http.json("POST", ENDPOINT, json=BODY)
    text = _chain(info.value)
    assert "LocalProtocolError" in text and "Illegal header value" in text  # still says what went wrong
    assert KEY not in text and "0123456789abcdef" not in text
    assert isinstance(info.value.__cause__, httpx.LocalProtocolError)  # callers still ask "was it sent?"


@pytest.mark.parametrize(
    "form",
    [
        lambda s: s,
        lambda s: repr(s)[1:-1],
        lambda s: repr(s.encode())[2:-1],
        lambda s: json.dumps(s)[1:-1],
        lambda s: quote(s, safe=""),
        quote_plus,
        str.strip,
        lambda s: base64.b64encode(s.strip().encode()).decode(),
    ],
)
def test_redact_covers_escaped_encoded_and_stripped_forms(form):
    secret = 'sk/proj+KEY="it\'s"-é-\t0123\n'
    text = f"before {form(secret)} after"
    assert redact(text, [secret]) == "before *** after"


def test_an_error_body_echoing_the_key_url_encoded_is_redacted(sandbox):
    odd = 'sk-"quoted"-key/0123456789'
    client = httpx.Client(base_url=sandbox.base_url("elevenlabs"), headers={"xi-api-key": odd}, timeout=2.0)
    http = ProviderHTTP("elevenlabs", client, secrets=[odd], retry=RetryPolicy(attempts=1))
    echo = {"detail": {"status": "invalid_api_key", "message": f"bad key {quote(odd)}"}}
    sandbox.state.inject("elevenlabs", "tts.with_timestamps", Fault(status=401, body=echo))
    with pytest.raises(AuthError) as info:
        http.json("POST", ENDPOINT, json=BODY)
    assert "quoted" not in _chain(info.value) and "***" in str(info.value)


def test_a_key_cut_off_by_the_error_body_limit_is_masked_too(sandbox):
    """The reader keeps 300 characters of a non-JSON body: a key straddling that edge left its first part."""
    from framecast.transport.errors import translate_response

    body = "x" * 290 + f"key={KEY} rest"
    error = translate_response("elevenlabs", httpx.Response(502, text=body), secrets=[KEY])
    assert KEY[:6] not in str(error) and str(error).endswith("key=***")
