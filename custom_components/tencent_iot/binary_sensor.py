"""Binary sensors: read-only bool (and standard alarm) properties."""

from typing import override

from homeassistant.components.binary_sensor import BinarySensorEntity

from .entity import TencentIoTEntity, device_platform_setup
from .mapping.descriptions import TencentIoTBinarySensorEntityDescription

# Read-only: the coordinator does all the reading.
PARALLEL_UPDATES = 0


class TencentIoTBinarySensor(TencentIoTEntity, BinarySensorEntity):
    """One property shown as a binary sensor."""

    entity_description: TencentIoTBinarySensorEntityDescription

    @property
    @override
    def is_on(self) -> bool | None:
        """Whether the property is active."""
        return self.entity_description.value_fn(self.values.get(self.entity_description.key))


async_setup_entry = device_platform_setup(
    lambda mapping: mapping.binary_sensors, TencentIoTBinarySensor
)
