"""Bearer tokens framecast obtains at run time (YouTube access token, Kling JWT) are masked like the keys."""

import logging

import httpx

from framecast import redaction
from framecast.http import ProviderHTTP, RetryPolicy
from framecast.providers.kling import KlingVideoGenerator, kling_error
from framecast.providers.youtube import YouTubePublisher
from framecast.storage.local import LocalArtifactStore


def _logged(caplog, text: str) -> str:
    redaction.install()
    with caplog.at_level(logging.INFO, logger="framecast.test"):
        logging.getLogger("framecast.test").info("sent %s", text)
    return caplog.records[-1].getMessage()


def test_the_youtube_access_token_is_redacted_once_obtained(sandbox, tmp_path, caplog):
    store = LocalArtifactStore(tmp_path / "store")
    client = httpx.Client(base_url=sandbox.base_url("youtube"), timeout=30, follow_redirects=False)
    http = ProviderHTTP("youtube", client, secrets=["sandbox-refresh-token"], retry=RetryPolicy(base_delay=0.01))
    publisher = YouTubePublisher(http, sandbox.base_url("youtube") + "/token", "client-id", "client-secret",
                                 "sandbox-refresh-token", (store.get_record, store.put_record), sleep=lambda s: None)
    bearer = publisher._auth()["Authorization"].removeprefix("Bearer ")
    assert bearer.startswith("ya29.") and bearer in redaction.current()
    assert bearer not in _logged(caplog, f"Authorization: Bearer {bearer}")


def test_the_kling_jwt_carrying_the_access_key_is_redacted_and_reused(sandbox, caplog):
    client = httpx.Client(base_url=sandbox.base_url("kling"), timeout=30)
    http = ProviderHTTP("kling", client, reader=kling_error, retry=RetryPolicy(attempts=1))
    kling = KlingVideoGenerator(http, "kling-v2-1", "ak-sandbox-access", "sk-sandbox-secret-0123456789abcdefghij")
    first = kling._auth()["Authorization"].removeprefix("Bearer ")
    assert kling._auth()["Authorization"] == f"Bearer {first}"  # one JWT per window: the redaction list stays short
    assert first in redaction.current()
    assert first not in _logged(caplog, f"curl -H 'Authorization: Bearer {first}'")
