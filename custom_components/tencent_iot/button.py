"""Buttons: thing-model actions that take no input."""

from typing import override

from homeassistant.components.button import ButtonEntity
from homeassistant.core import callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import TencentIoTEntity, device_platform_setup
from .mapping.descriptions import TencentIoTButtonEntityDescription
from .messages import MarkMessagesReadButton
from .models import TencentIoTConfigEntry

# Actions go to the cloud one at a time.
PARALLEL_UPDATES = 1


@callback
def _async_add_mark_read_button(
    entry: TencentIoTConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the home's button that marks its messages read."""
    async_add_entities(
        [MarkMessagesReadButton(entry.runtime_data.coordinator, entry.runtime_data.messages)]
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


async_setup_entry = device_platform_setup(
    lambda mapping: mapping.buttons, TencentIoTButton, _async_add_mark_read_button
)
