"""Switches: writable bool properties (power_switch, switch_1..n and the rest)."""

from typing import Any, override

from homeassistant.components.switch import SwitchEntity

from .automation import async_setup_automation_switches
from .entity import TencentIoTEntity, device_platform_setup
from .mapping.descriptions import TencentIoTSwitchEntityDescription, truthy

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1


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


async_setup_entry = device_platform_setup(
    lambda mapping: mapping.switches, TencentIoTSwitch, async_setup_automation_switches
)
