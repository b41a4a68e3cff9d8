"""Small readers of thing-model properties shared by the mapping passes."""

from collections.abc import Iterable, Mapping, Sequence
from typing import cast

from custom_components.tencent_iot.api import (
    BoolDefine,
    EnumDefine,
    NumberDefine,
    Property,
    StringEnumDefine,
)

from .descriptions import Key, Scale

type Properties = Mapping[str, Property]


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
    return Scale(prop.id, low, high, integer=define.kind == "int")


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
