"""Every action of `TencentIoTClient`, against the simulator's default home over loopback."""

import copy
import time
from typing import Any

import pytest

from custom_components.tencent_iot.api import (
    REGIONS,
    ArrayDefine,
    Device,
    LoginCredentials,
    NumberDefine,
    StructDefine,
    TencentIoTAuthError,
    TencentIoTClient,
    TencentIoTCloudError,
    TencentIoTKugouError,
    TencentIoTTokenError,
)
from simulator import CloudSimulator, fixture
from simulator.model import now_ms

from .common import (
    BULB,
    BULB_WITH_TIMER,
    GATEWAY,
    OFFLINE_LIGHT,
    OTHER_USER_ID,
    PLUG,
    PRODUCT_IDS,
    SMOKE,
    SPEAKER,
    ClientFactory,
    SimFactory,
    home_family_id,
    key,
    phone_credentials,
    wait_until,
)

# Construction


def test_region_endpoints(make_client: ClientFactory) -> None:
    """A region picks both endpoints; explicit URLs override them; unknown regions fail."""
    china = make_client(api_url=None, ws_url=None)
    assert china.api_url == REGIONS["china"].api_url
    assert china.ws_url == REGIONS["china"].ws_url
    overseas = make_client(region="overseas", api_url=None, ws_url=None)
    assert overseas.api_url == REGIONS["overseas"].api_url
    assert overseas.ws_url == REGIONS["overseas"].ws_url
    custom = make_client(api_url="http://127.0.0.1:1/api/", ws_url="ws://127.0.0.1:1/ws")
    assert custom.api_url == "http://127.0.0.1:1/api"
    assert custom.ws_url == "ws://127.0.0.1:1/ws"
    with pytest.raises(ValueError, match="unknown region"):
        make_client(region="mars")


# Families, rooms, devices, products


async def test_families_and_rooms(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """Both families of the demo user, with their rooms."""
    families = await client.get_families()
    expected = [f for f in sim.state.families.values() if sim.demo_user.user_id in f.members]
    assert [f.family_id for f in families] == [f.family_id for f in expected]
    assert [f.name for f in families] == [f.name for f in expected]
    assert all(f.role == 1 for f in families)
    home = expected[0]
    rooms = await client.get_rooms(home.family_id)
    assert {room.room_id: room.name for room in rooms} == {
        room.room_id: room.name for room in home.rooms.values()
    }


def _big_fixture(families: int, rooms: int) -> dict[str, Any]:
    source: dict[str, Any] = copy.deepcopy(dict(fixture.read(fixture.DEFAULT_FIXTURE)))
    user_id = source["Users"][0]["UserID"]
    source["Families"][0]["RoomList"].extend(
        {"RoomId": f"r_extra_{i:03d}", "RoomName": f"Room {i}"} for i in range(rooms)
    )
    source["Families"].extend(
        {
            "FamilyId": f"f_extra_{i:03d}",
            "FamilyName": f"Family {i}",
            "Members": [{"UserID": user_id, "Role": 0}],
            "RoomList": [],
        }
        for i in range(families)
    )
    return source


async def test_families_and_rooms_paged(make_sim: SimFactory, make_client: ClientFactory) -> None:
    """More than 50 families and rooms are read page by page, each exactly once."""
    big = await make_sim(fixture_source=_big_fixture(families=55, rooms=60))
    client = make_client(big)
    await client.login_password(phone_credentials(big))
    families = await client.get_families()
    assert len(families) == 57
    assert len({f.family_id for f in families}) == 57
    assert {f.role for f in families} == {0, 1}
    rooms = await client.get_rooms(home_family_id(big))
    assert len({room.room_id for room in rooms}) == len(rooms) == 66
    counts = big.request_counts()
    assert counts["AppGetFamilyList"] == 2
    assert counts["AppGetRoomList"] == 2


async def test_devices_of_family_and_room(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """A family's devices, and one room's; the gateway is flagged."""
    home = home_family_id(sim)
    devices = await client.get_devices(home)
    assert [d.key for d in devices] == list(sim.state.families[home].device_ids)
    bulb = next(d for d in devices if d.key == key(BULB))
    assert (bulb.product_id, bulb.device_name) == (BULB.product_id, BULB.device_name)
    assert bulb.device_id == key(BULB)
    assert bulb.alias_name == sim.state.devices[key(BULB)].alias
    assert bulb.family_id == home
    assert bulb.create_time is not None
    assert [d.key for d in devices if d.is_gateway] == [key(GATEWAY)]
    room_id = bulb.room_id
    in_room = await client.get_devices(home, room_id)
    expected = [d.device_id for d in sim.state.devices.values() if d.room_id == room_id]
    assert sorted(d.key for d in in_room) == sorted(expected)
    assert len(in_room) < len(devices)


async def test_devices_paged_past_50(make_sim: SimFactory, make_client: ClientFactory) -> None:
    """78 devices come back complete and without duplicates, in two requests."""
    big = await make_sim(devices=60)
    client = make_client(big)
    await client.login_password(phone_credentials(big))
    home = home_family_id(big)
    devices = await client.get_devices(home)
    assert len(devices) == len(big.state.families[home].device_ids) == 78
    assert len({d.key for d in devices}) == 78
    assert big.request_counts()["AppGetFamilyDeviceList"] == 2
    statuses = await client.get_device_statuses([d.key for d in devices])
    assert len(statuses) == 78
    assert big.request_counts()["AppGetDeviceStatuses"] == 1
    offline = {s.device_id for s in statuses if not s.online}
    assert offline == {d.device_id for d in big.state.devices.values() if not d.online}
    assert key(OFFLINE_LIGHT) in offline


async def test_statuses_fall_back_to_small_batches(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    """A service that takes fewer ids per call still answers for every device, in batches of 50."""
    big = await make_sim(devices=60)
    big.set_status_batch_limit(60)
    client = make_client(big)
    await client.login_password(phone_credentials(big))
    ids = [d.key for d in await client.get_devices(home_family_id(big))]
    statuses = await client.get_device_statuses(ids)
    assert sorted(s.device_id for s in statuses) == sorted(ids)
    # The rejected call of 78, then 50 + 28; later reads go straight to batches of 50.
    assert big.request_counts()["AppGetDeviceStatuses"] == 3
    await client.get_device_statuses(ids)
    assert big.request_counts()["AppGetDeviceStatuses"] == 5
    big.set_status_batch_limit(10)
    with pytest.raises(TencentIoTCloudError) as err:
        await client.get_device_statuses(ids)
    assert err.value.code == "InvalidParameterValue"


async def test_gateway_sub_devices(client: TencentIoTClient) -> None:
    """A gateway lists its sub-devices; an ordinary device is not a gateway."""
    subs = await client.get_gateway_sub_devices(GATEWAY)
    assert {d.key for d in subs} == {"TH4Z8K2QWM/th_00158d0001", "SW2K8V6QZ1/sw_00158d0002"}
    assert {d.device_type for d in subs} == {2}
    with pytest.raises(TencentIoTCloudError) as err:
        await client.get_gateway_sub_devices(BULB)
    assert err.value.code == "UnsupportedOperation.DeviceNotGateway"


async def test_products_in_batches(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """25 distinct ids (duplicates dropped) take two requests; unknown ids are left out."""
    unknown = [f"UNKNOWN{i:03d}" for i in range(10)]
    products = await client.get_products([*PRODUCT_IDS, *PRODUCT_IDS[:3], *unknown])
    assert sorted(p.product_id for p in products) == sorted(PRODUCT_IDS)
    assert sim.request_counts()["AppGetProducts"] == 2
    bulb = next(p for p in products if p.product_id == BULB.product_id)
    assert bulb.name == sim.state.products[BULB.product_id].name
    assert bulb.net_type == "wifi"
    assert bulb.category_id == "141"
    assert bulb.thing_model.problems == ()
    brightness = bulb.thing_model.properties["brightness"].define
    assert brightness == NumberDefine("int", min=1, max=100, step=1, start=100, unit="%")
    assert "blink" in bulb.thing_model.actions
    assert [p["id"] for p in bulb.data_template["properties"]][:2] == [
        "power_switch",
        "brightness",
    ]
    strip = next(p for p in products if p.product_id == "7DW4NLPA2Z")
    assert isinstance(strip.thing_model.properties["rgb_color"].define, StructDefine)
    assert isinstance(strip.thing_model.properties["segments"].define, ArrayDefine)
    smoke = next(p for p in products if p.product_id == SMOKE.product_id)
    assert smoke.thing_model.events["sensor_fault"].type == "fault"
    assert await client.get_products([]) == []


async def test_statuses(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """Online flags of the home's devices; a device of nobody's is left out."""
    statuses = await client.get_device_statuses([key(BULB), key(OFFLINE_LIGHT), "NOPE/none"])
    assert {s.device_id: s.online for s in statuses} == {
        key(BULB): True,
        key(OFFLINE_LIGHT): False,
    }
    await sim.set_online(key(BULB), False)
    assert not (await client.get_device_statuses([key(BULB)]))[0].online


async def test_device_data(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """Every property with its value and report time (Data arrives as a JSON string)."""
    before = int(time.time() * 1000)
    await sim.report(key(BULB), {"brightness": 42})
    data = await client.get_device_data(BULB)
    assert set(data) == set(sim.state.devices[key(BULB)].data)
    assert data["brightness"].value == 42
    assert data["brightness"].last_update is not None
    assert data["brightness"].last_update >= before
    assert data["power_switch"].value == 1


# Control and actions


async def test_control(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """Booleans go out as 0/1 (nested too); the device applies the values."""
    await client.control_device(BULB, {"power_switch": False, "brightness": 30})
    assert sim.controls()[-1]["DeviceId"] == key(BULB)
    assert sim.controls()[-1]["Data"] == {"power_switch": 0, "brightness": 30}
    data = await client.get_device_data(BULB)
    assert (data["power_switch"].value, data["brightness"].value) == (0, 30)
    strip = Device("7DW4NLPA2Z", "strip_a4cf1290")
    values = {"rgb_color": {"red": 255, "green": 0, "blue": 16}, "segments": (10, 20, 30)}
    await client.control_device(strip, values)
    assert sim.controls()[-1]["Data"] == {
        "rgb_color": {"red": 255, "green": 0, "blue": 16},
        "segments": [10, 20, 30],
    }


@pytest.mark.parametrize(
    ("device", "values", "reason"),
    [
        (BULB, {"no_such_property": 1}, "not in the thing model"),
        (PLUG, {"power": 10.0}, "read-only"),
        (BULB, {"brightness": 101}, ""),
        (BULB, {"brightness": "bright"}, ""),
        (BULB, {}, "no property"),
    ],
)
async def test_control_rejected(
    client: TencentIoTClient,
    sim: CloudSimulator,
    device: Device,
    values: dict[str, Any],
    reason: str,
) -> None:
    """The cloud's validation errors surface as cloud errors, and are not retried."""
    with pytest.raises(TencentIoTCloudError) as err:
        await client.control_device(device, values)
    assert not isinstance(err.value, TencentIoTAuthError)
    assert err.value.code == "InvalidParameterValue"
    assert reason in err.value.message
    assert err.value.action == "AppControlDeviceData"
    assert err.value.request_id
    assert str(err.value).startswith("AppControlDeviceData: InvalidParameterValue")
    assert sim.controls() == []
    assert sim.request_counts()["AppControlDeviceData"] == 1


async def test_control_offline(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """An offline device cannot be controlled."""
    with pytest.raises(TencentIoTCloudError) as err:
        await client.control_device(OFFLINE_LIGHT, {"power_switch": True})
    assert err.value.code == "FailedOperation.DeviceOffline"
    assert sim.controls() == []


async def test_actions(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """A synchronous action returns its decoded output; bad input is refused."""
    result = await client.call_action(
        SPEAKER, "play_song", {"song_id": "kg_1", "start_position": 5}
    )
    assert result.status == "succ"
    assert result.client_token
    assert result.output["song_id"] == "kg_1"
    assert "result" in result.output
    assert sim.controls()[-1]["Source"] == "action:play_song"
    muted = await client.call_action(SMOKE, "mute_alarm")
    assert set(muted.output) == {"result"}
    assert sim.controls()[-1]["Data"] == {}
    with pytest.raises(TencentIoTCloudError, match="times"):
        await client.call_action(BULB, "blink", {"times": 11})
    with pytest.raises(TencentIoTCloudError, match="not in the thing model"):
        await client.call_action(BULB, "explode")


async def test_event_history(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """Past events, newest first, filtered and paged with Context."""
    await sim.raise_event(key(SMOKE), "smoke_alert", {"smoke_value": 300, "alarm_level": 1})
    await sim.raise_event(key(SMOKE), "sensor_fault", {"error_code": 7, "fault_desc": "dirty"})
    await sim.raise_event(key(SMOKE), "smoke_alert", {"smoke_value": 900, "alarm_level": 2})
    page = await client.list_event_history(SMOKE)
    assert [e.event_id for e in page.events] == ["smoke_alert", "sensor_fault", "smoke_alert"]
    assert page.list_over
    assert page.total == 3
    newest = page.events[0]
    assert newest.type == "alert"
    assert newest.data == {"smoke_value": 900, "alarm_level": 2}
    assert (newest.product_id, newest.device_name) == (SMOKE.product_id, SMOKE.device_name)
    assert newest.timestamp is not None
    assert abs(newest.timestamp - time.time()) < 60
    faults = await client.list_event_history(SMOKE, event_type="fault")
    assert [e.data for e in faults.events] == [{"error_code": 7, "fault_desc": "dirty"}]
    alerts = await client.list_event_history(SMOKE, event_id="smoke_alert", size=1)
    assert len(alerts.events) == 1
    assert not alerts.list_over
    assert alerts.total == 2
    rest = await client.list_event_history(
        SMOKE, event_id="smoke_alert", size=1, context=alerts.context
    )
    assert [e.data["smoke_value"] for e in rest.events] == [300]
    assert rest.list_over
    future = int(time.time()) + 3600
    later = await client.list_event_history(SMOKE, start_time=future, end_time=future + 10)
    assert later.events == ()


# Firmware


async def test_firmware_upgrade(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """Check, publish and follow an upgrade to the end."""
    info = await client.check_firmware_update(BULB)
    assert (info.current_version, info.latest_version) == ("1.2.0", "1.3.0")
    assert info.update_available
    await client.publish_firmware_update(BULB)
    status = await client.describe_firmware_update_status(BULB)
    assert status.in_progress
    assert not status.failed
    assert status.percent == 25
    assert (status.original_version, status.target_version) == ("1.2.0", "1.3.0")
    for _ in range(10):
        status = await client.describe_firmware_update_status(BULB)
        if not status.in_progress:
            break
    assert status.status == 6
    assert status.percent == 100
    info = await client.check_firmware_update(BULB)
    assert info.current_version == "1.3.0"
    assert not info.update_available


async def test_firmware_failed_and_missing(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """A failed upgrade reports its error; no task and no newer firmware are cloud errors."""
    with pytest.raises(TencentIoTCloudError) as err:
        await client.describe_firmware_update_status(BULB)
    assert err.value.code == "ResourceNotFound.DeviceFirmwareTaskNotExist"
    await client.publish_firmware_update(BULB)
    sim.advance_ota(key(BULB), percent=40, status=5)
    status = await client.describe_firmware_update_status(BULB)
    assert status.failed
    assert not status.in_progress
    assert status.error_message == "upgrade failed"
    assert status.percent == 40
    with pytest.raises(TencentIoTCloudError) as err:
        await client.publish_firmware_update(BULB_WITH_TIMER)
    assert err.value.code == "ResourceNotFound.DeviceHasNoFirmware"
    assert sim.request_counts()["AppPublishFirmwareUpdateMessage"] == 2


# Scenes and automations


async def test_scenes(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """List and run a scene; its device actions reach the devices."""
    home = home_family_id(sim)
    scenes = await client.get_scenes(home)
    expected = [s for s in sim.state.scenes.values() if s.family_id == home]
    assert [s.scene_id for s in scenes] == [s.scene_id for s in expected]
    good_night = scenes[0]
    assert good_night.name == expected[0].name
    assert good_night.family_id == home
    assert len(good_night.actions) == 5
    assert good_night.actions[0]["DeviceName"] == BULB.device_name
    await client.run_scene(good_night.scene_id)
    from_scene = [c for c in sim.controls() if c["Source"] == "scene"]
    assert {"DeviceId": key(BULB), "Data": {"power_switch": 0}} in [
        {"DeviceId": c["DeviceId"], "Data": c["Data"]} for c in from_scene
    ]


async def test_scene_already_running(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """A scene that is still running is refused with SceneRunInProgress, and not retried."""
    scene_id = next(iter(sim.state.scenes))
    sim.set_scene_running(scene_id)
    with pytest.raises(TencentIoTCloudError) as err:
        await client.run_scene(scene_id)
    assert err.value.code == "UnsupportedOperation.SceneRunInProgress"
    assert sim.request_counts()["AppRunScene"] == 1
    assert sim.controls() == []
    sim.set_scene_running(scene_id, running=False)
    await client.run_scene(scene_id)
    assert sim.controls()


async def test_automations(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """List automations and switch one off and on again."""
    home = home_family_id(sim)
    automations = await client.get_automations(home)
    expected = [a for a in sim.state.automations.values() if a.family_id == home]
    assert [a.automation_id for a in automations] == [a.automation_id for a in expected]
    first = automations[0]
    assert first.enabled
    assert first.name == expected[0].body["Name"]
    await client.set_automation_enabled(first.automation_id, False)
    assert sim.state.automations[first.automation_id].body["Status"] == 0
    assert not (await client.get_automations(home))[0].enabled
    await client.set_automation_enabled(first.automation_id, True)
    assert (await client.get_automations(home))[0].enabled


# Timers


async def test_timers_crud(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """Create, read, modify, switch and delete a timer."""
    existing = await client.get_timers(BULB_WITH_TIMER)
    assert len(existing) == 1
    wake = existing[0]
    assert (wake.days, wake.time_point, wake.repeat, wake.enabled) == (
        "0111110",
        "07:00",
        True,
        True,
    )
    assert wake.data == {"power_switch": 1, "brightness": 60}
    assert (wake.product_id, wake.device_name) == (
        BULB_WITH_TIMER.product_id,
        BULB_WITH_TIMER.device_name,
    )

    timer_id = await client.create_timer(
        BULB_WITH_TIMER,
        timer_name="Evening",
        days="1000001",
        time_point="19:30",
        data={"power_switch": True, "brightness": 20},
    )
    stored = next(t for t in sim.timers(key(BULB_WITH_TIMER)) if t["TimerId"] == timer_id)
    assert stored["Days"] == "1000001"
    assert stored["TimePoint"] == "19:30"
    assert stored["Repeat"] == 1
    assert stored["Data"] == '{"power_switch":1,"brightness":20}'
    timers = {t.timer_id: t for t in await client.get_timers(BULB_WITH_TIMER)}
    assert timers[timer_id].name == "Evening"
    assert timers[timer_id].enabled

    await client.modify_timer(
        BULB_WITH_TIMER,
        timer_id,
        timer_name="Once",
        days="0000000",
        time_point="06:05",
        data={"power_switch": False},
    )
    modified = {t.timer_id: t for t in await client.get_timers(BULB_WITH_TIMER)}[timer_id]
    assert (modified.name, modified.days, modified.time_point) == ("Once", "0000000", "06:05")
    assert not modified.repeat
    assert modified.data == {"power_switch": 0}

    await client.set_timer_enabled(BULB_WITH_TIMER, timer_id, False)
    assert not {t.timer_id: t for t in await client.get_timers(BULB_WITH_TIMER)}[timer_id].enabled
    await client.set_timer_enabled(BULB_WITH_TIMER, timer_id, True)
    assert {t["TimerId"]: t["Status"] for t in sim.timers()}[timer_id] == 1

    await client.delete_timer(BULB_WITH_TIMER, timer_id)
    assert [t.timer_id for t in await client.get_timers(BULB_WITH_TIMER)] == [wake.timer_id]
    with pytest.raises(TencentIoTCloudError) as err:
        await client.delete_timer(BULB_WITH_TIMER, timer_id)
    assert err.value.code == "ResourceNotFound"


async def test_timer_repeat_override(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """`repeat` may be given explicitly, against the days' default."""
    timer_id = await client.create_timer(
        BULB,
        timer_name="Weekdays once",
        days="0111110",
        time_point="00:00",
        data={"power_switch": 1},
        repeat=False,
    )
    assert {t["TimerId"]: t["Repeat"] for t in sim.timers(key(BULB))}[timer_id] == 0


@pytest.mark.parametrize(
    ("days", "time_point", "match"),
    [
        ("1111111x", "07:00", "days"),
        ("111111", "07:00", "days"),
        ("1112111", "07:00", "days"),
        ("1111111", "24:00", "time_point"),
        ("1111111", "7:00", "time_point"),
        ("1111111", "07:60", "time_point"),
        ("1111111", "0700", "time_point"),
    ],
)
async def test_timer_validation(
    client: TencentIoTClient, sim: CloudSimulator, days: str, time_point: str, match: str
) -> None:
    """Bad days or times are refused before anything is sent."""
    with pytest.raises(ValueError, match=match):
        await client.create_timer(
            BULB, timer_name="x", days=days, time_point=time_point, data={"power_switch": 1}
        )
    with pytest.raises(ValueError, match=match):
        await client.modify_timer(
            BULB, "id", timer_name="x", days=days, time_point=time_point, data={}
        )
    assert "AppCreateTimer" not in sim.request_counts()
    assert "AppModifyTimer" not in sim.request_counts()


async def test_timer_rejected_by_cloud(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """The cloud validates the timer's values against the thing model."""
    with pytest.raises(TencentIoTCloudError, match="read-only"):
        await client.create_timer(
            PLUG, timer_name="x", days="1111111", time_point="08:00", data={"power": 1.0}
        )
    assert [t["TimerName"] for t in sim.timers(key(PLUG))] == ["夜间断电 Night off"]


async def test_timers_paged(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """More than 50 timers of a device are read in two pages."""
    for i in range(55):
        await client.create_timer(
            BULB, timer_name=f"t{i}", days="0000000", time_point="12:00", data={"brightness": 50}
        )
    sim.reset_request_counts()
    timers = await client.get_timers(BULB)
    assert len({t.timer_id for t in timers}) == 55
    assert sim.request_counts()["AppGetTimerList"] == 2


# Sharing, binding


async def test_share_invite(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """An invitation is recorded for the other user; unknown users are refused."""
    await client.send_share_invite(BULB, OTHER_USER_ID)
    invite = sim.share_invites()[-1]
    assert invite["DeviceId"] == key(BULB)
    assert invite["ToUserId"] == OTHER_USER_ID
    assert invite["FromUserId"] == sim.demo_user.user_id
    with pytest.raises(TencentIoTCloudError, match="does not exist"):
        await client.send_share_invite(BULB, "0000000000")
    assert len(sim.share_invites()) == 1


async def test_shared_devices(
    client: TencentIoTClient, sim: CloudSimulator, make_client: ClientFactory
) -> None:
    """The devices others share with the account; the guest has the front door."""
    assert await client.get_shared_devices() == []
    guest = make_client()
    await guest.login_password(
        LoginCredentials(account_type="email", account="guest@example.com", password="Guest@1234")
    )
    [door] = await guest.get_shared_devices()
    assert (door.key, door.alias_name, door.room_id) == (
        "DR3P9X5VKM/door_1c9dc2",
        "入户门磁 Front Door",
        "",
    )
    assert sim.last_request("AppListUserShareDevices")["body"]["Limit"] <= 100  # type: ignore[index]
    sim.unshare_device(door.key, OTHER_USER_ID)
    assert await guest.get_shared_devices() == []


async def test_bind_by_token(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """A usable configuration token binds the device that registered with it."""
    home = home_family_id(sim)
    token = sim.register_bind_token(BULB.product_id, "bulb_new_01", alias="New bulb")
    state = await client.get_bind_token_state(token)
    assert state.state == 2
    assert state.usable
    await client.bind_device_by_token(token, BULB.product_id, "bulb_new_01", home)
    devices = {d.key: d for d in await client.get_devices(home)}
    assert devices[f"{BULB.product_id}/bulb_new_01"].alias_name == "New bulb"
    assert devices[f"{BULB.product_id}/bulb_new_01"].room_id == "0"


@pytest.mark.parametrize("wrapped", [False, True])
async def test_bind_token_errors_are_not_access_token_errors(
    client: TencentIoTClient, sim: CloudSimulator, tokens: list[Any], wrapped: bool
) -> None:
    """TokenNotExist/TokenIsExpire of a configuration token do not trigger a re-login."""
    sim.set_wrapped(wrapped)
    with pytest.raises(TencentIoTCloudError) as err:
        await client.get_bind_token_state("no-such-token")
    assert not isinstance(err.value, TencentIoTTokenError)
    assert err.value.code == "InvalidParameterValue.TokenNotExist"
    expired = sim.register_bind_token(BULB.product_id, "bulb_new_02", ttl=-1)
    with pytest.raises(TencentIoTCloudError) as err:
        await client.bind_device_by_token(
            expired, BULB.product_id, "bulb_new_02", home_family_id(sim)
        )
    assert not isinstance(err.value, TencentIoTTokenError)
    assert err.value.code == "InvalidParameterValue.TokenIsExpire"
    assert sim.request_counts()["AppGetToken"] == 1
    assert len(tokens) == 1


# Music and messages


async def test_kugou(client: TencentIoTClient) -> None:
    """Kugou commands return their Data; a non-zero ErrorCode is an error."""
    user = await client.kugou_command(key(SPEAKER), "user_info")
    assert user["userId"] == "kg_88012345"
    song = await client.kugou_command(key(SPEAKER), "song_url", {"songId": "kg_7c3b91"})
    assert song["url"].endswith("/kg_7c3b91.mp3")
    with pytest.raises(TencentIoTKugouError) as err:
        await client.kugou_command(key(SPEAKER), "dance")
    assert err.value.code == "10001"
    assert "dance" in err.value.message
    assert err.value.request_id
    assert err.value.action == "AppKugouUserCommand"


async def _next_millisecond() -> None:
    """Until the simulator's clock has moved past the current millisecond."""
    now = now_ms()
    await wait_until(lambda: now_ms() > now, what="the next millisecond")


async def test_messages(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """Alert events leave device messages, read newest first and paged by timestamp."""
    empty = await client.get_messages(1)
    assert empty.messages == ()
    assert empty.list_over
    for level in (1, 2, 1):
        await sim.raise_event(key(SMOKE), "smoke_alert", {"smoke_value": 1, "alarm_level": level})
        await _next_millisecond()  # distinct millisecond timestamps
    page = await client.get_messages(1, limit=2)
    assert len(page.messages) == 2
    assert not page.list_over
    newest = page.messages[0]
    assert newest.category == 1
    assert newest.title == sim.state.products[SMOKE.product_id].model.events["smoke_alert"].name
    assert (newest.product_id, newest.device_name) == (SMOKE.product_id, SMOKE.device_name)
    assert newest.timestamp is not None
    assert newest.msg_id
    last = page.messages[-1]
    rest = await client.get_messages(1, limit=2, msg_id=last.msg_id, msg_timestamp=last.timestamp)
    assert len(rest.messages) == 1
    assert rest.list_over
    assert rest.messages[0].timestamp is not None
    assert rest.messages[0].timestamp < last.timestamp  # type: ignore[operator]
    assert (await client.get_messages(3)).messages == ()
    with pytest.raises(TencentIoTCloudError, match="Limit"):
        await client.get_messages(1, limit=0)


async def test_notice_messages_from_scene(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """A scene's notification action leaves a family-wide notice (category 3)."""
    home = home_family_id(sim)
    leave = next(
        s for s in await client.get_scenes(home) if any(a.get("ActionType") == 3 for a in s.actions)
    )
    await client.run_scene(leave.scene_id)
    notices = await client.get_messages(3)
    assert [m.title for m in notices.messages] == [leave.name]
    assert notices.messages[0].family_id == home


async def test_device_data_history(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """A property's past values, oldest first, in pages that join up; energy only grows."""
    now = int(time.time() * 1000)
    day_ago = now - 86_400_000
    first = await client.get_device_data_history(
        PLUG, "energy", min_time=day_ago, max_time=now, limit=50
    )
    assert len(first.points) == 50
    assert not first.list_over
    rest = await client.get_device_data_history(
        PLUG, "energy", min_time=day_ago, max_time=now, limit=500, context=first.context
    )
    assert rest.list_over
    points = [*first.points, *rest.points]
    # A sample every 15 minutes over the day.
    assert len(points) in {96, 97}
    times = [point.time for point in points]
    assert times == sorted(times)
    assert all(day_ago <= stamp <= now for stamp in times)
    values = [float(str(point.value)) for point in points]
    assert values == sorted(values)
    assert values[-1] > values[0]

    power = await client.get_device_data_history(
        PLUG, "power", min_time=day_ago, max_time=now, limit=500
    )
    assert len({point.value for point in power.points}) > 1
    # A device bound later has no history; a field that is not a property is refused.
    sim.state.device(key(PLUG)).history_days = 0
    none = await client.get_device_data_history(
        PLUG, "power", min_time=day_ago, max_time=now, limit=10
    )
    assert none.points == ()
    assert none.list_over
    with pytest.raises(TencentIoTCloudError):
        await client.get_device_data_history(
            PLUG, "no_such_field", min_time=day_ago, max_time=now, limit=10
        )
