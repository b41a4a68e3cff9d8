"""The Quectel client's calls against the simulator: homes, devices, values, control, extras."""

import pytest

from custom_components.tencent_iot.api import (
    Device,
    LoginCredentials,
    RateLimit,
    ShareRecipient,
    TencentIoTCloudError,
    TencentIoTConnectionError,
    TencentIoTDeviceGoneError,
    TencentIoTNotSupportedError,
    TencentIoTRateLimitError,
    TencentIoTResponseError,
)
from custom_components.tencent_iot.api.const import RATE_LIMIT_RETRIES
from custom_components.tencent_iot.api.quectel import (
    ACCOUNT_FAMILY_ID,
    QuectelClient,
    session as session_module,
)
from custom_components.tencent_iot.api.thing_model import InvalidValueError
from simulator.quectel import QuectelSimulator

from .conftest import QClientFactory, email_credentials

HOME = "F100"
STATION = Device("p11ps1", "PS0001")
LAMP = Device("p11lt1", "LT0001")
PLUG = Device("p11pg1", "PG0001")
GATEWAY = Device("p11gw1", "GW0001", device_type=1)
SENSOR = Device("p11th1", "TH0001", device_type=2)


async def test_homes_rooms_and_devices(qclient: QuectelClient) -> None:
    """Family mode: the families, their rooms, their devices with room and gateway kind."""
    families = await qclient.get_families()
    assert [(f.family_id, f.name, f.role) for f in families] == [(HOME, "My Home", 1)]
    rooms = await qclient.get_rooms(HOME)
    assert {room.room_id: room.name for room in rooms} == {"R101": "Living room", "R102": "Bedroom"}
    devices = await qclient.get_devices(HOME)
    assert {d.key: (d.alias_name, d.room_id, d.device_type) for d in devices} == {
        "p11ps1/PS0001": ("Garage power station", "R101", 0),
        "p11lt1/LT0001": ("Desk lamp", "R102", 0),
        "p11pg1/PG0001": ("Kettle plug", "R101", 0),
        "p11gw1/GW0001": ("Hub", "R101", 1),
    }
    bedroom = await qclient.get_devices(HOME, "R102")
    assert [d.key for d in bedroom] == ["p11lt1/LT0001"]
    subs = await qclient.get_gateway_sub_devices(GATEWAY)
    assert [(d.key, d.device_type) for d in subs] == [("p11th1/TH0001", 2)]


async def test_account_without_family_mode(
    quectel_sim: QuectelSimulator, make_qclient: QClientFactory
) -> None:
    """Without family mode the account is one home: its own devices and those shared with it."""
    guest = make_qclient()
    await guest.login_password(
        LoginCredentials(account_type="email", account="guest@example.com", password="Guest@1234")
    )
    families = await guest.get_families()
    assert [f.family_id for f in families] == [ACCOUNT_FAMILY_ID]
    assert await guest.get_rooms(ACCOUNT_FAMILY_ID) == []
    assert [d.key for d in await guest.get_devices(ACCOUNT_FAMILY_ID)] == ["p11pg1/PG0001"]
    assert await guest.get_scenes(ACCOUNT_FAMILY_ID) == []


async def test_family_mode_turned_off_meanwhile(
    quectel_sim: QuectelSimulator, qclient: QuectelClient, make_qclient: QClientFactory
) -> None:
    """The mode said on, but the list answers "home mode not enabled": the account is the home."""
    quectel_sim.error_next(5635, action="getFamilyList")
    assert [f.family_id for f in await qclient.get_families()] == [ACCOUNT_FAMILY_ID]
    other = make_qclient(credentials=email_credentials(quectel_sim))
    await other.login_password()
    quectel_sim.error_next(5041, action="getFamilyList")
    with pytest.raises(TencentIoTCloudError):
        await other.get_families()


async def test_every_page_is_read(
    quectel_sim: QuectelSimulator, qclient: QuectelClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lists are read page by page until the cloud says there is no next page."""
    monkeypatch.setattr(session_module, "PAGE_SIZE", 2)
    for number in range(5):
        await quectel_sim.add_device("p11pg1", f"PGX{number}")
    devices = await qclient.get_devices(HOME)
    assert len(devices) == 9
    assert quectel_sim.request_counts()["getFamilyDeviceList"] == 5


async def test_bare_list_replies(quectel_sim: QuectelSimulator, qclient: QuectelClient) -> None:
    """Some services answer a bare list instead of a page: it holds every item."""
    quectel_sim.set_bare_lists("getFamilyDeviceList", "getFamilyRoomList")
    assert len(await qclient.get_devices(HOME)) == 4
    assert len(await qclient.get_rooms(HOME)) == 2
    assert quectel_sim.request_counts()["getFamilyDeviceList"] == 1


async def test_products_and_statuses(quectel_sim: QuectelSimulator, qclient: QuectelClient) -> None:
    """Products carry the list's product name; statuses come from the lists, sub-devices too."""
    devices = await qclient.get_devices(HOME)
    await qclient.get_gateway_sub_devices(GATEWAY)
    products = {p.product_id: p for p in await qclient.get_products(["p11ps1", "p11ps1", "p11lt1"])}
    assert products["p11ps1"].name == "Power station E300"
    assert "battery_percentage" in products["p11ps1"].thing_model.properties
    await quectel_sim.set_online("p11gw1/GW0001", False)
    keys = [d.key for d in devices] + ["p11th1/TH0001", "nope/none"]
    statuses = {s.device_id: s.online for s in await qclient.get_device_statuses(keys)}
    assert statuses == {
        "p11ps1/PS0001": True,
        "p11lt1/LT0001": True,
        "p11pg1/PG0001": True,
        "p11gw1/GW0001": False,
        "p11th1/TH0001": False,
    }
    assert await qclient.get_device_statuses([]) == []


async def test_values_are_read_leniently(qclient: QuectelClient) -> None:
    """`resourceValce` text becomes typed values: booleans, numbers, structs, arrays."""
    values = {k: v.value for k, v in (await qclient.get_device_data(STATION)).items()}
    assert values["battery_percentage"] == 87
    assert values["ac_switch_hm"] is True
    assert values["dc_switch_hm"] is False
    assert values["ac_data_output_hm"] == {"ac_output_voltage": 230.1, "ac_output_power": 120}
    assert values["cell_voltages"] == [3.31, 3.3, 3.32, 3.31]
    assert values["ac_charging_power_ios"] == 2
    lamp = {k: v.value for k, v in (await qclient.get_device_data(LAMP)).items()}
    assert lamp["label"] == "Desk"
    assert lamp["last_on"] == 1764000000000


async def test_sub_device_calls_name_the_gateway(
    quectel_sim: QuectelSimulator, qclient: QuectelClient
) -> None:
    """Once a sub-device's gateway is known, reads and writes name it."""
    await qclient.get_gateway_sub_devices(GATEWAY)
    values = await qclient.get_device_data(SENSOR)
    assert values["temperature"].value == 21.5
    request = quectel_sim.last_request("getDeviceBusinessAttributes")
    assert request is not None
    params = request["params"]
    assert isinstance(params, dict)
    assert (params["gatewayPk"], params["gatewayDk"]) == ("p11gw1", "GW0001")


async def test_control_checks_the_model_and_is_confirmed(
    quectel_sim: QuectelSimulator, qclient: QuectelClient
) -> None:
    """Writes go out as batchControlDevice type 2 with booleans as true/false."""
    await qclient.control_device(
        LAMP, {"power": 0, "brightness": 30, "colour": {"r": 1, "g": 2, "b": 3}}
    )
    assert quectel_sim.device_state("p11lt1/LT0001")["Values"] == {
        **quectel_sim.device_state("p11lt1/LT0001")["Values"],  # type: ignore[dict-item]
        "power": False,
        "brightness": 30,
        "colour": {"r": 1, "g": 2, "b": 3},
    }
    request = quectel_sim.last_request("batchControlDevice")
    assert request is not None
    body = request["body"]
    assert isinstance(body, dict)
    assert body["type"] == 2
    assert body["data"] == '[{"power":false},{"brightness":30},{"colour":{"r":1,"g":2,"b":3}}]'
    with pytest.raises(InvalidValueError, match="not a property"):
        await qclient.control_device(LAMP, {"nope": 1})
    with pytest.raises(InvalidValueError, match="read-only"):
        await qclient.control_device(LAMP, {"last_on": 1})
    with pytest.raises(InvalidValueError):
        await qclient.control_device(LAMP, {"brightness": 500})


async def test_control_failures(quectel_sim: QuectelSimulator, qclient: QuectelClient) -> None:
    """A device in the failure list (offline), or one the reply does not name, is an error."""
    await quectel_sim.set_online("p11pg1/PG0001", False)
    with pytest.raises(TencentIoTCloudError, match="device offline"):
        await qclient.control_device(PLUG, {"switch": True})
    quectel_sim.set_bare_lists()
    await quectel_sim.set_online("p11pg1/PG0001", True)
    quectel_sim.error_next(200, action="batchControlDevice")
    with pytest.raises(TencentIoTResponseError):
        await qclient.control_device(PLUG, {"switch": True})


async def test_sub_device_control_names_the_gateway(
    quectel_sim: QuectelSimulator, qclient: QuectelClient
) -> None:
    """BatchControlDevice names a sub-device's gateway."""
    await qclient.get_gateway_sub_devices(GATEWAY)
    with pytest.raises(InvalidValueError, match="read-only"):
        await qclient.control_device(SENSOR, {"temperature": 1})
    await qclient.control_device(GATEWAY, {"permit_join": True})
    assert quectel_sim.device_state("p11gw1/GW0001")["Values"] == {"permit_join": True}


async def test_call_action(quectel_sim: QuectelSimulator, qclient: QuectelClient) -> None:
    """A TSL service is type 3, checked against its input."""
    result = await qclient.call_action(LAMP, "blink", {"times": 3, "on": 1})
    assert result.status == "sent"
    assert result.client_token
    assert quectel_sim.controls()[-1]["Data"] == {"times": 3, "on": True}
    with pytest.raises(InvalidValueError, match="not a service"):
        await qclient.call_action(LAMP, "dance")
    with pytest.raises(InvalidValueError):
        await qclient.call_action(LAMP, "blink", {"times": 99})


async def test_scenes_and_automations(
    quectel_sim: QuectelSimulator, qclient: QuectelClient
) -> None:
    """Scenes run with the home's id; automations switch on and off."""
    await qclient.get_devices(HOME)  # the client learns the home
    scenes = await qclient.get_scenes(HOME)
    assert [(s.scene_id, s.name, s.family_id) for s in scenes] == [
        ("S201", "Good night", HOME),
        ("S202", "Reading", HOME),
    ]
    await qclient.run_scene("S201")
    assert quectel_sim.device_state("p11lt1/LT0001")["Values"]["power"] is False  # type: ignore[index]
    await quectel_sim.set_online("p11pg1/PG0001", False)
    with pytest.raises(TencentIoTCloudError, match="device offline"):
        await qclient.run_scene("S201")
    automations = await qclient.get_automations(HOME)
    assert [(a.automation_id, a.enabled) for a in automations] == [("301", True), ("302", False)]
    await qclient.set_automation_enabled("302", True)
    assert quectel_sim.state.automations[302].status is True


async def test_timers_are_cron_jobs(quectel_sim: QuectelSimulator, qclient: QuectelClient) -> None:
    """Create, list, modify, disable and delete a timer; days map to the cron job's week."""
    timer_id = await qclient.create_timer(
        LAMP, timer_name="Wake", days="0111110", time_point="07:00", data={"power": 1}
    )
    job = quectel_sim.state.cron_jobs[timer_id]
    assert (job["type"], job["dayOfWeek"]) == ("custom-repeat", "1,2,3,4,5")
    assert job["timers"][0]["action"] == '[{"power":true}]'
    [timer] = await qclient.get_timers(LAMP)
    assert (timer.name, timer.days, timer.time_point, timer.repeat, timer.enabled) == (
        "Wake",
        "0111110",
        "07:00",
        True,
        True,
    )
    assert timer.data == {"power": True}
    await qclient.set_timer_enabled(LAMP, timer_id, False)
    await qclient.modify_timer(
        LAMP,
        timer_id,
        timer_name="Every day",
        days="1111111",
        time_point="06:30",
        data={"brightness": 20},
    )
    [timer] = await qclient.get_timers(LAMP)
    assert (timer.days, timer.time_point, timer.enabled, timer.data) == (
        "1111111",
        "06:30",
        False,
        {"brightness": 20},
    )
    once = await qclient.create_timer(
        LAMP, timer_name="Once", days="0000000", time_point="23:00", data={"power": 0}
    )
    assert quectel_sim.state.cron_jobs[once]["type"] == "once"
    await qclient.delete_timer(LAMP, timer_id)
    assert [t.timer_id for t in await qclient.get_timers(LAMP)] == [once]
    with pytest.raises(TencentIoTCloudError):
        await qclient.delete_timer(LAMP, timer_id)
    with pytest.raises(TencentIoTCloudError, match="no timer"):
        await qclient.set_timer_enabled(LAMP, "missing", True)
    with pytest.raises(ValueError, match="7 characters"):
        await qclient.create_timer(LAMP, timer_name="x", days="12", time_point="07:00", data={})


async def test_timer_time_zone_and_missing_rule(
    quectel_sim: QuectelSimulator, make_qclient: QClientFactory
) -> None:
    """The time zone given to the client goes with every timer; a reply without ruleId fails."""
    client = make_qclient(credentials=email_credentials(quectel_sim), utc_offset=lambda: "+01:00")
    await client.login_password()
    timer_id = await client.create_timer(
        LAMP, timer_name="x", days="1000001", time_point="09:00", data={"power": 1}, repeat=False
    )
    job = quectel_sim.state.cron_jobs[timer_id]
    assert (job["timeZone"], job["type"]) == ("+01:00", "once")
    quectel_sim.error_next(200, action="addCornJob")
    with pytest.raises(TencentIoTResponseError):
        await client.create_timer(LAMP, timer_name="x", days="1111111", time_point="09:00", data={})


async def test_property_and_event_history(
    quectel_sim: QuectelSimulator, qclient: QuectelClient
) -> None:
    """Past values page by page (context = the next page); past events with their types."""
    quectel_sim.add_history(
        "p11lt1/LT0001", "brightness", [(1_700_000_000_000 + i, i) for i in range(5)]
    )
    page = await qclient.get_device_data_history(
        LAMP, "brightness", min_time=0, max_time=2**42, limit=3
    )
    assert [p.value for p in page.points] == ["4", "3", "2"]
    assert page.context == "2"
    assert not page.list_over
    last = await qclient.get_device_data_history(
        LAMP, "brightness", min_time=0, max_time=2**42, limit=3, context=page.context
    )
    assert [p.time for p in last.points] == [1_700_000_000_001, 1_700_000_000_000]
    assert last.list_over
    assert last.context == ""
    await quectel_sim.raise_event("p11ps1/PS0001", "overheat", {"temperature": 70.5})
    await quectel_sim.raise_event("p11ps1/PS0001", "low_battery", {"battery_percentage": 4})
    events = await qclient.list_event_history(STATION)
    assert [(e.event_id, e.type) for e in events.events] == [
        ("low_battery", "alert"),
        ("overheat", "fault"),
    ]
    assert events.events[1].data == {"temperature": 70.5}
    assert events.list_over
    faults = await qclient.list_event_history(STATION, event_type="fault")
    assert [e.event_id for e in faults.events] == ["overheat"]
    only = await qclient.list_event_history(STATION, event_id="low_battery", size=1)
    assert [e.event_id for e in only.events] == ["low_battery"]
    assert only.total == 1
    assert (await qclient.list_event_history(LAMP)).events == ()  # a product without events


async def test_messages(quectel_sim: QuectelSimulator, qclient: QuectelClient) -> None:
    """Messages by category (device = first label 3), older than a cursor; marked read."""
    await quectel_sim.raise_event("p11ps1/PS0001", "overheat", {"temperature": 70.5})
    device_page = await qclient.get_messages(1)
    assert [m.title for m in device_page.messages] == ["Overheat", "Low battery"]
    assert device_page.list_over
    newest = device_page.messages[0]
    older = await qclient.get_messages(1, msg_id=newest.msg_id, msg_timestamp=newest.timestamp)
    assert [m.msg_id for m in older.messages] == ["M401"]
    notices = await qclient.get_messages(3, limit=1)
    assert [m.msg_id for m in notices.messages] == ["M402"]
    limited = await qclient.get_messages(1, limit=1)
    assert len(limited.messages) == 1
    assert not limited.list_over
    assert not any(m["isRead"] for m in quectel_sim.state.messages)
    await qclient.mark_messages_read()
    assert all(m["isRead"] for m in quectel_sim.state.messages)


async def test_sharing(quectel_sim: QuectelSimulator, qclient: QuectelClient) -> None:
    """ShareByUid by uid, email or phone with an expiry; a share taken back by its code."""
    await qclient.unshare_device(PLUG, "C1002")
    assert quectel_sim.device_state("p11pg1/PG0001")["SharedWith"] == []
    with pytest.raises(TencentIoTCloudError, match="not shared"):
        await qclient.unshare_device(PLUG, "C1002")
    await qclient.share_device(
        PLUG, ShareRecipient(email="guest@example.com"), expires_at=2_000_000_000
    )
    assert quectel_sim.state.devices["p11pg1/PG0001"].shares["C1002"].expire_at == 2_000_000_000_000
    await qclient.share_device(LAMP, ShareRecipient(phone="4155550123"))
    await qclient.send_share_invite(STATION, "C1002")
    assert quectel_sim.device_state("p11ps1/PS0001")["SharedWith"] == ["C1002"]
    with pytest.raises(TencentIoTCloudError) as err:
        await qclient.share_device(STATION, ShareRecipient(user_id="C9999"))
    assert err.value.code == "5033"
    with pytest.raises(ValueError, match="exactly one"):
        ShareRecipient(user_id="a", email="b")


async def test_firmware_and_what_quectel_lacks(qclient: QuectelClient) -> None:
    """The firmware version is read from the device data; upgrades, binding, music are not offered."""
    assert (await qclient.check_firmware_update(STATION)).current_version == "E300_V1.2.3"
    assert (await qclient.check_firmware_update(LAMP)).current_version == "QS02A03"
    lacking = [
        qclient.publish_firmware_update(LAMP),
        qclient.describe_firmware_update_status(LAMP),
        qclient.get_bind_token_state("t"),
        qclient.bind_device_by_token("t", "p", "d", HOME),
        qclient.kugou_command("p/d", "play"),
    ]
    for call in lacking:
        with pytest.raises(TencentIoTNotSupportedError):
            await call


async def test_errors(quectel_sim: QuectelSimulator, qclient: QuectelClient) -> None:
    """HTTP 500 is retried for reads; a malformed reply, a gone device and a rate limit are typed."""
    quectel_sim.fail_next(1, action="userInfo")
    assert (await qclient.get_user()).user_id == "C1001"
    quectel_sim.fail_next(2, action="userInfo")
    with pytest.raises(TencentIoTConnectionError):
        await qclient.get_user()
    quectel_sim.malform_next(1, action="userInfo")
    with pytest.raises(TencentIoTResponseError):
        await qclient.get_user()
    with pytest.raises(TencentIoTDeviceGoneError):
        await qclient.get_device_data(Device("p11lt1", "GONE"))
    other = Device("p11pg1", "PGX")
    await quectel_sim.add_device("p11pg1", "PGX", owner="C1002", fid="")
    with pytest.raises(TencentIoTDeviceGoneError) as gone:
        await qclient.get_device_data(other)
    assert gone.value.code == "5041"
    quectel_sim.rate_limit_next(1 + RATE_LIMIT_RETRIES, action="userInfo")
    with pytest.raises(TencentIoTRateLimitError):
        await qclient.get_user()
    # Sent again after each back-off, then given up.
    assert quectel_sim.request_counts()["userInfo"] == 5 + 1 + RATE_LIMIT_RETRIES
    qclient.rate_limit.close()


async def test_4026_backs_off_every_request_of_the_shared_rate_limit(
    quectel_sim: QuectelSimulator, make_qclient: QClientFactory
) -> None:
    """A read waits out the back-off and succeeds; a write is refused once; both clients wait."""
    shared = RateLimit(backoff_min=0.001)
    first = make_qclient(credentials=email_credentials(quectel_sim), rate_limit=shared)
    await first.login_password()
    second = make_qclient(access_token=first.access_token, rate_limit=shared)
    assert first.rate_limit is second.rate_limit is shared
    quectel_sim.rate_limit_next(2, action="getFamilyModeConfig")
    assert await second.get_families()
    assert quectel_sim.request_counts()["getFamilyModeConfig"] == 3
    assert shared.last_throttle is not None
    assert shared.last_throttle.code == "4026"
    assert shared.last_throttle.backoff == 0.002
    assert not shared.throttled

    quectel_sim.rate_limit_next(1, action="batchControlDevice")
    with pytest.raises(TencentIoTRateLimitError):
        await first.control_device(LAMP, {"brightness": 10})
    assert quectel_sim.request_counts()["batchControlDevice"] == 1
    assert quectel_sim.controls() == []
    assert shared.requests["batchControlDevice"] == 1


async def test_doc_success_code_and_http_statuses(
    quectel_sim: QuectelSimulator, qclient: QuectelClient, make_qclient: QClientFactory
) -> None:
    """The doc's success code 0 is success too; plain HTTP errors without an envelope are typed."""
    quectel_sim.set_success_code(0)
    assert (await qclient.get_user()).user_id == "C1001"
    client = make_qclient(api_url=f"{quectel_sim.api_url}/nowhere", access_token="x")
    with pytest.raises(TencentIoTDeviceGoneError):
        await client.get_device_data(LAMP)
    with pytest.raises(TencentIoTCloudError):
        await client.get_user()
    dead = make_qclient(api_url="http://127.0.0.1:9", access_token="x", retry_delays=())
    with pytest.raises(TencentIoTConnectionError):
        await dead.get_user()
