"""The integration's services on a Quectel home: control, actions, sharing, timers, scenes."""

from datetime import timedelta
from typing import Any

from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import DOMAIN
from simulator import CloudSimulator
from simulator.quectel import QuectelSimulator
from tests.platform_common import BULB, call_service, coordinator_of, state, wait_for
from tests.quectel_common import GUEST, KETTLE_PLUG, LAMP, POWER_STATION
from tests.test_services import call, device_id, placeholders, rejected

from .test_home import entity


async def test_set_property_and_call_action(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """Values are checked against the TSL; a service is called with its input (type 3)."""
    lamp = device_id(hass, setup_quectel, LAMP)
    await call(
        hass, "set_property", {"device_id": lamp, "data": {"brightness": 70, "power": False}}
    )
    coordinator = coordinator_of(setup_quectel)
    await wait_for(hass, lambda: coordinator.devices[LAMP].values["brightness"] == 70)
    err = await rejected(
        ServiceValidationError, hass, "set_property", {"device_id": lamp, "data": {"brightness": 0}}
    )
    assert err.translation_key == "invalid_value"

    response = await call(
        hass,
        "call_action",
        {"device_id": lamp, "action_id": "blink", "input": {"times": 3, "on": True}},
        response=True,
    )
    assert response == {}
    assert quectel_sim.controls()[-1] == {
        "Time": quectel_sim.controls()[-1]["Time"],
        "DeviceId": LAMP,
        "Data": {"times": 3, "on": True},
        "Source": "service:blink",
    }
    body = quectel_sim.last_request("batchControlDevice")
    assert body is not None
    assert body["body"]["type"] == 3  # type: ignore[index]
    err = await rejected(
        ServiceValidationError,
        hass,
        "call_action",
        {"device_id": lamp, "action_id": "blink", "input": {"times": 11}},
        response=True,
    )
    assert err.translation_key == "invalid_action_input"


async def test_control_of_an_offline_device_fails(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """The cloud's refusal (in batchControlDevice's failure list) is a translated error."""
    await quectel_sim.set_online(KETTLE_PLUG, False)
    coordinator = coordinator_of(setup_quectel)
    await wait_for(hass, lambda: not coordinator.devices[KETTLE_PLUG].online)
    err = await rejected(
        HomeAssistantError,
        hass,
        "set_property",
        {"device_id": device_id(hass, setup_quectel, KETTLE_PLUG), "data": {"switch": True}},
    )
    assert err.translation_key == "control_failed"
    assert "offline" in placeholders(err)["error"]


@pytest.mark.parametrize(
    ("recipient", "expiry"),
    [
        ({"user_id": f" {GUEST} "}, None),
        ({"email": "guest@example.com"}, timedelta(days=2)),
        ({"phone": "4155550123"}, None),
    ],
    ids=["user_id", "email_until", "phone"],
)
async def test_share_device(
    hass: HomeAssistant,
    quectel_sim: QuectelSimulator,
    setup_quectel: MockConfigEntry,
    recipient: dict[str, str],
    expiry: timedelta | None,
) -> None:
    """The seed's shareByUid: by user id, email or phone, with an optional end."""
    data: dict[str, Any] = {"device_id": device_id(hass, setup_quectel, LAMP), **recipient}
    end = None
    if expiry is not None:
        end = (dt_util.now() + expiry).replace(microsecond=0)
        data["expires_at"] = end
    await call(hass, "share_device", data)
    share = quectel_sim.state.devices[LAMP].shares[GUEST]
    assert share.expire_at == (None if end is None else int(end.timestamp()) * 1000)


async def test_share_device_refused(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """One recipient, an end in the future; an unknown one is the cloud's refusal."""
    lamp = device_id(hass, setup_quectel, LAMP)
    for fields, key in (
        ({}, "share_recipient_missing"),
        ({"user_id": GUEST, "email": "guest@example.com"}, "share_recipient_missing"),
        ({"email": " "}, "share_recipient_missing"),
        (
            {"user_id": GUEST, "expires_at": dt_util.now() - timedelta(hours=1)},
            "invalid_share_expiry",
        ),
    ):
        err = await rejected(
            ServiceValidationError, hass, "share_device", {"device_id": lamp, **fields}
        )
        assert err.translation_key == key
    failed = await rejected(
        HomeAssistantError, hass, "share_device", {"device_id": lamp, "email": "nobody@x.org"}
    )
    assert failed.translation_key == "share_failed"
    assert not quectel_sim.state.devices[LAMP].shares


async def test_tencent_shares_by_user_id_only(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A Tencent app has no share by email or phone, nor an end: refused before any request."""
    bulb = device_id(hass, setup_integration, BULB)
    for fields in (
        {"email": "someone@example.com"},
        {"user_id": "1234", "expires_at": dt_util.now() + timedelta(days=1)},
    ):
        err = await rejected(
            ServiceValidationError, hass, "share_device", {"device_id": bulb, **fields}
        )
        assert err.translation_key == "share_recipient_not_supported"
    assert not sim.share_invites()


@pytest.mark.parametrize(
    ("service", "fields", "key"),
    [
        ("music_command", {"command": "user_info"}, "not_supported_music"),
        ("bind_device", {"product_id": "p11pg1", "device_name": "X", "token": "t"}, None),
    ],
)
async def test_what_quectel_lacks_is_a_translated_error(
    hass: HomeAssistant,
    *,
    quectel_sim: QuectelSimulator,
    setup_quectel: MockConfigEntry,
    service: str,
    fields: dict[str, Any],
    key: str | None,
) -> None:
    """Kugou music and binding by token are Tencent's: each says so, and nothing is sent."""
    # The message centre's first read goes on after setup: its requests are not the service's.
    await setup_quectel.runtime_data.messages._read.async_wait()
    before = sum(quectel_sim.request_counts().values())
    target = (
        {"config_entry_id": setup_quectel.entry_id}
        if service == "bind_device"
        else {"device_id": device_id(hass, setup_quectel, POWER_STATION)}
    )
    err = await rejected(
        HomeAssistantError, hass, service, {**target, **fields}, response=service == "music_command"
    )
    assert err.translation_key == (key or "not_supported_bind_token")
    assert str(err)
    assert sum(quectel_sim.request_counts().values()) == before


async def test_timers_on_cron_jobs(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """Create, list, change, disable and delete a timer: each a cron job of the device."""
    plug = device_id(hass, setup_quectel, KETTLE_PLUG)
    created = await call(
        hass,
        "create_timer",
        {
            "device_id": plug,
            "name": "Morning tea",
            "time": "06:45",
            "days": ["mon", "fri"],
            "data": {"switch": True},
        },
        response=True,
    )
    timer_id = created["timer_id"]
    job = quectel_sim.state.cron_jobs[timer_id]
    assert job["type"] == "custom-repeat"
    assert job["timers"][0]["time"] == "06:45:00"
    # HA's time zone (the harness's US/Pacific) as today's offset.
    offset = dt_util.now().strftime("%z")
    assert job["timeZone"] == f"{offset[:3]}:{offset[3:]}"
    listed = await call(hass, "list_timers", {"device_id": plug}, response=True)
    assert listed == {
        "timers": [
            {
                "timer_id": timer_id,
                "name": "Morning tea",
                "time": "06:45",
                "days": ["mon", "fri"],
                "repeat": True,
                "enabled": True,
                "data": {"switch": True},
            }
        ]
    }
    # A timer written after the time zone changed (summer time, a move) takes the new offset.
    await hass.config.async_set_time_zone("Asia/Shanghai")
    await call(hass, "update_timer", {"device_id": plug, "timer_id": timer_id, "time": "07:00"})
    await call(hass, "update_timer", {"device_id": plug, "timer_id": timer_id, "enabled": False})
    job = quectel_sim.state.cron_jobs[timer_id]
    assert job["timers"][0]["time"] == "07:00:00"
    assert job["timeZone"] == "+08:00"
    assert job["enabled"] is False
    await call(hass, "delete_timer", {"device_id": plug, "timer_id": timer_id})
    assert timer_id not in quectel_sim.state.cron_jobs
    err = await rejected(
        ServiceValidationError, hass, "delete_timer", {"device_id": plug, "timer_id": timer_id}
    )
    assert err.translation_key == "unknown_timer"


async def test_scenes_and_automations(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """A scene entity and run_scene run the family's scene; automation switches toggle."""
    coordinator = coordinator_of(setup_quectel)
    await wait_for(hass, lambda: coordinator.push_healthy)
    await call_service(hass, "scene.turn_on", entity(hass, "scene", "scene/S202"))
    await wait_for(hass, lambda: coordinator.devices[LAMP].values["brightness"] == 100)
    await call(hass, "run_scene", {"scene_id": "S201"})
    await wait_for(hass, lambda: coordinator.devices[LAMP].values["power"] is False)
    assert [c["Source"] for c in quectel_sim.controls()] == ["scene", "scene", "scene"]

    switch = entity(hass, "switch", "automation/302")
    assert state(hass, switch).state == STATE_OFF
    await call_service(hass, "switch.turn_on", switch)
    assert quectel_sim.state.automations[302].status is True
    assert state(hass, switch).state == STATE_ON
    assert hass.services.has_service(DOMAIN, "run_scene")
