"""Lenient readers for values in API replies: numbers as strings, JSON in strings, key spellings."""

from collections.abc import Mapping
import json
import math
from typing import Any, TypeIs


def first(raw: Mapping[str, Any], *keys: str) -> Any:
    """Return the value of the first key present with a non-null value."""
    for key in keys:
        if (value := raw.get(key)) is not None:
            return value
    return None


def is_number(value: object) -> TypeIs[int | float]:
    """Whether a value is an int or a float (a bool is not a number here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_str(value: object, default: str = "") -> str:
    """Read a string; numbers are turned into their decimal text."""
    if value is None or isinstance(value, bool):
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return default


def as_int(value: object) -> int | None:
    """Read an integer from an int, an integral float or a numeric string."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            number = as_float(text)
            return int(number) if number is not None and number.is_integer() else None
    return None


# A UNIX time below this is in seconds, above it in milliseconds (10**11 s is in the year 5138;
# 10**11 ms in 1973).
_MS_THRESHOLD = 10**11


def as_epoch_ms(value: object) -> int | None:
    """Read a UNIX time given in seconds or in milliseconds, as milliseconds."""
    stamp = as_int(value)
    if stamp is None:
        return None
    return stamp * 1000 if stamp < _MS_THRESHOLD else stamp


def as_float(value: object) -> float | None:
    """Read a finite number from an int, a float or a numeric string."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def as_bool(value: object) -> bool | None:
    """Read a boolean from true/false, 0/1 or their string forms."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("1", "true"):
            return True
        if text in ("0", "false"):
            return False
    return None


def json_value(value: object) -> Any:
    """Decode a field that the API sends as a JSON string (or already decoded).

    An empty string decodes to None. Raises ValueError on invalid JSON.
    """
    if isinstance(value, str):
        return json.loads(value) if value.strip() else None
    return value


def lenient_json_value(value: object) -> Any:
    """`json_value`, with None for invalid JSON."""
    try:
        return json_value(value)
    except ValueError:
        return None


def as_mapping(value: object) -> dict[str, Any]:
    """Read an object, decoding it from a JSON string if needed; anything else is empty."""
    decoded = lenient_json_value(value)
    return dict(decoded) if isinstance(decoded, Mapping) else {}


def as_records(value: object) -> list[Mapping[str, Any]]:
    """Read a list of objects, skipping entries that are not objects."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def dumps(value: object) -> str:
    """Encode JSON compactly, as the API expects in string-typed fields."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
