"""Numbers: writable int and float properties."""

from typing import override

from homeassistant.components.number import NumberEntity

from .entity import TencentIoTEntity, device_platform_setup
from .mapping.descriptions import TencentIoTNumberEntityDescription
from .mapping.overrides import scaled, unscaled

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1


class TencentIoTNumber(TencentIoTEntity, NumberEntity):
    """One numeric property as a number."""

    entity_description: TencentIoTNumberEntityDescription

    @property
    @override
    def native_value(self) -> float | None:
        """The property's value, times the scale factor."""
        value = self.number(self.entity_description.key)
        factor = self.entity_description.factor
        return value if value is None or factor == 1 else scaled(value, factor)

    @override
    async def async_set_native_value(self, value: float) -> None:
        """Send the value (divided by the scale factor); the device's report updates the state."""
        description = self.entity_description
        if description.factor != 1:
            value = unscaled(value, description.factor, description.native_step)
        await self.async_set_values({description.key: value})


async_setup_entry = device_platform_setup(lambda mapping: mapping.numbers, TencentIoTNumber)
