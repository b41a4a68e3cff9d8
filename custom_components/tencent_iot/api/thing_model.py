"""Product thing model (`DataTemplate`): properties, events, actions and value coercion.

Parsing never raises for one bad entry: it is skipped and described in
`ThingModel.problems`. An attribute that cannot be read (a step that is not a number, a bool
mapping keyed by words) is left out the same way, and its entry kept. Value helpers raise `InvalidValueError` (a `ValueError`)
with a short reason.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Literal, Protocol, Self

from .parsing import (
    as_bool,
    as_float,
    as_int,
    as_records,
    as_str,
    is_number,
    json_value,
    lenient_json_value,
)

type PropertyMode = Literal["r", "rw"]
type Define = (
    BoolDefine
    | NumberDefine
    | EnumDefine
    | StringEnumDefine
    | StringDefine
    | TimestampDefine
    | StructDefine
    | ArrayDefine
)


class InvalidValueError(ValueError):
    """A value does not fit a property's type, range or choices."""


class _TemplateError(ValueError):
    """A part of the DataTemplate cannot be used."""


def _label_key[K](mapping: Mapping[K, str], label: object) -> K | None:
    for key, text in mapping.items():
        if text == label:
            return key
    return None


def _read[T](result: T | None, value: object, what: str) -> T:
    """`result`, the value read as `what`; None means it is not one."""
    if result is None:
        raise InvalidValueError(f"{value!r} is not {what}")
    return result


def _check_range(number: float, low: float | None, high: float | None) -> None:
    if (low is not None and number < low) or (high is not None and number > high):
        low_text = "" if low is None else f"{low:g}"
        high_text = "" if high is None else f"{high:g}"
        raise InvalidValueError(f"{number:g} is out of range {low_text}..{high_text}")


@dataclass(frozen=True, slots=True)
class BoolDefine:
    """A boolean; the cloud carries it as 0/1. `mapping` labels the two states."""

    kind: ClassVar[str] = "bool"
    mapping: Mapping[int, str] = field(default_factory=dict)

    def decode(self, value: object) -> bool:
        """Read a reported value."""
        return _read(as_bool(value), value, "a boolean")

    def encode(self, value: object) -> int:
        """Build the value to send (0 or 1)."""
        result = as_bool(value)
        if result is None and (key := _label_key(self.mapping, value)) is not None:
            result = bool(key)
        return int(_read(result, value, "a boolean"))


@dataclass(frozen=True, slots=True)
class NumberDefine:
    """An int or float with optional bounds, step and unit."""

    kind: Literal["int", "float"]
    min: float | None = None
    max: float | None = None
    step: float | None = None
    start: float | None = None
    unit: str = ""

    def decode(self, value: object) -> int | float:
        """Read a reported value; an int property reported as 2.6 reads as 3."""
        number = _read(as_float(value), value, "a number")
        return round(number) if self.kind == "int" else number

    def encode(self, value: object) -> int | float:
        """Build the value to send, checking type and range."""
        number = _read(None if isinstance(value, bool) else as_float(value), value, "a number")
        if self.kind == "int" and not number.is_integer():
            raise InvalidValueError(f"{value!r} is not an integer")
        _check_range(number, self.min, self.max)
        return int(number) if self.kind == "int" else number


@dataclass(frozen=True, slots=True)
class EnumDefine:
    """An integer choice; `mapping` labels each allowed value."""

    kind: ClassVar[str] = "enum"
    mapping: Mapping[int, str] = field(default_factory=dict)

    def decode(self, value: object) -> int:
        """Read a reported value (not checked against the mapping)."""
        return _read(as_int(value), value, "an enum value")

    def encode(self, value: object) -> int:
        """Build the value to send from a key or its label."""
        key = as_int(value) if not isinstance(value, bool) else None
        if key is None or (self.mapping and key not in self.mapping):
            key = _label_key(self.mapping, value)
        if key is None:
            raise InvalidValueError(f"{value!r} is not one of {sorted(self.mapping)}")
        return key


@dataclass(frozen=True, slots=True)
class StringEnumDefine:
    """A string choice; `mapping` labels each allowed key."""

    kind: ClassVar[str] = "stringenum"
    mapping: Mapping[str, str] = field(default_factory=dict)

    def decode(self, value: object) -> str:
        """Read a reported value (not checked against the mapping)."""
        if not isinstance(value, str | int):
            raise InvalidValueError(f"{value!r} is not a string enum value")
        return str(value)

    def encode(self, value: object) -> str:
        """Build the value to send from a key or its label."""
        if isinstance(value, str) and (not self.mapping or value in self.mapping):
            return value
        if (key := _label_key(self.mapping, value)) is not None:
            return key
        raise InvalidValueError(f"{value!r} is not one of {sorted(self.mapping)}")


@dataclass(frozen=True, slots=True)
class StringDefine:
    """Free text with optional length bounds."""

    kind: ClassVar[str] = "string"
    min_length: int | None = None
    max_length: int | None = None

    def decode(self, value: object) -> str:
        """Read a reported value; numbers become their text."""
        if isinstance(value, str):
            return value
        if is_number(value):
            return str(value)
        raise InvalidValueError(f"{value!r} is not a string")

    def encode(self, value: object) -> str:
        """Build the value to send, checking the length."""
        if not isinstance(value, str):
            raise InvalidValueError(f"{value!r} is not a string")
        if self.max_length is not None and len(value) > self.max_length:
            raise InvalidValueError(f"text is longer than {self.max_length} characters")
        if self.min_length is not None and len(value) < self.min_length:
            raise InvalidValueError(f"text is shorter than {self.min_length} characters")
        return value


@dataclass(frozen=True, slots=True)
class TimestampDefine:
    """A UNIX timestamp (an integer)."""

    kind: ClassVar[str] = "timestamp"

    def decode(self, value: object) -> int:
        """Read a reported value."""
        return _read(as_int(value), value, "a timestamp")

    def encode(self, value: object) -> int:
        """Build the value to send."""
        return _read(None if isinstance(value, bool) else as_int(value), value, "a timestamp")


@dataclass(frozen=True, slots=True)
class Member:
    """One member of a struct, an event's parameters or an action's input/output."""

    id: str
    name: str
    define: Define


@dataclass(frozen=True, slots=True)
class StructDefine:
    """An object with typed members."""

    kind: ClassVar[str] = "struct"
    members: tuple[Member, ...] = ()

    def decode(self, value: object) -> dict[str, Any]:
        """Read a reported value; unknown members are kept as they are."""
        return _decode_members(self.members, value)

    def encode(self, value: object) -> dict[str, Any]:
        """Build the value to send; unknown members are refused."""
        return _encode_members(self.members, value)


@dataclass(frozen=True, slots=True)
class ArrayDefine:
    """A list whose items all follow `item`."""

    kind: ClassVar[str] = "array"
    item: Define

    def decode(self, value: object) -> list[Any]:
        """Read a reported value (a list, or a JSON string of one)."""
        items = lenient_json_value(value)
        if not isinstance(items, list):
            raise InvalidValueError(f"{value!r} is not a list")
        return [self.item.decode(item) for item in items]

    def encode(self, value: object) -> list[Any]:
        """Build the value to send."""
        if not isinstance(value, list | tuple):
            raise InvalidValueError(f"{value!r} is not a list")
        return [self.item.encode(item) for item in value]


def _decode_members(members: tuple[Member, ...], value: object) -> dict[str, Any]:
    raw = lenient_json_value(value)
    if not isinstance(raw, Mapping):
        raise InvalidValueError(f"{value!r} is not an object")
    known = {member.id: member for member in members}
    result: dict[str, Any] = {}
    for key, item in raw.items():
        if (member := known.get(key)) is None:
            result[key] = item
            continue
        try:
            result[key] = member.define.decode(item)
        except ValueError as err:
            raise InvalidValueError(f"{key}: {err}") from None
    return result


def _encode_members(members: tuple[Member, ...], value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidValueError(f"{value!r} is not an object")
    known = {member.id: member for member in members}
    result: dict[str, Any] = {}
    for key, item in value.items():
        if (member := known.get(key)) is None:
            raise InvalidValueError(f"unknown member {key!r}")
        try:
            result[key] = member.define.encode(item)
        except ValueError as err:
            raise InvalidValueError(f"{key}: {err}") from None
    return result


@dataclass(frozen=True, slots=True)
class Property:
    """A thing-model property."""

    id: str
    name: str
    define: Define
    mode: PropertyMode = "r"
    desc: str = ""
    required: bool = False

    @property
    def writable(self) -> bool:
        """Whether the property can be set (mode "rw")."""
        return self.mode == "rw"

    def decode(self, value: object) -> Any:
        """Read a reported value into a Python value."""
        return self.define.decode(value)

    def encode(self, value: object) -> Any:
        """Check a value and build what the cloud expects (bools as 0/1)."""
        return self.define.encode(value)


@dataclass(frozen=True, slots=True)
class Event:
    """A thing-model event; `type` is "info", "alert" or "fault"."""

    id: str
    name: str
    type: str = "info"
    desc: str = ""
    params: tuple[Member, ...] = ()


@dataclass(frozen=True, slots=True)
class Action:
    """A thing-model action with its input and output members."""

    id: str
    name: str
    desc: str = ""
    input: tuple[Member, ...] = ()
    output: tuple[Member, ...] = ()

    def encode_input(self, value: Mapping[str, Any]) -> dict[str, Any]:
        """Check input parameters and build what the cloud expects."""
        return _encode_members(self.input, value)


# Notes on attributes a parser left out (a sloppy step, an odd mapping key): the entry is kept.
type _Notes = list[str]


def _bound(raw: Mapping[str, Any], key: str, notes: _Notes) -> float | None:
    """A numeric attribute; one that is not a number is left out, with a note."""
    value = raw.get(key)
    if value is None or value == "":
        return None
    if (number := as_float(value)) is None:
        notes.append(f"{key} {value!r} is not a number, ignored")
    return number


def _length(raw: Mapping[str, Any], key: str, notes: _Notes) -> int | None:
    number = _bound(raw, key, notes)
    return None if number is None else int(number)


def _int_mapping(raw: object, notes: _Notes) -> dict[int, str]:
    """Integer key -> label; keys that are not integers are left out, with a note."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        notes.append("mapping is not an object, ignored")
        return {}
    result: dict[int, str] = {}
    skipped: list[str] = []
    for key, label in raw.items():
        if (number := as_int(key)) is None:
            skipped.append(repr(key))
            continue
        result[number] = as_str(label)
    if skipped:
        notes.append(f"mapping keys {', '.join(skipped)} are not integers, ignored")
    return result


def _str_mapping(raw: object, notes: _Notes) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        notes.append("mapping is not an object, ignored")
        return {}
    return {str(key): as_str(label) for key, label in raw.items()}


def _parse_number(raw: Mapping[str, Any], notes: _Notes) -> NumberDefine:
    return NumberDefine(
        "int" if raw.get("type") == "int" else "float",
        min=_bound(raw, "min", notes),
        max=_bound(raw, "max", notes),
        step=_bound(raw, "step", notes),
        start=_bound(raw, "start", notes),
        unit=as_str(raw.get("unit")),
    )


_DEFINE_PARSERS: Final[dict[str, Callable[[Mapping[str, Any], _Notes], Define]]] = {
    "bool": lambda raw, notes: BoolDefine(_int_mapping(raw.get("mapping"), notes)),
    "int": _parse_number,
    "float": _parse_number,
    "enum": lambda raw, notes: EnumDefine(_int_mapping(raw.get("mapping"), notes)),
    "stringenum": lambda raw, notes: StringEnumDefine(_str_mapping(raw.get("mapping"), notes)),
    "string": lambda raw, notes: StringDefine(
        _length(raw, "min", notes), _length(raw, "max", notes)
    ),
    "timestamp": lambda _raw, _notes: TimestampDefine(),
    "struct": lambda raw, notes: StructDefine(_parse_members(raw.get("specs"), notes)),
    "array": lambda raw, notes: ArrayDefine(parse_define(raw.get("arrayInfo"), notes)),
}


def parse_define(raw: object, notes: _Notes | None = None) -> Define:
    """Parse a `define`/`dataType` object. Raises ValueError when it is unusable.

    Attributes that cannot be read (a step that is not a number, a bool mapping keyed by
    words) are left out, and described in `notes` when given.
    """
    if not isinstance(raw, Mapping):
        raise _TemplateError("missing define")
    kind = as_str(raw.get("type"))
    if (parse := _DEFINE_PARSERS.get(kind)) is None:
        raise _TemplateError(f"unknown type {kind!r}")
    return parse(raw, [] if notes is None else notes)


def _parse_member(raw: Mapping[str, Any], notes: _Notes) -> Member:
    member_id = as_str(raw.get("id"))
    if not member_id:
        raise _TemplateError("member without id")
    own: _Notes = []
    try:
        define = parse_define(raw.get("dataType", raw.get("define")), own)
    except ValueError as err:
        raise _TemplateError(f"member {member_id}: {err}") from None
    notes.extend(f"member {member_id}: {note}" for note in own)
    return Member(member_id, as_str(raw.get("name"), member_id), define)


def _parse_members(raw: object, notes: _Notes) -> tuple[Member, ...]:
    if raw is not None and not isinstance(raw, list):
        raise _TemplateError("members are not a list")
    return tuple(_parse_member(item, notes) for item in as_records(raw))


def _entry_id(raw: Mapping[str, Any]) -> str:
    if not (entry_id := as_str(raw.get("id"))):
        raise _TemplateError("no id")
    return entry_id


def _parse_property(raw: Mapping[str, Any], notes: _Notes) -> Property:
    prop_id = _entry_id(raw)
    mode: PropertyMode = "rw" if as_str(raw.get("mode")).lower() in ("rw", "w") else "r"
    return Property(
        id=prop_id,
        name=as_str(raw.get("name"), prop_id),
        define=parse_define(raw.get("define"), notes),
        mode=mode,
        desc=as_str(raw.get("desc")),
        required=as_bool(raw.get("required")) or False,
    )


def _parse_event(raw: Mapping[str, Any], notes: _Notes) -> Event:
    event_id = _entry_id(raw)
    return Event(
        id=event_id,
        name=as_str(raw.get("name"), event_id),
        type=as_str(raw.get("type"), "info"),
        desc=as_str(raw.get("desc")),
        params=_parse_members(raw.get("params"), notes),
    )


def _parse_action(raw: Mapping[str, Any], notes: _Notes) -> Action:
    action_id = _entry_id(raw)
    return Action(
        id=action_id,
        name=as_str(raw.get("name"), action_id),
        desc=as_str(raw.get("desc")),
        input=_parse_members(raw.get("input"), notes),
        output=_parse_members(raw.get("output"), notes),
    )


def _section(template: Mapping[str, Any], key: str) -> list[Any]:
    # One doc example nests the lists inside "profile"; accept both places.
    for source in (template, template.get("profile")):
        if isinstance(source, Mapping) and isinstance(value := source.get(key), list):
            return value
    return []


@dataclass(frozen=True, slots=True)
class ThingModel:
    """Properties, events and actions of a product, keyed by id."""

    properties: Mapping[str, Property] = field(default_factory=dict)
    events: Mapping[str, Event] = field(default_factory=dict)
    actions: Mapping[str, Action] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, data_template: object) -> Self:
        """Parse a DataTemplate (a JSON string or an object); never raises."""
        try:
            template = json_value(data_template)
        except ValueError:
            return cls(problems=("DataTemplate is not valid JSON",))
        if template is None:
            return cls()
        if not isinstance(template, Mapping):
            return cls(problems=("DataTemplate is not an object",))
        problems: list[str] = []
        properties = _parse_all(template, "properties", _parse_property, problems)
        events = _parse_all(template, "events", _parse_event, problems)
        actions = _parse_all(template, "actions", _parse_action, problems)
        return cls(properties, events, actions, tuple(problems))


class _Entry(Protocol):
    @property
    def id(self) -> str: ...


def _parse_all[T: _Entry](
    template: Mapping[str, Any],
    key: str,
    parse: Callable[[Mapping[str, Any], _Notes], T],
    problems: list[str],
) -> dict[str, T]:
    noun = {"properties": "property", "events": "event", "actions": "action"}[key]
    result: dict[str, T] = {}
    for index, raw in enumerate(_section(template, key)):
        entry_id = raw.get("id") if isinstance(raw, Mapping) else None
        label = f"{noun} {entry_id or f'#{index}'}"
        if not isinstance(raw, Mapping):
            problems.append(f"{label}: not an object")
            continue
        notes: _Notes = []
        try:
            entry = parse(raw, notes)
        except ValueError as err:
            problems.append(f"{label}: {err}")
            continue
        if entry.id in result:
            problems.append(f"{label}: duplicate id, the first one is kept")
            continue
        problems.extend(f"{label}: {note}" for note in notes)
        result[entry.id] = entry
    return result
