"""Typed access to request parameters, failing with the reference's parameter errors.

Types are checked as the reference declares them (an Int sent as "10" is refused); parameters a
call does not know are ignored.
"""

from collections.abc import Mapping
from typing import cast

from simulator import errors
from simulator.errors import ApiError


class Params:
    """The JSON body of one call."""

    __slots__ = ("raw",)

    def __init__(self, raw: Mapping[str, object]) -> None:
        """Wrap a decoded body."""
        self.raw = raw

    def _missing(self, key: str) -> ApiError:
        return ApiError(errors.MISSING_PARAM, f"Missing required parameter {key}")

    def text(self, key: str, *aliases: str, required: bool = True) -> str:
        """Read a String parameter; an absent optional one reads as ""."""
        for name in (key, *aliases):
            value = self.raw.get(name)
            if value is not None:
                if not isinstance(value, str):
                    raise ApiError(errors.INVALID_PARAM, f"{name} must be a string")
                if required and not value:
                    raise self._missing(key)
                return value
        if required:
            raise self._missing(key)
        return ""

    def integer(self, key: str, default: int | None = None) -> int:
        """Read an Int parameter; without a default it is required."""
        value = self.raw.get(key)
        if value is None:
            if default is None:
                raise self._missing(key)
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            raise ApiError(errors.INVALID_PARAM, f"{key} must be an integer")
        return value

    def flag(self, key: str) -> int:
        """Read a required 0/1 parameter (Status, Repeat)."""
        value = self.integer(key)
        if value not in {0, 1}:
            raise ApiError(errors.INVALID_PARAM, f"{key} must be 0 or 1")
        return value

    def text_list(self, key: str) -> list[str]:
        """Read a required Array of String."""
        value = self.raw.get(key)
        if value is None:
            raise self._missing(key)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ApiError(errors.INVALID_PARAM, f"{key} must be an array of strings")
        return cast(list[str], value)

    def mapping(self, key: str) -> dict[str, object]:
        """Read an Object parameter; absent reads as {}."""
        value = self.raw.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ApiError(errors.INVALID_PARAM, f"{key} must be an object")
        return cast(dict[str, object], value)

    def page(self, limit_max: int, default_limit: int = 10) -> tuple[int, int]:
        """Offset and Limit; Limit above the documented maximum is refused, 0 means default."""
        offset = self.integer("Offset", 0)
        limit = self.integer("Limit", 0) or default_limit
        if offset < 0 or limit < 0:
            raise ApiError(errors.INVALID_PARAM, "Offset and Limit must not be negative")
        if limit > limit_max:
            raise ApiError(errors.INVALID_PARAM, f"Limit must not exceed {limit_max}")
        return offset, limit
