"""Thing model → entity descriptions, in three passes (first match wins per property).

1. Whole-device rules (`devices.py`): light, water heater, climate, cover, fan built from
   several properties.
2. Standard ids (`properties.py`): sensors, binary sensors, switches and settings with known
   meanings; a writable property that is a reading is shown as one (`readings.py`).
3. The property's type and mode (`properties.py`); a writable property whose id names a
   setting is a configuration entity.

Events become event entities and actions without input become buttons. The user's overrides
(`overrides.py`) take a property out of the passes or change what they built. The result
depends only on the thing model, the product category and the overrides, so it is pure and
cheap to compute.
"""

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any, Final

from homeassistant.components.switch.const import SwitchDeviceClass

from custom_components.tencent_iot.api import Product, ThingModel

from .descriptions import (
    TencentIoTBinarySensorEntityDescription,
    TencentIoTButtonEntityDescription,
    TencentIoTClimateEntityDescription,
    TencentIoTCoverEntityDescription,
    TencentIoTDateTimeEntityDescription,
    TencentIoTEntityDescription,
    TencentIoTEventEntityDescription,
    TencentIoTFanEntityDescription,
    TencentIoTLightEntityDescription,
    TencentIoTMediaPlayerEntityDescription,
    TencentIoTNumberEntityDescription,
    TencentIoTSelectEntityDescription,
    TencentIoTSensorEntityDescription,
    TencentIoTSwitchEntityDescription,
    TencentIoTTextEntityDescription,
    TencentIoTWaterHeaterEntityDescription,
)
from .devices import DEVICE_RULES
from .overrides import OVERRIDE_RULE, Customisation, IgnoredOverride, ProductOverrides
from .properties import (
    MAIN_TRANSLATION_KEYS,
    OUTLET_TRANSLATION_KEYS,
    PROPERTY_RULES,
    action_description,
    event_description,
    is_outlet,
)
from .report import Decision, decisions
from .speaker import with_actions

__all__ = [
    "DeviceMapping",
    "device_mapping",
    "map_thing_model",
]


@dataclass(frozen=True, slots=True)
class DeviceMapping:
    """The entity descriptions of one device, by platform."""

    binary_sensors: tuple[TencentIoTBinarySensorEntityDescription, ...] = ()
    buttons: tuple[TencentIoTButtonEntityDescription, ...] = ()
    climates: tuple[TencentIoTClimateEntityDescription, ...] = ()
    covers: tuple[TencentIoTCoverEntityDescription, ...] = ()
    datetimes: tuple[TencentIoTDateTimeEntityDescription, ...] = ()
    events: tuple[TencentIoTEventEntityDescription, ...] = ()
    fans: tuple[TencentIoTFanEntityDescription, ...] = ()
    lights: tuple[TencentIoTLightEntityDescription, ...] = ()
    media_players: tuple[TencentIoTMediaPlayerEntityDescription, ...] = ()
    numbers: tuple[TencentIoTNumberEntityDescription, ...] = ()
    selects: tuple[TencentIoTSelectEntityDescription, ...] = ()
    sensors: tuple[TencentIoTSensorEntityDescription, ...] = ()
    switches: tuple[TencentIoTSwitchEntityDescription, ...] = ()
    texts: tuple[TencentIoTTextEntityDescription, ...] = ()
    water_heaters: tuple[TencentIoTWaterHeaterEntityDescription, ...] = ()
    # What became of each property and why, and the overrides the model no longer takes.
    decisions: tuple[Decision, ...] = ()
    ignored_overrides: tuple[IgnoredOverride, ...] = ()


# Description class -> the DeviceMapping field that holds it.
_FIELDS: dict[type[TencentIoTEntityDescription], str] = {
    TencentIoTBinarySensorEntityDescription: "binary_sensors",
    TencentIoTButtonEntityDescription: "buttons",
    TencentIoTClimateEntityDescription: "climates",
    TencentIoTCoverEntityDescription: "covers",
    TencentIoTDateTimeEntityDescription: "datetimes",
    TencentIoTEventEntityDescription: "events",
    TencentIoTFanEntityDescription: "fans",
    TencentIoTLightEntityDescription: "lights",
    TencentIoTMediaPlayerEntityDescription: "media_players",
    TencentIoTNumberEntityDescription: "numbers",
    TencentIoTSelectEntityDescription: "selects",
    TencentIoTSensorEntityDescription: "sensors",
    TencentIoTSwitchEntityDescription: "switches",
    TencentIoTTextEntityDescription: "texts",
    TencentIoTWaterHeaterEntityDescription: "water_heaters",
}


@dataclass(slots=True)
class _Collected:
    combined: bool = False
    by_field: dict[str, list[TencentIoTEntityDescription]] = field(
        default_factory=lambda: {name: [] for name in _FIELDS.values()}
    )

    def add(self, description: TencentIoTEntityDescription) -> None:
        self.by_field[_FIELDS[type(description)]].append(description)


def _deduplicate_names(
    descriptions: list[TencentIoTEntityDescription], names: dict[str, str]
) -> None:
    """A translation key used twice on a device would give two entities one name."""
    seen: set[str] = set()
    for index, description in enumerate(descriptions):
        key = description.translation_key
        if key is None or isinstance(description.name, str):
            continue
        if key in seen:
            descriptions[index] = replace(
                description,
                translation_key=None,
                name=names.get(description.key, description.key),
            )
        seen.add(key)


def _make_outlets(collected: _Collected) -> None:
    """A plug's power and channel switches switch sockets."""
    switches = collected.by_field["switches"]
    for index, description in enumerate(switches):
        if description.translation_key in OUTLET_TRANSLATION_KEYS:
            switches[index] = replace(description, device_class=SwitchDeviceClass.OUTLET)


def _name_main_entity(collected: _Collected) -> None:
    """The one main entity of a single-purpose device is named after the device."""
    if collected.combined:
        return
    found = [
        (name, index)
        for name, descriptions in collected.by_field.items()
        for index, description in enumerate(descriptions)
        if description.translation_key in MAIN_TRANSLATION_KEYS.get(type(description), ())
    ]
    if len(found) == 1:
        name, index = found[0]
        description = collected.by_field[name][index]
        collected.by_field[name][index] = replace(description, translation_key=None, name=None)


def map_thing_model(
    model: ThingModel,
    category_id: str = "",
    product_name: str = "",
    overrides: ProductOverrides = (),
) -> DeviceMapping:
    """Build the entity descriptions of a device from its product's thing model."""
    collected = _Collected()
    customisation = Customisation.of(model, overrides)
    for typed in customisation.typed_descriptions():
        collected.add(typed)
    rules = dict.fromkeys(customisation.typed, OVERRIDE_RULE)
    remaining = {
        prop_id: prop for prop_id, prop in model.properties.items() if prop_id not in rules
    }
    for device_rule in DEVICE_RULES:
        if (match := device_rule(remaining, category_id, product_name)) is not None:
            collected.add(replace(match.description, property_ids=match.used))
            collected.combined = True
            rules.update(dict.fromkeys(match.used, device_rule.__name__))
            for prop_id in match.used:
                remaining.pop(prop_id, None)
    for prop in remaining.values():
        for property_rule in PROPERTY_RULES:
            if (description := property_rule(prop)) is not None:
                collected.add(replace(description, property_ids=frozenset({prop.id})))
                rules[prop.id] = property_rule.__name__
                break
    for event in model.events.values():
        collected.add(event_description(event))
    # A speaker calls some actions itself and stands for others: those are no buttons.
    players = [
        with_actions(player, model.actions)
        for player in collected.by_field["media_players"]
        if isinstance(player, TencentIoTMediaPlayerEntityDescription)
    ]
    collected.by_field["media_players"] = list(players)
    taken = {action_id for player in players for action_id in player.action_ids}
    for action in model.actions.values():
        if action.id not in taken and (button := action_description(action)) is not None:
            collected.add(button)

    names = {prop.id: prop.name for prop in model.properties.values()}
    for descriptions in collected.by_field.values():
        _deduplicate_names(descriptions, names)
    if is_outlet(model, product_name):
        _make_outlets(collected)
    _name_main_entity(collected)
    fields: dict[str, Any] = {
        name: tuple(customisation.apply(description) for description in descriptions)
        for name, descriptions in collected.by_field.items()
    }
    return DeviceMapping(
        **fields,
        decisions=decisions(model.properties, fields, rules, customisation.applied),
        ignored_overrides=tuple(customisation.ignored),
    )


# Every platform asks for the mapping of every device: map each product once.
_CACHE_SIZE: Final = 256
_cache: OrderedDict[tuple[int, ProductOverrides], tuple[Product, DeviceMapping]] = OrderedDict()


def device_mapping(product: Product, overrides: ProductOverrides = ()) -> DeviceMapping:
    """The entity descriptions of a product's devices (cached per product object and overrides)."""
    key = (id(product), overrides)
    if (hit := _cache.get(key)) is not None and hit[0] is product:
        _cache.move_to_end(key)
        return hit[1]
    mapping = map_thing_model(product.thing_model, product.category_id, product.name, overrides)
    # The product is kept with its mapping, so its id cannot be reused while cached.
    _cache[key] = (product, mapping)
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return mapping
