"""Date and time entities: writable timestamps, such as a speaker's alarm time."""

from datetime import datetime
from typing import override

from homeassistant.components.datetime import DateTimeEntity

from .entity import TencentIoTEntity, device_platform_setup
from .mapping.descriptions import (
    TencentIoTDateTimeEntityDescription,
    timestamp_to_send,
    timestamp_value,
)

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1


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


async_setup_entry = device_platform_setup(lambda mapping: mapping.datetimes, TencentIoTDateTime)
