"""Quectel's thing model (TSL) as the package's `ThingModel`, and values to and from the wire.

A TSL property is named by its `code` everywhere the cloud speaks of values, so the code is the
property's id here. Events keep their `type` as the shared model spells it (info, alert,
fault), so that the mapping sees one vocabulary for both clouds. Parsing never raises for one
bad entry: it is skipped and described in `ThingModel.problems`.
"""

from collections.abc import Callable, Mapping
import json
from typing import Any, Final

from custom_components.tencent_iot.api.parsing import (
    as_float,
    as_int,
    as_records,
    as_str,
    json_value,
    lenient_json_value,
)
from custom_components.tencent_iot.api.thing_model import (
    Action,
    ArrayDefine,
    BoolDefine,
    Define,
    EnumDefine,
    Event,
    Member,
    NumberDefine,
    Property,
    StringDefine,
    StringEnumDefine,
    StructDefine,
    ThingModel,
    TimestampDefine,
)

# Quectel's event types, in the shared model's words.
EVENT_TYPES: Final = {"info": "info", "warn": "alert", "error": "fault"}
_REF_PREFIX: Final = "#/properties/id/"


class _TslError(ValueError):
    """A part of the TSL cannot be used."""


def _bound(specs: Mapping[str, Any], key: str) -> float | None:
    value = specs.get(key)
    if value is None or value == "":
        return None
    if (number := as_float(value)) is None:
        raise _TslError(f"{key} {value!r} is not a number")
    return number


def _specs_object(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    specs = lenient_json_value(raw.get("specs"))
    return specs if isinstance(specs, Mapping) else {}


def _choices(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    specs = lenient_json_value(raw.get("specs"))
    if isinstance(specs, Mapping):  # some TSLs key the labels by value
        return [(str(value), as_str(label)) for value, label in specs.items()]
    return [(as_str(item.get("value")), as_str(item.get("name"))) for item in as_records(specs)]


def _bool(raw: Mapping[str, Any]) -> Define:
    labels = {as_str(value).lower(): label for value, label in _choices(raw)}
    mapping = {
        number: label
        for number, text in ((1, "true"), (0, "false"))
        if (label := labels.get(text, labels.get(str(number)))) is not None
    }
    return BoolDefine(mapping)


def _number(raw: Mapping[str, Any]) -> Define:
    specs = _specs_object(raw)
    return NumberDefine(
        "int" if as_str(raw.get("dataType")).upper() == "INT" else "float",
        min=_bound(specs, "min"),
        max=_bound(specs, "max"),
        step=_bound(specs, "step"),
        unit=as_str(specs.get("unit")),
    )


def _enum(raw: Mapping[str, Any]) -> Define:
    choices = _choices(raw)
    numbers = {as_int(value): label for value, label in choices}
    if None not in numbers:
        return EnumDefine({key: label for key, label in numbers.items() if key is not None})
    return StringEnumDefine(dict(choices))


def _text(raw: Mapping[str, Any]) -> Define:
    length = _bound(_specs_object(raw), "length")
    return StringDefine(max_length=None if length is None else int(length))


def _struct(raw: Mapping[str, Any], properties: Mapping[int, Property]) -> Define:
    return StructDefine(_members(raw.get("specs"), properties))


def _array(raw: Mapping[str, Any], properties: Mapping[int, Property]) -> Define:
    specs = _specs_object(raw)
    if not as_str(specs.get("dataType")):
        raise _TslError("array without an item type")
    return ArrayDefine(parse_define(specs, properties))


_SIMPLE: Final[dict[str, Callable[[Mapping[str, Any]], Define]]] = {
    "BOOL": _bool,
    "INT": _number,
    "FLOAT": _number,
    "DOUBLE": _number,
    "ENUM": _enum,
    "TEXT": _text,
    "DATE": lambda _raw: TimestampDefine(),
}
_NESTED: Final[dict[str, Callable[[Mapping[str, Any], Mapping[int, Property]], Define]]] = {
    "STRUCT": _struct,
    "ARRAY": _array,
}


def parse_define(
    raw: Mapping[str, Any], properties: Mapping[int, Property] | None = None
) -> Define:
    """The define of a TSL entry from its `dataType` and `specs`. Raises ValueError."""
    kind = as_str(raw.get("dataType")).upper()
    if (simple := _SIMPLE.get(kind)) is not None:
        return simple(raw)
    if (nested := _NESTED.get(kind)) is not None:
        return nested(raw, properties or {})
    raise _TslError(f"unknown data type {kind!r}")


def _code(raw: Mapping[str, Any]) -> str:
    if not (code := as_str(raw.get("code")) or as_str(raw.get("resourceCode"))):
        raise _TslError("no code")
    return code


def _member(raw: Mapping[str, Any], properties: Mapping[int, Property]) -> Member:
    if isinstance(ref := raw.get("$ref"), str) and ref.startswith(_REF_PREFIX):
        # Events and services may name a property instead of describing a parameter.
        prop = properties.get(as_int(ref.removeprefix(_REF_PREFIX)) or -1)
        if prop is None:
            raise _TslError(f"unknown reference {ref!r}")
        return Member(prop.id, prop.name, prop.define)
    code = _code(raw)
    try:
        define = parse_define(raw, properties)
    except ValueError as err:
        raise _TslError(f"member {code}: {err}") from None
    return Member(code, as_str(raw.get("name"), code), define)


def _members(raw: object, properties: Mapping[int, Property]) -> tuple[Member, ...]:
    items = lenient_json_value(raw)
    if items is not None and not isinstance(items, list):
        raise _TslError("members are not a list")
    return tuple(_member(item, properties) for item in as_records(items))


def _property(raw: Mapping[str, Any], properties: Mapping[int, Property]) -> Property:
    code = _code(raw)
    access = as_str(raw.get("subType"), "R").upper()
    return Property(
        id=code,
        name=as_str(raw.get("name"), code),
        define=parse_define(raw, properties),
        mode="rw" if "W" in access else "r",
        desc=as_str(raw.get("desc")),
    )


def _event(raw: Mapping[str, Any], properties: Mapping[int, Property]) -> Event:
    code = _code(raw)
    kind = as_str(raw.get("type"), "info").lower()
    return Event(
        id=code,
        name=as_str(raw.get("name"), code),
        type=EVENT_TYPES.get(kind, "info"),
        desc=as_str(raw.get("desc")),
        params=_members(raw.get("outputData"), properties),
    )


def _service(raw: Mapping[str, Any], properties: Mapping[int, Property]) -> Action:
    code = _code(raw)
    return Action(
        id=code,
        name=as_str(raw.get("name"), code),
        desc=as_str(raw.get("desc")),
        input=_members(raw.get("inputData"), properties),
        output=_members(raw.get("outputData"), properties),
    )


def _section[T: Property | Event | Action](
    raws: object,
    noun: str,
    parse: Callable[[Mapping[str, Any], Mapping[int, Property]], T],
    properties: Mapping[int, Property],
    problems: list[str],
) -> dict[str, T]:
    result: dict[str, T] = {}
    for index, raw in enumerate(raws if isinstance(raws, list) else []):
        label = f"{noun} {raw.get('code') or f'#{index}'}" if isinstance(raw, Mapping) else noun
        if not isinstance(raw, Mapping):
            problems.append(f"{label} #{index}: not an object")
            continue
        try:
            entry = parse(raw, properties)
        except ValueError as err:
            problems.append(f"{label}: {err}")
            continue
        if entry.id in result:
            problems.append(f"{label}: duplicate code")
            continue
        result[entry.id] = entry
    return result


def _tsl_object(data: object) -> Mapping[str, Any] | None:
    """The TSL in a productTSL reply: `tslJson` (text or object), the data itself, or a list."""
    if isinstance(data, list):
        return {"properties": data}
    if not isinstance(data, Mapping):
        return None
    inner = json_value(data.get("tslJson")) if "tslJson" in data else data
    return inner if isinstance(inner, Mapping) else None


def thing_model_from_tsl(data: object) -> ThingModel:
    """Parse productTSL's `data` into a thing model; never raises."""
    try:
        tsl = _tsl_object(data)
    except ValueError:
        return ThingModel(problems=("tslJson is not valid JSON",))
    if tsl is None:
        return ThingModel(problems=("TSL is not an object",))
    problems: list[str] = []
    raw_properties = tsl.get("properties")
    properties = _section(raw_properties, "property", _property, {}, problems)
    # Numeric ids, for the references of events and services.
    by_number = {
        number: properties[code]
        for raw in as_records(raw_properties)
        if (number := as_int(raw.get("id"))) is not None
        and (code := as_str(raw.get("code"))) in properties
    }
    events = _section(tsl.get("events"), "event", _event, by_number, problems)
    services = _section(tsl.get("services"), "service", _service, by_number, problems)
    return ThingModel(properties, events, services, tuple(problems))


# Values


_JSON_TYPES: Final = frozenset({"STRUCT", "ARRAY"})


def value_from_cloud(value: object, data_type: str) -> object:
    """A value as the cloud reports it (often a string) in its own type; odd ones as they are."""
    kind = data_type.upper()
    if not isinstance(value, str):
        return value
    converted: object = None
    if kind == "BOOL":
        converted = {"true": True, "false": False, "1": True, "0": False}.get(value.strip().lower())
    elif kind in ("INT", "DATE", "ENUM"):
        converted = as_int(value)
    elif kind in ("FLOAT", "DOUBLE"):
        converted = as_float(value)
    elif kind in _JSON_TYPES:
        converted = lenient_json_value(value)
    return value if converted is None else converted


def value_to_cloud(define: Define, value: object) -> object:
    """An encoded value (`Property.encode`'s) as Quectel wants it: booleans as true/false."""
    if isinstance(define, BoolDefine):
        return bool(value)
    if isinstance(define, StructDefine) and isinstance(value, Mapping):
        members = {member.id: member.define for member in define.members}
        return {
            key: value_to_cloud(members[key], item) if key in members else item
            for key, item in value.items()
        }
    if isinstance(define, ArrayDefine) and isinstance(value, list):
        return [value_to_cloud(define.item, item) for item in value]
    return value


def command_text(values: Mapping[str, object]) -> str:
    """The `data` of batchControlDevice and cron jobs: the JSON text of `[{code: value}, ...]`."""
    return json.dumps([{code: value} for code, value in values.items()], separators=(",", ":"))


def command_values(text: object) -> dict[str, object]:
    """Read a command back (`[{code: value}]` or `{code: value}`, text or decoded)."""
    decoded = lenient_json_value(text)
    if isinstance(decoded, Mapping):
        return {str(key): item for key, item in decoded.items()}
    values: dict[str, object] = {}
    for item in as_records(decoded):
        values.update({str(key): value for key, value in item.items()})
    return values
