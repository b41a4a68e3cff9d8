"""Binary sensors: read-only bool (and standard alarm) properties."""

from typing import override

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import TencentIoTEntity, async_setup_device_entities
from .mapping.descriptions import TencentIoTBinarySensorEntityDescription
from .models import TencentIoTConfigEntry

# Read-only: the coordinator does all the reading.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TencentIoTConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a binary sensor for each mapped property of every device."""
    async_setup_device_entities(
        entry,
        async_add_entities,
        lambda mapping: mapping.binary_sensors,
        TencentIoTBinarySensor,
    )


class TencentIoTBinarySensor(TencentIoTEntity, BinarySensorEntity):
    """One property shown as a binary sensor."""

    entity_description: TencentIoTBinarySensorEntityDescription

    @property
    @override
    def is_on(self) -> bool | None:
        """Whether the property is active."""
        return self.entity_description.value_fn(self.values.get(self.entity_description.key))
