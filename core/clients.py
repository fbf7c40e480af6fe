"""The address a request comes from, for rate limits and lock-outs.

`X-Forwarded-For` is whatever the client wrote, followed by what each proxy appended. It is
read only when settings.BEHIND_TLS_PROXY says a proxy stands in front, and then only its last
entry: the address the one trusted proxy saw. Anything else would let a client pick a new
address for every attempt.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.BEHIND_TLS_PROXY:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    proxy_hop = forwarded.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(proxy_hop))
    except ValueError:
        return remote
