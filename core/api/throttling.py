"""Rate limits that fail open: a cache outage must not lock everybody out of the API."""

import logging

from redis.exceptions import RedisError
from rest_framework import throttling

from core.clients import client_address

logger = logging.getLogger(__name__)
CACHE_ERRORS = (RedisError, OSError)


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    def get_ident(self, request):
        # DRF's own reads X-Forwarded-For as the client writes it: a new address per try.
        return client_address(request)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS:
            # The login lock-out (axes) keeps its counts in the database and still applies.
            logger.warning("Rate limit skipped: the cache is unreachable", exc_info=True)
            return True
