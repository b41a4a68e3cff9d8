"""The integration's services, against the cloud simulator."""

from dataclasses import dataclass
import json
from pathlib import Path
import time
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.service import _SERVICES_SCHEMA
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import DOMAIN
from custom_components.tencent_iot.services import (
    MUSIC_COMMANDS,
    days_from_cloud,
    days_to_cloud,
)
from simulator import CloudSimulator
from simulator.model import BindToken

from .conftest import add_entry, entry_data
from .platform_common import BULB, PLUG, SPEAKER, coordinator_of, set_up_entry, wait_for

INTEGRATION_DIR = Path(__file__).parent.parent / "custom_components" / DOMAIN

LAMP = "3JQ8VX2K1M/bulb_7c87ce2b"
LAMP_TIMER = "b85a8d228742947b4cdc357ceb08b2a6"
PLUG_TIMER = "31c7f43525581165cf826358b1b007b9"
GOOD_NIGHT = "s_908fd3b142e211b4c759abf025ec72b4"
WELCOME_HOME = "s_40be4e59b9a2a2b5dffb918c0e86b3d7"  # of the parents' home
PARENTS_HOME = "f_c68ad910ed49ac65f21f1bf2c5dbf912"
LIVING_ROOM = "r_42f5ad1fd9f2d094897d47ad498bb141"
OTHER_USER = "2103481377"

# Every action that changes something in the cloud.
WRITES = frozenset(
    {
        "AppCreateTimer",
        "AppModifyTimer",
        "AppModifyTimerStatus",
        "AppDeleteTimer",
        "AppControlDeviceData",
        "AppCallDeviceActionSync",
        "AppSendShareDeviceInvite",
        "AppTokenBindDeviceFamily",
        "AppKugouUserCommand",
        "AppRunScene",
    }
)


@pytest.fixture
def platforms() -> list[Platform]:
    """Entries are set up without entity platforms: services need none."""
    return []


def device_id(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """The HA device id of a cloud device."""
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, key), entry.entry_id)
    assert device is not None
    return device.id


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any], *, response: bool = False
) -> Any:
    """Call a service of the setup_integration and wait for it; return its response."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


async def rejected[E: HomeAssistantError](
    error: type[E],
    hass: HomeAssistant,
    service: str,
    data: dict[str, Any],
    *,
    response: bool = False,
) -> E:
    """Call a service that must fail with `error`; return the error."""
    with pytest.raises(error) as info:
        await call(hass, service, data, response=response)
    return info.value


async def list_lamp_timers_rejected(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> HomeAssistantError:
    """Ask for the bedside lamp's timers, which must fail; return the error."""
    return await rejected(
        HomeAssistantError,
        hass,
        "list_timers",
        {"device_id": device_id(hass, setup_integration, LAMP)},
        response=True,
    )


async def refused(
    hass: HomeAssistant,
    sim: CloudSimulator,
    service: str,
    data: dict[str, Any],
    *,
    response: bool = False,
) -> ServiceValidationError:
    """Call a service that must fail validation, sending the cloud nothing that changes it."""
    sim.reset_request_counts()
    err = await rejected(ServiceValidationError, hass, service, data, response=response)
    assert writes(sim) == {}
    return err


def placeholders(err: HomeAssistantError) -> dict[str, str]:
    """The placeholders of a translated error."""
    assert err.translation_placeholders is not None
    return err.translation_placeholders


def writes(sim: CloudSimulator) -> dict[str, int]:
    """The changing requests the cloud received since the counts were reset."""
    return {action: n for action, n in sim.request_counts().items() if action in WRITES}


def bind_request(
    entry_id: str, device_name: str, token: str, product_id: str = "3JQ8VX2K1M"
) -> dict[str, Any]:
    """The data of a bind_device call into the default room."""
    return {
        "config_entry_id": entry_id,
        "product_id": product_id,
        "device_name": device_name,
        "token": token,
    }


def timer(sim: CloudSimulator, timer_id: str) -> dict[str, Any]:
    """A timer as the cloud holds it."""
    return next(t for t in sim.timers() if t["TimerId"] == timer_id)


# Descriptions and translations


def test_services_yaml_is_valid_and_translated() -> None:
    """services.yaml passes HA's schema; each service and field has a name in every language."""
    services = _SERVICES_SCHEMA(load_yaml_dict(str(INTEGRATION_DIR / "services.yaml")))
    assert set(services) == {
        "run_scene",
        "list_timers",
        "create_timer",
        "update_timer",
        "delete_timer",
        "set_property",
        "call_action",
        "share_device",
        "bind_device",
        "music_command",
    }
    icons = json.loads((INTEGRATION_DIR / "icons.json").read_text(encoding="utf-8"))
    assert set(icons["services"]) == set(services)
    languages = sorted((INTEGRATION_DIR / "translations").glob("*.json"))
    assert len(languages) > 1
    for language in languages:
        strings = json.loads(language.read_text(encoding="utf-8"))
        assert set(strings["services"]) == set(services)
        for name, service in services.items():
            texts = strings["services"][name]
            assert texts["name"]
            assert texts["description"]
            assert set(texts["fields"]) == set(service["fields"])
            assert all(f["name"] and f["description"] for f in texts["fields"].values())
        assert set(strings["selector"]["timer_weekday"]["options"]) == {
            "mon",
            "tue",
            "wed",
            "thu",
            "fri",
            "sat",
            "sun",
        }
        assert set(strings["selector"]["music_command"]["options"]) == set(MUSIC_COMMANDS)


def test_timer_time_is_a_text_field() -> None:
    """The timers' time is typed as HH:MM: HA's time selector would ask for seconds and AM/PM."""
    services = load_yaml_dict(str(INTEGRATION_DIR / "services.yaml"))
    for name in ("create_timer", "update_timer"):
        assert set(services[name]["fields"]["time"]["selector"]) == {"text"}


def test_days_conversion() -> None:
    """Monday-first day names <-> the cloud's Sunday-first 0/1 string."""
    assert days_to_cloud([]) == "0000000"
    assert days_to_cloud(["sun"]) == "1000000"
    assert days_to_cloud(["mon", "fri", "Sat "]) == "0100011"
    assert days_to_cloud(["mon", "mon"]) == "0100000"
    assert days_from_cloud("0111110") == ["mon", "tue", "wed", "thu", "fri"]
    assert days_from_cloud("1000001") == ["sat", "sun"]
    assert days_from_cloud("0000000") == []
    with pytest.raises(ServiceValidationError) as err:
        days_to_cloud(["monday"])
    assert err.value.translation_key == "invalid_day"


# Timers


async def test_list_timers(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Timers come back with Monday-first days and values read through the thing model."""
    response = await call(
        hass, "list_timers", {"device_id": device_id(hass, setup_integration, LAMP)}, response=True
    )
    assert response == {
        "timers": [
            {
                "timer_id": LAMP_TIMER,
                "name": "起床灯 Wake-up light",
                "time": "07:00",
                "days": ["mon", "tue", "wed", "thu", "fri"],
                "repeat": True,
                "enabled": True,
                "data": {"power_switch": True, "brightness": 60},
            }
        ]
    }
    plug = await call(
        hass, "list_timers", {"device_id": device_id(hass, setup_integration, PLUG)}, response=True
    )
    assert plug is not None
    assert plug["timers"] == [
        {
            "timer_id": PLUG_TIMER,
            "name": "夜间断电 Night off",
            "time": "23:30",
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "repeat": True,
            "enabled": False,
            "data": {"power_switch": False},
        }
    ]
    empty = await call(
        hass, "list_timers", {"device_id": device_id(hass, setup_integration, BULB)}, response=True
    )
    assert empty == {"timers": []}


async def test_list_timers_keeps_values_outside_the_model(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A timer value the thing model does not know, or cannot read, is returned as stored."""
    sim.state.timers[LAMP_TIMER].data = '{"power_switch":7,"legacy":"x"}'
    response = await call(
        hass, "list_timers", {"device_id": device_id(hass, setup_integration, LAMP)}, response=True
    )
    assert response is not None
    assert response["timers"][0]["data"] == {"power_switch": 7, "legacy": "x"}


async def test_create_timer(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A repeating timer: days become the Sunday-first string, values are encoded for the cloud."""
    response = await call(
        hass,
        "create_timer",
        {
            "device_id": device_id(hass, setup_integration, BULB),
            "name": "  Weekend dim ",
            "time": "7:05",
            "days": ["sun", "sat"],
            "data": {"power_switch": True, "brightness": 30, "color_mode": "彩光 Colour"},
        },
        response=True,
    )
    assert response is not None
    created = timer(sim, str(response["timer_id"]))
    assert created["DeviceId"] == BULB
    assert created["TimerName"] == "Weekend dim"
    assert created["TimePoint"] == "07:05"
    assert created["Days"] == "1000001"
    assert created["Repeat"] == 1
    assert created["Status"] == 1
    assert json.loads(str(created["Data"])) == {
        "power_switch": 1,
        "brightness": 30,
        "color_mode": 1,
    }


async def test_create_timer_once_and_disabled(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """No days means once (Repeat 0), and enabled false switches the new timer off.

    HH:MM:SS is accepted, the seconds dropped; the call works without asking for the response.
    """
    before = {t["TimerId"] for t in sim.timers(BULB)}
    await call(
        hass,
        "create_timer",
        {
            "device_id": device_id(hass, setup_integration, BULB),
            "name": "Once",
            "time": "22:15:42",
            "data": {"power_switch": False},
            "enabled": False,
        },
    )
    (created,) = [t for t in sim.timers(BULB) if t["TimerId"] not in before]
    assert created["Days"] == "0000000"
    assert created["Repeat"] == 0
    assert created["TimePoint"] == "22:15"
    assert created["Status"] == 0
    assert json.loads(str(created["Data"])) == {"power_switch": 0}


@pytest.mark.parametrize(
    ("fields", "translation_key"),
    [
        ({"time": "25:00"}, "invalid_time"),
        ({"time": "07:60"}, "invalid_time"),
        ({"time": "07:30:60"}, "invalid_time"),
        ({"time": "07:30:5"}, "invalid_time"),
        ({"time": "7:30 PM"}, "invalid_time"),
        ({"time": "7.30"}, "invalid_time"),
        ({"time": "noon"}, "invalid_time"),
        ({"days": ["mon", "funday"]}, "invalid_day"),
        ({"days": "weekend"}, "invalid_day"),
        ({"name": "   "}, "invalid_timer_name"),
        ({"data": {}}, "no_property_values"),
        ({"data": {"nope": 1}}, "unknown_property"),
        ({"data": {"brightness": 101}}, "invalid_value"),
        ({"data": {"brightness": "bright"}}, "invalid_value"),
        ({"data": {"color_mode": 7}}, "invalid_value"),
        ({"data": {"power_switch": "maybe"}}, "invalid_value"),
    ],
)
async def test_create_timer_bad_input(
    hass: HomeAssistant,
    *,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    fields: dict[str, Any],
    translation_key: str,
) -> None:
    """Each mistake is a translated validation error, and nothing is sent."""
    data = {
        "device_id": device_id(hass, setup_integration, BULB),
        "name": "Timer",
        "time": "07:30",
        "days": ["mon"],
        "data": {"power_switch": True},
    } | fields
    err = await refused(hass, sim, "create_timer", data, response=True)
    assert err.translation_domain == DOMAIN
    assert err.translation_key == translation_key
    assert str(err)  # the message renders from the translations
    assert sim.timers(BULB) == []


async def test_create_timer_read_only_property(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A read-only property cannot be set by a timer."""
    err = await refused(
        hass,
        sim,
        "create_timer",
        {
            "device_id": device_id(hass, setup_integration, PLUG),
            "name": "Timer",
            "time": "07:30",
            "data": {"current": 1},
        },
    )
    assert err.translation_key == "read_only_property"


async def test_update_timer_one_field(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Only the given field changes; AppModifyTimer gets the timer's other settings back.

    The time has seconds, as automations written with HA's time selector hold it.
    """
    sim.reset_request_counts()
    await call(
        hass,
        "update_timer",
        {
            "device_id": device_id(hass, setup_integration, LAMP),
            "timer_id": LAMP_TIMER,
            "time": "06:45:00",
        },
    )
    changed = timer(sim, LAMP_TIMER)
    assert changed["TimePoint"] == "06:45"
    assert changed["TimerName"] == "起床灯 Wake-up light"
    assert changed["Days"] == "0111110"
    assert changed["Repeat"] == 1
    assert changed["Status"] == 1
    assert json.loads(str(changed["Data"])) == {"power_switch": 1, "brightness": 60}
    assert writes(sim) == {"AppModifyTimer": 1}


async def test_update_timer_every_field(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Name, time, days (empty: once), values and enabled all change."""
    await call(
        hass,
        "update_timer",
        {
            "device_id": device_id(hass, setup_integration, LAMP),
            "timer_id": LAMP_TIMER,
            "name": "Nap",
            "time": "13:30",
            "days": [],
            "data": {"brightness": 5},
            "enabled": False,
        },
    )
    changed = timer(sim, LAMP_TIMER)
    assert changed["TimerName"] == "Nap"
    assert changed["TimePoint"] == "13:30"
    assert changed["Days"] == "0000000"
    assert changed["Repeat"] == 0
    assert changed["Status"] == 0
    assert json.loads(str(changed["Data"])) == {"brightness": 5}


async def test_update_timer_enabled_only(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Only `enabled`: AppModifyTimerStatus alone, the settings are not rewritten."""
    sim.reset_request_counts()
    await call(
        hass,
        "update_timer",
        {
            "device_id": device_id(hass, setup_integration, PLUG),
            "timer_id": PLUG_TIMER,
            "enabled": True,
        },
    )
    assert timer(sim, PLUG_TIMER)["Status"] == 1
    assert writes(sim) == {"AppModifyTimerStatus": 1}


async def test_update_timer_days_of_a_once_timer(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Giving days to a one-off timer makes it repeat."""
    timer_id = "ca41b30902ff1f6f7ef52af5bf8e6c1b"
    await call(
        hass,
        "update_timer",
        {
            "device_id": device_id(hass, setup_integration, "AC6R2TYH0E/ac_34b7da02"),
            "timer_id": timer_id,
            "days": ["sat", "sun"],
        },
    )
    changed = timer(sim, timer_id)
    assert changed["Days"] == "1000001"
    assert changed["Repeat"] == 1
    assert changed["TimePoint"] == "01:00"


@pytest.mark.parametrize(
    ("fields", "translation_key"),
    [
        ({}, "nothing_to_update"),
        ({"timer_id": "0123456789abcdef"}, "unknown_timer"),
        ({"timer_id": PLUG_TIMER}, "unknown_timer"),  # a timer of another device
        ({"time": "24:00"}, "invalid_time"),
        ({"time": "06:45:99"}, "invalid_time"),
        ({"days": ["weekday"]}, "invalid_day"),
        ({"name": ""}, "invalid_timer_name"),
        ({"data": {}}, "no_property_values"),
        ({"data": {"brightness": 0}}, "invalid_value"),
        ({"data": {"nope": True}}, "unknown_property"),
    ],
)
async def test_update_timer_bad_input(
    hass: HomeAssistant,
    *,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    fields: dict[str, Any],
    translation_key: str,
) -> None:
    """Each mistake is a translated validation error, and the timer stays as it was."""
    data: dict[str, Any] = {
        "device_id": device_id(hass, setup_integration, LAMP),
        "timer_id": LAMP_TIMER,
    }
    # An unknown timer needs something to change, or "nothing to update" would come first.
    data |= ({"name": "Renamed"} | fields) if "timer_id" in fields else fields
    before = timer(sim, LAMP_TIMER)
    err = await refused(hass, sim, "update_timer", data)
    assert err.translation_key == translation_key
    assert timer(sim, LAMP_TIMER) == before


async def test_delete_timer(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The timer is gone; an unknown timer id is a validation error."""
    lamp = device_id(hass, setup_integration, LAMP)
    await call(hass, "delete_timer", {"device_id": lamp, "timer_id": LAMP_TIMER})
    assert sim.timers(LAMP) == []
    err = await refused(hass, sim, "delete_timer", {"device_id": lamp, "timer_id": LAMP_TIMER})
    assert err.translation_key == "unknown_timer"
    assert err.translation_placeholders == {
        "timer_id": LAMP_TIMER,
        "device": "床头灯 Bedside Lamp",
    }


# Raw control and actions


async def test_set_property(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Values reach the device, encoded for the cloud, and the coordinator learns them."""
    await call(
        hass,
        "set_property",
        {
            "device_id": device_id(hass, setup_integration, BULB),
            "data": {"brightness": 42, "power_switch": False},
        },
    )
    assert sim.controls()[-1]["DeviceId"] == BULB
    assert sim.controls()[-1]["Data"] == {"brightness": 42, "power_switch": 0}
    values = setup_integration.runtime_data.coordinator.devices[BULB].values
    assert values["brightness"] == 42
    assert values["power_switch"] is False


@pytest.mark.parametrize(
    ("key", "data", "translation_key"),
    [
        (BULB, {}, "no_property_values"),
        (BULB, {"nope": 1}, "unknown_property"),
        (BULB, {"brightness": 0}, "invalid_value"),
        (BULB, {"color_temp": 9000}, "invalid_value"),
        (PLUG, {"power": 10}, "read_only_property"),
    ],
)
async def test_set_property_bad_input(
    hass: HomeAssistant,
    *,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    key: str,
    data: dict[str, Any],
    translation_key: str,
) -> None:
    """Nothing is sent for a value the thing model rejects."""
    err = await refused(
        hass,
        sim,
        "set_property",
        {"device_id": device_id(hass, setup_integration, key), "data": data},
    )
    assert err.translation_key == translation_key


async def test_call_action(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The action's output is the response; without input an action still runs."""
    speaker = device_id(hass, setup_integration, SPEAKER)
    response = await call(
        hass,
        "call_action",
        {"device_id": speaker, "action_id": "play_song", "input": {"song_id": "kg_5f1e0a"}},
        response=True,
    )
    assert response == {"result": 1, "song_id": "kg_5f1e0a", "duration": 0}
    assert sim.controls()[-1]["Source"] == "action:play_song"
    sim.reset_request_counts()
    await call(hass, "call_action", {"device_id": speaker, "action_id": "pause"})
    assert writes(sim) == {"AppCallDeviceActionSync": 1}
    assert sim.controls()[-1]["Source"] == "action:pause"


@pytest.mark.parametrize(
    ("action_id", "action_input", "translation_key"),
    [
        ("dance", {}, "unknown_action"),
        ("volume", {}, "unknown_action"),  # a property, not an action
        ("play_song", {"song_id": "kg_5f1e0a", "speed": 2}, "invalid_action_input"),
        ("play_song", {"start_position": "soon"}, "invalid_action_input"),
    ],
)
async def test_call_action_bad_input(
    hass: HomeAssistant,
    *,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    action_id: str,
    action_input: dict[str, Any],
    translation_key: str,
) -> None:
    """Unknown actions and inputs outside the model are refused before any call."""
    err = await refused(
        hass,
        sim,
        "call_action",
        {
            "device_id": device_id(hass, setup_integration, SPEAKER),
            "action_id": action_id,
            "input": action_input,
        },
        response=True,
    )
    assert err.translation_key == translation_key


async def test_call_action_device_offline(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The cloud refuses an action for an offline device: a HomeAssistantError."""
    await sim.set_online(SPEAKER, False)
    err = await rejected(
        HomeAssistantError,
        hass,
        "call_action",
        {"device_id": device_id(hass, setup_integration, SPEAKER), "action_id": "play"},
    )
    assert err.translation_key == "action_failed"
    assert "DeviceOffline" in placeholders(err)["error"]


# Sharing and binding


async def test_share_device(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The invitation reaches the cloud; an unknown user or an empty id is an error."""
    bulb = device_id(hass, setup_integration, BULB)
    await call(hass, "share_device", {"device_id": bulb, "user_id": f" {OTHER_USER} "})
    (invite,) = sim.share_invites()
    assert invite["DeviceId"] == BULB
    assert invite["ToUserId"] == OTHER_USER
    assert invite["FromUserId"] == sim.demo_user.user_id

    err = await rejected(
        HomeAssistantError, hass, "share_device", {"device_id": bulb, "user_id": "999"}
    )
    assert err.translation_key == "share_failed"

    err = await rejected(
        ServiceValidationError, hass, "share_device", {"device_id": bulb, "user_id": " "}
    )
    assert err.translation_key == "invalid_user_id"
    assert len(sim.share_invites()) == 1


async def _wait_for_device(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> None:
    coordinator = entry.runtime_data.coordinator
    await wait_for(hass, lambda: key in coordinator.devices)


# The new device's entities: one platform is enough to see them appear.
@pytest.mark.parametrize("platforms", [[Platform.UPDATE]])
async def test_bind_device(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """The token is checked, the device bound into the room, and its entities appear."""
    await set_up_entry(hass, config_entry)
    token = sim.register_bind_token("3JQ8VX2K1M", "bulb_new01", alias="New Bulb")
    sim.reset_request_counts()
    await call(
        hass,
        "bind_device",
        bind_request(config_entry.entry_id, "bulb_new01", token) | {"room_id": LIVING_ROOM},
    )
    counts = sim.request_counts()
    assert counts["AppGetDeviceBindTokenState"] == 1
    assert counts["AppTokenBindDeviceFamily"] == 1
    state = sim.device_state("3JQ8VX2K1M/bulb_new01")
    assert state["FamilyId"] == config_entry.data["family_id"]
    assert state["RoomId"] == LIVING_ROOM

    await _wait_for_device(hass, config_entry, "3JQ8VX2K1M/bulb_new01")
    await hass.async_block_till_done()
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, "3JQ8VX2K1M/bulb_new01"), config_entry.entry_id
    )
    assert device is not None
    assert device.name == "New Bulb"
    registry = er.async_get(hass)
    # Its firmware is checked in the background.
    await wait_for(
        hass,
        lambda: (
            registry.async_get_entity_id("update", DOMAIN, "3JQ8VX2K1M/bulb_new01/firmware")
            is not None
        ),
    )
    entity_id = registry.async_get_entity_id("update", DOMAIN, "3JQ8VX2K1M/bulb_new01/firmware")
    assert entity_id is not None
    assert hass.states.get(entity_id) is not None
    assert config_entry.state is ConfigEntryState.LOADED


async def test_bind_device_default_room(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Without a room the device goes to the default room "0"."""
    token = sim.register_bind_token("K2B7QX9RDL", "ceiling_new")
    await call(
        hass,
        "bind_device",
        bind_request(setup_integration.entry_id, "ceiling_new", token, product_id="K2B7QX9RDL"),
    )
    assert sim.device_state("K2B7QX9RDL/ceiling_new")["RoomId"] == "0"
    await _wait_for_device(hass, setup_integration, "K2B7QX9RDL/ceiling_new")


async def test_bind_device_token_not_ready(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A token no device registered with yet is refused before the bind call."""
    sim.state.bind_tokens["fresh"] = BindToken("fresh", 1, time.time() + 600)
    err = await refused(
        hass, sim, "bind_device", bind_request(setup_integration.entry_id, "bulb_new02", "fresh")
    )
    assert err.translation_key == "bind_token_not_ready"
    assert err.translation_placeholders == {"state": "1"}
    assert sim.request_counts()["AppGetDeviceBindTokenState"] == 1


async def test_bind_device_unknown_token(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The cloud does not know the token: a HomeAssistantError, and the entry keeps working."""
    err = await rejected(
        HomeAssistantError,
        hass,
        "bind_device",
        bind_request(setup_integration.entry_id, "bulb_new03", "no-such-token"),
    )
    assert not isinstance(err, ServiceValidationError)
    assert err.translation_key == "bind_failed"
    assert "TokenNotExist" in placeholders(err)["error"]
    assert setup_integration.state is ConfigEntryState.LOADED
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


@pytest.mark.parametrize(
    ("fields", "translation_key"),
    [
        ({"device_name": "bulb_7c87ce1a"}, "device_already_bound"),
        ({"room_id": "r_nope"}, "unknown_room"),
        ({"room_id": "r_fc322b1f52f6876c3f3162002463fb33"}, "unknown_room"),  # parents' room
        ({"token": "  "}, "invalid_bind_request"),
        ({"product_id": ""}, "invalid_bind_request"),
    ],
)
async def test_bind_device_bad_input(
    hass: HomeAssistant,
    *,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    fields: dict[str, Any],
    translation_key: str,
) -> None:
    """Mistakes are found before the token is even checked."""
    token = sim.register_bind_token("3JQ8VX2K1M", "bulb_new04")
    err = await refused(
        hass,
        sim,
        "bind_device",
        bind_request(setup_integration.entry_id, "bulb_new04", token) | fields,
    )
    assert err.translation_key == translation_key
    assert "AppGetDeviceBindTokenState" not in sim.request_counts()


async def test_bind_device_unknown_entry(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """An entry id that does not exist: HA's translated validation error."""
    err = await rejected(
        ServiceValidationError,
        hass,
        "bind_device",
        bind_request("nope", "bulb_new05", "t"),
    )
    assert err.translation_key == "service_config_entry_not_found"


# Music


async def test_music_command(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The command's Data is the response; parameters reach the music service."""
    speaker = device_id(hass, setup_integration, SPEAKER)
    info = await call(
        hass, "music_command", {"device_id": speaker, "command": "user_info"}, response=True
    )
    assert info == {
        "userId": "kg_88012345",
        "nickname": "酷狗用户",
        "isVip": 1,
        "vipEndTime": "2030-12-31",
    }
    url = await call(
        hass,
        "music_command",
        {"device_id": speaker, "command": "song_url", "params": {"songId": "kg_2d8e44"}},
        response=True,
    )
    assert url is not None
    assert url["url"] == "https://music.example.invalid/kg_2d8e44.mp3"


async def test_music_command_error_code(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A non-zero ErrorCode is a HomeAssistantError carrying the cloud's message."""
    err = await rejected(
        HomeAssistantError,
        hass,
        "music_command",
        {
            "device_id": device_id(hass, setup_integration, SPEAKER),
            "command": "song_url",
            "params": {"songId": "kg_missing"},
        },
        response=True,
    )
    assert not isinstance(err, ServiceValidationError)
    assert err.translation_key == "music_command_error"
    assert err.translation_placeholders == {
        "command": "song_url",
        "device": "客厅音箱 Living Room Speaker",
        "code": "20001",
        "message": "song 'kg_missing' does not exist",
    }
    assert "kg_missing" in str(err)


async def test_music_command_unknown_command(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Only the documented sub-commands are sent."""
    err = await refused(
        hass,
        sim,
        "music_command",
        {"device_id": device_id(hass, setup_integration, SPEAKER), "command": "dance"},
        response=True,
    )
    assert err.translation_key == "unknown_music_command"


@dataclass(frozen=True)
class CloudFailure:
    """A service whose cloud call fails, and the translated error it must raise."""

    action: str
    service: str
    device: str
    data: dict[str, Any]
    translation_key: str
    response: bool = True


@pytest.mark.parametrize(
    "failure",
    [
        CloudFailure(
            "AppCreateTimer",
            "create_timer",
            BULB,
            {"name": "Timer", "time": "07:30", "data": {"power_switch": True}},
            "timer_failed",
            response=False,
        ),
        CloudFailure("AppGetTimerList", "list_timers", LAMP, {}, "timer_failed"),
        CloudFailure(
            "AppKugouUserCommand",
            "music_command",
            SPEAKER,
            {"command": "user_logout"},
            "music_command_failed",
        ),
    ],
    ids=lambda failure: failure.service,
)
async def test_cloud_failure(
    hass: HomeAssistant,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    failure: CloudFailure,
) -> None:
    """A failing cloud is a translated HomeAssistantError naming the device."""
    # Enough failures that the client's retries of a read fail too.
    sim.fail_next(3, action=failure.action)
    err = await rejected(
        HomeAssistantError,
        hass,
        failure.service,
        {"device_id": device_id(hass, setup_integration, failure.device)} | failure.data,
        response=failure.response,
    )
    assert not isinstance(err, ServiceValidationError)
    assert err.translation_key == failure.translation_key
    device = coordinator_of(setup_integration).devices[failure.device]
    assert placeholders(err)["target"] == device.name


# Scenes


async def test_run_scene(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The scene runs in the cloud, with or without naming the entry."""
    assert sim.device_state(BULB)["Data"]["power_switch"] == 1  # type: ignore[index]
    await call(hass, "run_scene", {"scene_id": GOOD_NIGHT})
    assert sim.device_state(BULB)["Data"]["power_switch"] == 0  # type: ignore[index]
    sim.reset_request_counts()
    sim.state.scenes[GOOD_NIGHT].running = False
    await call(
        hass, "run_scene", {"scene_id": GOOD_NIGHT, "config_entry_id": setup_integration.entry_id}
    )
    assert writes(sim) == {"AppRunScene": 1}


async def test_run_scene_errors(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Unknown scenes, scenes of another home and a scene still running."""
    sim.reset_request_counts()
    for data in (
        {"scene_id": "s_nope"},
        {"scene_id": WELCOME_HOME},
        {"scene_id": "s_nope", "config_entry_id": setup_integration.entry_id},
    ):
        err = await rejected(ServiceValidationError, hass, "run_scene", data)
        assert err.translation_key == "unknown_scene"
    assert writes(sim) == {}

    sim.set_scene_running(GOOD_NIGHT)
    running = await rejected(HomeAssistantError, hass, "run_scene", {"scene_id": GOOD_NIGHT})
    assert running.translation_key == "scene_already_running"
    assert running.translation_placeholders == {"scene": "晚安 Good Night"}
    assert "still running" in str(running)


async def test_run_scene_of_second_home(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """With two homes loaded, the scene is run by the entry that has it."""
    parents = add_entry(hass, entry_data(sim, PARENTS_HOME), "Parents")
    await set_up_entry(hass, parents)
    await sim.report("3JQ8VX2K1M/bulb_7c87ce3c", {"brightness": 20})
    await call(hass, "run_scene", {"scene_id": WELCOME_HOME})
    assert sim.device_state("3JQ8VX2K1M/bulb_7c87ce3c")["Data"]["brightness"] == 100  # type: ignore[index]
    err = await rejected(
        ServiceValidationError,
        hass,
        "run_scene",
        {"scene_id": WELCOME_HOME, "config_entry_id": setup_integration.entry_id},
    )
    assert err.translation_key == "unknown_scene"


async def test_run_scene_without_loaded_entry(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """No loaded entry: HA's translated error, nothing sent."""
    assert await hass.config_entries.async_unload(setup_integration.entry_id)
    err = await refused(hass, sim, "run_scene", {"scene_id": GOOD_NIGHT})
    assert err.translation_key == "service_config_entry_not_loaded"


# Targets every device service shares

DEVICE_SERVICES: list[tuple[str, dict[str, Any]]] = [
    ("list_timers", {}),
    ("create_timer", {"name": "T", "time": "07:00", "data": {"power_switch": True}}),
    ("update_timer", {"timer_id": LAMP_TIMER, "enabled": False}),
    ("delete_timer", {"timer_id": LAMP_TIMER}),
    ("set_property", {"data": {"power_switch": True}}),
    ("call_action", {"action_id": "blink"}),
    ("share_device", {"user_id": OTHER_USER}),
    ("music_command", {"command": "user_info"}),
]


@pytest.mark.parametrize(("service", "fields"), DEVICE_SERVICES)
async def test_device_targets(
    hass: HomeAssistant,
    *,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    service: str,
    fields: dict[str, Any],
) -> None:
    """Every device service refuses a device it cannot use, and sends nothing.

    Unknown device, a device of another setup_integration, a device no longer in the home, and an
    entry that is not loaded: each a translated validation error.
    """
    registry = dr.async_get(hass)
    other_entry = MockConfigEntry(domain="other_integration")
    other_entry.add_to_hass(hass)
    other = registry.async_get_or_create(
        config_entry_id=other_entry.entry_id, identifiers={("other_integration", "x")}
    )
    ghost = registry.async_get_or_create(
        config_entry_id=setup_integration.entry_id,
        identifiers={(DOMAIN, "GHOST/gone")},
        name="Ghost",
    )
    stranger = registry.async_get_or_create(
        config_entry_id=setup_integration.entry_id,
        identifiers={("zigbee", "00:11")},
        name="Stranger",
    )
    bulb = device_id(hass, setup_integration, BULB)
    response = service in {"list_timers", "music_command", "call_action", "create_timer"}
    sim.reset_request_counts()
    cases = [
        ("nope", "homeassistant", "service_device_not_found"),
        (other.id, "homeassistant", "service_device_wrong_domain"),
        (ghost.id, DOMAIN, "unknown_device"),
        (stranger.id, DOMAIN, "unknown_device"),
    ]
    for target, domain, key in cases:
        err = await rejected(
            ServiceValidationError, hass, service, {"device_id": target} | fields, response=response
        )
        assert (err.translation_domain, err.translation_key) == (domain, key)
        assert str(err)

    assert await hass.config_entries.async_unload(setup_integration.entry_id)
    err = await rejected(
        ServiceValidationError, hass, service, {"device_id": bulb} | fields, response=response
    )
    assert err.translation_key == "service_config_entry_not_loaded"
    assert writes(sim) == {}


async def test_rejected_sign_in(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """When the cloud no longer accepts the account, the call fails and reauth starts."""
    sim.expire_tokens(revoke=True)
    sim.set_password("changed-elsewhere")
    err = await list_lamp_timers_rejected(hass, setup_integration)
    assert err.translation_key == "auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


# Automations


async def test_automation_creates_timer(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A YAML automation creates a timer and uses the response."""
    bulb = device_id(hass, setup_integration, BULB)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "make_timer",
                "triggers": {"trigger": "event", "event_type": "make_timer"},
                "actions": [
                    {
                        "action": f"{DOMAIN}.create_timer",
                        "data": {
                            "device_id": bulb,
                            "name": "From YAML",
                            "time": "{{ trigger.event.data.at }}",
                            "days": ["mon", "wed", "fri"],
                            "data": {"power_switch": True, "brightness": 70},
                        },
                        "response_variable": "created",
                    },
                    {
                        "event": "timer_created",
                        "event_data": {"timer_id": "{{ created.timer_id }}"},
                    },
                ],
            }
        },
    )
    created: list[str] = []
    hass.bus.async_listen("timer_created", lambda event: created.append(event.data["timer_id"]))
    hass.bus.async_fire("make_timer", {"at": "06:30"})
    await hass.async_block_till_done()

    (new,) = sim.timers(BULB)
    assert created == [new["TimerId"]]
    assert new["TimerName"] == "From YAML"
    assert new["TimePoint"] == "06:30"
    assert new["Days"] == "0101010"
    assert new["Repeat"] == 1
    assert json.loads(str(new["Data"])) == {"power_switch": 1, "brightness": 70}
