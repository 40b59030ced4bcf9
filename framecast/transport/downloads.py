"""Provider media downloads that cannot be turned against the worker (review findings M3, L8).

A media URL comes from a provider's answer (or a callback), so it is untrusted: it is checked
before every request, redirects are followed here by hand (at most `MAX_HOPS`), each hop
checked again, and the connection goes to the very address that was checked (the resolver's
answer is vetted inside the transport, then connected to: no second lookup for a DNS rebind to
change). Production media must be https, from a host on the provider's allow-list, and resolve
only to public addresses. When the provider's own API is on loopback (the sandbox), media must
be on loopback too and nothing else is reachable.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpcore
import httpx

from framecast.core.envcheck import loopback
from framecast.core.errors import InvalidRequest

MAX_HOPS = 3
MAX_ERROR_BODY = 64 * 1024  # an error reply is read this far, for its message
NAT64 = ipaddress.ip_network("64:ff9b::/96")
Resolver = Callable[[str, int], list[str]]
CREDENTIAL_HEADERS = ("authorization", "x-api-key", "xi-api-key")


@dataclass(frozen=True)
class Download:
    path: Path
    sha256: str
    size: int
    content_type: str


def system_resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (getaddrinfo), in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_problem(address: str, *, sandbox: bool) -> str | None:
    """Why the worker must not connect to `address` (None = it may)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "is not an IP address"
    if sandbox:  # the sandbox's media is on this machine, and nothing else is reachable
        return None if ip.is_loopback else "is not loopback (the provider's API is, so its media must be)"
    if ip.version == 6:  # an IPv4 address wrapped in IPv6 is judged as the IPv4 address it reaches
        nat64 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else None  # DNS64 answers
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None) or nat64
        ip = inner or ip
    for label, bad in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("unspecified", ip.is_unspecified),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("not public", not ip.is_global),
    ):
        if bad:
            return f"is {label}"
    return None


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    """`host` equals a pattern, or a `*.domain` pattern covers it (a subdomain, never the domain's neighbours)."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def _numeric_oddity(host: str) -> bool:
    """A host the C resolver reads as an IPv4 address although it is not one in dotted-quad form (127.1, 0x7f.1)."""
    try:
        socket.inet_aton(host)
    except (OSError, ValueError):
        return False
    try:
        ipaddress.IPv4Address(host)
        return False
    except ValueError:
        return True


@dataclass(frozen=True)
class MediaPolicy:
    """Where one provider's media may come from."""

    provider: str
    sandbox: bool
    hosts: tuple[str, ...]

    def refuse(self, why: str) -> InvalidRequest:
        return InvalidRequest(f"{self.provider}: refusing to download media: {why}", provider=self.provider)

    def check_url(self, url: str | httpx.URL) -> httpx.URL:
        """The URL as httpx will request it, if its scheme and host may be fetched; InvalidRequest otherwise."""
        try:
            parsed = httpx.URL(url)
            host = parsed.raw_host.decode("ascii").lower()
        except (httpx.InvalidURL, UnicodeError, TypeError) as exc:
            raise self.refuse("the media URL is not a valid URL") from exc
        schemes = ("http", "https") if self.sandbox else ("https",)
        if parsed.scheme not in schemes:
            raise self.refuse(f"over {parsed.scheme or 'no scheme'} (only {' or '.join(schemes)}): {host!r}")
        if parsed.userinfo:
            raise self.refuse(f"the URL carries a user name or password (host {host!r})")
        if not host or _numeric_oddity(host):
            raise self.refuse(f"host {host!r} is not a name or a plain IP address")
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if self.sandbox:
            if not loopback(host) or (literal is not None and literal.version == 6 and literal.ipv4_mapped):
                raise self.refuse(
                    f"media host {host!r} is not one {self.provider} serves from (the sandbox's API "
                    f"is on loopback, so its media must be too)"
                )
            return parsed
        if not host_allowed(host, self.hosts):
            raise self.refuse(
                f"media host {host!r} is not one {self.provider} serves from (allowed: "
                f"{', '.join(self.hosts) or 'none'}; FRAMECAST_MEDIA_HOSTS changes the list)"
            )
        return parsed


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves the host once, refuses if any answer is not allowed, then connects to the vetted address."""

    def __init__(self, policy: MediaPolicy, resolve: Resolver):
        self.policy, self.resolve, self._inner = policy, resolve, httpcore.SyncBackend()

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None, socket_options=None
    ) -> httpcore.NetworkStream:
        try:
            addresses = self.resolve(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        for address in addresses:  # all of them: a mixed answer is how a rebinding attack starts
            problem = address_problem(address, sandbox=self.policy.sandbox)
            if problem:
                raise self.policy.refuse(f"host {host!r} resolves to {address}, which {problem}")
        error: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc
        raise error  # type: ignore[misc]

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # pragma: no cover - never configured
        raise httpcore.ConnectError("unix sockets are not used for media")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with connections made only through `_GuardedBackend`, never through a proxy."""

    def __init__(self, policy: MediaPolicy, resolve: Resolver = system_resolve):
        super().__init__(trust_env=False)
        # httpx has no public hook for the network backend; its pool is replaced with one that has ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=20,
            max_keepalive_connections=5,
            network_backend=_GuardedBackend(policy, resolve),
        )


def same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    """Scheme, host and port all equal (default ports filled in)."""
    return (a.scheme, a.raw_host.lower(), a.port or {"http": 80, "https": 443}.get(a.scheme)) == (
        b.scheme,
        b.raw_host.lower(),
        b.port or {"http": 80, "https": 443}.get(b.scheme),
    )


def strip_credentials(request: httpx.Request, api: httpx.URL) -> httpx.Request:
    """The request without API keys unless it goes to the API's own origin (a CDN never sees them)."""
    if not same_origin(request.url, api):
        for name in CREDENTIAL_HEADERS:
            request.headers.pop(name, None)
    return request


def read_limited(response: httpx.Response, limit: int, *, what: str, provider: str, truncate: bool = False) -> bytes:
    """A streamed response's body, at most `limit` bytes: cut there (`truncate`) or refused with a clear error."""
    body = bytearray()
    for chunk in response.iter_bytes(1 << 16):
        body += chunk
        if len(body) > limit:
            if truncate:
                return bytes(body[:limit])
            raise InvalidRequest(
                f"{provider}: {what} is larger than {limit} bytes; stopped reading there", provider=provider
            )
    return bytes(body)


def buffered(response: httpx.Response, body: bytes) -> httpx.Response:
    """A plain response with `body` (already decoded) in place of the stream it was read from."""
    headers = [
        (k, v)
        for k, v in response.headers.multi_items()
        if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")
    ]
    return httpx.Response(response.status_code, headers=headers, content=body, request=response.request)


def fetch(http, policy: MediaPolicy, url: httpx.URL, dest, *, max_bytes: int, content_types: tuple[str, ...]):
    """One attempt at `url` into `dest` for `http` (a ProviderHTTP): redirects checked hop by hop, the size
    capped while streaming, the file's format checked by ffprobe before it takes `dest`'s name."""
    import hashlib

    from framecast.core.errors import MediaError, ProviderUnavailable
    from framecast.media import ffmpeg
    from framecast.transport.errors import redacted_cause, translate_response, translate_transport

    provider, digest, size = http.provider, hashlib.sha256(), 0
    tmp = dest.with_name(f".{dest.name}.part")
    try:
        for hop in range(MAX_HOPS + 1):
            request = strip_credentials(http.client.build_request("GET", url), http.client.base_url)
            with closing(http.media_client().send(request, stream=True)) as response:
                if response.has_redirect_location:
                    if hop == MAX_HOPS:
                        raise policy.refuse(f"more than {MAX_HOPS} redirects (last to {url.host!r})")
                    url = policy.check_url(response.url.join(response.headers["location"]))
                    continue
                if not response.is_success:
                    body = read_limited(
                        response, MAX_ERROR_BODY, what="an error reply", provider=provider, truncate=True
                    )
                    raise translate_response(provider, buffered(response, body), http.reader, http.secrets)
                kind = response.headers.get("content-type", "").split(";")[0].strip()
                if not any(kind.startswith(t) for t in content_types):
                    raise InvalidRequest(
                        f"{provider}: expected {', '.join(content_types)}, got {kind!r}", provider=provider
                    )
                announced = int(response.headers.get("content-length") or 0)
                with tmp.open("wb") as fh:
                    for chunk in response.iter_bytes(1 << 16):
                        size += len(chunk)
                        if size > max_bytes:
                            raise InvalidRequest(f"{provider}: media larger than {max_bytes} bytes", provider=provider)
                        digest.update(chunk)
                        fh.write(chunk)
                if announced and size != announced:
                    raise ProviderUnavailable(
                        f"{provider}: media download cut off at {size} of {announced} bytes ({url.path})",
                        provider=provider,
                    )
                break
        try:
            ffmpeg.check_media(tmp, content_types[0].split("/")[0])
        except MediaError as exc:
            raise InvalidRequest(
                f"{provider}: the downloaded media from {url.host!r} is refused: {exc}", provider=provider
            ) from exc
        tmp.replace(dest)
    except httpx.TransportError as exc:
        raise translate_transport(provider, exc, http.secrets) from redacted_cause(exc, http.secrets)
    finally:
        tmp.unlink(missing_ok=True)
    return Download(path=dest, sha256=digest.hexdigest(), size=size, content_type=kind)
