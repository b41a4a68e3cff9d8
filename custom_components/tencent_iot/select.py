"""Selects: writable enum and string-enum properties."""

from typing import override

from homeassistant.components.select import SelectEntity

from .coordinator import TencentIoTCoordinator
from .entity import TencentIoTEntity, device_platform_setup, labels_by_key
from .mapping.descriptions import TencentIoTSelectEntityDescription
from .models import DeviceState

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1


class TencentIoTSelect(TencentIoTEntity, SelectEntity):
    """One enum property as a select; the options are the model's labels."""

    entity_description: TencentIoTSelectEntityDescription

    def __init__(
        self,
        coordinator: TencentIoTCoordinator,
        state: DeviceState,
        description: TencentIoTSelectEntityDescription,
    ) -> None:
        """Index the options by key."""
        super().__init__(coordinator, state, description)
        self._labels = labels_by_key(description.option_keys)

    @property
    @override
    def current_option(self) -> str | None:
        """The label of the current key (None for a key the model does not list)."""
        return self.label(self.entity_description.key, self._labels)

    @override
    async def async_select_option(self, option: str) -> None:
        """Send the option's key; the device's report updates the state."""
        key = self.entity_description.option_keys[option]
        await self.async_set_values({self.entity_description.key: key})


async_setup_entry = device_platform_setup(lambda mapping: mapping.selects, TencentIoTSelect)
