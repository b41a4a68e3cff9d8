"""Text entities: writable string properties."""

from typing import override

from homeassistant.components.text import TextEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import TencentIoTEntity, async_setup_device_entities
from .mapping.descriptions import TencentIoTTextEntityDescription
from .models import TencentIoTConfigEntry

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TencentIoTConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a text entity for each writable string property of every device."""
    async_setup_device_entities(
        entry, async_add_entities, lambda mapping: mapping.texts, TencentIoTText
    )


class TencentIoTText(TencentIoTEntity, TextEntity):
    """One string property as a text entity."""

    entity_description: TencentIoTTextEntityDescription

    @property
    @override
    def native_value(self) -> str | None:
        """The property's text, cut to the length a state can hold."""
        value = self.values.get(self.entity_description.key)
        return value[: self.entity_description.native_max] if isinstance(value, str) else None

    @override
    async def async_set_value(self, value: str) -> None:
        """Send the text; the device's report updates the state."""
        await self.async_set_values({self.entity_description.key: value})
