"""Numbers: writable int and float properties."""

from typing import override

from homeassistant.components.number import NumberEntity

from .entity import TencentIoTEntity, device_platform_setup
from .mapping.descriptions import TencentIoTNumberEntityDescription, snap

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
        """Send the value on the model's steps; the device's report updates the state.

        HA converts a value picked in the user's unit back to the model's (20 °C is 68 °F,
        21 °C is 69.8 °F): rounded to the model's step, a whole-degree setting takes it.
        """
        description = self.entity_description
        await self.async_set_values(
            {
                description.key: snap(
                    value,
                    description.native_min_value,
                    description.native_step,
                    description.integer,
                )
            }
        )


async_setup_entry = device_platform_setup(lambda mapping: mapping.numbers, TencentIoTNumber)
