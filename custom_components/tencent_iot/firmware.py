"""Firmware checks: which devices have firmware in the cloud, and whether a newer one exists.

A check is one request per device. They are spread out, so that neither a large home nor a
restart floods the cloud: each device is checked at most once a day, a few devices every couple
of minutes, and what the checks found is saved, so a restart starts from it instead of asking
again.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .api import (
    FirmwareInfo,
    TencentIoTAuthError,
    TencentIoTCloudError,
    TencentIoTError,
    TencentIoTRateLimitError,
)
from .const import DOMAIN, LOGGER
from .coordinator import TencentIoTCoordinator
from .models import DeviceState, TencentIoTConfigEntry

# A device's firmware is checked at most this often.
FIRMWARE_CHECK_INTERVAL: Final = timedelta(days=1)
# Every FIRMWARE_CHECK_TICK, at most FIRMWARE_CHECKS_PER_TICK devices are checked, one after
# the other, those never checked first, then those checked longest ago: a home of 1,000
# devices takes 100 minutes for its first round, and a restart checks only the devices whose
# last check is a day old.
FIRMWARE_CHECK_TICK: Final = timedelta(minutes=2)
FIRMWARE_CHECKS_PER_TICK: Final = 20
STORAGE_VERSION: Final = 1


class TencentIoTFirmwareCoordinator(DataUpdateCoordinator[dict[str, FirmwareInfo]]):
    """Firmware versions of the devices that have firmware, keyed by "ProductId/DeviceName".

    It does not poll by itself: its own timer checks the devices that are due.
    """

    config_entry: TencentIoTConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: TencentIoTConfigEntry, coordinator: TencentIoTCoordinator
    ) -> None:
        """Nothing checked, nothing loaded, no timer."""
        super().__init__(hass, LOGGER, config_entry=entry, name=f"{DOMAIN} firmware")
        self.coordinator = coordinator
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.firmware"
        )
        # What the checks found, and when each device was last checked (UNIX seconds).
        self._found: dict[str, FirmwareInfo] = {}
        self._checked_at: dict[str, float] = {}
        self._cancel_tick: CALLBACK_TYPE | None = None
        self._checking = False
        self._unsaved = False

    async def async_load(self) -> None:
        """Start from what the checks before the last restart found."""
        saved = await self._store.async_load() or {}
        for key, record in saved.get("devices", {}).items():
            self._checked_at[key] = record["checked_at"]
            if record.get("current"):
                self._found[key] = FirmwareInfo(record["current"], record.get("latest", ""))
        if self._found:
            self.data = dict(self._found)

    @callback
    def async_start(self) -> None:
        """Check the devices that are due now, then every FIRMWARE_CHECK_TICK until unload."""
        self.config_entry.async_on_unload(self._async_stop)
        self._async_tick(dt_util.utcnow())

    async def _async_stop(self) -> None:
        """No more ticks; what was found is written now, for the entry's next start."""
        if self._cancel_tick is not None:
            self._cancel_tick()
            self._cancel_tick = None
        if self._unsaved:
            await self._store.async_save(self._snapshot())

    @callback
    def _async_tick(self, now: datetime) -> None:
        self._cancel_tick = async_call_later(self.hass, FIRMWARE_CHECK_TICK, self._async_tick)
        if not self._checking:
            self.config_entry.async_create_background_task(
                self.hass, self.async_check_due(now), f"{DOMAIN} firmware check"
            )

    async def async_check_due(self, now: datetime) -> None:
        """Check the devices due at `now`, a few of them; a failure is tried at the next tick."""
        if due := self._due(self.coordinator.devices.values(), now)[:FIRMWARE_CHECKS_PER_TICK]:
            self._checking = True
            try:
                await self._async_check(due, now)
            except TencentIoTAuthError as err:
                self.config_entry.async_start_reauth(self.hass)
                self.async_set_update_error(err)
                return
            except TencentIoTError as err:
                self.async_set_update_error(err)
                return
            finally:
                self._checking = False
        if self.data != self._found or not self.last_update_success:
            self.async_set_updated_data(dict(self._found))

    def _due(self, states: Iterable[DeviceState], now: datetime) -> list[DeviceState]:
        """Devices not checked for FIRMWARE_CHECK_INTERVAL, those never checked first."""
        since = (now - FIRMWARE_CHECK_INTERVAL).timestamp()
        due = [
            state
            for state in states
            if state.key not in self._checked_at or self._checked_at[state.key] <= since
        ]
        # The devices never checked first (sorted is stable), then the others by age.
        return sorted(
            due,
            key=lambda state: (state.key in self._checked_at, self._checked_at.get(state.key, 0)),
        )

    async def _async_check(self, states: Iterable[DeviceState], now: datetime) -> None:
        """AppCheckFirmwareUpdate for each device, one at a time; each result is saved."""
        client = self.coordinator.client
        try:
            for state in states:
                try:
                    info = await client.check_firmware_update(state.device)
                except TencentIoTRateLimitError:
                    raise
                except TencentIoTCloudError as err:
                    LOGGER.debug("%s has no firmware to check: %s", state.name, err)
                    info = FirmwareInfo()
                self._record(state.key, info, now)
        finally:
            self._async_save()

    def _record(self, key: str, info: FirmwareInfo, now: datetime) -> None:
        self._checked_at[key] = now.timestamp()
        if info.current_version:
            self._found[key] = info
        else:
            self._found.pop(key, None)

    async def async_check_devices(self, states: Iterable[DeviceState]) -> None:
        """Check devices added after setup at once: they are few, and new."""
        try:
            await self._async_check(states, dt_util.utcnow())
        except TencentIoTError as err:
            LOGGER.debug("Checking the firmware of new devices failed: %s", err)
            return
        self.async_set_updated_data(dict(self._found))

    @callback
    def async_set_device_firmware(self, key: str, info: FirmwareInfo) -> None:
        """Record a device's versions after an upgrade."""
        self._record(key, info, dt_util.utcnow())
        self._async_save()
        self.async_set_updated_data(dict(self._found))

    @callback
    def _async_save(self) -> None:
        self._unsaved = True
        self._store.async_delay_save(self._snapshot, 10)

    def _snapshot(self) -> dict[str, Any]:
        self._unsaved = False
        devices = self.coordinator.devices
        return {
            "devices": {
                key: {
                    "checked_at": checked_at,
                    "current": (info := self._found.get(key, FirmwareInfo())).current_version,
                    "latest": info.latest_version,
                }
                for key, checked_at in self._checked_at.items()
                if key in devices
            }
        }
