"""Device events: those that arrive live, and those missed meanwhile, each logged once.

A live event fires `tencent_iot_device_event` (for automations); its line in the logbook is the
state change of the device's event entity, which Home Assistant words in the user's language.
After a restart, after push was down, and at each refresh of the lists while push is not
delivering, each device's events since the last one seen are read from the cloud
(AppListEventHistory) and fire `tencent_iot_missed_device_event` at their own time: the logbook
shows them where they happened, while nothing that listens to live events (the event entities,
automations on them) runs for the past.

The catch-up keeps to a budget of requests a minute (EVENT_HISTORY_READS_PER_MINUTE): the
devices with events are read in turn, as many each minute as it allows, and a device left for a
later minute is read from where it was read up to, so its events are logged then, at their own
time, and none is lost.

What was logged is remembered (saved with a short delay, and at unload), so a restart logs
nothing twice, and the message centre can leave out the app's message about an event that has
its line already.
"""

import asyncio
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
import json
import time
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_time_interval

from .api import DeviceEvent, EventRecord, TencentIoTError
from .background import EntryFeature, FeatureStore, Page, RequestPacer, read_pages
from .cloud import CoalescedRead
from .const import (
    DATA_READ_CONCURRENCY,
    DOMAIN,
    EVENT_DEVICE_EVENT,
    EVENT_HISTORY_READS_PER_MINUTE,
    EVENT_MISSED_DEVICE_EVENT,
    LOGGER,
)
from .models import DeviceState, TencentIoTConfigEntry

_PAGE_SIZE: Final = 50
# Every tick the catch-up's allowance of requests is renewed, and the devices still owed a read
# get their turn.
CATCH_UP_TICK: Final = timedelta(minutes=1)
# The times of a device's last events kept, for telling whether a message is about one of them.
_LOGGED_KEPT: Final = 20


def _fingerprint(stamp: int, event_id: str, params: Mapping[str, Any]) -> str:
    """Tells apart the events of one second (history times are whole seconds)."""
    return f"{stamp}/{event_id}/{json.dumps(params, sort_keys=True, default=str)}"


def _stamp_of(fingerprint: str) -> int:
    return int(fingerprint.partition("/")[0])


class DeviceEventLog(EntryFeature):
    """Logs device events and catches up on those missed."""

    def __init__(self, hass: HomeAssistant, entry: TencentIoTConfigEntry) -> None:
        """Nothing read yet; `async_load` brings back the saved positions."""
        super().__init__(hass, entry)
        # Device key -> {"time": s from which the cloud is read again, "seen": fingerprints
        # of the events since then that are already logged, "logged": the times (s) of the
        # device's last logged events}.
        self._seen: dict[str, dict[str, Any]] = {}
        self._store = FeatureStore(hass, entry, "events", lambda: dict(self._seen))
        self._catch_up = CoalescedRead(hass, entry, self._async_catch_up, "the missed events")
        # The devices whose events are to be read, in turn; those asked for by a message are
        # read first, beyond the allowance.
        self._owed: dict[str, None] = {}
        self._urgent: set[str] = set()
        # Requests the catch-up may still send until the next tick. Those sent since the last
        # tick outside the turn it started (a turn push coming back set off, a message's
        # device, further pages) are left out of the next tick's allowance: no minute, wherever
        # it begins, then holds more requests than the budget.
        self._allowance = 0
        self._spent_late = 0
        self._tick_turn = False

    async def async_load(self) -> None:
        """Bring back where each device's events were read up to."""
        self._seen = await self._store.async_load() or {}

    @callback
    def async_start(self) -> None:
        """Catch up now and whenever events may have been missed; log the live ones.

        What is in the cloud of a device new to the entry is not news, only what follows: its
        position is now, remembered at once (a first catch-up cut short by an unload must not
        move it), and it is not read now.
        """
        coordinator = self.coordinator
        known = [state.key for state in coordinator.devices.values() if state.key in self._seen]
        for state in coordinator.devices.values():
            self._seen_from_now(state.key)
        self._store.async_save()
        self.entry.async_on_unload(
            coordinator.listeners.async_add_any_event_listener(self._handle_event)
        )
        self.entry.async_on_unload(
            coordinator.listeners.async_add_push_back_listener(self._async_owe_every_device)
        )
        self.entry.async_on_unload(coordinator.listeners.async_add_lists_listener(self._lists_read))
        self.entry.async_on_unload(
            async_track_time_interval(
                self.hass,
                self._async_tick,
                CATCH_UP_TICK,
                name=f"{DOMAIN} missed events",
                cancel_on_shutdown=True,
            )
        )
        self.entry.async_on_unload(self._store.async_flush)
        self._allowance = EVENT_HISTORY_READS_PER_MINUTE
        self._async_owe(known)

    async def async_wait_caught_up(self) -> None:
        """Wait for a catch-up under way (a failed one too) to end."""
        await self._catch_up.async_wait()

    async def async_read_devices_now(self, keys: Iterable[str]) -> None:
        """Read these devices' events now (after a read under way), beyond the allowance.

        For a message about an event not logged yet: the read that would log it may have run
        before the event reached the cloud's history. The requests count against the allowance.
        """
        self._urgent.update(keys)
        await self._catch_up.async_run()

    @property
    def devices_owed(self) -> int:
        """How many devices' events are still to be read."""
        return len(self._owed)

    def logged_near(self, key: str, stamp: float, window: float) -> bool:
        """Whether an event of the device was logged within `window` s of `stamp` (s)."""
        logged = self._seen.get(key, {}).get("logged", ())
        return any(abs(when - stamp) <= window for when in logged)

    @callback
    def _lists_read(self) -> None:
        if not self.coordinator.push_healthy:
            self._async_owe_every_device()

    @callback
    def _async_owe_every_device(self) -> None:
        """Events may have been missed: every device with events is read, in turn."""
        self._async_owe(self.coordinator.devices)

    @callback
    def _async_owe(self, keys: Iterable[str]) -> None:
        """These devices' events are read, those with events, in turn.

        A device owed already keeps its place in the turn.
        """
        devices = self.coordinator.devices
        self._owed.update(
            (key, None)
            for key in keys
            if (state := devices.get(key)) is not None and state.product.thing_model.events
        )
        if self._owed:
            self._catch_up.async_schedule()

    @callback
    def _async_tick(self, _now: datetime) -> None:
        """A new minute's allowance, less what was sent late in the last; the next turn."""
        self._allowance = EVENT_HISTORY_READS_PER_MINUTE - self._spent_late
        self._spent_late = 0
        if self._owed:
            self._tick_turn = True
            self._catch_up.async_schedule()

    @callback
    def _handle_event(self, event: DeviceEvent) -> None:
        self._fire(
            EVENT_DEVICE_EVENT,
            event.device_key,
            EventRecord(event.event_id, event.event_type, data=event.params),
            past=False,
        )
        stamp = event.timestamp // 1000 if event.timestamp is not None else int(time.time())
        seen = self._seen.setdefault(event.device_key, {"time": stamp, "seen": []})
        seen["seen"].append(_fingerprint(stamp, event.event_id, event.params))
        # Its line is its event entity's, unless the user disabled that.
        if (
            entity_id := self._entity_id(event.device_key, event.event_id)
        ) and self.hass.states.get(entity_id):
            self._remember_logged(seen, stamp)
        self._store.async_save()

    def _turn(self) -> list[DeviceState]:
        """The devices to read now: those asked for, then the owed ones the allowance covers.

        Each costs a request at least; a device gone from the home, or new to the entry (only
        what follows is news to it), costs none and leaves the turn.
        """
        devices = self.coordinator.devices
        urgent, self._urgent = self._urgent, set()
        at_tick, self._tick_turn = self._tick_turn, False
        turn: dict[str, DeviceState] = {}
        for key in (*urgent, *self._owed):
            if key not in urgent and len(turn) >= self._allowance:
                break
            state = devices.get(key)
            if state is None or not state.product.thing_model.events or self._seen_from_now(key):
                self._owed.pop(key, None)
                continue
            turn[key] = state
        self._allowance -= len(turn)
        if not at_tick:
            self._spent_late += len(turn)
        return list(turn.values())

    async def _async_catch_up(self) -> None:
        pacer = RequestPacer()
        semaphore = asyncio.Semaphore(DATA_READ_CONCURRENCY)

        async def catch_up(state: DeviceState) -> None:
            async with semaphore:
                try:
                    await self._async_catch_up_device(state, pacer)
                except TencentIoTError as err:
                    LOGGER.debug("Reading the past events of %s failed: %s", state.name, err)
                    # Still owed, after the others: a later turn reads it again.
                    self._owed.pop(state.key, None)
                    self._owed[state.key] = None
                    return
            self._owed.pop(state.key, None)

        await asyncio.gather(*(catch_up(state) for state in self._turn()))
        self._store.async_save()

    async def _async_catch_up_device(self, state: DeviceState, pacer: RequestPacer) -> None:
        seen = self._seen[state.key]
        # The turn paid for the first page; any further one counts against the allowance.
        pages = 0

        async def read_page(context: str | None) -> Page[EventRecord]:
            nonlocal pages
            if pages:
                self._allowance -= 1
                self._spent_late += 1
            pages += 1
            page = await self.coordinator.client.list_event_history(
                state.device,
                start_time=seen["time"],
                size=_PAGE_SIZE,
                context=context,
            )
            return page.events, page.context, page.list_over

        records = await read_pages(read_page, pacer)
        # Counted: two identical events in one second are two lines.
        logged = Counter(seen["seen"])
        found: Counter[str] = Counter()
        for record in sorted(records, key=lambda record: record.timestamp or 0):
            if record.timestamp is None or record.timestamp < seen["time"]:
                continue
            fingerprint = _fingerprint(record.timestamp, record.event_id, record.data)
            found[fingerprint] += 1
            if found[fingerprint] > logged[fingerprint]:
                self._fire(EVENT_MISSED_DEVICE_EVENT, state.key, record, past=True)
                self._remember_logged(seen, record.timestamp)
        # Read again from the newest event on; what is older is in the logbook.
        newest = max((_stamp_of(fingerprint) for fingerprint in found), default=seen["time"])
        seen["time"] = newest
        seen["seen"] = sorted(
            fingerprint
            for fingerprint in logged.keys() | found.keys()
            if _stamp_of(fingerprint) >= newest
            for _ in range(max(logged[fingerprint], found[fingerprint]))
        )

    def _seen_from_now(self, key: str) -> bool:
        """Read a device unknown so far from now on; whether it was unknown."""
        if key in self._seen:
            return False
        self._seen[key] = {"time": int(time.time()), "seen": []}
        return True

    def _entity_id(self, key: str, event_id: str) -> str | None:
        """The device's event entity of this event."""
        return er.async_get(self.hass).async_get_entity_id("event", DOMAIN, f"{key}/{event_id}")

    @staticmethod
    def _remember_logged(seen: dict[str, Any], stamp: int) -> None:
        seen["logged"] = [*seen.get("logged", ()), stamp][-_LOGGED_KEPT:]

    def _fire(self, event_type: str, key: str, record: EventRecord, *, past: bool) -> None:
        """Fire an event of a device event; a past one at its own time.

        It names the HA device and the event entity, so their logbooks list it too.
        """
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, key), self.entry.entry_id
        )
        state = self.coordinator.devices.get(key)
        spec = state.product.thing_model.events.get(record.event_id) if state else None
        self.hass.bus.async_fire(
            event_type,
            {
                "config_entry_id": self.entry.entry_id,
                "device_id": device.id if device is not None else None,
                "entity_id": self._entity_id(key, record.event_id),
                "device_name": state.name if state is not None else key,
                "event_id": record.event_id,
                "event_name": spec.name if spec is not None and spec.name else record.event_id,
                "type": record.type,
                "params": dict(record.data),
            },
            time_fired=float(record.timestamp) if past and record.timestamp is not None else None,
        )
