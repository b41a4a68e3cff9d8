"""Request signing of the pre-login `appapi` endpoint (HMAC-SHA1 over sorted parameters)."""

import base64
from collections.abc import Mapping
import hashlib
import hmac
import json
import secrets
import time
from typing import Any


def _render(value: object) -> str:
    # The doc only shows string and integer parameters. Other values are
    # rendered as compact JSON, the form the JSON body carries them in, so
    # booleans sign as true/false and lists/objects as their JSON text.
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def signature_source(params: Mapping[str, object]) -> str:
    """Build the string to sign: every parameter but Signature, sorted, as k=v joined by &.

    Values are not URL-escaped; an underscore in a name becomes a dot, as the doc asks.
    """
    return "&".join(
        f"{key.replace('_', '.')}={_render(params[key])}"
        for key in sorted(params)
        if key != "Signature"
    )


def signature(params: Mapping[str, object], app_secret: str) -> str:
    """Base64(HMAC-SHA1(AppSecret, source))."""
    digest = hmac.new(app_secret.encode(), signature_source(params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_body(
    params: Mapping[str, object],
    *,
    app_key: str,
    app_secret: str,
    timestamp: int | None = None,
    nonce: int | None = None,
) -> dict[str, Any]:
    """Add AppKey, Timestamp, Nonce and Signature to `params`.

    Empty strings and None are dropped before signing, so the body holds exactly
    what was signed (the doc omits empty strings from the signature).
    """
    body: dict[str, Any] = {
        key: value for key, value in params.items() if value is not None and value != ""
    }
    body["AppKey"] = app_key
    body["Timestamp"] = int(time.time()) if timestamp is None else timestamp
    body["Nonce"] = secrets.randbelow(2**31 - 1) + 1 if nonce is None else nonce
    body["Signature"] = signature(body, app_secret)
    return body
