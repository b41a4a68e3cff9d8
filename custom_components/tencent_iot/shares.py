"""Devices other users share with the account: one entry of the account shows them.

A device belongs to one entry only (two would clash on its entities' unique ids), and the
share list is the account's, not a home's. The account's first entry (the oldest) shows them:
with a single home, that is the one entry; when it is deleted, the next one takes them over.
"""

from collections.abc import Iterable

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback

from .api import CloudClient, Device, TencentIoTCloudError
from .const import CONF_USER_ID, DOMAIN, LOGGER
from .models import TencentIoTConfigEntry


def _account_entries(
    hass: HomeAssistant, entry: TencentIoTConfigEntry
) -> list[TencentIoTConfigEntry]:
    user_id = entry.data[CONF_USER_ID]
    return [
        other
        for other in hass.config_entries.async_entries(DOMAIN)
        if other.data.get(CONF_USER_ID) == user_id
    ]


def holds_shared_devices(hass: HomeAssistant, entry: TencentIoTConfigEntry) -> bool:
    """Whether this entry shows the devices shared with its account: the account's first."""
    entries = _account_entries(hass, entry)
    first = min(entries, key=lambda other: (other.created_at, other.entry_id), default=entry)
    return first.entry_id == entry.entry_id


class SharedDevices:
    """The devices shared with an entry's account, when the entry is the one showing them."""

    def __init__(
        self, hass: HomeAssistant, entry: TencentIoTConfigEntry, client: CloudClient
    ) -> None:
        """Nothing is read before the device list is."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._devices: list[Device] = []

    async def async_read(self, family_devices: Iterable[Device]) -> list[Device]:
        """The shared devices that are not the family's own (none if another entry shows them).

        A cloud that refuses the share list (an app without sharing) shares nothing new, and
        takes nothing away; a failed connection fails the read of the device list, as it does
        for the family's devices.
        """
        if not holds_shared_devices(self._hass, self._entry):
            self._devices = []
            return []
        try:
            self._devices = await self._client.get_shared_devices()
        except TencentIoTCloudError as err:
            LOGGER.debug("The devices shared with the account are not available: %s", err)
        own = {device.key for device in family_devices}
        return [device for device in self._devices if device.key not in own]


@callback
def async_hand_over_shared_devices(hass: HomeAssistant, entry: TencentIoTConfigEntry) -> None:
    """An entry was deleted: the account's next entry shows the shared devices from now on."""
    for other in _account_entries(hass, entry):
        if other.entry_id != entry.entry_id and other.state is ConfigEntryState.LOADED:
            other.runtime_data.coordinator.async_schedule_list_refresh()
