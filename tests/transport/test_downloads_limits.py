"""Allow-lists, the URL checker, API redirects (L3) and read limits (L8), against 127.0.0.1 servers only."""

from __future__ import annotations

import json
import threading

import httpx
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from framecast.core.errors import FramecastError, InvalidRequest
from framecast.providers.kling import client as kling
from framecast.providers.runway import client as runway
from framecast.transport.downloads import MediaPolicy, host_allowed
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy
from tests.transport.test_downloads import Server, redirect, reply, servers  # noqa: F401 (the fixture)

ENDLESS = 256 * 1024 * 1024  # what a hostile server offers; the client must stop long before


class Sent:
    """How much an endless body had written when its reader hung up."""

    def __init__(self):
        self.total, self.done = 0, threading.Event()

    def wait(self) -> int:
        assert self.done.wait(120), "the server never finished writing"
        return self.total


def endless(status: int, kind: str, sent: Sent):
    """A close-delimited body of up to 256 MiB, for a client that must hang up long before."""

    def answer(handler):
        handler.send_response(status)
        handler.send_header("content-type", kind)
        handler.end_headers()
        chunk = b'{"x": "' + b"a" * 65529
        try:
            while sent.total < ENDLESS:
                handler.wfile.write(chunk)
                sent.total += len(chunk)
        except OSError:
            pass
        sent.done.set()

    return answer


@pytest.mark.parametrize(
    "url",
    [
        "https://dnznrvs05pmza.cloudfront.net/5c1f.mp4?_jwt=eyJhbGciOi",
        "https://d2jqrm6oza8nb6.cloudfront.net/x.mp4",
        "https://runway-task-artifacts.s3.amazonaws.com/t/x.mp4",
        "https://media.runwayml.com/x.mp4",
    ],
)
def test_runways_real_media_hosts_are_accepted(url):
    assert MediaPolicy("runway", False, runway.MEDIA_HOSTS).check_url(url).host == httpx.URL(url).host


@pytest.mark.parametrize(
    "url",
    [
        "https://v16-kling-fdl.klingai.com/bs2/upload-ylab-stunt-sgp/muse/1/VIDEO/x.mp4",
        "https://s15-kling-fdl.klingai.com/bs2/x.mp4",
        "https://cdn.klingai.com/x.mp4",
    ],
)
def test_klings_real_media_hosts_are_accepted(url):
    assert MediaPolicy("kling", False, kling.MEDIA_HOSTS).check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://attacker-bucket.s3.amazonaws.com/x",
        "https://internal-app-123.us-east-1.elb.amazonaws.com/x",
        "https://storage.googleapis.com/any-bucket/x",
        "https://d1.cloudfront.net/x",
        "https://x.oss-cn-beijing.aliyuncs.com/x",
        "https://runway-task-artifacts.s3.amazonaws.com.evil.com/x",
        "https://evilrunwayml.com/x",
        "https://runwayml.com.evil.com/",
        "https://klingai.com.evil.com/x",
        "https://evilklingai.com/x",
        "http://127.0.0.1:1/x",
        "http://[::1]:1/x",
        "https://169.254.169.254/latest/meta-data/",
    ],
)
def test_anyones_bucket_or_distribution_is_refused(url):
    for provider, hosts in (("runway", runway.MEDIA_HOSTS), ("kling", kling.MEDIA_HOSTS)):
        with pytest.raises(InvalidRequest, match="refusing to download media"):
            MediaPolicy(provider, False, hosts).check_url(url)


def test_the_operator_sets_each_providers_media_hosts_but_never_a_shared_wildcard(monkeypatch):
    from pydantic import ValidationError

    from framecast import providers
    from framecast.settings import Settings, reset_settings
    from framecast.visuals.config import MotionConfig

    monkeypatch.setenv("RUNWAYML_API_SECRET", "key_0123456789abcdef")
    monkeypatch.setenv("FRAMECAST_MEDIA_HOSTS", json.dumps({"runway": ["media.example.org"]}))
    reset_settings()
    try:
        http = providers.video_generator(MotionConfig(provider="runway")).http
        assert http.media_policy(runway.MEDIA_HOSTS).hosts == ("media.example.org",)
        assert http.client.follow_redirects is False  # L3
    finally:
        reset_settings()
    for bad in ("*.amazonaws.com", "*.s3.amazonaws.com", "*.cloudfront.net", "https://x.com/", "*"):
        monkeypatch.setenv("FRAMECAST_MEDIA_HOSTS", json.dumps({"kling": [bad]}))
        with pytest.raises(ValidationError, match="FRAMECAST_MEDIA_HOSTS"):
            Settings(_env_file=None)


def test_an_api_redirect_to_another_origin_never_carries_the_key(servers, monkeypatch, tmp_path):
    from framecast import providers
    from framecast.settings import reset_settings

    b = servers({})
    a = servers({"/v1/sound-generation": redirect(b.url + "/steal", status=307)})
    monkeypatch.setenv("ELEVENLABS_API_KEY", "xi-secret-0123456789")
    monkeypatch.setenv("FRAMECAST_ELEVENLABS_BASE_URL", a.url)
    reset_settings()
    try:
        sounds = providers.sound_effects("elevenlabs")
        with pytest.raises(InvalidRequest, match="307"):
            sounds.generate("rain", seconds=1, out=tmp_path / "s")
    finally:
        reset_settings()
    assert a.seen[0][1]["xi-api-key"] == "xi-secret-0123456789" and b.seen == []


def client(base_url: str) -> ProviderHTTP:
    return ProviderHTTP("elevenlabs", httpx.Client(base_url=base_url, timeout=10), retry=RetryPolicy(attempts=1))


def test_an_endless_error_body_is_read_to_64_kib(servers, tmp_path):
    sent_api, sent_media = Sent(), Sent()
    a = servers({"/v1/x": endless(500, "application/json", sent_api), "/m.mp4": endless(404, "text/html", sent_media)})
    with pytest.raises(FramecastError, match="elevenlabs 500"):
        client(a.url).request("GET", "/v1/x")
    with pytest.raises(FramecastError, match="elevenlabs 404"):
        client(a.url).download(
            a.url + "/m.mp4", tmp_path / "m.mp4", allowed_hosts=(), max_bytes=1 << 20, content_types=("video/",)
        )
    assert sent_api.wait() < 16 << 20 and sent_media.wait() < 16 << 20


def test_an_oversized_json_reply_stops_at_the_limit(servers):
    sent = Sent()
    a = servers({"/v2/voices": endless(200, "application/json", sent)})
    with pytest.raises(InvalidRequest, match="the reply to GET /v2/voices is larger than 1048576 bytes"):
        client(a.url).json("GET", "/v2/voices", max_bytes=1 << 20)
    assert sent.wait() < 16 << 20


@pytest.mark.parametrize("kind, limit", [("sound", 4 << 20), ("music", 24 << 20)])
def test_elevenlabs_sound_and_music_bodies_stop_at_their_limits(servers, tmp_path, kind, limit):
    from framecast.providers.elevenlabs.client import ElevenLabsMusic, ElevenLabsSoundEffects

    sent = Sent()
    a = servers(
        {"/v1/sound-generation": endless(200, "audio/mpeg", sent), "/v1/music": endless(200, "audio/mpeg", sent)}
    )
    maker = (
        ElevenLabsSoundEffects(client(a.url)).generate if kind == "sound" else ElevenLabsMusic(client(a.url)).compose
    )
    with pytest.raises(InvalidRequest, match=f"larger than {limit} bytes"):
        maker("rain", seconds=5, out=tmp_path / "s")
    assert sent.wait() < limit + (16 << 20)


# -- the URL checker against httpx's own parse ---------------------------------------------------------------

HOSTS = ("dnznrvs05pmza.cloudfront.net", "*.klingai.com")
host_forms = st.sampled_from(["dnznrvs05pmza.cloudfront.net", "cdn.klingai.com"]) | st.sampled_from(
    [
        "dnznrvs05pmza.cloudfront.net",
        "DNZNRVS05PMZA.cloudfront.net.",
        "v16-kling-fdl.klingai.com",
        "klingai.com",
        "evil.com",
        "klingai.com.evil.com",
        "evilklingai.com",
        "x.cloudfront.net",
        "127.0.0.1",
        "127.1",
        "0x7f.1",
        "2130706433",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[fe80::1%25eth0]",
        "169.254.169.254",
        "localhost",
        "",
        "xn--80ak6aa92e.klingai.com",
        "ķling.klingai.com",
        "dnznrvs05pmza.cloudfront.net%2e",
        "a..klingai.com",
    ]
)
tricks = st.just("") | st.sampled_from(
    [
        "",
        "@evil.com",
        "\\@evil.com",
        "#@evil.com",
        "%2f@evil.com",
        "?@evil.com",
        "/@evil.com",
        ";@evil.com",
        "\\\\evil.com",
        "%00.evil.com",
        ".",
        "%40evil.com",
        "\t@evil.com",
    ]
)
userinfo = st.just("") | st.sampled_from(
    ["", "u@", "u:p@", "evil.com@", "dnznrvs05pmza.cloudfront.net@", "a%2f@", "x\\@", "x#@", "@"]
)
ports = st.sampled_from(["", ":443"]) | st.sampled_from(["", ":443", ":8443", ":0", ":65536", ":x", ":"])
schemes = st.just("https") | st.sampled_from(["https", "HTTPS", "http", "ftp", "file", "javascript", ""])
paths = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


asked: list[str] = []


def resolve(name: str, port: int) -> list[str]:
    asked.append(name)
    raise OSError("no lookups in tests")


kling_http = ProviderHTTP(
    "kling",
    httpx.Client(base_url="https://api-singapore.klingai.com"),  # one media client, reused
    retry=RetryPolicy(attempts=1),
    resolve=resolve,
    sleep=lambda s: None,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scheme=schemes, user=userinfo, host=host_forms, port=ports, trick=tricks, path=paths)
@example(scheme="https", user="", host="v16-kling-fdl.klingai.com", port="", trick="", path="x.mp4")
def test_the_checker_agrees_with_the_host_httpx_connects_to(tmp_path, scheme, user, host, port, trick, path):
    url = f"{scheme}://{user}{host}{port}{trick}/{path}"
    asked.clear()
    try:
        kling_http.download(url, tmp_path / "c.mp4", allowed_hosts=HOSTS, max_bytes=1 << 20, content_types=("video/",))
    except FramecastError:  # a refusal, or the connection that the resolver above cut short
        pass
    event("connected" if asked else "refused")
    if asked:  # it went as far as connecting: httpx's host is on the list, over https, without credentials
        parsed = httpx.URL(url)
        assert asked == [parsed.raw_host.decode("ascii")] and host_allowed(asked[0], HOSTS)
        assert parsed.scheme == "https" and not parsed.userinfo
