"""Numbers: writable int and float properties."""

from typing import override

from homeassistant.components.number import NumberEntity

from .entity import TencentIoTEntity, device_platform_setup
from .mapping.descriptions import TencentIoTNumberEntityDescription

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1


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


async_setup_entry = device_platform_setup(lambda mapping: mapping.numbers, TencentIoTNumber)
