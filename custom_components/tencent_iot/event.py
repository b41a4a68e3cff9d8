"""Event entities: the events a device posts (thing-model events)."""

from typing import override

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import DeviceEvent
from .entity import TencentIoTEntity, async_setup_device_entities
from .mapping.descriptions import TencentIoTEventEntityDescription, decode_members
from .models import TencentIoTConfigEntry

# Read-only: events arrive by push.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TencentIoTConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an event entity for each event of every device's thing model."""
    async_setup_device_entities(
        entry, async_add_entities, lambda mapping: mapping.events, TencentIoTEvent
    )


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
