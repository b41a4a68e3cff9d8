"""Tencent's own app SDK (qcloud-iotexplorer-appdev-sdk), run against the simulator.

Each test drives the SDK's own request, login, WebSocket and push code (driver.js) through one
thing a mini-program does, and checks that the SDK understood the simulator's answer. Where the
SDK and the API doc disagree the SDK is what the live cloud answers to, so a failure here means
the simulator speaks a dialect the live cloud does not.
"""

import asyncio
from base64 import b64decode
from collections.abc import Callable
import json
from typing import Any, cast

import pytest

from simulator import CloudSimulator
from simulator.push import ActivePushReply

from .conftest import SDK_WS_PATH, SdkFactory
from .sdk import WAIT_SECONDS, SdkDriver, SdkError

# Devices of the simulator's default home.
BULB = "3JQ8VX2K1M/bulb_7c87ce1a"  # dimmable colour bulb, `blink` action
PLUG = "P8VN3KQ4WT/plug_e8db8411"  # `overload` alert event
GATEWAY = "GW5X7N2R4B/gw_c8478c2f"  # Zigbee gateway with two sub-devices
SENSOR_PRODUCT = "TH4Z8K2QWM"  # a Zigbee sub-device product


def device_data(sim: CloudSimulator, device_id: str) -> dict[str, Any]:
    """The values the cloud holds for a device."""
    return cast(dict[str, Any], sim.device_state(device_id)["Data"])


def family_of(sim: CloudSimulator, device_id: str) -> str:
    """The family a device is bound to."""
    family_id = sim.device_state(device_id)["FamilyId"]
    assert isinstance(family_id, str)
    return family_id


def reports_brightness(value: int) -> Callable[[Any], bool]:
    """Whether a wsReport carries this brightness."""
    return lambda data: data["deviceData"].get("brightness", {}).get("Value") == value


async def subscribed(sdk: SdkDriver, sim: CloudSimulator, *device_ids: str) -> None:
    """Have the SDK subscribe to the devices, and wait until the simulator has the subscription."""
    answered = len(active_push_replies(sdk))
    await sdk.call("subscribe", deviceIds=list(device_ids))
    await sdk.wait_for("connect", "the WebSocket opened")
    await sdk.wait_for(
        "received",
        "the simulator's reply to the SDK's ActivePush",
        lambda _: len(active_push_replies(sdk)) > answered,
    )
    assert any(set(device_ids) <= c.subscribed for c in sim.hub.connections), (
        f"after the SDK's ActivePush the simulator holds {sim.connections()}, not {device_ids}"
    )


def active_push_replies(sdk: SdkDriver) -> list[dict[str, Any]]:
    """The simulator's replies to the ActivePush messages the SDK sent."""
    sent = {frame["reqId"] for frame in sdk.frames("sent") if frame["action"] == "ActivePush"}
    return [frame for frame in sdk.frames("received") if frame.get("reqId") in sent]


async def test_login_through_get_access_token(sim: CloudSimulator, sdk: SdkDriver) -> None:
    """The SDK takes the token from getAccessToken and checks it with AppGetUser."""
    status = await sdk.call("status")
    assert status["isLogin"], "the SDK did not consider itself logged in after init()"
    assert len(sdk.seen("login")) == 1, "init() should call getAccessToken exactly once"
    user = await sdk.api("AppGetUser")
    assert user["Data"]["UserID"] == sim.demo_user.user_id, (
        f"AppGetUser through the SDK answered {user}"
    )


async def test_family_and_device_lists(sim: CloudSimulator, sdk: SdkDriver) -> None:
    """The SDK's default-family lookup (AppGetFamilyList, Limit 100) and the family's devices."""
    try:
        family_id = await sdk.call("defaultFamilyId")
    except SdkError as err:
        raise AssertionError(
            f"the SDK's own default-family lookup (AppGetFamilyList, Limit 100) failed: {err.error}"
        ) from None
    assert family_id == family_of(sim, BULB), f"the SDK took {family_id} as the default family"
    # "default" makes the SDK put its default family in, as mini-programs do.
    listed = await sdk.api("AppGetFamilyDeviceList", FamilyId="default", Offset=0, Limit=50)
    device_ids = {device["DeviceId"] for device in listed["DeviceList"]}
    assert BULB in device_ids, f"the family's device list through the SDK lacks {BULB}: {listed}"
    assert listed["Total"] == len(device_ids), f"Total does not count the list: {listed}"


async def test_device_data_and_statuses(sim: CloudSimulator, sdk: SdkDriver) -> None:
    """AppGetDeviceData and AppGetDeviceStatuses read through the SDK match the cloud's state."""
    answer = await sdk.api("AppGetDeviceData", DeviceId=BULB)
    data = json.loads(answer["Data"])
    expected = device_data(sim, BULB)["brightness"]
    assert data["brightness"]["Value"] == expected, f"device data: {data}"
    statuses = await sdk.api("AppGetDeviceStatuses", DeviceIds=[BULB])
    assert [(s["DeviceId"], s["Online"]) for s in statuses["DeviceStatuses"]] == [(BULB, 1)], (
        f"device statuses: {statuses}"
    )


async def test_control(sim: CloudSimulator, sdk: SdkDriver) -> None:
    """AppControlDeviceData through the SDK reaches the device."""
    await sdk.api("AppControlDeviceData", DeviceId=BULB, Data=json.dumps({"brightness": 33}))
    assert device_data(sim, BULB)["brightness"] == 33, "the control did not apply"
    assert sim.controls()[-1]["Data"] == {"brightness": 33}, f"controls: {sim.controls()}"


async def test_active_push_and_heartbeats(sim: CloudSimulator, start_sdk: SdkFactory) -> None:
    """The SDK's ActivePush subscribes, and its heartbeats (YunApi) are answered without error."""
    sdk = await start_sdk(heartbeatInterval=100)
    await subscribed(sdk, sim, BULB, PLUG)
    sent = next(frame for frame in sdk.frames("sent") if frame["action"] == "ActivePush")
    assert set(sent["params"]) >= {"DeviceIds", "Platform", "AccessToken", "AppKey", "RegionId"}, (
        f"the SDK's ActivePush carries {sorted(sent['params'])}"
    )
    connection = sim.connections()[0]
    assert connection["Path"] == SDK_WS_PATH, f"the SDK connected to {connection['Path']}"
    query = cast(dict[str, str], connection["Query"])
    assert query["uin"] == sim.demo_user.user_id, f"the SDK's connection query: {query}"
    assert query.get("cId"), f"the SDK's connection query has no cId: {query}"
    reply = active_push_replies(sdk)[0]
    assert not reply.get("error"), f"the simulator answered ActivePush with an error: {reply}"

    def heartbeat_replies() -> list[dict[str, Any]]:
        heartbeat_ids = {
            frame["reqId"]
            for frame in sdk.frames("sent")
            if frame["action"] == "YunApi"
            and frame["params"]["Action"] == "AppDeviceTraceHeartBeat"
        }
        return [f for f in sdk.frames("received") if f.get("reqId") in heartbeat_ids]

    # The first heartbeat goes right after ActivePush, the next ones every heartbeatInterval.
    await sdk.wait_for("received", "two heartbeat replies", lambda _: len(heartbeat_replies()) >= 2)
    for heartbeat in heartbeat_replies():
        assert not heartbeat.get("error"), f"a heartbeat was refused: {heartbeat}"
        assert "Error" not in heartbeat["data"]["Response"], f"a heartbeat failed: {heartbeat}"


@pytest.mark.parametrize("reply", [ActivePushReply.NO_IDS, ActivePushReply.NONE])
async def test_active_push_reply_not_needed(
    sim: CloudSimulator, sdk: SdkDriver, reply: ActivePushReply
) -> None:
    """The simulator's ActivePush replies without deviceIds, or none at all, are enough for the SDK."""
    sim.set_active_push_reply(reply)
    await sdk.call("subscribe", deviceIds=[BULB])
    async with asyncio.timeout(WAIT_SECONDS):
        await sim.wait_for_subscription(BULB)
    await sim.report(BULB, {"brightness": 23})
    await sdk.wait_for(
        "wsReport", f"a report after ActivePush answered {reply}", reports_brightness(23)
    )


async def test_report_push(sim: CloudSimulator, sdk: SdkDriver) -> None:
    """A device's report reaches the SDK as wsReport with the reported values."""
    await subscribed(sdk, sim, BULB)
    await sim.report(BULB, {"brightness": 42})
    report = await sdk.wait_for(
        "wsReport",
        f"brightness 42 of {BULB}",
        lambda data: data["deviceId"] == BULB and "brightness" in data["deviceData"],
    )
    assert report["deviceData"]["brightness"]["Value"] == 42, f"wsReport: {report}"


@pytest.mark.parametrize(
    "style", [{"nul_bytes": 4}, {"unpadded": True}], ids=["nul-padded", "unpadded"]
)
async def test_payload_styles(sim: CloudSimulator, sdk: SdkDriver, style: dict[str, Any]) -> None:
    """The simulator's NUL-padded and unpadded push payloads are ones the SDK reads."""
    await subscribed(sdk, sim, BULB)
    # Two payloads one character apart: the base64 of at least one of them needs "=" padding.
    sim.set_payload_style(**style)
    await sim.report(BULB, {"brightness": 42})
    await sim.report(BULB, {"brightness": 7})
    for value in (42, 7):
        await sdk.wait_for(
            "wsReport",
            f"brightness {value} sent {style}",
            reports_brightness(value),
        )
    payloads = [
        frame["params"]["Payload"]
        for frame in sdk.frames("received")
        if frame.get("push") and frame["params"]["Type"] == "Property"
    ]
    quirky = [p for p in payloads if (len(p) % 4 if "unpadded" in style else b64decode(p)[-1] == 0)]
    assert quirky, f"the simulator sent no payload {style}: {payloads}"


async def test_control_echo(sim: CloudSimulator, sdk: SdkDriver) -> None:
    """A control is pushed back to the SDK as wsControl, then reported as wsReport."""
    await subscribed(sdk, sim, BULB)
    await sdk.api("AppControlDeviceData", DeviceId=BULB, Data=json.dumps({"brightness": 17}))
    control = await sdk.wait_for(
        "wsControl", f"the control of {BULB}", lambda data: data["deviceId"] == BULB
    )
    assert control["deviceData"]["brightness"]["Value"] == 17, f"wsControl: {control}"
    await sdk.wait_for(
        "wsReport",
        "the device's report of the applied control",
        reports_brightness(17),
    )


async def test_offline_online(sim: CloudSimulator, sdk: SdkDriver) -> None:
    """A device going offline, then online, reaches the SDK as wsStatusChange 0, then 1."""
    await subscribed(sdk, sim, BULB)
    await sim.set_online(BULB, False)
    await sdk.wait_for(
        "wsStatusChange",
        f"{BULB} offline",
        lambda data: data == {"deviceId": BULB, "deviceStatus": 0},
    )
    await sim.set_online(BULB, True)
    await sdk.wait_for(
        "wsStatusChange",
        f"{BULB} online",
        lambda data: data == {"deviceId": BULB, "deviceStatus": 1},
    )


async def test_event(sim: CloudSimulator, sdk: SdkDriver) -> None:
    """A device's event reaches the SDK as wsEventReport with its decoded payload."""
    await subscribed(sdk, sim, PLUG)
    await sim.raise_event(PLUG, "overload", {"power": 2500.5})
    event = await sdk.wait_for("wsEventReport", f"overload of {PLUG}")
    assert event["deviceId"] == PLUG, f"wsEventReport: {event}"
    assert event["Payload"]["eventId"] == "overload", f"wsEventReport: {event}"
    assert event["Payload"]["params"] == {"power": 2500.5}, f"wsEventReport: {event}"


async def test_async_action(sim: CloudSimulator, sdk: SdkDriver) -> None:
    """An async action reaches the SDK as wsActionPush, and the device's reply as wsActionReport."""
    await subscribed(sdk, sim, BULB)
    answer = await sdk.api(
        "AppCallDeviceActionAsync", DeviceId=BULB, ActionId="blink", InputParams='{"times":3}'
    )
    push = await sdk.wait_for("wsActionPush", f"blink on {BULB}")
    assert push["deviceId"] == BULB, f"wsActionPush: {push}"
    assert push["Payload"]["actionId"] == "blink", f"wsActionPush: {push}"
    assert push["Payload"]["params"] == {"times": 3}, f"wsActionPush: {push}"
    reply = await sdk.wait_for("wsActionReport", f"the reply of {BULB} to blink")
    assert reply["Payload"]["clientToken"] == push["Payload"]["clientToken"], (
        f"the action's reply does not name its request: {push} / {reply}"
    )
    assert answer["ClientToken"] == push["Payload"]["clientToken"], (
        f"AppCallDeviceActionAsync answered {answer}, the push carries {push}"
    )


async def test_bind_and_unbind(sim: CloudSimulator, sdk: SdkDriver) -> None:
    """A device bound to the home, then removed, reaches the SDK as wsDeviceBind, wsDeviceUnbind."""
    await subscribed(sdk, sim, BULB)
    device_id = await sim.add_device("3JQ8VX2K1M", "bulb_new_0001", family_id=family_of(sim, BULB))
    await sdk.wait_for(
        "wsDeviceBind", f"{device_id} bound", lambda data: data["deviceId"] == device_id
    )
    await sim.remove_device(device_id)
    await sdk.wait_for(
        "wsDeviceUnbind", f"{device_id} removed", lambda data: data["deviceId"] == device_id
    )


async def test_gateway_sub_device_bind(sim: CloudSimulator, sdk: SdkDriver) -> None:
    """A sub-device paired to, then removed from a gateway: wsSubDeviceBind, wsSubDeviceUnbind."""
    await subscribed(sdk, sim, GATEWAY)
    device_id = await sim.add_device(
        SENSOR_PRODUCT, "th_new_0001", family_id=family_of(sim, GATEWAY), gateway_id=GATEWAY
    )
    bound = await sdk.wait_for("wsSubDeviceBind", f"{device_id} paired to {GATEWAY}")
    assert bound["gatewayDeviceId"] == GATEWAY, f"wsSubDeviceBind: {bound}"
    paired = {(d["ProductId"], d["DeviceName"]) for d in bound["subDeviceList"]}
    assert (SENSOR_PRODUCT, "th_new_0001") in paired, f"wsSubDeviceBind: {bound}"
    await sim.remove_device(device_id)
    unbound = await sdk.wait_for("wsSubDeviceUnbind", f"{device_id} removed from {GATEWAY}")
    assert unbound["gatewayDeviceId"] == GATEWAY, f"wsSubDeviceUnbind: {unbound}"
    removed = {(d["ProductId"], d["DeviceName"]) for d in unbound["subDeviceList"]}
    assert (SENSOR_PRODUCT, "th_new_0001") in removed, f"wsSubDeviceUnbind: {unbound}"


@pytest.mark.parametrize("abort", [False, True], ids=["closed", "tcp-dropped"])
async def test_dropped_socket(sim: CloudSimulator, sdk: SdkDriver, abort: bool) -> None:
    """After the socket drops the SDK reconnects by itself, subscribes again and gets pushes."""
    await subscribed(sdk, sim, BULB)
    assert await sim.drop_websockets(abort=abort) == 1, "the SDK should hold one WebSocket"
    await sdk.wait_for("wsClose", "the dropped socket's close")
    await sdk.wait_for(
        "received",
        "the reply to a second ActivePush, on a new socket",
        lambda _: len(active_push_replies(sdk)) >= 2,
    )
    assert len(sdk.seen("socket")) >= 2, "the SDK did not open a new socket"
    await sim.report(BULB, {"brightness": 61})
    await sdk.wait_for(
        "wsReport",
        "a report on the new socket",
        reports_brightness(61),
    )


@pytest.mark.parametrize("revoke", [False, True], ids=["expired", "revoked"])
async def test_token_lapses(sim: CloudSimulator, sdk: SdkDriver, revoke: bool) -> None:
    """With its token expired or revoked, the SDK logs in again by itself and the call succeeds."""
    assert sim.expire_tokens(revoke=revoke) >= 1
    families = await sdk.api("AppGetFamilyList", Offset=0, Limit=10)
    assert families["Total"] >= 1, f"AppGetFamilyList after a new login: {families}"
    assert len(sdk.seen("login")) == 2, (
        "the SDK should have called getAccessToken once more: the simulator's error code for "
        "a lapsed token must contain InvalidAccessToken or VERIFY_LOGIN_FAIL (the SDK's rule)"
    )
