"""The Tencent IoT Explorer integration."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .api import TencentIoTError
from .connection import create_client
from .const import DOMAIN, LOGGER
from .coordinator import TencentIoTCoordinator
from .customise import async_warn_ignored_overrides, entry_overrides
from .event_log import DeviceEventLog
from .firmware import TencentIoTFirmwareCoordinator
from .history import HistoryImporter
from .messages import MessageCentre
from .models import TencentIoTConfigEntry, TencentIoTRuntimeData
from .registry import async_remove_unprovided_entities
from .services import async_setup_services
from .shares import async_hand_over_shared_devices

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CLIMATE,
    Platform.COVER,
    Platform.DATETIME,
    Platform.EVENT,
    Platform.FAN,
    Platform.LIGHT,
    Platform.MEDIA_PLAYER,
    Platform.NUMBER,
    Platform.SCENE,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TEXT,
    Platform.UPDATE,
    Platform.WATER_HEATER,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's services."""
    async_setup_services(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: TencentIoTConfigEntry) -> bool:
    """Bring an entry of an older version up to date (HA refuses a newer one by itself)."""
    if entry.minor_version < 2:
        # 1.2: polling keeps a fixed interval of its own; the user's one is gone.
        options = {key: value for key, value in entry.options.items() if key != "poll_interval"}
        hass.config_entries.async_update_entry(entry, options=options, minor_version=2)
        LOGGER.debug("Migrated entry %s to version 1.2", entry.entry_id)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: TencentIoTConfigEntry) -> bool:
    """Log in with the stored token, read the home and start push."""
    coordinator = TencentIoTCoordinator(hass, entry)
    entry.runtime_data = TencentIoTRuntimeData(
        client=coordinator.client,
        coordinator=coordinator,
        firmware=TencentIoTFirmwareCoordinator(hass, entry, coordinator),
        messages=MessageCentre(hass, entry),
        history=HistoryImporter(hass, entry),
        events=DeviceEventLog(hass, entry),
        overrides=entry_overrides(entry.options),
    )
    await coordinator.async_config_entry_first_refresh()
    async_warn_ignored_overrides(entry)
    async_remove_unprovided_entities(hass, entry, coordinator.devices.values())
    await entry.runtime_data.messages.async_load()
    await entry.runtime_data.events.async_load()
    # The versions the last checks found, so firmware entities are there from the start.
    await entry.runtime_data.firmware.async_load()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # In the background, once the entities exist: firmware checks (the devices that are due,
    # a few at a time), the cloud's history, missed events, messages. A background task holds up neither
    # HA's start nor an unload (which cancels it).
    entry.runtime_data.firmware.async_start()
    entry.runtime_data.history.async_start()
    entry.runtime_data.events.async_start()
    entry.runtime_data.messages.async_start()
    return True


async def async_unload_entry(hass: HomeAssistant, entry: TencentIoTConfigEntry) -> bool:
    """Unload platforms; the coordinator's shutdown closes push and its timers."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: TencentIoTConfigEntry) -> None:
    """Log out of the cloud when the entry is deleted (best effort); hand its shares over."""
    async_hand_over_shared_devices(hass, entry)
    client = create_client(hass, entry.data)
    try:
        await client.logout()
    except TencentIoTError as err:
        LOGGER.debug("Logout on removal failed: %s", err)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: TencentIoTConfigEntry, device_entry: dr.DeviceEntry
) -> bool:
    """Allow removing a device that is no longer in the cloud's family."""
    return not entry.runtime_data.coordinator.has_device(device_entry)
