"""Opaque, unguessable ids that still sort by creation time (UUID version 7, RFC 9562)."""

import os
import time
import uuid


def new_id() -> uuid.UUID:
    # 48 bits of milliseconds keep index inserts at the right edge of the B-tree;
    # 74 random bits make the id unguessable.
    milliseconds = time.time_ns() // 1_000_000
    value = (milliseconds & (2**48 - 1)) << 80 | int.from_bytes(os.urandom(10)) & (2**80 - 1)
    value &= ~(0xF << 76)
    value |= 0x7 << 76  # version 7
    value &= ~(0x3 << 62)
    value |= 0x2 << 62  # RFC 4122 variant
    return uuid.UUID(int=value)
