"""The WebSocket push channel against the simulator, and the decoding of DeviceChange pushes."""

import asyncio
import base64
import json
import logging
from typing import Any

import aiohttp
import pytest

from custom_components.tencent_iot.api import (
    ActionReply,
    BindChange,
    ControlEcho,
    DeviceEvent,
    PropertyReport,
    PushClient,
    PushIdentity,
    StatusChange,
    TencentIoTClient,
    decode_device_change,
)
from simulator import CloudSimulator
from simulator.push import device_change

from .common import (
    BULB,
    GATEWAY,
    PLUG,
    SMOKE,
    PushFactory,
    PushHarness,
    client_log,
    key,
    records_at,
    wait_until,
)

WATCHED = [key(BULB), key(PLUG), key(SMOKE), key(GATEWAY)]


async def _connected(harness: PushHarness, device_ids: list[str] | None = None) -> PushHarness:
    harness.push.subscribe(WATCHED if device_ids is None else device_ids)
    harness.push.start()
    await wait_until(lambda: harness.push.connected, what="the push channel to connect")
    return harness


async def _retrying_unconnected(harness: PushHarness) -> None:
    """Start the channel; after several attempts it is still down and has reported no change."""
    harness.push.subscribe(WATCHED)
    harness.push.start()
    await wait_until(lambda: harness.push.reconnect_count >= 3, what="several attempts")
    assert not harness.push.connected
    assert harness.changes == []


async def _sentinel(sim: CloudSimulator, harness: PushHarness, brightness: int) -> None:
    """Report a value and wait for it: every frame sent before it has been handled."""
    await sim.report(key(BULB), {"brightness": brightness})
    await wait_until(
        lambda: any(
            isinstance(e, PropertyReport) and e.values == {"brightness": brightness}
            for e in harness.events
        ),
        what=f"the report of brightness {brightness}",
    )


def _closed_ws_url(port: int) -> str:
    return f"ws://127.0.0.1:{port}/iotstudio_v2_weapp_1"


def _push_tasks() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("tencent_iot")]


# Subscription


async def test_subscribe_checks_reply(
    sim: CloudSimulator, client: TencentIoTClient, make_push: PushFactory
) -> None:
    """The channel subscribes all wanted devices and keeps the ids the cloud confirmed."""
    harness = make_push()
    assert (harness.push.connected, harness.push.last_message_at) == (False, None)
    await _connected(harness, [*WATCHED, "NOPE/unknown"])
    assert harness.changes == [True]
    assert harness.push.subscribed_ids == frozenset(WATCHED)
    assert harness.push.last_message_at is not None
    assert harness.push.reconnect_count == 0
    assert [(c["UserID"], c["DeviceIds"]) for c in sim.connections()] == [
        (sim.demo_user.user_id, sorted(WATCHED))
    ]
    assert sim.request_counts()["ActivePush"] == 1
    task = harness.push._task
    harness.push.start()  # already running: nothing happens
    assert harness.push._task is task


async def test_subscribe_again_when_devices_change(
    sim: CloudSimulator, make_push: PushFactory
) -> None:
    """A new device list is subscribed at once on the open connection."""
    harness = await _connected(make_push(), [key(BULB)])
    await sim.report(key(PLUG), {"power": 5.0})
    harness.push.subscribe([key(BULB), key(PLUG)])
    await wait_until(lambda: key(PLUG) in harness.push.subscribed_ids, what="the new subscription")
    assert sim.connections()[0]["DeviceIds"] == sorted([key(BULB), key(PLUG)])
    await sim.report(key(PLUG), {"power": 6.0})
    await wait_until(lambda: bool(harness.of_type(PropertyReport)), what="the plug's report")
    assert [e.values for e in harness.of_type(PropertyReport)] == [{"power": 6.0}]
    assert sim.request_counts()["ActivePush"] == 2
    assert harness.changes == [True]


async def test_empty_subscription_connects(sim: CloudSimulator, make_push: PushFactory) -> None:
    """With no device yet the channel still connects (to hear Bind pushes)."""
    harness = await _connected(make_push(), [])
    assert harness.push.subscribed_ids == frozenset()
    await sim.add_device(BULB.product_id, "bulb_added")
    await wait_until(lambda: bool(harness.events), what="the Bind push")
    assert harness.events == [
        BindChange(f"{BULB.product_id}/bulb_added", True, harness.events[0].seq)
    ]


async def test_refused_subscription(
    sim: CloudSimulator, make_push: PushFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """An empty deviceIds reply is a failure: the channel retries until the cloud accepts."""
    caplog.set_level(logging.DEBUG, logger="custom_components.tencent_iot")
    sim.refuse_subscriptions()
    harness = make_push()
    await _retrying_unconnected(harness)
    assert "subscription refused for all 4 devices" in str(harness.push.last_error)
    assert len(records_at(caplog, logging.DEBUG, "subscription refused for all 4 devices")) > 1
    # The owner tells the user that push is down; the client only says why, for debugging.
    assert not records_at(caplog, logging.WARNING, "")
    sim.refuse_subscriptions(False)
    await wait_until(lambda: harness.push.connected, what="the accepted subscription")
    assert harness.changes == [True]
    assert not records_at(caplog, logging.INFO, "")


async def test_subscribe_reply_missing(
    sim: CloudSimulator, make_push: PushFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A silent service (no reply to ActivePush nor to its heartbeat) drops the link."""
    sim.delay_next(0.3, action="ActivePush")
    harness = make_push(reply_timeout=0.1)
    await _connected(harness)
    assert harness.push.reconnect_count == 1
    assert sim.request_counts()["ActivePush"] == 2
    assert harness.push.last_error == "no reply to heartbeat within 0.1 s"
    assert harness.changes == [True]


def _pending_req_id(harness: PushHarness, kind: str) -> str | None:
    return next((r for r, p in harness.push._pending.items() if p.kind == kind), None)


@pytest.mark.parametrize(
    ("reply", "logged"),
    [
        ({"error": "-1", "error_message": "denied", "data": {}}, "subscription failed: -1 denied"),
        (
            {"error": "", "data": {"Response": {"Error": {"Code": "FailedOperation.Busy"}}}},
            "subscription failed: FailedOperation.Busy",
        ),
        ({"data": {"deviceIds": []}}, "subscription refused for all 4 devices"),
        ({"data": {"deviceIds": "all"}}, "subscription refused for all 4 devices"),
        (
            {"data": {"Response": {"Error": {"Code": "InvalidParameterValue.InvalidAccessToken"}}}},
            "access token rejected (InvalidParameterValue.InvalidAccessToken)",
        ),
    ],
)
async def test_subscription_reply_errors(
    sim: CloudSimulator,
    make_push: PushFactory,
    caplog: pytest.LogCaptureFixture,
    reply: dict[str, Any],
    logged: str,
) -> None:
    """A subscription reply carrying a transport or logic error drops the link."""
    sim.delay_next(0.3, action="ActivePush")
    harness = make_push(reply_timeout=1.0)
    harness.push.subscribe(WATCHED)
    harness.push.start()
    await wait_until(lambda: _pending_req_id(harness, "subscribe") is not None, what="ActivePush")
    await sim.send_garbage(json.dumps({**reply, "reqId": _pending_req_id(harness, "subscribe")}))
    await wait_until(lambda: harness.push.connected, what="the second subscription")
    assert harness.push.reconnect_count == 1
    assert harness.changes == [True]
    assert logged in str(harness.push.last_error)
    assert harness.token_errors == ("token" in logged)


async def test_heartbeat_reply_errors(
    sim: CloudSimulator, make_push: PushFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Backend errors in a heartbeat reply are logged; the link itself stays up."""
    caplog.set_level(logging.DEBUG, logger="custom_components.tencent_iot")
    harness = await _connected(make_push(heartbeat_interval=0.03, reply_timeout=2.0))
    sim.delay_next(0.3, action="AppDeviceTraceHeartBeat")
    await wait_until(lambda: _pending_req_id(harness, "heartbeat") is not None, what="a heartbeat")
    req_id = _pending_req_id(harness, "heartbeat")
    error = {"Response": {"Error": {"Code": "InternalError", "Message": "oops"}}}
    await sim.send_garbage(
        json.dumps({"reqId": req_id, "error": "503", "error_message": "busy", "data": error})
    )
    await wait_until(lambda: req_id not in harness.push._pending, what="the reply")
    assert records_at(caplog, logging.DEBUG, "Push heartbeat error: 503 busy")
    assert records_at(caplog, logging.DEBUG, "Push heartbeat error: InternalError")
    await wait_until(lambda: _pending_req_id(harness, "heartbeat") is not None, what="a heartbeat")
    req_id = _pending_req_id(harness, "heartbeat")
    await sim.send_garbage(json.dumps({"reqId": req_id, "data": "not an object"}))
    await wait_until(lambda: req_id not in harness.push._pending, what="the reply")
    assert harness.push.connected
    assert harness.changes == [True]


async def test_without_connection_callback(
    sim: CloudSimulator, client: TencentIoTClient, session: aiohttp.ClientSession
) -> None:
    """The connection callback is optional; pushes without Seq are applied as they come."""
    events: list[Any] = []
    push = PushClient(
        session,
        client.push_identity,
        lambda: client.access_token or "",
        events.append,
        backoff_min=0.01,
    )
    push.subscribe([key(BULB)])
    push.start()
    try:
        await wait_until(lambda: push.connected, what="the connection")
        await sim.drop_websockets()
        await wait_until(lambda: push.reconnect_count == 1 and push.connected, what="reconnect")
        frame = {
            "action": "DeviceChange",
            "params": {"Type": "StatusChange", "SubType": "Offline", "DeviceId": key(BULB)},
        }
        for _ in range(2):
            await sim.send_garbage(json.dumps(frame))
        await wait_until(lambda: len(events) == 2, what="both status changes")
        assert events == [StatusChange(key(BULB), False, None)] * 2
    finally:
        await push.stop()


# Heartbeat


async def test_heartbeat(sim: CloudSimulator, make_push: PushFactory) -> None:
    """Heartbeats go out every interval and their replies keep the link up."""
    harness = await _connected(make_push(heartbeat_interval=0.03))
    await wait_until(
        lambda: sim.request_counts().get("AppDeviceTraceHeartBeat", 0) >= 4,
        what="four heartbeats",
    )
    assert harness.push.connected
    assert harness.changes == [True]
    assert harness.push.reconnect_count == 0


async def test_heartbeat_reply_missing(
    sim: CloudSimulator, make_push: PushFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A heartbeat without a reply means a dead link: reconnect, and tell the owner."""
    harness = await _connected(make_push(heartbeat_interval=0.03, reply_timeout=0.1))
    sim.delay_next(0.4, action="AppDeviceTraceHeartBeat")
    await wait_until(lambda: harness.changes == [True, False, True], what="down and up again")
    assert harness.push.reconnect_count == 1
    assert harness.push.last_error == "no reply to heartbeat within 0.1 s"
    assert sim.request_counts()["ActivePush"] == 2


async def test_token_error_on_heartbeat(
    sim: CloudSimulator,
    client: TencentIoTClient,
    make_push: PushFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A heartbeat refused for the token asks the owner to log in, then reconnects."""
    caplog.set_level(logging.DEBUG)
    harness = await _connected(make_push(heartbeat_interval=0.03))
    old_token = client.access_token
    sim.expire_tokens()
    await wait_until(lambda: harness.changes == [True, False, True], what="a fresh connection")
    assert harness.token_errors == 1
    assert client.access_token != old_token
    assert sim.request_counts()["AppGetToken"] == 2
    assert harness.push.last_error == (
        "access token rejected (InvalidParameterValue.InvalidAccessToken)"
    )
    assert sim.connections()[0]["DeviceIds"] == sorted(WATCHED)
    log = client_log(caplog)
    assert "Push channel down" in log
    for secret in [old_token, client.access_token, sim.app_secret]:
        assert secret
        assert secret not in log


async def test_token_error_without_callback(
    sim: CloudSimulator, client: TencentIoTClient, make_push: PushFactory
) -> None:
    """Without a token callback the channel keeps trying with whatever token it is given."""
    harness = await _connected(make_push(heartbeat_interval=0.03, on_token_error=None))
    sim.expire_tokens()
    await wait_until(lambda: harness.changes == [True, False], what="the link to go down")
    await wait_until(lambda: harness.push.reconnect_count >= 3, what="refused reconnects")
    assert not harness.push.connected
    await client.relogin()
    await wait_until(lambda: harness.push.connected, what="the new token to be used")
    assert harness.changes == [True, False, True]
    assert harness.token_errors == 0


async def test_failing_token_callback(
    sim: CloudSimulator, make_push: PushFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """An exception in the token callback is logged; the channel keeps going."""

    async def broken() -> None:
        raise RuntimeError("cannot log in")

    harness = await _connected(make_push(heartbeat_interval=0.03, on_token_error=broken))
    sim.expire_tokens()
    await wait_until(
        lambda: bool(records_at(caplog, logging.ERROR, "Error in push token callback")),
        what="the logged callback error",
    )
    assert harness.push._task is not None
    assert not harness.push._task.done()


# Reconnecting


@pytest.mark.parametrize("abort", [False, True], ids=["close", "abort"])
async def test_reconnect_and_resubscribe(
    sim: CloudSimulator, make_push: PushFactory, abort: bool
) -> None:
    """A dropped socket is replaced, subscribed again, and the owner told both times."""
    harness = await _connected(make_push())
    assert await sim.drop_websockets(abort=abort) == 1
    await wait_until(lambda: harness.changes == [True, False, True], what="down and up again")
    assert harness.push.reconnect_count == 1
    assert sim.request_counts()["ActivePush"] == 2
    assert [(c["UserID"], c["DeviceIds"]) for c in sim.connections()] == [
        (sim.demo_user.user_id, sorted(WATCHED))
    ]
    await _sentinel(sim, harness, 64)


async def test_duplicates_remembered_per_connection(
    sim: CloudSimulator, make_push: PushFactory
) -> None:
    """A frame repeated on the same connection is dropped, but applied after a reconnect."""
    harness = await _connected(make_push())
    payload: dict[str, object] = {"method": "report", "params": {"brightness": 5}}
    frame = device_change(key(BULB), "Property", "Report", "", payload, seq=5)
    await sim.send_garbage(frame)
    await sim.send_garbage(frame)
    await _sentinel(sim, harness, 71)
    await sim.drop_websockets()
    await wait_until(lambda: harness.changes == [True, False, True], what="the reconnect")
    await sim.send_garbage(frame)
    await wait_until(lambda: len(harness.events) == 3, what="the repeated report")
    assert [e.values for e in harness.of_type(PropertyReport)] == [
        {"brightness": 5},
        {"brightness": 71},
        {"brightness": 5},
    ]


async def test_unreachable_cloud(
    make_push: PushFactory, caplog: pytest.LogCaptureFixture, closed_port: int
) -> None:
    """Nothing listening: the channel retries with backoff, saying why only at DEBUG."""
    caplog.set_level(logging.DEBUG, logger="custom_components.tencent_iot")
    harness = make_push(ws_url=_closed_ws_url(closed_port))
    await _retrying_unconnected(harness)
    assert len(records_at(caplog, logging.DEBUG, "Push channel down")) > 1
    assert harness.push.last_error
    assert not [r for r in caplog.records if r.levelno >= logging.INFO]


def test_backoff_bounds(session: aiohttp.ClientSession) -> None:
    """Exponential backoff 2 → 60 s with ±20 % jitter."""
    push = PushClient(
        session, PushIdentity(("ws://127.0.0.1:1/",)), lambda: "", lambda _event: None
    )
    first = [push._backoff(1) for _ in range(50)]
    assert all(2.0 <= delay <= 2.4 for delay in first)
    assert len(set(first)) > 1
    assert all(6.4 <= push._backoff(3) <= 9.6 for _ in range(50))
    assert all(51.2 <= push._backoff(6) <= 60.0 for _ in range(50))
    assert push._backoff(40) == 60.0


# Events


async def test_events_decoded(
    sim: CloudSimulator, client: TencentIoTClient, make_push: PushFactory
) -> None:
    """Reports, control echoes, status changes, events, action replies and binds."""
    harness = await _connected(make_push())
    await sim.report(key(BULB), {"brightness": 33})
    await client.control_device(BULB, {"power_switch": False})
    await sim.set_online(key(PLUG), False)
    await sim.raise_event(key(SMOKE), "smoke_alert", {"smoke_value": 500, "alarm_level": 2})
    result = await client.call_action(BULB, "blink", {"times": 2})
    added = await sim.add_device(BULB.product_id, "bulb_new", family_id=None)
    await sim.remove_device(added)
    await wait_until(lambda: len(harness.events) >= 8, what="eight events")
    assert [type(e) for e in harness.events] == [
        PropertyReport,
        ControlEcho,
        PropertyReport,
        StatusChange,
        DeviceEvent,
        ActionReply,
        BindChange,
        BindChange,
    ]
    report, echo, confirmed, status, event, reply, bind, unbind = harness.events
    assert isinstance(report, PropertyReport)
    assert report.device_key == key(BULB)
    assert report.values == {"brightness": 33}
    assert report.timestamp is not None
    assert report.timestamp > 10**12  # milliseconds
    assert report.seq is not None
    assert isinstance(echo, ControlEcho)
    assert echo.values == {"power_switch": 0}
    assert echo.client_token
    assert isinstance(confirmed, PropertyReport)
    assert confirmed.values == {"power_switch": 0}
    assert status == StatusChange(key(PLUG), False, status.seq)
    assert isinstance(event, DeviceEvent)
    assert (event.device_key, event.event_id, event.event_type) == (
        key(SMOKE),
        "smoke_alert",
        "alert",
    )
    assert event.params == {"smoke_value": 500, "alarm_level": 2}
    assert isinstance(reply, ActionReply)
    assert reply.client_token == result.client_token
    assert (reply.code, reply.status) == (0, "succ")
    assert bind == BindChange(added, True, bind.seq)
    assert unbind == BindChange(added, False, unbind.seq)


async def test_duplicate_dropped_older_report_passed_on(
    sim: CloudSimulator, make_push: PushFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A replayed report (same Seq, same payload) is dropped; an older one (lower Seq) passes.

    The older one carries its older timestamp, by which the owner keeps values from going back.
    """
    caplog.set_level(logging.DEBUG, logger="custom_components.tencent_iot")
    harness = await _connected(make_push())
    await _sentinel(sim, harness, 40)
    await sim.replay_out_of_order(key(BULB))  # brightness 40 again, then the old 80
    await _sentinel(sim, harness, 41)
    reports = harness.of_type(PropertyReport)
    assert [e.values for e in reports] == [
        {"brightness": 40},
        {"brightness": 80},
        {"brightness": 41},
    ]
    assert reports[1].timestamp is not None
    assert reports[0].timestamp is not None
    assert reports[1].timestamp < reports[0].timestamp
    assert len(records_at(caplog, logging.DEBUG, "Dropping duplicate push")) == 1
    # Other message types of the same device keep their own record.
    await sim.set_online(key(BULB), False)
    await wait_until(lambda: bool(harness.of_type(StatusChange)), what="the status change")


async def test_same_second_seq_passed_on(sim: CloudSimulator, make_push: PushFactory) -> None:
    """Pushes sharing a seconds-resolution Seq (the doc's samples) all pass, repeats do not."""
    harness = await _connected(make_push())
    second = 1_700_000_000

    def report(brightness: int) -> str:
        payload: dict[str, object] = {"method": "report", "params": {"brightness": brightness}}
        return device_change(key(BULB), "Property", "Report", "", payload, seq=second)

    for frame in (report(21), report(22), report(21), report(23)):
        await sim.send_garbage(frame)
    await _sentinel(sim, harness, 24)
    assert [e.values["brightness"] for e in harness.of_type(PropertyReport)] == [21, 22, 23, 24]


async def test_simulator_seconds_seq(sim: CloudSimulator, make_push: PushFactory) -> None:
    """With the simulator's seconds-resolution Seq, every report arrives."""
    harness = await _connected(make_push())
    sim.set_seq_in_seconds()
    for brightness in (31, 32, 33):
        await sim.report(key(BULB), {"brightness": brightness})
    await wait_until(lambda: len(harness.events) == 3, what="three reports")
    reports = harness.of_type(PropertyReport)
    assert [e.values["brightness"] for e in reports] == [31, 32, 33]
    assert all(e.seq is not None and e.seq < 10**11 for e in reports)  # seconds


async def test_malformed_frames_skipped(
    sim: CloudSimulator, make_push: PushFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Garbage of every kind is dropped alone, logged at debug level; the link goes on."""
    caplog.set_level(logging.DEBUG, logger="custom_components.tencent_iot")
    harness = await _connected(make_push())
    params = {"Type": "Property", "DeviceId": key(BULB), "Payload": "%%%", "Seq": 1}
    bad_payload = {"action": "DeviceChange", "push": True, "params": params}
    frames = [
        '{"action":"DeviceChange","push":tr',  # cut JSON
        "[1, 2, 3]",  # not an object
        '{"action":"DeviceChange","push":true}',  # no params
        json.dumps({"push": True, "params": {"DeviceId": "no-slash", "Type": "Property"}}),
        json.dumps(bad_payload),
        # '{"method":"report"' cut short, then NULs: still not JSON once they are removed
        json.dumps({**bad_payload, "params": {**params, "Payload": "eyJtZXRob2QiOiJyZXBvcnQiAAA"}}),
        json.dumps({"reqId": "not-mine", "data": {}}),  # a reply to nothing
    ]
    assert await sim.send_garbage() == 1
    for frame in frames:
        await sim.send_garbage(frame)
    for connection in sim.hub.connections:
        await connection.ws.send_bytes(b"\xff\xfe not utf-8")
        await connection.ws.send_bytes(
            device_change(
                key(PLUG), "Property", "Report", "", {"params": {"power": 1.5}}, seq=5
            ).encode()
        )
    await _sentinel(sim, harness, 55)
    assert harness.push.connected
    assert harness.changes == [True]
    assert [e.values for e in harness.of_type(PropertyReport)] == [
        {"power": 1.5},
        {"brightness": 55},
    ]
    assert not records_at(caplog, logging.WARNING, "Skipping malformed push frame")
    assert len(records_at(caplog, logging.DEBUG, "Skipping malformed push frame")) == 8
    assert records_at(caplog, logging.DEBUG, "without a known reqId")


async def test_failing_callbacks(
    sim: CloudSimulator,
    client: TencentIoTClient,
    make_push: PushFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Exceptions raised by the owner's callbacks are logged and do not stop the channel."""
    seen: list[Any] = []

    def on_event(event: Any) -> None:
        seen.append(event)
        raise ValueError("owner bug")

    def on_change(connected: bool) -> None:
        seen.append(connected)
        raise ValueError("owner bug")

    push = PushClient(
        client._transport._session,
        client.push_identity,
        lambda: client.access_token or "",
        on_event,
        on_change,
        backoff_min=0.01,
        backoff_max=0.02,
    )
    push.subscribe([key(BULB)])
    push.start()
    try:
        await wait_until(lambda: push.connected, what="the connection")
        await sim.report(key(BULB), {"brightness": 3})
        await sim.report(key(BULB), {"brightness": 4})
        await wait_until(lambda: len(seen) == 3, what="both reports")
        assert push.connected
        assert records_at(caplog, logging.ERROR, "Error in push event callback")
        assert records_at(caplog, logging.ERROR, "Error in push connection callback")
    finally:
        await push.stop()


# Stopping


async def test_stop_leaves_nothing(sim: CloudSimulator, make_push: PushFactory) -> None:
    """stop() ends the task and closes the socket without calling back."""
    harness = await _connected(make_push())
    assert _push_tasks()
    await harness.push.stop()
    assert _push_tasks() == []
    assert harness.push._task is None
    assert not harness.push.connected
    assert harness.changes == [True]
    await wait_until(lambda: sim.connections() == [], what="the server to see the close")
    await harness.push.stop()  # twice is fine
    harness.push.subscribe([key(BULB)])  # not connected: only remembered
    assert _push_tasks() == []


async def test_stop_with_subscription_in_flight(make_push: PushFactory) -> None:
    """A subscription being sent when stop() comes is cancelled too."""
    harness = await _connected(make_push())
    harness.push.subscribe([key(BULB)])
    await harness.push.stop()
    assert _push_tasks() == []


async def test_stop_while_reconnecting(make_push: PushFactory, closed_port: int) -> None:
    """stop() also ends a channel that is waiting to reconnect."""
    harness = make_push(ws_url=_closed_ws_url(closed_port), backoff_min=5.0, backoff_max=5.0)
    harness.push.start()
    # The first connect refused, the channel waits its 5 s before the next.
    await wait_until(lambda: harness.push.last_error is not None, what="a refused connect")
    await harness.push.stop()
    assert _push_tasks() == []


# Decoding (pure)


def _params(kind: str, sub: str, payload: object, **extra: Any) -> dict[str, Any]:
    raw = json.dumps(payload).encode()
    return {
        "Type": kind,
        "SubType": sub,
        "DeviceId": "PID/dev",
        "Payload": base64.b64encode(raw).decode(),
        "Seq": 7,
        **extra,
    }


def test_decode_property_variants() -> None:
    """Report, control and shadow documents; replies carry nothing."""
    report = decode_device_change(
        _params(
            "Template", "Report", {"method": "report", "params": {"a": 1}, "timestamp": 1700000000}
        )
    )
    assert report == PropertyReport("PID/dev", {"a": 1}, 1700000000000, 7)
    implicit = decode_device_change(_params("Property", "Report", {"params": {"a": 2}}))
    assert implicit == PropertyReport("PID/dev", {"a": 2}, None, 7)
    control = decode_device_change(
        _params("Property", "Control", {"params": {"a": 3}, "clientToken": "c"})
    )
    assert control == ControlEcho("PID/dev", {"a": 3}, "c", 7)
    shadow = decode_device_change(
        _params("Shadow", "Report", {"type": "update", "state": {"reported": {"a": 4}}})
    )
    assert shadow == PropertyReport("PID/dev", {"a": 4}, None, 7)
    delta = decode_device_change(
        _params("Shadow", "Push", {"type": "delta", "payload": {"state": {"a": 5}}})
    )
    assert delta == ControlEcho("PID/dev", {"a": 5}, "", 7)
    assert decode_device_change(_params("Property", "Report", {"method": "report_reply"})) is None


def test_decode_other_types() -> None:
    """Status, events, actions, binds; unknown types and action requests are ignored."""
    assert decode_device_change(_params("StatusChange", "Online", {})) == StatusChange(
        "PID/dev", True, 7
    )
    assert decode_device_change(
        {"Type": "StatusChange", "SubType": "Offline", "DeviceId": "PID/dev", "Payload": ""}
    ) == StatusChange("PID/dev", False, None)
    assert decode_device_change(
        {
            "Type": "StatusChange",
            "SubType": "x",
            "DeviceId": "PID/dev",
            "Payload": base64.b64encode(b'{"Status": "Online"}').decode(),
        }
    ) == StatusChange("PID/dev", True, None)
    event = decode_device_change(_params("Event", "Report", {"eventId": "e", "timestamp": "5"}))
    assert event == DeviceEvent("PID/dev", "e", "info", {}, 5000, 7)
    assert decode_device_change(_params("Action", "Push", {"method": "action"})) is None
    reply = decode_device_change(
        _params("Action", "Report", {"method": "action_reply", "clientToken": "t", "code": "1"})
    )
    assert reply == ActionReply("PID/dev", "t", 1, "", {}, 7)
    assert decode_device_change(_params("Custom", "Report", {})) is None
    for kind, sub, bound in [
        ("Bind", "Bind", True),
        ("Unbind", "Unbind", False),
        ("Gateway", "UnbindSubDevice", False),
        ("BindDevice", "", True),
    ]:
        assert decode_device_change({"Type": kind, "SubType": sub, "DeviceId": "PID/dev"}) == (
            BindChange("PID/dev", bound, None)
        )


@pytest.mark.parametrize(
    "params",
    [
        {"Type": "Property", "DeviceId": "nodevice"},
        {"Type": "Property", "DeviceId": "a/b/c"},
        {"Type": "Property", "DeviceId": "P/d", "Payload": 5},
        {"Type": "Property", "DeviceId": "P/d", "Payload": "not base64!"},
        {"Type": "Property", "DeviceId": "P/d", "Payload": base64.b64encode(b"[1]").decode()},
        {"Type": "Property", "DeviceId": "P/d", "Payload": base64.b64encode(b"\xff").decode()},
        _params("Property", "Report", {"params": [1]}),
        _params("Shadow", "Report", {"type": "update", "state": 1}),
        _params("StatusChange", "Weird", {}),
        _params("Event", "Report", {"type": "alert"}),
        _params("Action", "Report", {"method": "action_reply", "response": "x"}),
    ],
)
def test_decode_malformed(params: dict[str, Any]) -> None:
    """Malformed pushes raise ValueError (the channel logs and skips them)."""
    with pytest.raises(ValueError):  # noqa: PT011 (one ValueError subclass for all reasons)
        decode_device_change(params)
