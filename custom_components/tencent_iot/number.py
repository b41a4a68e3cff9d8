"""Numbers: writable int and float properties."""

from typing import override

from homeassistant.components.number import NumberEntity

from .entity import TencentIoTEntity, device_platform_setup
from .mapping.descriptions import TencentIoTNumberEntityDescription, snap
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
        """Send the value on the model's steps; the device's report updates the state.

        A value scaled by the user's factor is divided by it first. HA converts a value picked
        in the user's unit back to the model's (20 °C is 68 °F, 21 °C is 69.8 °F): rounded to
        the model's step, a whole-degree setting takes it.
        """
        description = self.entity_description
        if description.factor != 1:
            value = unscaled(value, description.factor, description.native_step)
        else:
            value = snap(
                value, description.native_min_value, description.native_step, description.integer
            )
        await self.async_set_values({description.key: value})


async_setup_entry = device_platform_setup(lambda mapping: mapping.numbers, TencentIoTNumber)
