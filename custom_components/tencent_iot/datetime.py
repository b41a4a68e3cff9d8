"""Date and time entities: writable timestamps, such as a speaker's alarm time."""

from datetime import datetime
from typing import override

from homeassistant.components.datetime import DateTimeEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import TencentIoTEntity, async_setup_device_entities
from .mapping.descriptions import (
    TencentIoTDateTimeEntityDescription,
    timestamp_to_send,
    timestamp_value,
)
from .models import TencentIoTConfigEntry

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TencentIoTConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a date and time for each writable timestamp of every device."""
    async_setup_device_entities(
        entry, async_add_entities, lambda mapping: mapping.datetimes, TencentIoTDateTime
    )


class TencentIoTDateTime(TencentIoTEntity, DateTimeEntity):
    """One writable timestamp property as a date and time."""

    entity_description: TencentIoTDateTimeEntityDescription

    @property
    @override
    def native_value(self) -> datetime | None:
        """The property's moment (None while it is 0: never set)."""
        return timestamp_value(self.values.get(self.entity_description.key))

    @override
    async def async_set_value(self, value: datetime) -> None:
        """Send the moment; the device's report updates the state."""
        key = self.entity_description.key
        await self.async_set_values({key: timestamp_to_send(value, self.values.get(key))})
