"""Buttons: thing-model actions that take no input."""

from typing import override

from homeassistant.components.button import ButtonEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import TencentIoTEntity, async_setup_device_entities
from .mapping.descriptions import TencentIoTButtonEntityDescription
from .models import TencentIoTConfigEntry

# Actions go to the cloud one at a time.
PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TencentIoTConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a button for each action without input of every device."""
    async_setup_device_entities(
        entry, async_add_entities, lambda mapping: mapping.buttons, TencentIoTButton
    )


class TencentIoTButton(TencentIoTEntity, ButtonEntity):
    """Calls one thing-model action."""

    entity_description: TencentIoTButtonEntityDescription

    @override
    async def async_press(self) -> None:
        """Call the action and wait for the device's answer."""
        device = self.device_state.device
        await self.coordinator.async_call_cloud(
            self.coordinator.client.call_action(device, self.entity_description.key),
            "control_failed",
            self.device_state.name,
        )
