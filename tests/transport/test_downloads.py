"""Media downloads cannot be turned against the worker (review M3): redirects, hosts, addresses, formats.

Real HTTP servers on 127.0.0.1 stand in for a provider's media host; production-mode checks get an
injected resolver, so no test ever looks a name up or reaches past this machine.
"""

from __future__ import annotations

import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from framecast.core.errors import InvalidRequest, MediaError
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy

KEY = "rw-test-0123456789abcdef"
RUNWAY_CDN = "https://dnznrvs05pmza.cloudfront.net/3f1c.mp4?_jwt=abc"


class Server:
    """A 127.0.0.1 server answering each GET with `routes[path](handler)`; it records what it saw."""

    def __init__(self, routes: dict):
        self.seen: list[tuple[str, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                outer.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                self.rfile.read(int(self.headers.get("content-length") or 0))  # a POST's body, read as servers do
                routes.get(self.path.split("?")[0], lambda h: h.send_error(404))(self)

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def reply(body: bytes, kind: str = "video/mp4", status: int = 200):
    def answer(handler):
        handler.send_response(status)
        handler.send_header("content-type", kind)
        handler.send_header("content-length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def redirect(location: str, status: int = 302):
    def answer(handler):
        handler.send_response(status)
        handler.send_header("location", location)
        handler.send_header("content-length", "0")
        handler.end_headers()

    return answer


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """A real one-second MP4."""
    path = tmp_path_factory.mktemp("media") / "clip.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=d=1:s=64x48:r=10",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
    )
    return path.read_bytes()


@pytest.fixture
def servers():
    made = []

    def make(routes):
        made.append(Server(routes))
        return made[-1]

    yield make
    for server in made:
        server.close()


def client(base_url: str, **kwargs) -> ProviderHTTP:
    # Even an API client set to follow redirects (as all were before) must not make downloads follow them unchecked.
    api = httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=5.0, follow_redirects=True
    )
    kwargs.setdefault("retry", RetryPolicy(attempts=1))
    return ProviderHTTP("runway", api, secrets=[KEY], sleep=lambda s: None, **kwargs)


def get(http: ProviderHTTP, url: str, dest, hosts=("dnznrvs05pmza.cloudfront.net",)):
    return http.download(url, dest, allowed_hosts=hosts, max_bytes=1 << 20, content_types=("video/",))


def test_a_redirect_on_loopback_is_followed_by_hand_to_the_clip(servers, clip, tmp_path):
    a = servers({"/r": redirect("/clip.mp4"), "/clip.mp4": reply(clip)})
    got = get(client(a.url), a.url + "/r", tmp_path / "c.mp4")
    assert got.size == len(clip) and [p for p, _ in a.seen] == ["/r", "/clip.mp4"]


@pytest.mark.parametrize(
    "target",
    [
        "http://127.1:{port}/meta",
        "http://0x7f.1:{port}/meta",
        "http://2130706433:{port}/meta",
        "http://[::ffff:127.0.0.1]:{port}/meta",
        "http://user@127.0.0.1:{port}/meta",
        "ftp://127.0.0.1:{port}/meta",
    ],
)
def test_a_redirect_is_checked_at_the_hop_and_the_target_never_asked(servers, clip, tmp_path, target):
    b = servers({"/meta": reply(clip)})
    a = servers({"/r": redirect(target.format(port=b.port))})
    with pytest.raises(InvalidRequest, match="refusing to download media"):
        get(client(a.url), a.url + "/r", tmp_path / "c.mp4")
    assert len(a.seen) == 1 and b.seen == [] and not (tmp_path / "c.mp4").exists()


def test_more_than_three_redirects_are_refused(servers, clip, tmp_path):
    b = servers({"/clip.mp4": reply(clip)})
    a = servers({"/0": redirect("/1"), "/1": redirect("/2"), "/2": redirect("/3"), "/3": redirect(b.url + "/clip.mp4")})
    with pytest.raises(InvalidRequest, match="more than 3 redirects"):
        get(client(a.url), a.url + "/0", tmp_path / "c.mp4")
    assert b.seen == []


def test_in_production_a_redirect_off_the_list_or_to_http_is_refused_at_the_hop(tmp_path):
    seen = []

    def cdn(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"location": next_hop})

    http = client("https://api.dev.runwayml.com", media_transport=httpx.MockTransport(cdn))
    for next_hop in (
        "https://attacker-bucket.s3.amazonaws.com/x.mp4",
        "http://dnznrvs05pmza.cloudfront.net/x",
        "https://169.254.169.254/latest/meta-data/",
    ):
        seen.clear()
        with pytest.raises(InvalidRequest, match="refusing to download media"):
            get(http, RUNWAY_CDN, tmp_path / "c.mp4")
        assert seen == [RUNWAY_CDN]  # the first hop only


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fd00::5",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "2002:a9fe:a9fe::1",
    ],
)
def test_in_production_an_allowed_host_resolving_to_an_inner_address_is_refused(tmp_path, address):
    asked = []

    def resolve(host, port):
        asked.append((host, port))
        return ["93.184.216.34", address]  # one good answer is not enough: every one must be public

    with pytest.raises(InvalidRequest, match=f"resolves to {address}"):
        get(client("https://api.dev.runwayml.com", resolve=resolve), RUNWAY_CDN, tmp_path / "c.mp4")
    assert asked == [("dnznrvs05pmza.cloudfront.net", 443)]


def test_loopback_media_is_allowed_only_when_the_api_is_on_loopback(servers, clip, tmp_path):
    media = servers({"/clip.mp4": reply(clip)})
    production = client(
        "https://api.dev.runwayml.com", media_hosts=("localhost",), resolve=lambda host, port: ["127.0.0.1"]
    )
    with pytest.raises(InvalidRequest, match="over http"):
        get(production, media.url + "/clip.mp4", tmp_path / "c.mp4")
    with pytest.raises(InvalidRequest, match="resolves to 127.0.0.1, which is loopback"):
        get(production, f"https://localhost:{media.port}/clip.mp4", tmp_path / "c.mp4")
    assert media.seen == []
    sandbox = client(f"http://127.0.0.1:{media.port}", resolve=lambda host, port: ["127.0.0.1"])
    assert get(sandbox, f"http://localhost:{media.port}/clip.mp4", tmp_path / "c.mp4").size == len(clip)
    with pytest.raises(InvalidRequest, match="is not loopback"):  # a loopback API's media from elsewhere
        get(client(media.url, resolve=lambda h, p: ["10.0.0.7"]), f"http://localhost:{media.port}/c", tmp_path / "c")


def test_an_hls_playlist_disguised_as_a_clip_is_refused_before_it_is_stored(servers, tmp_path):
    secret = tmp_path / "secret.ts"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=1:s=64x48:r=10", str(secret)], check=True
    )
    playlist = f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n{secret}\n#EXT-X-ENDLIST\n".encode()
    a = servers({"/clip.mp4": reply(playlist)})
    with pytest.raises(InvalidRequest, match="refused"):
        get(client(a.url), a.url + "/clip.mp4", tmp_path / "c.mp4")
    assert not (tmp_path / "c.mp4").exists()
    # And a file that is already there (a stored object) is read as an MP4 by every probe and render input.
    from framecast.media import ffmpeg

    disguised = tmp_path / "d.mp4"
    disguised.write_bytes(playlist)
    with pytest.raises(MediaError):
        ffmpeg.probe(disguised)
    with pytest.raises(MediaError):
        ffmpeg.run([*ffmpeg.input_args(disguised), "-f", "null", "-"], what="render input")


def test_each_kind_of_provider_media_must_be_its_formats(tmp_path, clip):
    from framecast.media import ffmpeg

    (tmp_path / "c.part").write_bytes(clip)
    assert ffmpeg.check_media(tmp_path / "c.part", "video")["format"]["format_name"].startswith("mov")
    with pytest.raises(MediaError, match="is not audio in MP3 or WAV"):
        ffmpeg.check_media(tmp_path / "c.part", "audio")


def test_render_inputs_are_pinned_to_a_demuxer_and_plain_files(tmp_path):
    from framecast.media.render import Segment, segment_command

    args = segment_command(
        [tmp_path / "a.mp4", tmp_path / "s.png"],
        "[0:v]null[vout]",
        Segment(0, 0, 0, 1),
        tmp_path / "o.mp4",
        fps=10,
        crf=20,
        preset="veryfast",
    )
    assert args[:12] == [
        "-f",
        "mp4",
        "-protocol_whitelist",
        "file",
        "-i",
        str(tmp_path / "a.mp4"),
        "-f",
        "png_pipe",
        "-protocol_whitelist",
        "file",
        "-i",
        str(tmp_path / "s.png"),
    ]


@pytest.mark.parametrize(
    "address, sandbox, allowed",
    [
        ("93.184.216.34", False, True),
        ("2606:2800:220:1:248:1893:25c8:1946", False, True),
        ("8.8.8.8", True, False),
        ("127.0.0.1", True, True),
        ("::1", True, True),
        ("::ffff:127.0.0.1", True, False),
        ("fe80::1%eth0", False, False),
        ("64:ff9b::5db8:d822", False, True),
        ("64:ff9b::a9fe:a9fe", False, False),
    ],
)  # NAT64: judged by its IPv4
def test_public_addresses_pass_and_loopback_only_in_the_sandbox(address, sandbox, allowed):
    from framecast.transport.downloads import address_problem

    assert (address_problem(address, sandbox=sandbox) is None) is allowed
