"""Small readers of thing-model properties shared by the mapping passes."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
import re
from typing import Final, cast

from custom_components.tencent_iot.api import (
    BoolDefine,
    EnumDefine,
    NumberDefine,
    Property,
    StringEnumDefine,
)

from .descriptions import Key, Scale, TencentIoTEntityDescription

type Properties = Mapping[str, Property]


@dataclass(frozen=True, slots=True)
class DeviceMatch:
    """What a whole-device rule built, and the property ids it took."""

    description: TencentIoTEntityDescription
    used: frozenset[str]


# The power switch of a whole device: Tencent's standard id, then the plain ids of other
# template authors and of Quectel's TSL (a writable bool only: a `power` number is watts).
POWER_IDS: Final = ("power_switch", "power", "switch", "on_off", "onoff")

# A whole-device rule: the properties left, the product's category and its name.
type DeviceRule = Callable[[Properties, str, str], DeviceMatch | None]

_WORD_SPLIT: Final = re.compile(r"[_\W]+|(?<=[a-z])(?=[A-Z])")


def id_words(prop_id: str) -> frozenset[str]:
    """The words of an id, lower case: "motionAlarm_state" -> motion, alarm, state."""
    return frozenset(word.casefold() for word in _WORD_SPLIT.split(prop_id) if word)


def mentions(prop: Property, words: frozenset[str], name_words: tuple[str, ...] = ()) -> bool:
    """Whether the id has one of `words`, or the model's name contains one of `name_words`."""
    return bool(id_words(prop.id) & words) or any(word in prop.name for word in name_words)


def find(
    props: Properties,
    ids: Iterable[str],
    kinds: tuple[type, ...],
    *,
    writable: bool | None = None,
) -> Property | None:
    """The first of `ids` whose define is one of `kinds` (and, if asked, (not) writable)."""
    for prop_id in ids:
        prop = props.get(prop_id)
        if (
            prop is not None
            and isinstance(prop.define, kinds)
            and (writable is None or prop.writable == writable)
        ):
            return prop
    return None


def find_switch(props: Properties, *ids: str) -> Property | None:
    """A writable bool among `ids`."""
    return find(props, ids, (BoolDefine,), writable=True)


def find_number(props: Properties, *ids: str, writable: bool | None = True) -> Property | None:
    """An int or float among `ids`."""
    return find(props, ids, (NumberDefine,), writable=writable)


def find_choice(props: Properties, *ids: str) -> Property | None:
    """A writable enum or string enum among `ids`."""
    return find(props, ids, (EnumDefine, StringEnumDefine), writable=True)


def scale(prop: Property, low: float = 0, high: float = 100) -> Scale:
    """The range of a numeric property; missing bounds take the given defaults."""
    # The finders only return numbers here.
    define = cast(NumberDefine, prop.define)
    low = define.min if define.min is not None else low
    high = define.max if define.max is not None else high
    if high <= low:
        high = low + 1
    step = define.step if define.step is not None and define.step > 0 else None
    return Scale(prop.id, low, high, integer=define.kind == "int", step=step)


def scale_from_one(prop: Property | None) -> Scale | None:
    """The range of a brightness or fan speed: 0 means off in HA, so it starts at 1 or more."""
    if prop is None:
        return None
    result = scale(prop, 1, 100)
    return Scale(result.id, max(result.low, 1), max(result.high, 2), result.integer, result.step)


def _choice_define(prop: Property) -> EnumDefine | StringEnumDefine:
    # The finders and the fallback table only pass enums here.
    return cast(EnumDefine | StringEnumDefine, prop.define)


def options(prop: Property) -> dict[str, Key]:
    """Option label -> key of an enum or string enum; labels are made unique and non-empty."""
    define = _choice_define(prop)
    result: dict[str, Key] = {}
    for key, label in define.mapping.items():
        text = label.strip() or str(key)
        if text in result:
            text = f"{text} ({key})"
        result[text] = key
    return result


def classify[T](label: str, table: Sequence[tuple[T, tuple[str, ...]]]) -> T | None:
    """The first value in `table` with a keyword that the label contains."""
    text = label.casefold()
    for value, keywords in table:
        if any(keyword in text for keyword in keywords):
            return value
    return None


def classify_keys[T](prop: Property, table: Sequence[tuple[T, tuple[str, ...]]]) -> dict[T, Key]:
    """Meaning -> the first enum key whose label (or key) has that meaning."""
    define = _choice_define(prop)
    result: dict[T, Key] = {}
    for key, label in define.mapping.items():
        meaning = classify(label, table)
        if meaning is None:
            meaning = classify(str(key), table)
        if meaning is not None:
            result.setdefault(meaning, key)
    return result
