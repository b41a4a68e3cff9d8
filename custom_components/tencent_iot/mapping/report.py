"""The mapping report: for each property, the entity it became and the rule that decided it.

Diagnostics show it, so a user whose property became the wrong entity can say exactly which
rule took it; it is built with the mapping, once per product.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from homeassistant.const import Platform

from .descriptions import TencentIoTEntityDescription

# The rule of a property no rule took (a type the mapping does not know).
NO_RULE: Final = "none"

# DeviceMapping field -> the platform of its entities.
PLATFORMS: Final[dict[str, Platform]] = {
    "binary_sensors": Platform.BINARY_SENSOR,
    "buttons": Platform.BUTTON,
    "climates": Platform.CLIMATE,
    "covers": Platform.COVER,
    "datetimes": Platform.DATETIME,
    "events": Platform.EVENT,
    "fans": Platform.FAN,
    "lights": Platform.LIGHT,
    "media_players": Platform.MEDIA_PLAYER,
    "numbers": Platform.NUMBER,
    "selects": Platform.SELECT,
    "sensors": Platform.SENSOR,
    "switches": Platform.SWITCH,
    "texts": Platform.TEXT,
    "water_heaters": Platform.WATER_HEATER,
}


@dataclass(frozen=True, slots=True)
class Decision:
    """What became of one property.

    `platform` and `key` name its entity (the key of an entity built from several properties
    is its platform's name); both are None when it has none. `rule` is the function of the
    mapping that decided, or "override" when the user chose the entity type; `customised` says
    whether the user's settings changed the entity.
    """

    property_id: str
    platform: Platform | None
    key: str | None
    rule: str
    customised: bool = False


def decisions(
    property_ids: Iterable[str],
    by_field: Mapping[str, Iterable[TencentIoTEntityDescription]],
    rules: Mapping[str, str],
    customised: set[str],
) -> tuple[Decision, ...]:
    """One decision per property, in the model's order."""
    shown = {
        prop_id: (PLATFORMS[name], description.key)
        for name, descriptions in by_field.items()
        for description in descriptions
        for prop_id in description.property_ids
    }
    report: list[Decision] = []
    for prop_id in property_ids:
        platform, key = shown.get(prop_id, (None, None))
        rule = rules.get(prop_id, NO_RULE)
        report.append(Decision(prop_id, platform, key, rule, prop_id in customised))
    return tuple(report)
