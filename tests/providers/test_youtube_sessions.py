"""A forged upload session in the store never receives the YouTube access token."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from framecast.core.errors import InvalidRequest
from framecast.providers.youtube.sessions import check_session
from tests.providers.test_youtube import META, files, publisher, store, uploaded  # noqa: F401


@pytest.fixture
def listener():
    """Someone else's server on 127.0.0.1: every request it gets, with its Authorization header."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def _any(self):
            seen.append((self.command, self.path, self.headers.get("authorization")))
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        do_GET = do_PUT = do_POST = _any

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["/attacker-controlled-session", "/youtube/upload/youtube/v3/videos?upload_id=x"])
def test_a_forged_session_on_another_listener_gets_no_request_and_no_token(sandbox, store, files, listener, path):
    video, _, _ = files
    url, seen = listener
    store.put_record("k-forged", {"session": url + path})  # whoever can write the store wrote this
    with pytest.raises(InvalidRequest, match="refusing to send the access token"):
        publisher(sandbox, store).publish("k-forged", video, None, None, META)
    assert seen == []
    assert uploaded(sandbox) == {} and sandbox.state.calls("youtube", "videos.insert") == 0


def test_the_sandbox_session_itself_still_resumes(sandbox, store, files):
    video, _, _ = files
    yt = publisher(sandbox, store)
    session = yt._start(META, video.stat().st_size)
    store.put_record("k-real", {"session": session})
    record = yt.publish("k-real", video, None, None, META)
    assert record["video_id"] and len(uploaded(sandbox)) == 1


GOOGLE = "https://www.googleapis.com"


@pytest.mark.parametrize(
    "session",
    [
        f"{GOOGLE}/upload/youtube/v3/videos?uploadType=resumable&upload_id=AB",
        "https://youtube.googleapis.com/upload/youtube/v3/videos?upload_id=AB",
        "https://www.googleapis.com:443/upload/youtube/v3/videos?upload_id=AB",
    ],
)
def test_googles_upload_endpoint_is_accepted(session):
    assert check_session(session, GOOGLE) == session


@pytest.mark.parametrize(
    "session",
    [
        "http://www.googleapis.com/upload/youtube/v3/videos?upload_id=AB",  # plain http
        "https://www.googleapis.com.evil.example/upload/youtube/v3/videos",
        "https://evil.example/upload/youtube/v3/videos",
        "https://user@www.googleapis.com/upload/youtube/v3/videos",
        "https://www.googleapis.com:8443/upload/youtube/v3/videos",
        "https://www.googleapis.com/upload/youtube/v3/videos/../../../oauth2",
        "https://www.googleapis.com/storage/v1/b/x",
        "https://storage.googleapis.com/upload/youtube/v3/videos",
        "http://127.0.0.1:9/upload/youtube/v3/videos",
        "//www.googleapis.com/upload/youtube/v3/videos",
        "",
        "not a url",
        "https://[::1/x",
    ],
)
def test_anything_else_is_refused_in_production(session):
    with pytest.raises(InvalidRequest, match="refusing to send the access token"):
        check_session(session, GOOGLE)
