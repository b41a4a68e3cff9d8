"""Switches: writable bool properties (power_switch, switch_1..n and the rest)."""

from typing import Any, override

from homeassistant.components.switch import SwitchEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .automation import async_setup_automation_switches
from .entity import TencentIoTEntity, async_setup_device_entities
from .mapping.descriptions import TencentIoTSwitchEntityDescription, truthy
from .models import TencentIoTConfigEntry

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TencentIoTConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a switch per mapped property (now and for devices found later) and per automation."""
    async_setup_device_entities(
        entry, async_add_entities, lambda mapping: mapping.switches, TencentIoTSwitch
    )
    async_setup_automation_switches(entry, async_add_entities)


class TencentIoTSwitch(TencentIoTEntity, SwitchEntity):
    """One bool property as a switch."""

    entity_description: TencentIoTSwitchEntityDescription

    @property
    @override
    def is_on(self) -> bool | None:
        """Whether the property is on."""
        return truthy(self.values.get(self.entity_description.key))

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Set the property to true; the device's report updates the state."""
        await self.async_set_values({self.entity_description.key: True})

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Set the property to false; the device's report updates the state."""
        await self.async_set_values({self.entity_description.key: False})
