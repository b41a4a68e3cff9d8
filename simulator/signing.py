"""The appapi request signature, exactly as the reference describes it.

source = every parameter except `Signature`, name `_` turned into `.`, sorted by that name
(byte order), `name=value` joined with `&`, values not URL-escaped, empty strings left out.
Signature = Base64(HMAC-SHA1(AppSecret, source)).

The reference only shows string and integer values. For anything else the simulator renders the
value as compact JSON (`json.dumps(v, separators=(",", ":"), ensure_ascii=False)`), so `true`,
`1.5`, `["a","b"]`; `null` is left out like an empty string.
"""

import base64
from collections.abc import Mapping
import hashlib
import hmac
import json


def _render(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def signature_source(params: Mapping[str, object]) -> str:
    """Build the string that is signed."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if key == "Signature":
            continue
        rendered = _render(value)
        if rendered is not None:
            pairs.append((key.replace("_", "."), rendered))
    pairs.sort(key=lambda pair: pair[0].encode())
    return "&".join(f"{key}={value}" for key, value in pairs)


def sign(secret: str, params: Mapping[str, object]) -> str:
    """Return the Base64 HMAC-SHA1 signature of `params`."""
    digest = hmac.new(secret.encode(), signature_source(params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_matches(secret: str, params: Mapping[str, object], signature: str) -> bool:
    """Check a received signature in constant time."""
    return hmac.compare_digest(sign(secret, params), signature)
