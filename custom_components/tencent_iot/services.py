"""Services: scenes, timers, raw control, actions, sharing, binding and music."""

from collections.abc import Callable, Coroutine, Iterable, Mapping
import contextlib
from datetime import datetime
import re
from typing import Any, Final, cast

from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, ATTR_ENTITY_ID, Platform
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, entity_registry as er, service
from homeassistant.util import dt as dt_util
import probatio

from .api import AccountSharing, BindTokenState, ShareRecipient, Timer
from .const import DOMAIN
from .control import async_call_action, async_run_scene, async_set_values
from .coordinator import TencentIoTCoordinator
from .models import DeviceState, TencentIoTConfigEntry
from .music import async_music_command

SERVICE_RUN_SCENE: Final = "run_scene"
SERVICE_LIST_TIMERS: Final = "list_timers"
SERVICE_CREATE_TIMER: Final = "create_timer"
SERVICE_UPDATE_TIMER: Final = "update_timer"
SERVICE_DELETE_TIMER: Final = "delete_timer"
SERVICE_SET_PROPERTY: Final = "set_property"
SERVICE_CALL_ACTION: Final = "call_action"
SERVICE_SHARE_DEVICE: Final = "share_device"
SERVICE_BIND_DEVICE: Final = "bind_device"
SERVICE_MUSIC_COMMAND: Final = "music_command"

ATTR_SCENE_ID: Final = "scene_id"
ATTR_TIMER_ID: Final = "timer_id"
ATTR_NAME: Final = "name"
ATTR_TIME: Final = "time"
ATTR_DAYS: Final = "days"
ATTR_DATA: Final = "data"
ATTR_ENABLED: Final = "enabled"
ATTR_ACTION_ID: Final = "action_id"
ATTR_INPUT: Final = "input"
ATTR_USER_ID: Final = "user_id"
ATTR_EMAIL: Final = "email"
ATTR_PHONE: Final = "phone"
ATTR_EXPIRES_AT: Final = "expires_at"
ATTR_PRODUCT_ID: Final = "product_id"
ATTR_DEVICE_NAME: Final = "device_name"
ATTR_TOKEN: Final = "token"  # noqa: S105
ATTR_ROOM_ID: Final = "room_id"
ATTR_COMMAND: Final = "command"
ATTR_PARAMS: Final = "params"

# Service fields use Monday-first names; the cloud's Days string starts on Sunday.
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOUD_WEEK: Final = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_NO_DAYS: Final = "0000000"
_TIME: Final = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
# Sub-commands of AppKugouUserCommand in the API reference's Music Service section.
MUSIC_COMMANDS: Final = (
    "user_info",
    "user_logout",
    "playlist_song",
    "playlist_awesome",
    "awesome_everyday",
    "awesome_newsong",
    "song_infos",
    "song_url",
)
# The room every family has; AppTokenBindDeviceFamily puts a device there by default.
DEFAULT_ROOM_ID: Final = "0"

_DEVICE_SCHEMA: Final = {probatio.Required(ATTR_DEVICE_ID): cv.string}
_DAYS_SCHEMA: Final = probatio.All(cv.ensure_list, [cv.string])

# The scene entity (what the action editor offers), or the cloud's scene id (for scripts).
RUN_SCENE_SCHEMA: Final = probatio.Schema(
    {
        probatio.Optional(ATTR_ENTITY_ID): cv.entity_id,
        probatio.Optional(ATTR_SCENE_ID): cv.string,
        probatio.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
    }
)
# The unique id of a scene entity is this prefix and the cloud's scene id.
_SCENE_UNIQUE_ID_PREFIX: Final = "scene/"
LIST_TIMERS_SCHEMA: Final = probatio.Schema(_DEVICE_SCHEMA)
CREATE_TIMER_SCHEMA: Final = probatio.Schema(
    {
        **_DEVICE_SCHEMA,
        probatio.Required(ATTR_NAME): cv.string,
        probatio.Required(ATTR_TIME): cv.string,
        probatio.Optional(ATTR_DAYS, default=list): _DAYS_SCHEMA,
        probatio.Required(ATTR_DATA): dict,
        probatio.Optional(ATTR_ENABLED, default=True): cv.boolean,
    }
)
UPDATE_TIMER_SCHEMA: Final = probatio.Schema(
    {
        **_DEVICE_SCHEMA,
        probatio.Required(ATTR_TIMER_ID): cv.string,
        probatio.Optional(ATTR_NAME): cv.string,
        probatio.Optional(ATTR_TIME): cv.string,
        probatio.Optional(ATTR_DAYS): _DAYS_SCHEMA,
        probatio.Optional(ATTR_DATA): dict,
        probatio.Optional(ATTR_ENABLED): cv.boolean,
    }
)
DELETE_TIMER_SCHEMA: Final = probatio.Schema(
    {**_DEVICE_SCHEMA, probatio.Required(ATTR_TIMER_ID): cv.string}
)
SET_PROPERTY_SCHEMA: Final = probatio.Schema({**_DEVICE_SCHEMA, probatio.Required(ATTR_DATA): dict})
CALL_ACTION_SCHEMA: Final = probatio.Schema(
    {
        **_DEVICE_SCHEMA,
        probatio.Required(ATTR_ACTION_ID): cv.string,
        probatio.Optional(ATTR_INPUT, default=dict): dict,
    }
)
# One recipient: by user id (both clouds), or by email or phone with an end (Quectel's).
SHARE_DEVICE_SCHEMA: Final = probatio.Schema(
    {
        **_DEVICE_SCHEMA,
        probatio.Optional(ATTR_USER_ID): cv.string,
        probatio.Optional(ATTR_EMAIL): cv.string,
        probatio.Optional(ATTR_PHONE): cv.string,
        probatio.Optional(ATTR_EXPIRES_AT): cv.datetime,
    }
)
BIND_DEVICE_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Required(ATTR_PRODUCT_ID): cv.string,
        probatio.Required(ATTR_DEVICE_NAME): cv.string,
        probatio.Required(ATTR_TOKEN): cv.string,
        probatio.Optional(ATTR_ROOM_ID): cv.string,
    }
)
MUSIC_COMMAND_SCHEMA: Final = probatio.Schema(
    {
        **_DEVICE_SCHEMA,
        probatio.Required(ATTR_COMMAND): cv.string,
        probatio.Optional(ATTR_PARAMS, default=dict): dict,
    }
)


def _invalid(translation_key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=translation_key,
        translation_placeholders=placeholders,
    )


# Converters between service fields and the cloud's timer fields


def days_to_cloud(days: Iterable[str]) -> str:
    """Turn day names (mon..sun) into the cloud's 7-character, Sunday-first Days string."""
    chosen: set[str] = set()
    for day in days:
        if (name := day.strip().lower()) not in WEEKDAYS:
            raise _invalid("invalid_day", day=day, days=", ".join(WEEKDAYS))
        chosen.add(name)
    return "".join("1" if day in chosen else "0" for day in _CLOUD_WEEK)


def days_from_cloud(days: str) -> list[str]:
    """Turn the cloud's Sunday-first Days string into day names, Monday first."""
    chosen = {day for day, flag in zip(_CLOUD_WEEK, days, strict=False) if flag == "1"}
    return [day for day in WEEKDAYS if day in chosen]


def time_point(value: str) -> str:
    """Check an HH:MM or HH:MM:SS time of day; return HH:MM, the minute a cloud timer fires."""
    match = _TIME.fullmatch(value.strip())
    if (
        match is None
        or int(match[1]) > 23
        or int(match[2]) > 59
        or (match[3] is not None and int(match[3]) > 59)
    ):
        raise _invalid("invalid_time", time=value)
    return f"{int(match[1]):02d}:{match[2]}"


def _timer_name(value: str) -> str:
    if not (name := value.strip()):
        raise _invalid("invalid_timer_name")
    return name


def _property_values(state: DeviceState, data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate property values against the thing model; at least one is needed."""
    if not data:
        raise _invalid("no_property_values", device=state.name)
    return state.encode(data)


def _decoded_values(state: DeviceState, data: Mapping[str, Any]) -> dict[str, Any]:
    """Property values as the cloud stores them, read through the thing model where possible."""
    properties = state.product.thing_model.properties
    values: dict[str, Any] = {}
    for prop_id, raw in data.items():
        values[prop_id] = raw
        if (prop := properties.get(prop_id)) is not None:
            with contextlib.suppress(ValueError):
                values[prop_id] = prop.decode(raw)
    return values


def _timer_response(state: DeviceState, timer: Timer) -> dict[str, Any]:
    return {
        "timer_id": timer.timer_id,
        "name": timer.name,
        "time": timer.time_point,
        "days": days_from_cloud(timer.days),
        "repeat": timer.repeat,
        "enabled": timer.enabled,
        "data": _decoded_values(state, timer.data),
    }


# Finding the target


def _resolve_device(call: ServiceCall) -> tuple[TencentIoTCoordinator, DeviceState]:
    """Find the coordinator and state of the call's device.

    HA's own translated errors cover an unknown device, a device of another integration
    and an entry that is not loaded.
    """
    device, entry = service.async_get_device_and_config_entry(
        call.hass, DOMAIN, call.data[ATTR_DEVICE_ID]
    )
    coordinator = cast(TencentIoTConfigEntry, entry).runtime_data.coordinator
    key = next((ident for domain, ident in device.identifiers if domain == DOMAIN), None)
    if key is None:
        raise _invalid("unknown_device", device=device.name_by_user or device.name or device.id)
    return coordinator, coordinator.device_state(key)


def _resolve_entry(hass: HomeAssistant, entry_id: str | None) -> TencentIoTCoordinator:
    entry = cast(TencentIoTConfigEntry, service.async_get_config_entry(hass, DOMAIN, entry_id))
    return entry.runtime_data.coordinator


def _scene_target(call: ServiceCall) -> tuple[TencentIoTCoordinator, str]:
    """The entry and the cloud's id of the scene to run: from its entity, or from its id."""
    entity_id: str | None = call.data.get(ATTR_ENTITY_ID)
    scene_id: str | None = call.data.get(ATTR_SCENE_ID)
    if scene_id is not None:
        if entity_id is not None:
            raise _invalid("scene_target_ambiguous")
        return _scene_coordinator(call, scene_id), scene_id
    if entity_id is None:
        raise _invalid("scene_target_missing")
    entry = er.async_get(call.hass).async_get(entity_id)
    if (
        entry is None
        or entry.platform != DOMAIN
        or entry.domain != Platform.SCENE
        or not entry.unique_id.startswith(_SCENE_UNIQUE_ID_PREFIX)
    ):
        raise _invalid("not_a_scene_entity", entity=entity_id)
    coordinator = _resolve_entry(call.hass, entry.config_entry_id)
    scene_id = entry.unique_id.removeprefix(_SCENE_UNIQUE_ID_PREFIX)
    if scene_id not in coordinator.scenes:
        raise _invalid("unknown_scene", scene_id=scene_id)
    return coordinator, scene_id


def _scene_coordinator(call: ServiceCall, scene_id: str) -> TencentIoTCoordinator:
    """Find the entry holding the scene: the given one, or the loaded entry that knows it."""
    if (entry_id := call.data.get(ATTR_CONFIG_ENTRY_ID)) is not None:
        coordinator = _resolve_entry(call.hass, entry_id)
        if scene_id in coordinator.scenes:
            return coordinator
        raise _invalid("unknown_scene", scene_id=scene_id)
    entries: list[TencentIoTConfigEntry] = call.hass.config_entries.async_loaded_entries(DOMAIN)
    if not entries:
        # HA's own translated error: no entry, or it is not loaded.
        return _resolve_entry(call.hass, None)
    for entry in entries:
        if scene_id in entry.runtime_data.coordinator.scenes:
            return entry.runtime_data.coordinator
    raise _invalid("unknown_scene", scene_id=scene_id)


async def _async_find_timer(
    coordinator: TencentIoTCoordinator, state: DeviceState, timer_id: str
) -> Timer:
    timers: list[Timer] = await coordinator.async_call_cloud(
        coordinator.client.get_timers(state.device),
        "timer_failed",
        state.name,
    )
    for timer in timers:
        if timer.timer_id == timer_id:
            return timer
    raise _invalid("unknown_timer", timer_id=timer_id, device=state.name)


# Handlers


async def _async_run_scene(call: ServiceCall) -> None:
    coordinator, scene_id = _scene_target(call)
    await async_run_scene(coordinator, scene_id)


async def _async_list_timers(call: ServiceCall) -> ServiceResponse:
    coordinator, state = _resolve_device(call)
    timers: list[Timer] = await coordinator.async_call_cloud(
        coordinator.client.get_timers(state.device),
        "timer_failed",
        state.name,
    )
    return {"timers": [_timer_response(state, timer) for timer in timers]}


async def _async_create_timer(call: ServiceCall) -> ServiceResponse:
    coordinator, state = _resolve_device(call)
    name = _timer_name(call.data[ATTR_NAME])
    time = time_point(call.data[ATTR_TIME])
    days = days_to_cloud(call.data[ATTR_DAYS])
    data = _property_values(state, call.data[ATTR_DATA])
    device = state.device
    timer_id: str = await coordinator.async_call_cloud(
        coordinator.client.create_timer(
            device,
            timer_name=name,
            days=days,
            time_point=time,
            data=data,
        ),
        "timer_failed",
        state.name,
    )
    if not call.data[ATTR_ENABLED]:
        # A new timer starts enabled.
        await coordinator.async_call_cloud(
            coordinator.client.set_timer_enabled(device, timer_id, False),
            "timer_failed",
            state.name,
        )
    return {"timer_id": timer_id}


async def _async_update_timer(call: ServiceCall) -> None:
    coordinator, state = _resolve_device(call)
    fields = call.data
    if not any(key in fields for key in (ATTR_NAME, ATTR_TIME, ATTR_DAYS, ATTR_DATA, ATTR_ENABLED)):
        raise _invalid("nothing_to_update")
    # Check every given field before anything is read or sent.
    name = _timer_name(fields[ATTR_NAME]) if ATTR_NAME in fields else None
    time = time_point(fields[ATTR_TIME]) if ATTR_TIME in fields else None
    days = days_to_cloud(fields[ATTR_DAYS]) if ATTR_DAYS in fields else None
    data = _property_values(state, fields[ATTR_DATA]) if ATTR_DATA in fields else None
    timer = await _async_find_timer(coordinator, state, fields[ATTR_TIMER_ID])
    device = state.device
    if any(value is not None for value in (name, time, days, data)):
        # AppModifyTimer replaces every setting: keep the timer's own for the fields not given.
        await coordinator.async_call_cloud(
            coordinator.client.modify_timer(
                device,
                timer.timer_id,
                timer_name=timer.name if name is None else name,
                days=timer.days if days is None else days,
                time_point=timer.time_point if time is None else time,
                data=timer.data if data is None else data,
                repeat=timer.repeat if days is None else days != _NO_DAYS,
            ),
            "timer_failed",
            state.name,
        )
    if ATTR_ENABLED in fields:
        await coordinator.async_call_cloud(
            coordinator.client.set_timer_enabled(device, timer.timer_id, fields[ATTR_ENABLED]),
            "timer_failed",
            state.name,
        )


async def _async_delete_timer(call: ServiceCall) -> None:
    coordinator, state = _resolve_device(call)
    timer = await _async_find_timer(coordinator, state, call.data[ATTR_TIMER_ID])
    await coordinator.async_call_cloud(
        coordinator.client.delete_timer(state.device, timer.timer_id),
        "timer_failed",
        state.name,
    )


async def _async_set_property(call: ServiceCall) -> None:
    coordinator, state = _resolve_device(call)
    if not call.data[ATTR_DATA]:
        raise _invalid("no_property_values", device=state.name)
    await async_set_values(coordinator, state.key, call.data[ATTR_DATA])


async def _async_call_action(call: ServiceCall) -> ServiceResponse:
    coordinator, state = _resolve_device(call)
    result = await async_call_action(
        coordinator, state.key, call.data[ATTR_ACTION_ID], call.data[ATTR_INPUT]
    )
    return dict(result.output)


def _share_recipient(data: Mapping[str, Any]) -> ShareRecipient:
    """The one recipient the call names; a blank or missing one is an error."""
    given = {
        key: value
        for key in (ATTR_USER_ID, ATTR_EMAIL, ATTR_PHONE)
        if (value := data.get(key, "").strip())
    }
    if len(given) != 1:
        if not given and set(data) & {ATTR_USER_ID, ATTR_EMAIL, ATTR_PHONE} == {ATTR_USER_ID}:
            raise _invalid("invalid_user_id")
        raise _invalid("share_recipient_missing")
    return ShareRecipient(**given)


async def _async_share_device(call: ServiceCall) -> None:
    coordinator, state = _resolve_device(call)
    recipient = _share_recipient(call.data)
    expires_at: datetime | None = call.data.get(ATTR_EXPIRES_AT)
    client = coordinator.client
    if not isinstance(client, AccountSharing):
        if recipient.user_id is None or expires_at is not None:
            raise _invalid("share_recipient_not_supported")
        await coordinator.async_call_cloud(
            client.send_share_invite(state.device, recipient.user_id), "share_failed", state.name
        )
        return
    end = None if expires_at is None else int(dt_util.as_timestamp(expires_at))
    if expires_at is not None and end is not None and end <= dt_util.utcnow().timestamp():
        raise _invalid("invalid_share_expiry", expires_at=expires_at.isoformat())
    await coordinator.async_call_cloud(
        client.share_device(state.device, recipient, expires_at=end), "share_failed", state.name
    )


async def _async_bind_device(call: ServiceCall) -> None:
    coordinator = _resolve_entry(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    product_id: str = call.data[ATTR_PRODUCT_ID].strip()
    device_name: str = call.data[ATTR_DEVICE_NAME].strip()
    token: str = call.data[ATTR_TOKEN].strip()
    target = f"{product_id}/{device_name}"
    if not (product_id and device_name and token):
        raise _invalid("invalid_bind_request")
    if target in coordinator.devices:
        raise _invalid("device_already_bound", device=coordinator.devices[target].name)
    room_id: str = call.data.get(ATTR_ROOM_ID, DEFAULT_ROOM_ID)
    if room_id != DEFAULT_ROOM_ID and room_id not in coordinator.rooms:
        raise _invalid("unknown_room", room_id=room_id)
    client = coordinator.client
    token_state: BindTokenState = await coordinator.async_call_cloud(
        client.get_bind_token_state(token), "bind_failed", target
    )
    if not token_state.usable:
        raise _invalid("bind_token_not_ready", state=str(token_state.state))
    await coordinator.async_call_cloud(
        client.bind_device_by_token(token, product_id, device_name, coordinator.family_id, room_id),
        "bind_failed",
        target,
    )
    # The new device's entities appear once the device list was read again.
    coordinator.async_schedule_list_refresh()


async def _async_music_command(call: ServiceCall) -> ServiceResponse:
    coordinator, state = _resolve_device(call)
    command: str = call.data[ATTR_COMMAND]
    if command not in MUSIC_COMMANDS:
        raise _invalid("unknown_music_command", command=command, commands=", ".join(MUSIC_COMMANDS))

    data: Any = await async_music_command(
        coordinator,
        state,
        command,
        coordinator.client.kugou_command(state.key, command, call.data[ATTR_PARAMS]),
    )
    if isinstance(data, Mapping):
        return dict(data)
    # A service response must be an object: wrap a list or a plain value.
    return {"data": data}


_SERVICES: Final[
    tuple[
        tuple[
            str,
            Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]],
            probatio.Schema,
            SupportsResponse,
        ],
        ...,
    ]
] = (
    (SERVICE_RUN_SCENE, _async_run_scene, RUN_SCENE_SCHEMA, SupportsResponse.NONE),
    (SERVICE_LIST_TIMERS, _async_list_timers, LIST_TIMERS_SCHEMA, SupportsResponse.ONLY),
    (SERVICE_CREATE_TIMER, _async_create_timer, CREATE_TIMER_SCHEMA, SupportsResponse.OPTIONAL),
    (SERVICE_UPDATE_TIMER, _async_update_timer, UPDATE_TIMER_SCHEMA, SupportsResponse.NONE),
    (SERVICE_DELETE_TIMER, _async_delete_timer, DELETE_TIMER_SCHEMA, SupportsResponse.NONE),
    (SERVICE_SET_PROPERTY, _async_set_property, SET_PROPERTY_SCHEMA, SupportsResponse.NONE),
    (SERVICE_CALL_ACTION, _async_call_action, CALL_ACTION_SCHEMA, SupportsResponse.OPTIONAL),
    (SERVICE_SHARE_DEVICE, _async_share_device, SHARE_DEVICE_SCHEMA, SupportsResponse.NONE),
    (SERVICE_BIND_DEVICE, _async_bind_device, BIND_DEVICE_SCHEMA, SupportsResponse.NONE),
    (SERVICE_MUSIC_COMMAND, _async_music_command, MUSIC_COMMAND_SCHEMA, SupportsResponse.OPTIONAL),
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's services (once, from async_setup)."""
    for name, handler, schema, supports_response in _SERVICES:
        hass.services.async_register(
            DOMAIN, name, handler, schema, supports_response=supports_response
        )
