"""The home's own device: scenes, automation switches and the messages' entities belong to it."""

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo

from .const import DOMAIN, MANUFACTURER
from .coordinator import TencentIoTCoordinator

# The config flow titles an entry "<nickname or account> · <family name>".
_TITLE_SEPARATOR = " · "


def home_name(coordinator: TencentIoTCoordinator) -> str:
    """The home's name, from the entry's title."""
    title = coordinator.config_entry.title
    return title.rpartition(_TITLE_SEPARATOR)[2] or title


def home_device_info(coordinator: TencentIoTCoordinator) -> DeviceInfo:
    """A service device per entry, named after the home."""
    return DeviceInfo(
        identifiers={(DOMAIN, coordinator.home_key)},
        name=home_name(coordinator),
        entry_type=DeviceEntryType.SERVICE,
        # The same as its devices': one platform, one name in the device list.
        manufacturer=MANUFACTURER,
    )
