"""Coordinator: reads the family's home, applies push updates, and polls as a fallback."""

import asyncio
from collections.abc import Awaitable, Iterable, Mapping
from datetime import datetime
from enum import Enum, auto
import logging
from typing import override

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .api import (
    Automation,
    BindChange,
    CloudPush,
    Device,
    DeviceEvent,
    PropertyReport,
    PushEvent,
    RateLimit,
    Room,
    Scene,
    StatusChange,
    TencentIoTAuthError,
    TencentIoTCloudError,
    TencentIoTDeviceGoneError,
    TencentIoTError,
    TencentIoTRateLimitError,
    Token,
)
from .cloud import CoalescedRead, async_call_cloud, auth_failed, run_all, update_failed
from .connection import create_client, token_data
from .const import (
    CONF_FAMILY_ID,
    CONF_ROOMS,
    CONF_USE_PUSH,
    DATA_READ_CONCURRENCY,
    DATA_READS_PER_MINUTE,
    DEVICE_LIST_REFRESH,
    DOMAIN,
    LOGGER,
    POLL_BACKOFF_MAX,
    POLL_INTERVAL,
)
from .home_store import HomeStore
from .listeners import EntryListeners
from .models import DeviceState, TencentIoTConfigEntry, build_states
from .poll_plan import DataReadPlan
from .push_session import PushSession
from .registry import (
    async_register_devices,
    async_release_device,
    async_release_stale_devices,
    async_remove_item_entities,
)
from .repairs import ThrottledIssue
from .shares import SharedDevices


class HomeSource(Enum):
    """Where the devices the entities were built from came from."""

    # The first refresh's setup has just read the whole home: its poll has nothing to do.
    JUST_READ = auto()
    # The saved home, because the cloud was down: the next poll reads the whole home.
    SAVED = auto()
    # The cloud, kept current by pushes and polls.
    CLOUD = auto()


class TencentIoTCoordinator(DataUpdateCoordinator[None]):
    """Keeps every device's state: read at setup, pushed, and polled while push is down."""

    config_entry: TencentIoTConfigEntry

    def __init__(self, hass: HomeAssistant, entry: TencentIoTConfigEntry) -> None:
        """Create the client from the entry; nothing is read before the first refresh."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=POLL_INTERVAL,
        )
        # One back-off for every request of the entry, shared by everything its client sends.
        self.rate_limit = RateLimit()
        self.client = create_client(
            hass, entry.data, on_token=self._store_token, rate_limit=self.rate_limit
        )
        self.family_id: str = entry.data[CONF_FAMILY_ID]
        self.rooms: dict[str, Room] = {}
        self.devices: dict[str, DeviceState] = {}
        self.scenes: dict[str, Scene] = {}
        self.automations: dict[str, Automation] = {}
        self.listeners = EntryListeners()
        self.shared_devices = SharedDevices(hass, entry, self.client)
        self.push_session = PushSession(
            hass,
            entry,
            self.client,
            on_event=self._handle_push_event,
            on_back=self._handle_push_back,
        )
        self._home_store = HomeStore(hass, entry.entry_id)
        self._throttled_issue = ThrottledIssue(hass, entry)
        # Set when a read of the lists failed: the next poll reads them.
        self._lists_due = False
        # One read of the lists at a time: two (a poll's and a push-announced one) would both
        # see a new device as new and add its entities twice.
        self._list_read = CoalescedRead(
            hass, entry, self._async_read_lists, "the device list", failure_level=logging.WARNING
        )
        self._home_source = HomeSource.CLOUD
        self._plan = DataReadPlan(round(DATA_READS_PER_MINUTE * POLL_INTERVAL.total_seconds() / 60))
        # Polls that failed in a row: each makes the next wait longer.
        self._failed_polls = 0
        # Products whose thing-model problems were logged: once per entry is enough.
        self._warned_products: set[str] = set()

    @property
    def push(self) -> CloudPush | None:
        """The push channel, once started."""
        return self.push_session.client

    @property
    def push_healthy(self) -> bool:
        """Whether device data arrives over push, so that polling it is not needed."""
        return self.push_session.healthy

    @property
    def _use_push(self) -> bool:
        return bool(self.config_entry.options.get(CONF_USE_PUSH, True))

    @property
    def _room_filter(self) -> set[str]:
        return set(self.config_entry.options.get(CONF_ROOMS, []))

    @property
    def home_key(self) -> str:
        """The identifier of the home's own (service) device: scenes, automations, messages."""
        return f"home/{self.family_id}"

    def has_device(self, device_entry: dr.DeviceEntry) -> bool:
        """Whether an HA device is still one of the family's devices, or the home itself."""
        return any(
            domain == DOMAIN and (key in self.devices or key == self.home_key)
            for domain, key in device_entry.identifiers
        )

    @property
    def data_reads_owed(self) -> int:
        """Devices whose data the polls still owe a read."""
        return self._plan.owed

    @override
    async def _async_setup(self) -> None:
        """Read the whole home (or the saved copy when the cloud is down) and start push."""
        entry = self.config_entry
        entry.async_on_unload(self.rate_limit.close)
        entry.async_on_unload(self.rate_limit.add_listener(self._throttled_issue.async_throttled))
        entry.async_on_unload(self._throttled_issue.async_cancel)
        entry.async_on_unload(
            async_track_time_interval(
                self.hass,
                self._async_lists_due,
                DEVICE_LIST_REFRESH,
                name=f"{DOMAIN} device list refresh",
                cancel_on_shutdown=True,
            )
        )
        try:
            await self._async_read_home()
            self._home_source = HomeSource.JUST_READ
        except TencentIoTAuthError as err:
            raise auth_failed(err) from err
        except TencentIoTError as err:
            saved = await self._home_store.async_load()
            if saved is None:
                raise update_failed(err) from err
            LOGGER.warning("The cloud is unreachable (%s); using the saved device list", err)
            self.rooms = saved.rooms
            self.devices = build_states(
                saved.devices, saved.gateways, saved.products, self.devices, self._warned_products
            )
            self._home_source = HomeSource.SAVED
        async_register_devices(self.hass, self.config_entry, self.devices.values(), self.rooms)
        if self._home_source is not HomeSource.SAVED:
            async_release_stale_devices(
                self.hass, self.config_entry, {*self.devices, self.home_key}
            )
        if self._use_push:
            self.push_session.start(self.devices)

    @override
    async def _async_update_data(self) -> None:
        """Poll: statuses always, device data only while push is not delivering it."""
        if self._home_source is HomeSource.JUST_READ:
            self._home_source = HomeSource.CLOUD
            return
        try:
            await self._async_poll()
        except TencentIoTAuthError as err:
            raise auth_failed(err) from err
        except TencentIoTRateLimitError as err:
            # The cloud is up but wants fewer requests: the values stay as they are (push may
            # still carry changes) and the next poll waits longer.
            self._async_poll_failed()
            LOGGER.debug("Poll refused as too many requests (%s); polling less often", err)
            return
        except TencentIoTError as err:
            self._async_poll_failed()
            if (
                self._home_source is HomeSource.SAVED
                and self.data is None
                and not self.last_exception
            ):
                # First refresh after starting from the saved home: the entities are set up
                # unavailable (every device offline) and the next poll tries again.
                self.last_exception = err
                return
            raise update_failed(err) from err
        if self._failed_polls:
            self._failed_polls = 0
            self.update_interval = POLL_INTERVAL

    async def _async_poll(self) -> None:
        if self._home_source is HomeSource.SAVED:
            await self._async_read_home()
            self._home_source = HomeSource.CLOUD
            async_register_devices(self.hass, self.config_entry, self.devices.values(), self.rooms)
            self.push_session.subscribe(self.devices)
            return
        if self._lists_due:
            await self.async_read_lists()
        came_online = await self._async_read_statuses(self.devices.values())
        self._plan.owe(state.key for state in came_online)
        # While push works, only what it missed; while it is down, every device in turn.
        await self._async_read_data(self._plan.pick(self.devices, in_turn=not self.push_healthy))

    @callback
    def _async_poll_failed(self) -> None:
        """The next poll waits twice as long as this one did, up to POLL_BACKOFF_MAX."""
        self._failed_polls += 1
        self.update_interval = min(POLL_BACKOFF_MAX, POLL_INTERVAL * 2**self._failed_polls)

    @callback
    def _async_lists_due(self, _now: datetime) -> None:
        """Read the lists now and then: no push announces a new scene or room."""
        self.async_schedule_list_refresh()

    # Reading the home

    async def _async_read_home(self) -> None:
        """Read rooms, devices, products, statuses and data, then save the home."""
        self.rooms = {room.room_id: room for room in await self.client.get_rooms(self.family_id)}
        devices, gateways = await self._async_read_device_list()
        products = await self.client.get_products(sorted({d.product_id for d in devices}))
        self.devices = build_states(
            devices,
            gateways,
            {p.product_id: p for p in products},
            self.devices,
            self._warned_products,
        )
        if self._use_push:
            await self.push_session.async_subscribe_before_reading(self.devices)
        await self._async_read_statuses(self.devices.values())
        await self._async_read_data(self.devices.values())
        await self._async_read_scenes_and_automations()
        self._lists_due = False
        self._home_store.async_save(self.rooms, self.devices)

    async def _async_read_device_list(self) -> tuple[list[Device], dict[str, str]]:
        """The family's devices (in the chosen rooms), the shared ones, each sub-device's gateway."""
        devices = await self.client.get_devices(self.family_id)
        if rooms := self._room_filter:
            devices = [device for device in devices if device.room_id in rooms]
        devices += await self.shared_devices.async_read(devices)
        known = {device.key for device in devices}
        gateways: dict[str, str] = {}
        for gateway in [device for device in devices if device.is_gateway]:
            for sub in await self.client.get_gateway_sub_devices(gateway):
                gateways[sub.key] = gateway.key
                if sub.key not in known:
                    known.add(sub.key)
                    devices.append(sub)
        return devices, gateways

    async def _async_read_statuses(self, states: Iterable[DeviceState]) -> list[DeviceState]:
        """Read which devices are online; return those that were offline before."""
        by_key = {state.key: state for state in states}
        if not by_key:
            return []
        came_online: list[DeviceState] = []
        for status in await self.client.get_device_statuses(list(by_key)):
            if (state := by_key.get(status.device_id)) is not None:
                if status.online and not state.online:
                    came_online.append(state)
                state.online = status.online
        return came_online

    async def _async_read_data(self, states: Iterable[DeviceState]) -> None:
        """Read the data of these devices (the online ones), a few at a time."""
        semaphore = asyncio.Semaphore(DATA_READ_CONCURRENCY)

        gone: list[str] = []

        async def read(state: DeviceState) -> None:
            async with semaphore:
                try:
                    data = await self.client.get_device_data(state.device)
                except TencentIoTDeviceGoneError as err:
                    # Unbound (or no longer shared) since the device list was read.
                    LOGGER.debug("%s is no longer in the family: %s", state.name, err)
                    gone.append(state.key)
                    return
            state.apply_data(data)
            self._plan.read(state.key)

        await run_all(read(state) for state in states if state.online)
        if gone:
            self.async_schedule_list_refresh()

    async def _async_read_scenes_and_automations(self) -> None:
        """Scenes and automations are extras: an app without them must still load."""
        try:
            self.scenes = {s.scene_id: s for s in await self.client.get_scenes(self.family_id)}
            self.automations = {
                a.automation_id: a for a in await self.client.get_automations(self.family_id)
            }
        except TencentIoTRateLimitError:
            raise  # not an answer about scenes: the lists stay as they are
        except TencentIoTCloudError as err:
            LOGGER.debug("Scenes or automations are not available: %s", err)

    async def _async_read_lists(self) -> None:
        """Find devices, scenes and automations added or removed since the last read."""
        self._lists_due = False
        try:
            await self._async_read_lists_once()
        except TencentIoTError:
            # The next poll reads them again instead of waiting for DEVICE_LIST_REFRESH.
            self._lists_due = True
            raise

    async def _async_read_lists_once(self) -> None:
        self.rooms = {room.room_id: room for room in await self.client.get_rooms(self.family_id)}
        devices, gateways = await self._async_read_device_list()
        old_scenes, old_automations = set(self.scenes), set(self.automations)
        await self._async_read_scenes_and_automations()
        async_remove_item_entities(self.hass, "scene", old_scenes - set(self.scenes))
        async_remove_item_entities(self.hass, "automation", old_automations - set(self.automations))

        current = {device.key for device in devices}
        for key in set(self.devices) - current:
            self._async_remove_device(key)
        new = [device for device in devices if device.key not in self.devices]
        for device in devices:
            if (state := self.devices.get(device.key)) is not None:
                state.device = device
                state.gateway_key = gateways.get(device.key)
        # Names (and, if asked, rooms) changed in the app.
        async_register_devices(self.hass, self.config_entry, self.devices.values(), self.rooms)
        if new:
            await self._async_add_devices(new, gateways)
        self.listeners.lists_read()
        self._home_store.async_save(self.rooms, self.devices)

    async def _async_add_devices(self, devices: list[Device], gateways: Mapping[str, str]) -> None:
        known_products = {state.product.product_id for state in self.devices.values()}
        missing = sorted({d.product_id for d in devices} - known_products)
        products = (
            {p.product_id: p for p in await self.client.get_products(missing)} if missing else {}
        )
        products.update({s.product.product_id: s.product for s in self.devices.values()})
        states = list(
            build_states(devices, gateways, products, self.devices, self._warned_products).values()
        )
        await self._async_read_statuses(states)
        await self._async_read_data(states)
        self.devices.update({state.key: state for state in states})
        LOGGER.info("Found %d new device(s): %s", len(states), ", ".join(s.name for s in states))
        async_register_devices(self.hass, self.config_entry, states, self.rooms)
        self.push_session.subscribe(self.devices)
        self.listeners.new_devices(states)

    @callback
    def _async_remove_device(self, key: str) -> None:
        state = self.devices.pop(key)
        LOGGER.info("Device %s was removed from the family", state.name)
        async_release_device(self.hass, self.config_entry, key)
        self.listeners.forget_device(key)
        self.push_session.subscribe(self.devices)

    async def async_read_lists(self) -> None:
        """Read the device list, scenes and automations now (after a read under way)."""
        await self._list_read.async_run()

    @callback
    def async_schedule_list_refresh(self) -> None:
        """Read the device list soon (a bind, an unbind or a new device was announced)."""
        self._list_read.async_schedule()

    # Push

    @callback
    def _handle_push_event(self, event: PushEvent) -> None:
        match event:
            case PropertyReport():
                state = self.devices.get(event.device_key)
                if state is not None and (changed := state.apply(event.values, event.timestamp)):
                    self.listeners.device_changed(event.device_key, changed)
            case StatusChange():
                state = self.devices.get(event.device_key)
                if state is not None and state.online != event.online:
                    state.online = event.online
                    self.listeners.device_changed(event.device_key)
                    if event.online:
                        self.config_entry.async_create_background_task(
                            self.hass, self._async_read_device(state), f"{DOMAIN} device read"
                        )
            case DeviceEvent():
                self.listeners.device_event(event)
            case BindChange():
                self.async_schedule_list_refresh()

    @callback
    def _handle_push_back(self) -> None:
        self.config_entry.async_create_background_task(
            self.hass, self._async_catch_up(), f"{DOMAIN} push catch-up"
        )
        # A device bound or unbound meanwhile was announced to nobody.
        self.async_schedule_list_refresh()
        self.listeners.push_back()

    async def _async_read_device(self, state: DeviceState) -> None:
        """Read a device that came online: what it reported while offline was not pushed."""
        try:
            await self._async_read_data([state])
        except TencentIoTError as err:
            LOGGER.debug("Reading %s after it came online failed: %s", state.name, err)
            self._plan.owe([state.key])
            return
        self.listeners.device_changed(state.key)

    async def _async_catch_up(self) -> None:
        """Every device may have changed unseen: read them, a poll's budget now, the rest later."""
        self._plan.owe(self.devices)
        try:
            await self._async_read_statuses(self.devices.values())
            await self._async_read_data(self._plan.pick(self.devices, in_turn=False))
        except TencentIoTError as err:
            LOGGER.debug("Catch-up read after reconnect failed: %s; the polls read it", err)
            return
        self.async_update_listeners()

    @callback
    def _store_token(self, token: Token) -> None:
        self.hass.config_entries.async_update_entry(
            self.config_entry,
            data={**self.config_entry.data, **token_data(self.client, token)},
        )

    # Control

    def device_state(self, key: str) -> DeviceState:
        """The state of a device of this entry, or a translated error."""
        if (state := self.devices.get(key)) is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_device",
                translation_placeholders={"device": key},
            )
        return state

    async def async_call_cloud[T](
        self, call: Awaitable[T], translation_key: str, target: str = ""
    ) -> T:
        """Await a cloud call, turning its failure into a translated HomeAssistantError."""
        return await async_call_cloud(self.hass, self.config_entry, call, translation_key, target)
