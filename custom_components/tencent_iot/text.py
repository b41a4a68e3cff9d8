"""Text entities: writable string properties."""

from typing import override

from homeassistant.components.text import TextEntity

from .entity import TencentIoTEntity, device_platform_setup
from .mapping.descriptions import TencentIoTTextEntityDescription

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1


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


async_setup_entry = device_platform_setup(lambda mapping: mapping.texts, TencentIoTText)
