"""The base entity every platform builds on."""

from collections.abc import Mapping
from typing import Any, override

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import DeviceState, TencentIoTCoordinator


class TencentIoTEntity(CoordinatorEntity[TencentIoTCoordinator]):
    """An entity of one cloud device, updated by polls and by that device's pushes."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: TencentIoTCoordinator,
        state: DeviceState,
        description: EntityDescription,
    ) -> None:
        """Bind the entity to its device and to one key of it."""
        super().__init__(coordinator)
        self.entity_description = description
        self.device_key = state.key
        self._attr_unique_id = f"{state.key}/{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, state.key)})

    @property
    def device_state(self) -> DeviceState:
        """The device's current state in the coordinator."""
        return self.coordinator.devices[self.device_key]

    @property
    def values(self) -> Mapping[str, Any]:
        """The device's current property values."""
        return self.device_state.values

    @property
    @override
    def available(self) -> bool:
        """Available while the cloud answers and the device is online."""
        state = self.coordinator.devices.get(self.device_key)
        return super().available and state is not None and state.online

    @override
    async def async_added_to_hass(self) -> None:
        """Also follow this device's pushes."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_device_listener(
                self.device_key, self._handle_coordinator_update
            )
        )

    async def async_set_values(self, values: Mapping[str, Any]) -> None:
        """Send property values to the device."""
        await self.coordinator.async_set_values(self.device_key, values)
