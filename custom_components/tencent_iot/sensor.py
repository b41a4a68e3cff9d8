"""Sensors: read-only values of the thing model."""

from datetime import datetime
from typing import Any, override

from homeassistant.components.sensor import SensorEntity
from homeassistant.core import callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .entity import TencentIoTEntity, device_platform_setup
from .mapping.descriptions import TencentIoTSensorEntityDescription
from .messages import UnreadMessagesSensor
from .models import TencentIoTConfigEntry

# Read-only: the coordinator does all the reading.
PARALLEL_UPDATES = 0


@callback
def _async_add_unread_messages_sensor(
    entry: TencentIoTConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the home's count of unread messages."""
    async_add_entities(
        [UnreadMessagesSensor(entry.runtime_data.coordinator, entry.runtime_data.messages)]
    )


class TencentIoTSensor(TencentIoTEntity, SensorEntity):
    """One property shown as a sensor."""

    entity_description: TencentIoTSensorEntityDescription

    @property
    @override
    def native_value(self) -> StateType | datetime:
        """The property's value, converted for its device class."""
        return self.entity_description.value_fn(self.values.get(self.entity_description.key))

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """A struct's members or an array's items."""
        if (attributes_fn := self.entity_description.attributes_fn) is None:
            return None
        return attributes_fn(self.values.get(self.entity_description.key))


async_setup_entry = device_platform_setup(
    lambda mapping: mapping.sensors, TencentIoTSensor, _async_add_unread_messages_sensor
)
