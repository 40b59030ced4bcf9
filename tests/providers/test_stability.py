"""Stability SD 3.5 (multipart) against the sandbox."""

import httpx
import pytest
from PIL import Image

from framecast.core.errors import ContentRejected, InvalidRequest
from framecast.providers.stability.client import StabilityImageGenerator, aspect_for
from framecast.sandbox import Fault
from framecast.transport.http import ProviderHTTP
from framecast.transport.retry import RetryPolicy


@pytest.fixture
def gen(sandbox):
    client = httpx.Client(
        base_url=sandbox.base_url("stability"), headers={"authorization": "Bearer sk-st-1234567"}, timeout=10
    )
    return StabilityImageGenerator(ProviderHTTP("stability", client, retry=RetryPolicy(base_delay=0.01)), "sd3.5-large")


def test_aspect_ratios():
    assert aspect_for(1920, 1080) == "16:9" and aspect_for(1080, 1920) == "9:16" and aspect_for(500, 500) == "1:1"


def test_generates_and_fills_the_frame(gen, sandbox, tmp_path):
    out = gen.generate("A lighthouse: at dusk", width=320, height=180, seed=3, out=tmp_path / "i.png")
    assert Image.open(out).size == (320, 180)
    assert sandbox.state.calls("stability", "sd3") == 1


def test_content_filtered_200_is_not_success(gen, sandbox, tmp_path):
    sandbox.state.inject("stability", "sd3", Fault(kind="content_filtered"))
    with pytest.raises(ContentRejected, match="CONTENT_FILTERED"):
        gen.generate("x: y", width=320, height=180, seed=3, out=tmp_path / "i.png")
    assert not (tmp_path / "i.png").exists()


def test_unknown_model_is_rejected_by_the_spec_schema(gen, tmp_path):
    gen.model = "sd3-ultra-imaginary"
    with pytest.raises(InvalidRequest, match="model"):
        gen.generate("x: y", width=320, height=180, seed=3, out=tmp_path / "i.png")
