"""Bearer tokens framecast obtains at run time (YouTube access token, Kling JWT) are masked like the keys."""

import logging

import httpx

from framecast.providers.kling.client import KlingVideoGenerator, kling_error
from framecast.providers.youtube.client import YouTubePublisher
from framecast.storage.local import LocalArtifactStore
from framecast.transport import redaction
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy


def _logged(caplog, text: str) -> str:
    redaction.install()
    with caplog.at_level(logging.INFO, logger="framecast.test"):
        logging.getLogger("framecast.test").info("sent %s", text)
    return caplog.records[-1].getMessage()


def test_the_youtube_access_token_is_redacted_once_obtained(sandbox, tmp_path, caplog):
    store = LocalArtifactStore(tmp_path / "store")
    client = httpx.Client(base_url=sandbox.base_url("youtube"), timeout=30, follow_redirects=False)
    http = ProviderHTTP("youtube", client, secrets=["sandbox-refresh-token"], retry=RetryPolicy(base_delay=0.01))
    publisher = YouTubePublisher(
        http,
        sandbox.base_url("youtube") + "/token",
        "client-id",
        "client-secret",
        "sandbox-refresh-token",
        (store.get_record, store.put_record),
        sleep=lambda s: None,
    )
    bearer = publisher._auth()["Authorization"].removeprefix("Bearer ")
    assert bearer.startswith("ya29.") and bearer in redaction.current()
    assert bearer not in _logged(caplog, f"Authorization: Bearer {bearer}")


def test_the_kling_jwt_carrying_the_access_key_is_redacted_and_reused(sandbox, caplog):
    client = httpx.Client(base_url=sandbox.base_url("kling"), timeout=30)
    http = ProviderHTTP("kling", client, reader=kling_error, retry=RetryPolicy(attempts=1))
    kling = KlingVideoGenerator(http, "kling-v2-1", "ak-sandbox-access", "sk-sandbox-secret-0123456789abcdefghij")
    first = kling._auth()["Authorization"].removeprefix("Bearer ")
    assert kling._auth()["Authorization"] == f"Bearer {first}"  # one JWT per window: the redaction list stays short
    # A generator is made per clip: the next clip's reuses the account's JWT too.
    again = KlingVideoGenerator(http, "kling-v2-1", "ak-sandbox-access", "sk-sandbox-secret-0123456789abcdefghij")
    assert again._auth()["Authorization"] == f"Bearer {first}"
    assert first in redaction.current()
    assert first not in _logged(caplog, f"curl -H 'Authorization: Bearer {first}'")


def test_an_error_quoting_a_run_time_token_is_masked_where_it_is_made_and_where_the_cli_prints_it():
    """Errors are redacted as they are built (not only when logged): a token registered later is masked too."""
    import h11

    from framecast.commands.clierrors import redacted
    from framecast.transport.errors import translate_transport

    client = httpx.Client(base_url="http://127.0.0.1:9", timeout=1)
    http = ProviderHTTP("youtube", client, secrets=["refresh-token-123"])  # made before the token existed
    token = "ya29.A0-run-time-token-0123456789"
    redaction.register([token])
    quoted = httpx.LocalProtocolError(str(h11.LocalProtocolError(f"Illegal header value b'Bearer {token}\\n'")))
    error = translate_transport("youtube", quoted, http.secrets)
    assert token not in str(error) and "***" in str(error)
    assert token not in redacted(f"error: youtube: {token}")
