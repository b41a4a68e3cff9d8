"""Firmware checks: which devices have firmware in the cloud, and whether a newer one exists."""

import asyncio
from collections.abc import Iterable
from datetime import timedelta
from typing import Final, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .api import FirmwareInfo, TencentIoTAuthError, TencentIoTCloudError, TencentIoTError
from .cloud import auth_failed, run_all, update_failed
from .const import DATA_READ_CONCURRENCY, DOMAIN, LOGGER
from .coordinator import TencentIoTCoordinator
from .models import DeviceState, TencentIoTConfigEntry

# The cloud is asked for new firmware at most this often.
FIRMWARE_CHECK_INTERVAL: Final = timedelta(hours=6)
# A check is one request per device: beyond the first FIRMWARE_CHECK_BURST devices, a round
# is spread out at FIRMWARE_CHECKS_PER_SECOND, so a large home does not flood the cloud.
FIRMWARE_CHECK_BURST: Final = 20
FIRMWARE_CHECKS_PER_SECOND: Final = 10.0


class TencentIoTFirmwareCoordinator(DataUpdateCoordinator[dict[str, FirmwareInfo]]):
    """Firmware versions of the devices that have firmware, keyed by "ProductId/DeviceName"."""

    config_entry: TencentIoTConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: TencentIoTConfigEntry, coordinator: TencentIoTCoordinator
    ) -> None:
        """Check the entry's devices every FIRMWARE_CHECK_INTERVAL."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} firmware",
            update_interval=FIRMWARE_CHECK_INTERVAL,
        )
        self.coordinator = coordinator

    @override
    async def _async_update_data(self) -> dict[str, FirmwareInfo]:
        """Check every device of the family."""
        try:
            return await self._async_check(self.coordinator.devices.values())
        except TencentIoTAuthError as err:
            raise auth_failed(err) from err
        except TencentIoTError as err:
            raise update_failed(err) from err

    async def _async_check(self, states: Iterable[DeviceState]) -> dict[str, FirmwareInfo]:
        """AppCheckFirmwareUpdate for each device; those the cloud has no firmware of are left out."""
        semaphore = asyncio.Semaphore(DATA_READ_CONCURRENCY)
        found: dict[str, FirmwareInfo] = {}

        async def check(state: DeviceState, delay: float) -> None:
            if delay > 0:
                await asyncio.sleep(delay)
            async with semaphore:
                try:
                    info = await self.coordinator.client.check_firmware_update(state.device)
                except TencentIoTCloudError as err:
                    LOGGER.debug("%s has no firmware to check: %s", state.name, err)
                    return
            if info.current_version:
                found[state.key] = info

        # A failure cancels the other checks: the whole round fails and is tried again.
        await run_all(
            (
                check(state, (index + 1 - FIRMWARE_CHECK_BURST) / FIRMWARE_CHECKS_PER_SECOND)
                for index, state in enumerate(list(states))
            ),
            cancel_on_failure=True,
        )
        return found

    async def async_check_devices(self, states: Iterable[DeviceState]) -> None:
        """Check devices added after setup, without waiting for the next full check."""
        try:
            found = await self._async_check(states)
        except TencentIoTError as err:
            LOGGER.debug("Checking the firmware of new devices failed: %s", err)
            return
        if found:
            self.async_set_updated_data({**(self.data or {}), **found})

    @callback
    def async_set_device_firmware(self, key: str, info: FirmwareInfo) -> None:
        """Record a device's versions after an upgrade."""
        self.async_set_updated_data({**(self.data or {}), key: info})
