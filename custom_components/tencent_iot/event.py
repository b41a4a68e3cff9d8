"""Event entities: the events a device posts (thing-model events)."""

from typing import override

from homeassistant.components.event import EventEntity
from homeassistant.core import callback

from .api import DeviceEvent
from .entity import TencentIoTEntity, device_platform_setup
from .mapping.descriptions import TencentIoTEventEntityDescription, decode_members

# Read-only: events arrive by push.
PARALLEL_UPDATES = 0


class TencentIoTEvent(TencentIoTEntity, EventEntity):
    """One thing-model event; its parameters are the event data."""

    entity_description: TencentIoTEventEntityDescription

    @override
    async def async_added_to_hass(self) -> None:
        """Also follow the events this device posts."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.listeners.async_add_event_listener(self.device_key, self._handle_event)
        )

    @callback
    def _handle_event(self, event: DeviceEvent) -> None:
        if event.event_id != self.entity_description.key:
            return
        self._trigger_event(
            event.event_id,
            decode_members(self.entity_description.event.params, event.params),
        )
        self.async_write_ha_state()


async_setup_entry = device_platform_setup(lambda mapping: mapping.events, TencentIoTEvent)
