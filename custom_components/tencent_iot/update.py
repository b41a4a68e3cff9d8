"""Firmware update entities, for the devices whose product has firmware in the cloud."""

import asyncio
from functools import partial
from typing import Any, Final, override

from homeassistant.components.update import (
    UpdateDeviceClass,
    UpdateEntity,
    UpdateEntityDescription,
    UpdateEntityFeature,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Capability, FirmwareInfo, FirmwareStatus
from .const import DOMAIN
from .coordinator import TencentIoTCoordinator
from .entity import TencentIoTEntity
from .firmware import TencentIoTFirmwareCoordinator
from .models import DeviceState, TencentIoTConfigEntry

# Not 1, though installing writes to the cloud: an install lasts until the device reports the
# result (up to INSTALL_TIMEOUT), and one at a time would keep the others waiting that long.
PARALLEL_UPDATES = 0

# While an upgrade runs, its progress is read this often (s), for at most INSTALL_TIMEOUT (s).
PROGRESS_INTERVAL: Final = 5.0
INSTALL_TIMEOUT: Final = 1800.0
# AppDescribeFirmwareUpdateStatus: the upgrade is complete.
_STATUS_DONE: Final = 6

FIRMWARE_DESCRIPTION: Final = UpdateEntityDescription(
    key="firmware", device_class=UpdateDeviceClass.FIRMWARE
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TencentIoTConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an update entity per device with firmware, once the (background) check found it.

    A cloud without firmware upgrades gets none: the device page shows its firmware anyway.
    """
    coordinator = entry.runtime_data.coordinator
    firmware = entry.runtime_data.firmware
    added: set[str] = set()

    @callback
    def add_new_entities() -> None:
        entities: list[TencentIoTUpdateEntity] = []
        for key in firmware.data or {}:
            if key in added or (state := coordinator.devices.get(key)) is None:
                continue
            entity = TencentIoTUpdateEntity(coordinator, firmware, state)
            added.add(key)
            # A removed device's entity goes with the device; forget it then.
            entity.async_on_remove(partial(added.discard, key))
            entities.append(entity)
        if entities:
            async_add_entities(entities)

    @callback
    def update_sw_versions() -> None:
        """The device page shows the firmware the last check found."""
        registry = dr.async_get(hass)
        for key, info in (firmware.data or {}).items():
            device = registry.async_get_device_by_identifier((DOMAIN, key), entry.entry_id)
            if device is not None and device.sw_version != info.current_version:
                registry.async_update_device(device.id, sw_version=info.current_version)

    @callback
    def check_new_devices(states: list[DeviceState]) -> None:
        entry.async_create_background_task(
            hass, firmware.async_check_devices(states), f"{DOMAIN} firmware check of new devices"
        )

    # From what earlier checks found, before the next one.
    if Capability.FIRMWARE_UPGRADE not in coordinator.client.unsupported:
        add_new_entities()
        entry.async_on_unload(firmware.async_add_listener(add_new_entities))
    update_sw_versions()
    entry.async_on_unload(firmware.async_add_listener(update_sw_versions))
    entry.async_on_unload(coordinator.listeners.async_add_new_devices_listener(check_new_devices))


class TencentIoTUpdateEntity(TencentIoTEntity, UpdateEntity):
    """A device's firmware.

    Versions from AppCheckFirmwareUpdate, install with AppPublishFirmwareUpdateMessage,
    progress from AppDescribeFirmwareUpdateStatus.
    """

    entity_description: UpdateEntityDescription
    _attr_supported_features = UpdateEntityFeature.INSTALL | UpdateEntityFeature.PROGRESS

    def __init__(
        self,
        coordinator: TencentIoTCoordinator,
        firmware: TencentIoTFirmwareCoordinator,
        state: DeviceState,
    ) -> None:
        """Bind the entity to a device and to the firmware checks."""
        super().__init__(coordinator, state, FIRMWARE_DESCRIPTION)
        self.firmware = firmware

    @property
    def _info(self) -> FirmwareInfo | None:
        return (self.firmware.data or {}).get(self.device_key)

    @property
    @override
    def available(self) -> bool:
        """Available while the device is online and its firmware is known."""
        return super().available and self._info is not None

    @property
    @override
    def installed_version(self) -> str | None:
        """The firmware the device runs."""
        return info.current_version if (info := self._info) is not None else None

    @property
    @override
    def latest_version(self) -> str | None:
        """The firmware an upgrade would install (the installed one when there is none)."""
        if (info := self._info) is None:
            return None
        return info.latest_version or info.current_version

    @override
    async def async_added_to_hass(self) -> None:
        """Also follow the firmware checks."""
        await super().async_added_to_hass()
        self.async_on_remove(self.firmware.async_add_listener(self._handle_coordinator_update))

    @override
    async def async_install(self, version: str | None, backup: bool, **kwargs: Any) -> None:
        """Confirm the upgrade, then follow its progress until the device reports the result."""
        coordinator = self.coordinator
        state = self.device_state
        device = state.device
        latest = self.latest_version
        await coordinator.async_call_cloud(
            coordinator.client.publish_firmware_update(device),
            "firmware_update_failed",
            state.name,
        )
        self._attr_in_progress = True
        self._attr_update_percentage = None
        self.async_write_ha_state()
        try:
            status = await self._async_wait_for_upgrade(state)
        finally:
            self._attr_in_progress = False
            self._attr_update_percentage = None
        installed = status.target_version or latest or ""
        self.firmware.async_set_device_firmware(self.device_key, FirmwareInfo(installed, installed))

    async def _async_wait_for_upgrade(self, state: DeviceState) -> FirmwareStatus:
        coordinator = self.coordinator
        device = state.device
        loop = asyncio.get_running_loop()
        deadline = loop.time() + INSTALL_TIMEOUT
        while True:
            await asyncio.sleep(PROGRESS_INTERVAL)
            status: FirmwareStatus = await coordinator.async_call_cloud(
                coordinator.client.describe_firmware_update_status(device),
                "firmware_update_failed",
                state.name,
            )
            if status.status == _STATUS_DONE:
                return status
            if status.failed:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="firmware_update_failed",
                    translation_placeholders={
                        "target": state.name,
                        "error": status.error_message or f"status {status.status}",
                    },
                )
            if loop.time() >= deadline:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="firmware_update_timeout",
                    translation_placeholders={
                        "target": state.name,
                        "minutes": str(round(INSTALL_TIMEOUT / 60)),
                    },
                )
            self._attr_update_percentage = status.percent
            self.async_write_ha_state()
