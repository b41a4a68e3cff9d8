"""Covers: curtains with a position and/or open, close and stop commands."""

from typing import Any, override

from homeassistant.components.cover import ATTR_POSITION, CoverEntity

from .coordinator import TencentIoTCoordinator
from .entity import TencentIoTEntity, device_platform_setup
from .mapping.descriptions import TencentIoTCoverEntityDescription
from .models import DeviceState

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1


class TencentIoTCover(TencentIoTEntity, CoverEntity):
    """A curtain; position 100 is fully open."""

    entity_description: TencentIoTCoverEntityDescription

    def __init__(
        self,
        coordinator: TencentIoTCoordinator,
        state: DeviceState,
        description: TencentIoTCoverEntityDescription,
    ) -> None:
        """Set the features; without any position the state is assumed from the command."""
        super().__init__(coordinator, state, description)
        self._attr_supported_features = description.features
        self._attr_assumed_state = description.position is None and (
            description.current_position is None
        )

    @property
    @override
    def current_cover_position(self) -> int | None:
        """The position in percent, from the reported position (else the set one)."""
        description = self.entity_description
        for scale in (description.current_position, description.position):
            if scale is not None and (value := self.number(scale.id)) is not None:
                return round(min(max(scale.to_range(value, 0, 100), 0), 100))
        return None

    @property
    @override
    def is_closed(self) -> bool | None:
        """Closed at position 0; without a position, after a close command."""
        if (position := self.current_cover_position) is not None:
            return position == 0
        description = self.entity_description
        if description.control_id is None:
            return None
        command = self.values.get(description.control_id)
        if command == description.command_keys.get("close"):
            return True
        if command == description.command_keys.get("open"):
            return False
        return None

    async def _async_command(self, command: str, position: int) -> None:
        """Send the command, or move to the position when the model has no command."""
        description = self.entity_description
        if description.control_id is not None and command in description.command_keys:
            await self.async_set_values({description.control_id: description.command_keys[command]})
        elif description.position is not None:
            await self.async_set_values(
                {description.position.id: description.position.from_range(position, 0, 100)}
            )

    @override
    async def async_open_cover(self, **kwargs: Any) -> None:
        """Open the curtain."""
        await self._async_command("open", 100)

    @override
    async def async_close_cover(self, **kwargs: Any) -> None:
        """Close the curtain."""
        await self._async_command("close", 0)

    @override
    async def async_stop_cover(self, **kwargs: Any) -> None:
        """Stop the curtain."""
        description = self.entity_description
        if description.control_id is not None and "stop" in description.command_keys:
            await self.async_set_values({description.control_id: description.command_keys["stop"]})

    @override
    async def async_set_cover_position(self, **kwargs: Any) -> None:
        """Move to a position in percent."""
        if (scale := self.entity_description.position) is not None:
            await self.async_set_values({scale.id: scale.from_range(kwargs[ATTR_POSITION], 0, 100)})


async_setup_entry = device_platform_setup(lambda mapping: mapping.covers, TencentIoTCover)
