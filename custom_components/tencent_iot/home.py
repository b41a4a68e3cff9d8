"""The home's own device: scenes, automation switches and the message sensor belong to it."""

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo

from .const import DOMAIN, MANUFACTURER
from .coordinator import TencentIoTCoordinator

# The config flow titles an entry "<nickname or account> · <family name>".
_TITLE_SEPARATOR = " · "


def home_device_info(coordinator: TencentIoTCoordinator) -> DeviceInfo:
    """A service device per entry, named after the home."""
    title = coordinator.config_entry.title
    return DeviceInfo(
        identifiers={(DOMAIN, coordinator.home_key)},
        name=title.rpartition(_TITLE_SEPARATOR)[2] or title,
        entry_type=DeviceEntryType.SERVICE,
        # The same as its devices': one platform, one name in the device list.
        manufacturer=MANUFACTURER,
    )
