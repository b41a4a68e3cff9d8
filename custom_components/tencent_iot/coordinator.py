"""Coordinator: reads the family's home, applies push updates, and polls as a fallback."""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import timedelta
import math
from time import monotonic
from typing import TYPE_CHECKING, Any, Final, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    Automation,
    BindChange,
    Device,
    DeviceEvent,
    Product,
    PropertyReport,
    PropertyValue,
    PushClient,
    PushEvent,
    Room,
    Scene,
    StatusChange,
    TencentIoTAuthError,
    TencentIoTClient,
    TencentIoTCloudError,
    TencentIoTError,
    Token,
)
from .connection import create_client
from .const import (
    CONF_ACCESS_TOKEN,
    CONF_FAMILY_ID,
    CONF_POLL_INTERVAL,
    CONF_ROOMS,
    CONF_TOKEN_EXPIRE_AT,
    CONF_USE_PUSH,
    CONF_WS_URL,
    DATA_READ_CONCURRENCY,
    DEFAULT_POLL_INTERVAL,
    DEVICE_LIST_REFRESH,
    DOMAIN,
    LOGGER,
    MANUFACTURER,
    PUSH_BACKOFF_MAX,
    PUSH_BACKOFF_MIN,
    PUSH_DOWN_REPAIR_AFTER,
    PUSH_SUBSCRIBE_WAIT,
)

if TYPE_CHECKING:
    from .history import HistoryImporter
    from .messages import MessageCentre
    from .update import TencentIoTFirmwareCoordinator

STORAGE_VERSION = 1
# AppGetDeviceData errors meaning the device left the family or is no longer shared.
_DEVICE_GONE_REASONS: Final = frozenset({"DeviceNotExist", "NoPermission"})


def _device_gone(err: TencentIoTCloudError) -> bool:
    return err.reason in _DEVICE_GONE_REASONS


@dataclass(slots=True)
class DeviceState:
    """What is known of one device: its product, whether it is online, its values."""

    device: Device
    product: Product
    online: bool = False
    values: dict[str, Any] = field(default_factory=dict)
    # When each value was reported (ms): an older report never overwrites a newer one.
    reported_at: dict[str, int] = field(default_factory=dict)
    gateway_key: str | None = None

    @property
    def key(self) -> str:
        """The device's id, "ProductId/DeviceName"."""
        return self.device.key

    @property
    def name(self) -> str:
        """The name the user gave the device in the app."""
        return self.device.alias_name or self.device.device_name

    def apply(self, values: Mapping[str, Any], reported_at: int | None) -> set[str]:
        """Merge reported raw values; return the ids of the values that changed."""
        properties = self.product.thing_model.properties
        changed: set[str] = set()
        for prop_id, raw in values.items():
            if reported_at is not None:
                if self.reported_at.get(prop_id, -1) > reported_at:
                    continue
                self.reported_at[prop_id] = reported_at
            value = raw
            if (prop := properties.get(prop_id)) is not None:
                try:
                    value = prop.decode(raw)
                except ValueError:
                    LOGGER.debug(
                        "%s: ignoring %s=%r that does not fit the model", self.key, prop_id, raw
                    )
                    continue
            if self.values.get(prop_id, _MISSING) != value:
                self.values[prop_id] = value
                changed.add(prop_id)
        return changed

    def apply_data(self, data: Mapping[str, PropertyValue]) -> set[str]:
        """Merge a full AppGetDeviceData read; return the ids of the values that changed."""
        changed: set[str] = set()
        for prop_id, item in data.items():
            changed |= self.apply({prop_id: item.value}, item.last_update)
        return changed


_MISSING = object()


@dataclass(slots=True)
class TencentIoTRuntimeData:
    """What a loaded entry holds."""

    client: TencentIoTClient
    coordinator: TencentIoTCoordinator
    # Set by the update platform, whose firmware checks run apart from the home's reads.
    firmware: TencentIoTFirmwareCoordinator | None = None
    # Set by async_setup_entry; the sensor platform shows its count of new messages.
    messages: MessageCentre | None = None
    history: HistoryImporter | None = None


type TencentIoTConfigEntry = ConfigEntry[TencentIoTRuntimeData]
type DeviceListener = Callable[[], None]
type EventListener = Callable[[DeviceEvent], None]
type NewDevicesListener = Callable[[list[DeviceState]], None]


class TencentIoTCoordinator(DataUpdateCoordinator[None]):
    """Owns the client and the push channel; keeps every device's state."""

    config_entry: TencentIoTConfigEntry

    def __init__(self, hass: HomeAssistant, entry: TencentIoTConfigEntry) -> None:
        """Create the client from the entry; nothing is read before the first refresh."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=timedelta(
                seconds=entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL)
            ),
        )
        self.client = create_client(hass, entry.data, on_token=self._store_token)
        self.family_id: str = entry.data[CONF_FAMILY_ID]
        self.rooms: dict[str, Room] = {}
        self.devices: dict[str, DeviceState] = {}
        self.scenes: dict[str, Scene] = {}
        self.automations: dict[str, Automation] = {}
        self.push: PushClient | None = None
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}"
        )
        # Per device: listener -> the properties it shows (None: any of them).
        self._device_listeners: dict[str, dict[DeviceListener, frozenset[str] | None]] = {}
        self._event_listeners: dict[str, set[EventListener]] = {}
        self._any_event_listeners: list[EventListener] = []
        self._push_back_listeners: list[Callable[[], None]] = []
        self._new_device_listeners: list[NewDevicesListener] = []
        self._list_listeners: list[Callable[[], None]] = []
        # When the lists are next read. Linux counts monotonic time from boot, so no clock
        # reading can stand for "long ago": -inf means due at the next poll.
        self._lists_due_at = -math.inf
        self._lists_task: asyncio.Task[None] | None = None
        self._lists_lock = asyncio.Lock()
        self._lists_again = False
        # Set while the entities were built from the saved home because the cloud was down.
        self._home_from_storage = False
        self._push_was_down = False
        self._cancel_repair: CALLBACK_TYPE | None = None
        # Set when the first refresh has just read the whole home, so its poll has nothing to do.
        self._home_just_read = False
        # Set while push is subscribed: device data read after that misses no change.
        self._push_subscribed = asyncio.Event()
        # Devices whose data a failed read left unknown: the next poll reads them.
        self._stale: set[str] = set()

    @property
    def push_healthy(self) -> bool:
        """Whether device data arrives over push, so that polling it is not needed."""
        return self.push is not None and self.push.connected

    @property
    def _room_filter(self) -> set[str]:
        return set(self.config_entry.options.get(CONF_ROOMS, []))

    @override
    async def _async_setup(self) -> None:
        """Read the whole home (or the saved copy when the cloud is down) and start push."""
        try:
            await self._async_read_home()
            self._home_just_read = True
        except TencentIoTAuthError as err:
            raise _auth_failed(err) from err
        except TencentIoTError as err:
            saved = await self._store.async_load()
            if not saved:
                raise _update_failed(err) from err
            LOGGER.warning("The cloud is unreachable (%s); using the saved device list", err)
            self._load_saved_home(saved)
            self._home_from_storage = True
        self._async_register_devices(self.devices.values())
        if not self._home_from_storage:
            self._async_remove_stale_devices()
        if self._use_push:
            self._start_push()

    @override
    async def _async_update_data(self) -> None:
        """Poll: statuses always, device data only while push is not delivering it."""
        if self._home_just_read:
            # The first refresh runs this right after `_async_setup` read statuses and data.
            self._home_just_read = False
            return
        try:
            if self._home_from_storage:
                await self._async_read_home()
                self._home_from_storage = False
                self._async_register_devices(self.devices.values())
                self._subscribe()
                return
            if monotonic() >= self._lists_due_at:
                await self._async_read_lists()
            came_online = await self._async_read_statuses(self.devices.values())
            if self.push_healthy:
                # Only what push missed: a device that was offline, or a read that failed.
                stale = [state for key in self._stale if (state := self.devices.get(key))]
                to_read = {state.key: state for state in [*came_online, *stale]}
            else:
                to_read = dict(self.devices)
            await self._async_read_data(to_read.values())
            self._stale.difference_update(to_read)
        except TencentIoTAuthError as err:
            raise _auth_failed(err) from err
        except TencentIoTError as err:
            if self._home_from_storage and self.data is None and not self.last_exception:
                # First refresh after starting from the saved home: the entities are set up
                # unavailable (every device offline) and the next poll tries again.
                self.last_exception = err
                return
            raise _update_failed(err) from err

    # Reading the home

    async def _async_read_home(self) -> None:
        """Read rooms, devices, products, statuses and data, then save the home."""
        self.rooms = {room.room_id: room for room in await self.client.get_rooms(self.family_id)}
        devices, gateways = await self._async_read_device_list()
        products = await self.client.get_products(sorted({d.product_id for d in devices}))
        self.devices = self._build_states(devices, gateways, {p.product_id: p for p in products})
        await self._async_subscribe_before_reading()
        await self._async_read_statuses(self.devices.values())
        await self._async_read_data(self.devices.values())
        await self._async_read_scenes_and_automations()
        self._lists_due_at = monotonic() + DEVICE_LIST_REFRESH.total_seconds()
        self._async_save_home()

    async def _async_read_device_list(self) -> tuple[list[Device], dict[str, str]]:
        """The family's devices (within the chosen rooms), and each sub-device's gateway."""
        devices = await self.client.get_devices(self.family_id)
        if rooms := self._room_filter:
            devices = [device for device in devices if device.room_id in rooms]
        known = {device.key for device in devices}
        gateways: dict[str, str] = {}
        for gateway in [device for device in devices if device.is_gateway]:
            for sub in await self.client.get_gateway_sub_devices(
                gateway.product_id, gateway.device_name
            ):
                gateways[sub.key] = gateway.key
                if sub.key not in known:
                    known.add(sub.key)
                    devices.append(sub)
        return devices, gateways

    def _build_states(
        self,
        devices: Iterable[Device],
        gateways: Mapping[str, str],
        products: Mapping[str, Product],
    ) -> dict[str, DeviceState]:
        states: dict[str, DeviceState] = {}
        for device in devices:
            product = products.get(device.product_id) or Product(device.product_id)
            for problem in product.thing_model.problems:
                LOGGER.warning("Thing model of product %s: %s", product.product_id, problem)
            old = self.devices.get(device.key)
            state = DeviceState(device, product, gateway_key=gateways.get(device.key))
            if old is not None:
                state.online, state.values, state.reported_at = (
                    old.online,
                    old.values,
                    old.reported_at,
                )
            states[device.key] = state
        return states

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
        """Read the data of every online device, a few at a time."""
        semaphore = asyncio.Semaphore(DATA_READ_CONCURRENCY)

        gone: list[str] = []

        async def read(state: DeviceState) -> None:
            async with semaphore:
                try:
                    data = await self.client.get_device_data(
                        state.device.product_id, state.device.device_name
                    )
                except TencentIoTCloudError as err:
                    if isinstance(err, TencentIoTAuthError) or not _device_gone(err):
                        raise
                    # Unbound (or no longer shared) since the device list was read.
                    LOGGER.debug("%s is no longer in the family: %s", state.name, err)
                    gone.append(state.key)
                    return
            state.apply_data(data)

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
        except TencentIoTCloudError as err:
            if isinstance(err, TencentIoTAuthError):
                raise
            LOGGER.debug("Scenes or automations are not available: %s", err)

    async def _async_read_lists(self) -> None:
        """Find devices, scenes and automations added or removed since the last read.

        One read at a time: two (a poll's and a push-announced one) would both see a new
        device as new and add its entities twice.
        """
        async with self._lists_lock:
            try:
                await self._async_read_lists_locked()
            except TencentIoTError:
                # The next poll reads them again instead of waiting for DEVICE_LIST_REFRESH.
                self._lists_due_at = -math.inf
                raise

    async def _async_read_lists_locked(self) -> None:
        self._lists_due_at = monotonic() + DEVICE_LIST_REFRESH.total_seconds()
        self.rooms = {room.room_id: room for room in await self.client.get_rooms(self.family_id)}
        devices, gateways = await self._async_read_device_list()
        old_scenes, old_automations = set(self.scenes), set(self.automations)
        await self._async_read_scenes_and_automations()
        self._async_remove_gone_entities("scene", old_scenes - set(self.scenes))
        self._async_remove_gone_entities("automation", old_automations - set(self.automations))

        current = {device.key for device in devices}
        for key in set(self.devices) - current:
            self._async_remove_device(key)
        new = [device for device in devices if device.key not in self.devices]
        for device in devices:
            if (state := self.devices.get(device.key)) is not None:
                state.device = device
                state.gateway_key = gateways.get(device.key)
        if new:
            await self._async_add_devices(new, gateways)
        for listener in list(self._list_listeners):
            listener()
        self._async_save_home()

    async def _async_add_devices(self, devices: list[Device], gateways: Mapping[str, str]) -> None:
        missing = sorted({d.product_id for d in devices} - self._known_products())
        products = (
            {p.product_id: p for p in await self.client.get_products(missing)} if missing else {}
        )
        products.update({s.product.product_id: s.product for s in self.devices.values()})
        states = list(self._build_states(devices, gateways, products).values())
        await self._async_read_statuses(states)
        await self._async_read_data(states)
        self.devices.update({state.key: state for state in states})
        LOGGER.info("Found %d new device(s): %s", len(states), ", ".join(s.name for s in states))
        self._async_register_devices(states)
        self._subscribe()
        for listener in list(self._new_device_listeners):
            listener(states)

    def _known_products(self) -> set[str]:
        return {state.product.product_id for state in self.devices.values()}

    @callback
    def async_schedule_list_refresh(self) -> None:
        """Read the device list soon (a bind, an unbind or a new device was announced)."""
        if self._lists_task is None or self._lists_task.done():
            self._lists_task = self.config_entry.async_create_background_task(
                self.hass, self._async_read_lists_logged(), f"{DOMAIN} device list"
            )
        else:
            # The read under way may have started before the change: read once more after it.
            self._lists_again = True

    async def _async_read_lists_logged(self) -> None:
        self._lists_again = True
        while self._lists_again:
            self._lists_again = False
            try:
                await self._async_read_lists()
            except TencentIoTError as err:
                LOGGER.warning("Reading the device list failed: %s", err)
                return

    # Saved home, for a start while the cloud is down

    @callback
    def _async_save_home(self) -> None:
        self._store.async_delay_save(self._saved_home, 1)

    def _saved_home(self) -> dict[str, Any]:
        return {
            "rooms": [asdict(room) for room in self.rooms.values()],
            "devices": [
                {"device": asdict(state.device), "gateway": state.gateway_key}
                for state in self.devices.values()
            ],
            "products": {
                state.product.product_id: state.product.data_template
                | {"_name": state.product.name}
                for state in self.devices.values()
            },
        }

    def _load_saved_home(self, saved: Mapping[str, Any]) -> None:
        self.rooms = {room["room_id"]: Room(**room) for room in saved.get("rooms", [])}
        products = {
            product_id: Product.from_api(
                {
                    "ProductId": product_id,
                    "Name": template.get("_name", ""),
                    "DataTemplate": template,
                }
            )
            for product_id, template in saved.get("products", {}).items()
        }
        devices = [Device(**item["device"]) for item in saved.get("devices", [])]
        gateways = {
            item["device"]["product_id"] + "/" + item["device"]["device_name"]: item["gateway"]
            for item in saved.get("devices", [])
            if item.get("gateway")
        }
        self.devices = self._build_states(devices, gateways, products)

    # Device registry

    @callback
    def _async_register_devices(self, states: Iterable[DeviceState]) -> None:
        """Create or update the HA devices; gateways first so sub-devices can point to them."""
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        for state in sorted(states, key=lambda s: s.gateway_key is not None):
            identifiers = {(DOMAIN, state.key)}
            via: str | None = None
            if state.gateway_key and (
                gateway := registry.async_get_device_by_identifier(
                    (DOMAIN, state.gateway_key), entry_id
                )
            ):
                via = gateway.id
            extra: dict[str, Any] = {}
            if registry.async_get_device_by_identifier((DOMAIN, state.key), entry_id) is None and (
                room := self.rooms.get(state.device.room_id)
            ):
                # Only a new device gets the room as its area: never move one the user placed.
                extra["suggested_area"] = room.name
            registry.async_get_or_create(
                config_entry_id=entry_id,
                identifiers=identifiers,
                name=state.name,
                manufacturer=MANUFACTURER,
                model=state.product.name or None,
                model_id=state.product.product_id,
                serial_number=state.device.device_name,
                via_device_id=via,
                **extra,
            )

    @callback
    def _async_remove_device(self, key: str) -> None:
        state = self.devices.pop(key)
        LOGGER.info("Device %s was removed from the family", state.name)
        registry = dr.async_get(self.hass)
        if device := registry.async_get_device_by_identifier(
            (DOMAIN, key), self.config_entry.entry_id
        ):
            registry.async_update_device(
                device.id, remove_config_entry_id=self.config_entry.entry_id
            )
        self._device_listeners.pop(key, None)
        self._event_listeners.pop(key, None)
        self._subscribe()

    @callback
    def _async_remove_stale_devices(self) -> None:
        """Remove HA devices of this entry that the home no longer has (or the rooms exclude)."""
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        for device in dr.async_entries_for_config_entry(registry, entry_id):
            keys = {key for domain, key in device.identifiers if domain == DOMAIN}
            if keys and keys.isdisjoint(self.devices) and self.home_key not in keys:
                registry.async_update_device(device.id, remove_config_entry_id=entry_id)

    @callback
    def _async_remove_gone_entities(self, kind: str, ids: set[str]) -> None:
        registry = er.async_get(self.hass)
        for item_id in ids:
            for platform in ("scene", "switch"):
                if entity_id := registry.async_get_entity_id(platform, DOMAIN, f"{kind}/{item_id}"):
                    registry.async_remove(entity_id)

    def has_device(self, device_entry: dr.DeviceEntry) -> bool:
        """Whether an HA device is still one of the family's devices, or the home itself."""
        return any(
            domain == DOMAIN and (key in self.devices or key == self.home_key)
            for domain, key in device_entry.identifiers
        )

    @property
    def home_key(self) -> str:
        """The identifier of the home's own (service) device: scenes, automations, messages."""
        return f"home/{self.family_id}"

    # Push

    @property
    def _use_push(self) -> bool:
        return bool(self.config_entry.options.get(CONF_USE_PUSH, True))

    async def _async_subscribe_before_reading(self) -> None:
        """Subscribe to the devices before reading their data, so no change falls in between.

        A change made after a device's data was read but before push listened to it would
        otherwise stay unknown until it changes again.
        """
        if not self._use_push:
            return
        self._start_push()
        try:
            async with asyncio.timeout(PUSH_SUBSCRIBE_WAIT):
                await self._push_subscribed.wait()
        except TimeoutError:
            # Push is slow or down: once it subscribes, what changed meanwhile is read.
            LOGGER.debug("Push not subscribed yet; reading what changes once it is")
            self._push_was_down = True

    def _start_push(self) -> None:
        """Start the push channel, or subscribe it to the current devices when it runs."""
        if self.push is not None:
            self._subscribe()
            return
        self.push = PushClient(
            async_get_clientsession(self.hass),
            self.client.push_identity,
            token_provider=self._current_token,
            on_event=self._handle_push_event,
            on_connection_change=self._handle_push_connection,
            on_token_error=self._handle_push_token_error,
            backoff_min=PUSH_BACKOFF_MIN,
            backoff_max=PUSH_BACKOFF_MAX,
        )
        self.push.subscribe(self.devices)
        self.config_entry.async_create_background_task(
            self.hass, self.push.run(), f"{DOMAIN} push channel"
        )
        self.config_entry.async_on_unload(self._async_stop_push)

    async def _async_stop_push(self) -> None:
        if self._cancel_repair is not None:
            self._cancel_repair()
            self._cancel_repair = None
        if self.push is not None:
            await self.push.stop()

    def _subscribe(self) -> None:
        if self.push is not None:
            self.push.subscribe(self.devices)

    def _current_token(self) -> str:
        return self.client.access_token or ""

    @callback
    def _handle_push_event(self, event: PushEvent) -> None:
        match event:
            case PropertyReport():
                state = self.devices.get(event.device_key)
                if state is not None and (changed := state.apply(event.values, event.timestamp)):
                    self._notify_device(event.device_key, changed)
            case StatusChange():
                state = self.devices.get(event.device_key)
                if state is not None and state.online != event.online:
                    state.online = event.online
                    self._notify_device(event.device_key)
                    if event.online:
                        self.config_entry.async_create_background_task(
                            self.hass, self._async_read_device(state), f"{DOMAIN} device read"
                        )
            case DeviceEvent():
                for listener in list(self._event_listeners.get(event.device_key, ())):
                    listener(event)
                for listener in list(self._any_event_listeners):
                    listener(event)
            case BindChange():
                self.async_schedule_list_refresh()

    @callback
    def _handle_push_connection(self, connected: bool) -> None:
        if not connected:
            self._push_subscribed.clear()
            if not self._push_was_down:
                LOGGER.info("Push channel is down; polling device data until it is back")
            self._push_was_down = True
            if self._cancel_repair is None:
                self._cancel_repair = async_call_later(
                    self.hass, PUSH_DOWN_REPAIR_AFTER, self._async_raise_push_repair
                )
            return
        self._push_subscribed.set()
        if self._cancel_repair is not None:
            self._cancel_repair()
            self._cancel_repair = None
        ir.async_delete_issue(self.hass, DOMAIN, self._push_issue_id)
        if self._push_was_down:
            self._push_was_down = False
            LOGGER.info("Push channel is back; reading what changed meanwhile")
            self.config_entry.async_create_background_task(
                self.hass, self._async_catch_up(), f"{DOMAIN} push catch-up"
            )
            # A device bound or unbound meanwhile was announced to nobody.
            self.async_schedule_list_refresh()
            for listener in list(self._push_back_listeners):
                listener()

    async def _async_read_device(self, state: DeviceState) -> None:
        """Read a device that came online: what it reported while offline was not pushed."""
        try:
            await self._async_read_data([state])
        except TencentIoTError as err:
            LOGGER.debug("Reading %s after it came online failed: %s", state.name, err)
            self._stale.add(state.key)
            return
        self._notify_device(state.key)

    async def _async_catch_up(self) -> None:
        try:
            await self._async_read_statuses(self.devices.values())
            await self._async_read_data(self.devices.values())
        except TencentIoTError as err:
            LOGGER.debug("Catch-up read after reconnect failed: %s; the next poll reads it", err)
            self._stale.update(self.devices)
            return
        self._stale.difference_update(self.devices)
        self.async_update_listeners()

    async def _handle_push_token_error(self) -> None:
        """The push channel rejected the token: log in again, then it re-subscribes."""
        try:
            await self.client.relogin()
        except TencentIoTAuthError:
            self.config_entry.async_start_reauth(self.hass)
        except TencentIoTError as err:
            LOGGER.debug("Re-login for push failed: %s", err)

    @callback
    def _async_raise_push_repair(self, _now: Any) -> None:
        self._cancel_repair = None
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._push_issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="push_unavailable",
            translation_placeholders={
                "title": self.config_entry.title,
                "ws_url": self.config_entry.data[CONF_WS_URL],
            },
        )

    @property
    def _push_issue_id(self) -> str:
        return f"push_unavailable_{self.config_entry.entry_id}"

    # Token

    @callback
    def _store_token(self, token: Token) -> None:
        self.hass.config_entries.async_update_entry(
            self.config_entry,
            data={
                **self.config_entry.data,
                CONF_ACCESS_TOKEN: token.token,
                CONF_TOKEN_EXPIRE_AT: token.expire_at,
            },
        )

    # Listeners

    @callback
    def async_add_device_listener(
        self,
        key: str,
        listener: DeviceListener,
        properties: Iterable[str] | None = None,
    ) -> CALLBACK_TYPE:
        """Call `listener` when this device's availability or values change.

        With `properties`, only a change of one of them (or of availability) calls it: a push
        changing one value then updates the entities that show it, not every entity of the
        device.
        """
        self._device_listeners.setdefault(key, {})[listener] = (
            None if properties is None else frozenset(properties)
        )

        @callback
        def remove() -> None:
            self._device_listeners.get(key, {}).pop(listener, None)

        return remove

    @callback
    def async_add_event_listener(self, key: str, listener: EventListener) -> CALLBACK_TYPE:
        """Call `listener` with each event this device posts."""
        self._event_listeners.setdefault(key, set()).add(listener)
        return lambda: self._event_listeners.get(key, set()).discard(listener)

    @callback
    def async_add_any_event_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call `listener` with each event any device posts."""
        self._any_event_listeners.append(listener)
        return lambda: self._any_event_listeners.remove(listener)

    @callback
    def async_add_push_back_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` when push reconnects after an outage: what it missed is in the cloud."""
        self._push_back_listeners.append(listener)
        return lambda: self._push_back_listeners.remove(listener)

    @callback
    def async_add_new_devices_listener(self, listener: NewDevicesListener) -> CALLBACK_TYPE:
        """Call `listener` with the devices found after setup."""
        self._new_device_listeners.append(listener)
        return lambda: self._new_device_listeners.remove(listener)

    @callback
    def async_add_lists_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` after scenes and automations were read again."""
        self._list_listeners.append(listener)
        return lambda: self._list_listeners.remove(listener)

    @callback
    def _notify_device(self, key: str, changed: set[str] | None = None) -> None:
        """Call the device's listeners: those of the `changed` properties, or all of them."""
        for listener, properties in list(self._device_listeners.get(key, {}).items()):
            if changed is None or properties is None or not properties.isdisjoint(changed):
                listener()

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

    def encode_values(self, state: DeviceState, values: Mapping[str, Any]) -> dict[str, Any]:
        """Check values against the thing model and convert them for the cloud."""
        properties = state.product.thing_model.properties
        encoded: dict[str, Any] = {}
        for prop_id, value in values.items():
            placeholders = {"device": state.name, "property": prop_id, "value": str(value)}
            if (prop := properties.get(prop_id)) is None:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="unknown_property",
                    translation_placeholders=placeholders,
                )
            if not prop.writable:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="read_only_property",
                    translation_placeholders=placeholders,
                )
            try:
                encoded[prop_id] = prop.encode(value)
            except ValueError as err:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="invalid_value",
                    translation_placeholders={**placeholders, "reason": str(err)},
                ) from err
        return encoded

    async def async_set_values(self, key: str, values: Mapping[str, Any]) -> None:
        """Send property values to a device; push (or one read without push) confirms them."""
        state = self.device_state(key)
        encoded = self.encode_values(state, values)
        await self.async_call_cloud(
            self.client.control_device(state.device.product_id, state.device.device_name, encoded),
            "control_failed",
            state.name,
        )
        if not self.push_healthy:
            data = await self.async_call_cloud(
                self.client.get_device_data(state.device.product_id, state.device.device_name),
                "control_failed",
                state.name,
            )
            if changed := state.apply_data(data):
                self._notify_device(key, changed)

    async def async_call_cloud[T](
        self, call: Awaitable[T], translation_key: str, target: str = ""
    ) -> T:
        """Await a cloud call, turning its failure into a translated HomeAssistantError."""
        try:
            result: T = await call
        except TencentIoTAuthError as err:
            self.config_entry.async_start_reauth(self.hass)
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except TencentIoTError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key=translation_key,
                translation_placeholders={"target": target, "error": str(err)},
            ) from err
        return result


async def run_all(jobs: Iterable[Coroutine[Any, Any, None]]) -> None:
    """Run the jobs together, let every one finish, then raise the first failure as it is.

    Unlike a plain `asyncio.gather`, no job is left running behind the failure, unowned by the
    entry. An auth failure is raised before any other, so that the caller starts re-authentication.
    """
    results = await asyncio.gather(*jobs, return_exceptions=True)
    errors = [result for result in results if isinstance(result, BaseException)]
    if errors:
        raise next((e for e in errors if isinstance(e, TencentIoTAuthError)), errors[0])


def _auth_failed(err: TencentIoTError) -> ConfigEntryAuthFailed:
    LOGGER.debug("Authentication failed: %s", err)
    return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="auth_failed")


def _update_failed(err: TencentIoTError) -> UpdateFailed:
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key="update_failed",
        translation_placeholders={"error": str(err)},
    )
