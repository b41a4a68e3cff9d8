"""Covers: curtains with a position and/or open, close and stop commands."""

from datetime import datetime, timedelta
from typing import Any, Final, override

from homeassistant.components.cover import ATTR_POSITION, CoverEntity
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.event import async_call_later

from .coordinator import TencentIoTCoordinator
from .entity import TencentIoTEntity, device_platform_setup
from .mapping.descriptions import TencentIoTCoverEntityDescription
from .models import DeviceState

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1
# A curtain on its way that reports no progress for this long counts as stopped: the report of
# its arrival or of a stop was lost, or it never sends one.
MOVE_TIMEOUT: Final = timedelta(seconds=60)


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
        # Where a command sent it, until it reports being there or stopping.
        self._target: int | None = None
        # The position and command last seen on the way: progress, and a stop reported.
        self._last_position: int | None = None
        self._last_command: Any = None
        self._progressed = False
        self._cancel_timeout: CALLBACK_TYPE | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Forget a move when the entity goes."""
        await super().async_added_to_hass()
        self.async_on_remove(self._end_move)

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

    @property
    @override
    def is_opening(self) -> bool:
        """On its way up to where a command sent it."""
        position = self.current_cover_position
        return self._target is not None and position is not None and position < self._target

    @property
    @override
    def is_closing(self) -> bool:
        """On its way down to where a command sent it."""
        position = self.current_cover_position
        return self._target is not None and position is not None and position > self._target

    @callback
    def _move_to(self, target: int) -> None:
        """Show the curtain moving toward `target` until the device reports the move's end."""
        position = self.current_cover_position
        if position is None or position == target:
            return
        self._target, self._last_position = target, position
        if (control_id := self.entity_description.control_id) is not None:
            self._last_command = self.values.get(control_id)
        if self._cancel_timeout is not None:
            self._cancel_timeout()
        self._arm_timeout()
        self.async_write_ha_state()

    @callback
    def _arm_timeout(self) -> None:
        self._progressed = False
        self._cancel_timeout = async_call_later(self.hass, MOVE_TIMEOUT, self._timed_out)

    @callback
    def _timed_out(self, _now: datetime) -> None:
        self._cancel_timeout = None
        if self._progressed:
            # Still getting somewhere: the whole time again.
            self._arm_timeout()
            return
        self._end_move()
        self.async_write_ha_state()

    @callback
    def _end_move(self) -> None:
        self._target = None
        if self._cancel_timeout is not None:
            self._cancel_timeout()
            self._cancel_timeout = None

    def _stop_reported(self) -> bool:
        """Whether the device's command changed to stop since it was last seen."""
        description = self.entity_description
        if description.control_id is None or "stop" not in description.command_keys:
            return False
        seen, self._last_command = self._last_command, self.values.get(description.control_id)
        stopped: bool = self._last_command != seen and (
            self._last_command == description.command_keys["stop"]
        )
        return stopped

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """End a move the device reports ended; note a report of progress."""
        if self._target is not None:
            position = self.current_cover_position
            if (
                not self.available
                or position is None
                or position == self._target
                or self._stop_reported()
            ):
                self._end_move()
            elif position != self._last_position:
                self._last_position, self._progressed = position, True
        super()._handle_coordinator_update()

    async def _async_command(self, command: str, position: int) -> None:
        """Send the command, or move to the position when the model has no command."""
        description = self.entity_description
        if description.control_id is not None and command in description.command_keys:
            await self.async_set_values({description.control_id: description.command_keys[command]})
        elif description.position is not None:
            await self.async_set_values(
                {description.position.id: description.position.from_range(position, 0, 100)}
            )
        else:
            return
        self._move_to(position)

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
            # Asked to stop: it is on its way nowhere, whatever its echo of the command says.
            self._end_move()
            self.async_write_ha_state()

    @override
    async def async_set_cover_position(self, **kwargs: Any) -> None:
        """Move to a position in percent."""
        if (scale := self.entity_description.position) is not None:
            position: int = kwargs[ATTR_POSITION]
            await self.async_set_values({scale.id: scale.from_range(position, 0, 100)})
            self._move_to(position)


async_setup_entry = device_platform_setup(lambda mapping: mapping.covers, TencentIoTCover)
