"""Outbound webhook HTTP that cannot be pointed at the inside of our network (SSRF).

A URL is checked when it is saved and again at every connection, after DNS resolution:
the connection goes to the very address that was checked (pinned), with the original
host name for the Host header and for TLS (SNI and certificate check), so a DNS answer
that changes between check and connect (rebinding) cannot redirect it. Redirects are not
followed. Only https is accepted, except where settings.WEBHOOK_ALLOW_PRIVATE_TARGETS is
on (development and tests, whose receivers listen on loopback over plain http).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

# Cloud metadata services answer on these; some are not covered by "private" ranges.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "168.63.129.16")
)
# IPv6 prefixes that carry an IPv4 address to a relay or translator (6to4, NAT64, Teredo):
# a request to them may land on any IPv4 address, loopback and private ones included,
# whatever the running Python version counts as "global".
TRANSLATION_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("2002::/16", "64:ff9b::/96", "64:ff9b:1::/48", "2001::/32")
)
# Enough of an answer to log; the body is not used.
MAX_RESPONSE_BYTES = 4096


class UnsafeTarget(Exception):
    """The URL may not be called: wrong scheme, unresolvable, or an internal address."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def _private_targets_allowed() -> bool:
    return bool(settings.WEBHOOK_ALLOW_PRIVATE_TARGETS)


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES or any(ip in network for network in TRANSLATION_NETWORKS):
        return False
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_reserved
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or ip.is_unspecified
    )


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def parse(url: str) -> Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeTarget(_("This is not a valid URL.")) from error
    allowed_schemes = {"https", "http"} if _private_targets_allowed() else {"https"}
    if parts.scheme not in allowed_schemes:
        raise UnsafeTarget(_("The URL must start with https://."))
    if not parts.hostname:
        raise UnsafeTarget(_("The URL has no host."))
    if parts.username or parts.password:
        raise UnsafeTarget(_("The URL may not contain a user name or password."))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    default_port = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname, port or default_port, path)


def resolve(target: Target) -> list[str]:
    """The checked addresses of the target, in resolver order; raises UnsafeTarget."""
    try:
        answers = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeTarget(_("The host name cannot be resolved.")) from error
    addresses = list(dict.fromkeys(answer[4][0] for answer in answers))
    if not addresses:
        raise UnsafeTarget(_("The host name cannot be resolved."))
    if not _private_targets_allowed() and not all(map(address_is_public, addresses)):
        # Every address must be public: a resolver may hand out any of them later.
        raise UnsafeTarget(
            _("The URL points to a private, loopback, link-local or metadata address.")
        )
    return addresses


def check_url(url: str) -> None:
    """Refuses an unsafe webhook URL when it is saved (the same checks as at connection)."""
    resolve(parse(url))


class Poster:
    """POSTs to checked, pinned addresses, keeping one connection per address alive.

    Each POST resolves and checks its URL again and goes through the pool of the address it
    found, so a kept connection only ever carries requests to an address that was checked;
    a batch of deliveries to one endpoint pays for one TCP (and TLS) handshake, not one each.
    """

    def __init__(self):
        self._pools: dict[tuple, urllib3.HTTPConnectionPool] = {}

    def __enter__(self) -> "Poster":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()

    def _pool(self, target: Target, address: str) -> urllib3.HTTPConnectionPool:
        key = (target.scheme, address, target.port, target.host)
        pool = self._pools.get(key)
        if pool is not None:
            return pool
        timeout = urllib3.Timeout(
            connect=settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS,
            read=settings.WEBHOOK_READ_TIMEOUT_SECONDS,
        )
        common = {"port": target.port, "timeout": timeout, "retries": False, "maxsize": 1}
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                server_hostname=target.host,
                assert_hostname=target.host,
                cert_reqs="CERT_REQUIRED",
                **common,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, **common)
        self._pools[key] = pool
        return pool

    def post(self, url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
        """POST to the checked, pinned address; raises UnsafeTarget or urllib3/OS errors."""
        target = parse(url)
        address = resolve(target)[0]
        pool = self._pool(target, address)
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            retries=False,
            preload_content=False,
        )
        try:
            content = response.read(MAX_RESPONSE_BYTES)
            if response.read(1):
                # A longer answer than is read: its connection is closed, not reused.
                response.close()
        finally:
            response.release_conn()
        return Answer(status=response.status, body=content)


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
    """One POST on a connection of its own; raises UnsafeTarget or urllib3/OS errors."""
    with Poster() as poster:
        return poster.post(url, body=body, headers=headers)
