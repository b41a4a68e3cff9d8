"""The product thing model (`DataTemplate`): parsing, value validation and defaults.

Limits in a `define` arrive as strings ("min": "0"). Validation is what a device cloud must do
before it forwards a control: the value has the declared type and lies within the declared range
or mapping. `step` is not enforced (the reference never says the cloud checks it).

Published templates are sloppy at times: a limit that is no number ("undefined") limits
nothing, and of two entries with one id the first counts.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
import math
from typing import cast

type Define = Mapping[str, object]


class InvalidValueError(ValueError):
    """A value does not fit its definition; the message says why."""


@dataclass(frozen=True, slots=True)
class Member:
    """A property, an event parameter or an action input/output."""

    id: str
    name: str
    mode: str
    define: Define


@dataclass(frozen=True, slots=True)
class EventSpec:
    """An event of the thing model."""

    id: str
    name: str
    type: str
    params: dict[str, Member]


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """An action of the thing model."""

    id: str
    name: str
    input: dict[str, Member]
    output: dict[str, Member]


def _members(items: object, *, default_mode: str = "rw") -> dict[str, Member]:
    result: dict[str, Member] = {}
    for item in cast(list[Mapping[str, object]], items or []):
        member_id = str(item["id"])
        if member_id in result:
            continue
        result[member_id] = Member(
            id=member_id,
            name=str(item.get("name", member_id)),
            mode=str(item.get("mode", default_mode)),
            define=cast(Define, item.get("define", {})),
        )
    return result


@dataclass(frozen=True, slots=True)
class ThingModel:
    """The parsed `DataTemplate` of a product, indexed by id."""

    properties: dict[str, Member]
    events: dict[str, EventSpec]
    actions: dict[str, ActionSpec]

    @classmethod
    def parse(cls, template: Mapping[str, object]) -> ThingModel:
        """Index a `DataTemplate` object."""
        events = {
            str(item["id"]): EventSpec(
                id=str(item["id"]),
                name=str(item.get("name", item["id"])),
                type=str(item.get("type", "info")),
                params=_members(item.get("params")),
            )
            for item in cast(list[Mapping[str, object]], template.get("events") or [])
        }
        actions = {
            str(item["id"]): ActionSpec(
                id=str(item["id"]),
                name=str(item.get("name", item["id"])),
                input=_members(item.get("input")),
                output=_members(item.get("output")),
            )
            for item in cast(list[Mapping[str, object]], template.get("actions") or [])
        }
        return cls(_members(template.get("properties"), default_mode="r"), events, actions)


def _limit(define: Define, key: str) -> float | None:
    raw = define.get(key)
    if raw is None or raw == "":
        return None
    try:
        return float(cast(str | float, raw))
    except ValueError:
        return None


def _check_range(define: Define, value: float, where: str) -> None:
    low, high = _limit(define, "min"), _limit(define, "max")
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidValueError(
            f"{where}: {value} is outside [{define.get('min')}, {define.get('max')}]"
        )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _mapping(define: Define) -> Mapping[str, object]:
    return cast(Mapping[str, object], define.get("mapping") or {})


def _specs(define: Define) -> list[Mapping[str, object]]:
    return cast(list[Mapping[str, object]], define.get("specs") or [])


def _validate_bool(_: Define, value: object, where: str) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) and value in {0, 1}:
        return value
    raise InvalidValueError(f"{where}: expected a bool (0/1/true/false), got {value!r}")


def _validate_int(define: Define, value: object, where: str) -> int:
    if not _is_number(value) or (isinstance(value, float) and not value.is_integer()):
        raise InvalidValueError(f"{where}: expected an integer, got {value!r}")
    number = int(cast(float, value))
    _check_range(define, number, where)
    return number


def _validate_float(define: Define, value: object, where: str) -> float | int:
    if not _is_number(value) or not math.isfinite(cast(float, value)):
        raise InvalidValueError(f"{where}: expected a number, got {value!r}")
    number = cast(float | int, value)
    _check_range(define, number, where)
    return number


def _validate_enum(define: Define, value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or str(value) not in _mapping(define):
        keys = ", ".join(_mapping(define))
        raise InvalidValueError(f"{where}: {value!r} is not one of the enum keys ({keys})")
    return value


def _validate_stringenum(define: Define, value: object, where: str) -> str:
    if not isinstance(value, str) or value not in _mapping(define):
        keys = ", ".join(_mapping(define))
        raise InvalidValueError(f"{where}: {value!r} is not one of ({keys})")
    return value


def _validate_string(define: Define, value: object, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidValueError(f"{where}: expected a string, got {value!r}")
    high = _limit(define, "max")
    if high is not None and len(value) > high:
        raise InvalidValueError(f"{where}: longer than {define.get('max')} characters")
    return value


def _validate_timestamp(_: Define, value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidValueError(f"{where}: expected a unix timestamp, got {value!r}")
    return value


def _validate_struct(define: Define, value: object, where: str) -> dict[str, object]:
    if not isinstance(value, Mapping):
        raise InvalidValueError(f"{where}: expected an object, got {value!r}")
    specs = {str(spec["id"]): cast(Define, spec.get("dataType", {})) for spec in _specs(define)}
    result: dict[str, object] = {}
    for key, member in cast(Mapping[str, object], value).items():
        if key not in specs:
            raise InvalidValueError(f"{where}: unknown struct member {key!r}")
        result[key] = validate(specs[key], member, f"{where}.{key}")
    return result


def _validate_array(define: Define, value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise InvalidValueError(f"{where}: expected an array, got {value!r}")
    item_define = cast(Define, define.get("arrayInfo", {}))
    return [validate(item_define, item, f"{where}[{i}]") for i, item in enumerate(value)]


_VALIDATORS: dict[str, Callable[[Define, object, str], object]] = {
    "bool": _validate_bool,
    "int": _validate_int,
    "float": _validate_float,
    "enum": _validate_enum,
    "stringenum": _validate_stringenum,
    "string": _validate_string,
    "timestamp": _validate_timestamp,
    "struct": _validate_struct,
    "array": _validate_array,
}


def validate(define: Define, value: object, where: str) -> object:
    """Return `value` normalised for storage (bools become 0/1), or raise InvalidValueError."""
    validator = _VALIDATORS.get(str(define.get("type")))
    if validator is None:
        raise InvalidValueError(
            f"{where}: unsupported type {define.get('type')!r} in the thing model"
        )
    return validator(define, value, where)


def _default_number(define: Define) -> float:
    low, start, high = _limit(define, "min"), _limit(define, "start"), _limit(define, "max")
    value = start if start is not None else (low or 0.0)
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    return value


def default_value(define: Define) -> object:
    """Return the value a freshly bound device reports for a definition."""
    kind = define.get("type")
    if kind in {"int", "float"}:
        value = _default_number(define)
        return int(value) if kind == "int" else value
    if kind in {"enum", "stringenum"}:
        first = next(iter(_mapping(define)), "0")
        return int(first) if kind == "enum" else first
    if kind == "struct":
        return {
            str(spec["id"]): default_value(cast(Define, spec.get("dataType", {})))
            for spec in _specs(define)
        }
    return {"string": "", "array": []}.get(str(kind), 0)  # bool and timestamp: 0


def number_range(define: Define) -> tuple[float | None, float | None]:
    """The declared (min, max) of a number definition, None where a limit is not given."""
    return _limit(define, "min"), _limit(define, "max")
