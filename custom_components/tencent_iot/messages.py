"""The app's message centre: each new message fires `tencent_iot_message` and counts as unread.

Messages are read at setup, at each refresh of the lists and after each event push, page after
page (AppGetMessages' cursor is the last message's MsgID with its MsgTimestamp) until the ones
seen before. The newest message seen and the unread count are saved, so a restart or a reload
fires nothing twice and forgets no unread message; the first read of a new entry only starts
from that moment (old messages are not news).

The cloud has no read state (AppGetMessages returns none, and no call marks a message read):
"unread" is what arrived since the user last marked the messages read in Home Assistant.

Each message is stamped with its own time. It gets a logbook line of its own unless it is the
app's message about a device event that has its line already (the event entity's, or the
missed event's): one line per happening.
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
import time
from typing import Any, Final, override

from homeassistant.components.button import ButtonEntity
from homeassistant.components.sensor import SensorEntity
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import DeviceEvent, Message
from .background import EntryFeature, FeatureStore, RequestPacer
from .cloud import CoalescedRead
from .const import DOMAIN, EVENT_MESSAGE, EVENT_MESSAGE_LOGGED
from .coordinator import TencentIoTCoordinator
from .home import home_device_info, home_name
from .models import TencentIoTConfigEntry

# AppGetMessages categories, by the name the HA event carries.
CATEGORIES: Final = {1: "device", 2: "home", 3: "notice"}
# The reference's largest page.
_PAGE_SIZE: Final = 100
# A device message this close (s) to a logged event of its device is the app's word for it.
SAME_HAPPENING: Final = 120


def _is_new(message: Message, seen: Mapping[str, Any]) -> bool:
    stamp = message.timestamp or 0
    return stamp > seen["timestamp"] or (
        stamp == seen["timestamp"] and message.msg_id not in seen["ids"]
    )


# A colon, also as Chinese and Japanese texts write it.
_COLONS: Final = (":", "\uff1a")


def _without_name(text: str, name: str) -> str:
    """The text without a leading "<name>:" (the line names it already)."""
    for colon in _COLONS:
        head, separator, rest = text.partition(colon)
        if separator and head.strip() == name:
            return rest.strip()
    return text


def line_text(title: str, content: str, name: str) -> str:
    """A message's words for its logbook line: title and content, nothing said twice."""
    title, content = _without_name(title, name), _without_name(content, name)
    if title in content:
        return content or title
    if content in title:
        return title
    return f"{title}: {content}"


def message_device(message: Message) -> str:
    """The key ("ProductId/DeviceName") of the device a message names."""
    return f"{message.product_id}/{message.device_name}"


class MessageCentre(EntryFeature):
    """Reads new messages, fires them as HA events and counts them until marked read."""

    def __init__(self, hass: HomeAssistant, entry: TencentIoTConfigEntry) -> None:
        """Nothing read yet; `async_load` brings back what was saved."""
        super().__init__(hass, entry)
        self.unread = 0
        # Category -> {"timestamp": ms of the newest message seen, "ids": the ids at it}.
        self._seen: dict[str, dict[str, Any]] = {}
        self._store = FeatureStore(
            hass, entry, "messages", lambda: {"categories": self._seen, "unread": self.unread}
        )
        self._listeners: list[Callable[[], None]] = []
        self._read = CoalescedRead(hass, entry, self._async_read, "the message centre")

    async def async_load(self) -> None:
        """Bring back the position and the unread count saved last time."""
        saved = await self._store.async_load() or {}
        if "categories" not in saved:  # as saved before the unread count was
            saved = {"categories": saved}
        self._seen = saved["categories"]
        self.unread = saved.get("unread", 0)
        # A new entry reads from now on (messages older than its first start are not news),
        # remembered at once: a first read cut short by an unload must not move it.
        if any(str(category) not in self._seen for category in CATEGORIES):
            now = int(time.time() * 1000)
            for category in CATEGORIES:
                self._seen.setdefault(str(category), {"timestamp": now, "ids": []})
            self._store.async_save()

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
        self.entry.async_on_unload(self._store.async_flush)
        self._read.async_schedule()

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` when the unread count changed."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_mark_read(self) -> None:
        """Every message counts as read from now on."""
        self.unread = 0
        self._changed()

    @callback
    def _changed(self) -> None:
        self._store.async_save()
        for listener in list(self._listeners):
            listener()

    @callback
    def _handle_event(self, _event: DeviceEvent) -> None:
        self._read.async_schedule()

    async def _async_read(self) -> None:
        # After the missed events: a message about one of them then finds it logged.
        await self.entry.runtime_data.events.async_wait_caught_up()
        pacer = RequestPacer()
        for category, name in CATEGORIES.items():
            # Remembered and fired category by category: a later one failing loses nothing.
            new = await self._async_read_category(category, pacer)
            if unlogged := {
                message_device(message)
                for message in new
                if self._names_unlogged_event(name, message)
            }:
                # The catch-up may not have read these devices yet, or read them before the
                # event the message is about reached the cloud: read their events now, so the
                # event's line comes before the message's, which it then stands for.
                await self.entry.runtime_data.events.async_read_devices_now(unlogged)
            for message in reversed(new):
                self._fire(name, message)
            if new:
                self.unread += len(new)
                self._changed()

    async def _async_read_category(self, category: int, pacer: RequestPacer) -> list[Message]:
        """The category's messages not seen before, newest first; remembers them as seen."""
        seen = self._seen[str(category)]
        client = self.coordinator.client
        new: dict[str, Message] = {}
        after: Message | None = None
        while True:
            await pacer.wait()
            page = await client.get_messages(
                category,
                limit=_PAGE_SIZE,
                msg_id=after.msg_id if after else None,
                msg_timestamp=after.timestamp if after else None,
            )
            fresh = [m for m in page.messages if _is_new(m, seen) and m.msg_id not in new]
            new.update((message.msg_id, message) for message in fresh)
            # A page that reaches what was seen before (or repeats itself) is the last.
            if page.list_over or not fresh or len(fresh) < len(page.messages):
                break
            after = page.messages[-1]
        if new:
            newest = max(message.timestamp or 0 for message in new.values())
            ids = {m.msg_id for m in new.values() if (m.timestamp or 0) == newest}
            if newest == seen["timestamp"]:
                ids |= set(seen["ids"])
            self._seen[str(category)] = {"timestamp": newest, "ids": sorted(ids)}
        return list(new.values())

    def _names_unlogged_event(self, category: str, message: Message) -> bool:
        """Whether a device message is about a device with events, none logged near it."""
        state = self.coordinator.devices.get(message_device(message))
        return (
            category == "device"
            and state is not None
            and bool(state.product.thing_model.events)
            and not self._has_its_line(category, message, _sent_at(message))
        )

    def _has_its_line(self, category: str, message: Message, sent: float) -> bool:
        """Whether a device message's happening has its line: its device's event logged near."""
        key = message_device(message)
        return (
            category == "device"
            and key in self.coordinator.devices
            and self.entry.runtime_data.events.logged_near(key, sent, SAME_HAPPENING)
        )

    def _fire(self, category: str, message: Message) -> None:
        """Fire the message at its own time; and its logbook line, unless it has one."""
        key = message_device(message)
        state = self.coordinator.devices.get(key)
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, key), self.entry.entry_id
        )
        sent = _sent_at(message)
        data = {
            "config_entry_id": self.entry.entry_id,
            "message_id": message.msg_id,
            "category": category,
            "type": message.msg_type,
            "title": message.title,
            "content": message.content,
            "device_id": device.id if device is not None else None,
            "time": datetime.fromtimestamp(sent, UTC).isoformat(),
        }
        self.hass.bus.async_fire(EVENT_MESSAGE, data, time_fired=sent)
        if self._has_its_line(category, message, sent):
            return
        name = state.name if state is not None else home_name(self.coordinator)
        self.hass.bus.async_fire(
            EVENT_MESSAGE_LOGGED,
            {
                "config_entry_id": self.entry.entry_id,
                "message_id": message.msg_id,
                "category": category,
                "device_id": data["device_id"],
                "name": name,
                "message": line_text(message.title, message.content, name),
            },
            time_fired=sent,
        )


class UnreadMessagesSensor(CoordinatorEntity[TencentIoTCoordinator], SensorEntity):
    """How many messages arrived since the user last marked them read.

    It has a unit (translated), so the logbook leaves its changes out: each message has its
    own line there. Unavailable, like every entity of the entry, while the cloud does not
    answer.
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
        """The count of unread messages."""
        return self.centre.unread

    @override
    async def async_added_to_hass(self) -> None:
        """Also follow the message centre."""
        await super().async_added_to_hass()
        self.async_on_remove(self.centre.async_add_listener(self.async_write_ha_state))


class MarkMessagesReadButton(CoordinatorEntity[TencentIoTCoordinator], ButtonEntity):
    """Marks every message read: the unread count goes back to 0.

    A cloud with a read state (Quectel's) marks them read too, so its app agrees; Tencent's
    keeps none. Unavailable with the rest of the entry while the cloud does not answer.
    """

    _attr_has_entity_name = True
    _attr_translation_key = "mark_messages_read"

    def __init__(self, coordinator: TencentIoTCoordinator, centre: MessageCentre) -> None:
        """Belong to the home's device."""
        super().__init__(coordinator)
        self.centre = centre
        self._attr_unique_id = f"{coordinator.home_key}/mark_messages_read"
        self._attr_device_info = home_device_info(coordinator)

    @override
    async def async_press(self) -> None:
        """Mark the messages read: in the cloud first, so a refusal leaves the count as it was."""
        await self.coordinator.async_call_cloud(
            self.coordinator.client.mark_messages_read(),
            "mark_read_failed",
            home_name(self.coordinator),
        )
        self.centre.async_mark_read()


def _sent_at(message: Message) -> float:
    """When the message was sent (UNIX s); now, when the cloud does not say."""
    return time.time() if message.timestamp is None else message.timestamp / 1000
