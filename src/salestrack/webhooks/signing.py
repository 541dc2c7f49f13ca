"""HMAC-SHA256 signatures with a timestamp, so receivers can refuse forged and replayed calls.

Header: ``Salestrack-Signature: t=<unix seconds>,v1=<hex HMAC of "<t>.<body>">``. Receivers
recompute the HMAC with the subscription's secret and refuse old timestamps.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Salestrack-Signature"
TOLERANCE_S = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, now: int, tolerance: int = TOLERANCE_S) -> bool:
    """True when the header signs ``body`` with ``secret`` and is recent enough."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
