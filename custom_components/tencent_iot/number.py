"""Numbers: writable int and float properties."""

from typing import override

from homeassistant.components.number import NumberEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import TencentIoTEntity, async_setup_device_entities
from .mapping.descriptions import TencentIoTNumberEntityDescription
from .models import TencentIoTConfigEntry

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TencentIoTConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a number for each writable numeric property of every device."""
    async_setup_device_entities(
        entry, async_add_entities, lambda mapping: mapping.numbers, TencentIoTNumber
    )


class TencentIoTNumber(TencentIoTEntity, NumberEntity):
    """One numeric property as a number."""

    entity_description: TencentIoTNumberEntityDescription

    @property
    @override
    def native_value(self) -> float | None:
        """The property's value."""
        return self.number(self.entity_description.key)

    @override
    async def async_set_native_value(self, value: float) -> None:
        """Send the value; the device's report updates the state."""
        await self.async_set_values({self.entity_description.key: value})
