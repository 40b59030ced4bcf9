"""Any text read back from the store ends in a value or in the one named refusal, never another exception."""

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from framecast.core.errors import InvalidRequest, StorageError
from framecast.providers.youtube.sessions import UPLOAD_HOSTS, UPLOAD_PATH, check_session
from framecast.storage.refs import inside_bucket, inside_root

URLISH = st.one_of(
    st.text(max_size=120),
    st.builds(
        lambda scheme, host, path: f"{scheme}://{host}{path}",
        st.sampled_from(["https", "http", "gs", "file", "HTTPS", ""]),
        st.sampled_from(
            [
                *UPLOAD_HOSTS,
                "evil.example",
                "127.0.0.1:9",
                "user@www.googleapis.com",
                "www.googleapis.com.evil.example",
                "b",
                "[::1]",
                "",
            ]
        ),
        st.one_of(st.text(max_size=40), st.sampled_from([UPLOAD_PATH, "/media/x", "/../x"])),
    ),
)


@settings(max_examples=200, deadline=None)
@given(URLISH)
def test_a_session_url_is_googles_upload_endpoint_or_refused(session):
    try:
        assert check_session(session, "https://www.googleapis.com") == session
    except InvalidRequest as exc:
        assert "refusing to send the access token" in str(exc)
        return
    url = httpx.URL(session)
    assert url.scheme == "https" and url.host in UPLOAD_HOSTS and url.path == UPLOAD_PATH and not url.userinfo


@settings(max_examples=200, deadline=None)
@given(URLISH)
def test_a_reference_uri_is_inside_the_store_or_refused(tmp_path_factory, uri):
    root = tmp_path_factory.getbasetemp() / "store"
    for check in (lambda: inside_bucket("b", "media", uri), lambda: inside_root(root, uri)):
        try:
            found = check()
        except StorageError as exc:
            assert "refusing the reference" in str(exc)
            continue
        if isinstance(found, str):
            assert found.startswith("media/") and ".." not in found.split("/")
        else:
            assert found.resolve().is_relative_to(root.resolve())


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(str.encode),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(
                    st.sampled_from(
                        ["__class__", "__exc_type__", "metadata", "result", "serializer", "data", "type", "x"]
                    ),
                    inner,
                    max_size=4,
                )
            ),
            max_leaves=20,
        ).map(lambda v: __import__("json").dumps(v).encode()),
    )
)
def test_a_stored_result_is_framecasts_json_or_refused(content):
    from tasks.results import ResultRefused, json_only

    try:
        assert json_only(content, "k") == content
    except ResultRefused as exc:
        assert str(exc).startswith("results: the stored Prefect result k ")
