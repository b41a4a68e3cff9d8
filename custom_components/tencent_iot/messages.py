"""The app's message centre: each new message fires `tencent_iot_message` and counts as unread.

Messages are read at setup, at each refresh of the lists and after each event push. The newest
message seen is saved, so a restart fires nothing twice; the first read of a new entry only
starts from that moment (old messages are not news).
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
import time
from typing import Any, Final, override

from homeassistant.components.sensor import SensorEntity
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import DeviceEvent, Message
from .background import EntryFeature
from .cloud import CoalescedRead
from .const import DOMAIN, EVENT_MESSAGE
from .coordinator import TencentIoTCoordinator
from .home import home_device_info
from .models import TencentIoTConfigEntry

# AppGetMessages categories, by the name the HA event carries.
CATEGORIES: Final = {1: "device", 2: "home", 3: "notice"}
_PAGE_SIZE: Final = 20
# Beyond this many pages of new messages in one category, the older ones are not fired.
_MAX_PAGES: Final = 5
_STORAGE_VERSION: Final = 1


def _is_new(message: Message, seen: Mapping[str, Any]) -> bool:
    stamp = message.timestamp or 0
    return stamp > seen["timestamp"] or (
        stamp == seen["timestamp"] and message.msg_id not in seen["ids"]
    )


class MessageCentre(EntryFeature):
    """Reads new messages, fires them as HA events and counts them."""

    def __init__(self, hass: HomeAssistant, entry: TencentIoTConfigEntry) -> None:
        """Nothing read yet; the saved position is loaded by the first read."""
        super().__init__(hass, entry)
        self.unread = 0
        # Where a category nothing was saved of starts: messages older than the entry's first
        # start are not news.
        self._started_at = int(time.time() * 1000)
        # Category -> {"timestamp": ms of the newest message seen, "ids": the ids at it}.
        self._seen: dict[str, dict[str, Any]] = {}
        self._loaded = False
        self._store: Store[dict[str, dict[str, Any]]] = Store(
            hass, _STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.messages"
        )
        self._listeners: list[Callable[[], None]] = []
        self._read = CoalescedRead(hass, entry, self._async_read, "the message centre")

    @callback
    def async_start(self) -> None:
        """Read now, after each refresh of the lists and after each event push."""
        coordinator = self.coordinator
        self.entry.async_on_unload(
            coordinator.listeners.async_add_lists_listener(self._read.async_schedule)
        )
        self.entry.async_on_unload(
            coordinator.listeners.async_add_any_event_listener(self._handle_event)
        )
        self._read.async_schedule()

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` when new messages were counted."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def _handle_event(self, _event: DeviceEvent) -> None:
        self._read.async_schedule()

    async def _async_read(self) -> None:
        if not self._loaded:
            self._seen = await self._store.async_load() or {}
            self._loaded = True
        for category, name in CATEGORIES.items():
            # Remembered and fired category by category: a later one failing loses nothing.
            new = await self._async_read_category(category)
            await self._store.async_save(self._seen)
            for message in reversed(new):
                self._fire(name, message)
            if new:
                self.unread += len(new)
                for listener in list(self._listeners):
                    listener()

    async def _async_read_category(self, category: int) -> list[Message]:
        """The category's messages not seen before, newest first; remembers them as seen."""
        seen = self._seen.setdefault(str(category), {"timestamp": self._started_at, "ids": []})
        client = self.coordinator.client
        new: list[Message] = []
        before: int | None = None
        for _ in range(_MAX_PAGES):
            page = await client.get_messages(category, limit=_PAGE_SIZE, msg_timestamp=before)
            fresh = [message for message in page.messages if _is_new(message, seen)]
            new.extend(fresh)
            if page.list_over or len(fresh) < len(page.messages) or not page.messages:
                break
            before = page.messages[-1].timestamp
        if new:
            newest = max(message.timestamp or 0 for message in new)
            ids = {m.msg_id for m in new if (m.timestamp or 0) == newest}
            if newest == seen["timestamp"]:
                ids |= set(seen["ids"])
            self._seen[str(category)] = {"timestamp": newest, "ids": sorted(ids)}
        return new

    def _fire(self, category: str, message: Message) -> None:
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, f"{message.product_id}/{message.device_name}"), self.entry.entry_id
        )
        sent = (
            datetime.fromtimestamp(message.timestamp / 1000, UTC).isoformat()
            if message.timestamp is not None
            else None
        )
        self.hass.bus.async_fire(
            EVENT_MESSAGE,
            {
                "config_entry_id": self.entry.entry_id,
                "message_id": message.msg_id,
                "category": category,
                "type": message.msg_type,
                "title": message.title,
                "content": message.content,
                "device_id": device.id if device is not None else None,
                "time": sent,
            },
        )


class UnreadMessagesSensor(CoordinatorEntity[TencentIoTCoordinator], SensorEntity):
    """How many new messages the message centre brought since Home Assistant started.

    Unavailable, like every entity of the entry, while the cloud does not answer.
    """

    _attr_has_entity_name = True
    _attr_translation_key = "unread_messages"

    def __init__(self, coordinator: TencentIoTCoordinator, centre: MessageCentre) -> None:
        """Belong to the home's device."""
        super().__init__(coordinator)
        self.centre = centre
        self._attr_unique_id = f"{coordinator.home_key}/unread_messages"
        self._attr_device_info = home_device_info(coordinator)

    @property
    @override
    def native_value(self) -> int:
        """The count of new messages."""
        return self.centre.unread

    @override
    async def async_added_to_hass(self) -> None:
        """Also follow the message centre."""
        await super().async_added_to_hass()
        self.async_on_remove(self.centre.async_add_listener(self.async_write_ha_state))
