"""Quectel's push channel against the simulator: login, subscription, events, faults."""

import json

import pytest

from custom_components.tencent_iot.api import (
    BindChange,
    DeviceEvent,
    PropertyReport,
    StatusChange,
)
from custom_components.tencent_iot.api.quectel import (
    QuectelClient,
    decode_message,
    push_urls,
)
from simulator.quectel import QuectelSimulator, WsRefusal
from tests.api.common import wait_until

from .conftest import QPushFactory, QPushHarness

LAMP = "p11lt1/LT0001"
STATION = "p11ps1/PS0001"
GATEWAY = "p11gw1/GW0001"
SENSOR = "p11th1/TH0001"
ALL = [LAMP, STATION, GATEWAY, SENSOR, "p11pg1/PG0001"]


async def connected(harness: QPushHarness, *device_ids: str) -> None:
    """Start the channel on these devices and wait until it is subscribed."""
    harness.push.subscribe(device_ids)
    harness.push.start()
    await wait_until(lambda: harness.push.connected, what="the push channel to connect")


async def test_login_subscribe_and_device_messages(
    quectel_sim: QuectelSimulator, make_qpush: QPushFactory
) -> None:
    """Reports, events and online changes arrive as the shared push events."""
    harness = make_qpush()
    await connected(harness, *ALL)
    assert harness.push.subscribed_ids == frozenset(ALL)
    assert harness.changes == [True]
    assert harness.push.ws_url.endswith("/ws/v2")
    [connection] = quectel_sim.connections()
    assert connection["Uid"] == "C1001"
    assert connection["DeviceIds"] == sorted(ALL)
    await quectel_sim.report(LAMP, {"brightness": 33, "power": False})
    await quectel_sim.raise_event(STATION, "low_battery", {"battery_percentage": 5})
    await quectel_sim.set_online(GATEWAY, False)
    await wait_until(lambda: len(harness.events) == 4, what="four events")
    report, event, gateway, sensor = harness.events
    assert isinstance(report, PropertyReport)
    assert (report.device_key, dict(report.values)) == (
        LAMP,
        {"brightness": "33", "power": "false"},
    )
    assert report.timestamp is not None
    assert event == DeviceEvent(
        STATION,
        "low_battery",
        "alert",
        {"battery_percentage": 5},  # the text of a number, read as one
        event.timestamp,  # type: ignore[union-attr]
    )
    assert (gateway, sensor) == (StatusChange(GATEWAY, False), StatusChange(SENSOR, False))
    assert harness.push.last_message_at is not None


async def test_values_as_json_and_permission_changes(
    quectel_sim: QuectelSimulator, make_qpush: QPushFactory
) -> None:
    """Values may come as JSON values; ENDUSER data as text or as an object: binds and unbinds."""
    harness = make_qpush()
    await connected(harness, *ALL)
    quectel_sim.set_push_style(kv_as_text=False, enduser_data_as_text=False)
    await quectel_sim.report(LAMP, {"brightness": 12})
    await quectel_sim.add_device("p11pg1", "PG0002")
    quectel_sim.set_push_style()
    await quectel_sim.unshare("p11pg1/PG0001", "C1002")  # the guest's, not ours: nothing for us
    await quectel_sim.remove_device("p11pg1/PG0002")
    await quectel_sim.share("p11pg1/PG0001", "C1001")
    await wait_until(lambda: len(harness.events) == 4, what="four events")
    assert harness.events == [
        PropertyReport(LAMP, {"brightness": 12}, harness.events[0].timestamp),  # type: ignore[union-attr]
        BindChange("p11pg1/PG0002", True),
        BindChange("p11pg1/PG0002", False),
        BindChange("p11pg1/PG0001", True),
    ]


async def test_keep_alive(quectel_sim: QuectelSimulator, make_qpush: QPushFactory) -> None:
    """The client sends {"cmd":"pong"} on connecting and then every heartbeat interval."""
    harness = make_qpush(heartbeat_interval=0.05)
    await connected(harness, LAMP)
    await wait_until(
        lambda: any(c.heartbeats >= 3 for c in quectel_sim.hub.connections), what="heartbeats"
    )
    assert harness.push.connected


@pytest.mark.parametrize("abort", [False, True], ids=["closed", "dropped"])
async def test_reconnects_after_the_socket_goes(
    quectel_sim: QuectelSimulator, make_qpush: QPushFactory, abort: bool
) -> None:
    """A closed or dropped socket: the channel reconnects, logs in and subscribes again."""
    harness = make_qpush()
    await connected(harness, LAMP)
    await quectel_sim.drop_websockets(abort=abort)
    await wait_until(lambda: harness.changes == [True, False, True], what="a reconnect")
    assert harness.push.reconnect_count >= 1
    await quectel_sim.report(LAMP, {"brightness": 50})
    await wait_until(lambda: len(harness.events) == 1, what="a report after reconnecting")


@pytest.mark.parametrize("how", [WsRefusal.NOT_FOUND, WsRefusal.CLOSE])
async def test_falls_back_to_the_docs_path(
    quectel_sim: QuectelSimulator, make_qpush: QPushFactory, how: WsRefusal
) -> None:
    """/ws/v2 refused: the doc's /ws/v1 serves."""
    quectel_sim.refuse_ws_path("/ws/v2", how)
    harness = make_qpush()
    await connected(harness, LAMP)
    assert harness.push.ws_url.endswith("/ws/v1")
    assert [c["Path"] for c in quectel_sim.connections()] == ["/ws/v1"]


async def test_single_refused_url_backs_off(
    quectel_sim: QuectelSimulator, make_qpush: QPushFactory
) -> None:
    """A custom URL that is refused is tried again after a back-off, and serves once back."""
    quectel_sim.refuse_ws_path("/ws/v1")
    harness = make_qpush(quectel_sim.doc_ws_url)
    harness.push.subscribe([LAMP])
    harness.push.start()
    await wait_until(lambda: harness.push.reconnect_count >= 2, what="retries")
    assert not harness.push.connected
    quectel_sim.refuse_ws_path("/ws/v1", None)
    await wait_until(lambda: harness.push.connected, what="the channel to connect")


async def test_rejected_token_is_renewed(
    quectel_sim: QuectelSimulator, make_qpush: QPushFactory, qclient: QuectelClient
) -> None:
    """login_resp 4008: the owner renews the token, and the channel logs in with the new one."""
    harness = make_qpush()
    await connected(harness, LAMP)
    old = qclient.access_token
    quectel_sim.expire_tokens()
    await quectel_sim.drop_websockets()
    await wait_until(lambda: harness.changes == [True, False, True], what="a reconnect")
    assert harness.token_errors == 1
    assert qclient.access_token != old


async def test_token_error_callback_failure_is_logged(
    quectel_sim: QuectelSimulator, make_qpush: QPushFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A failing token callback is logged; the channel keeps trying."""

    async def broken() -> None:
        raise RuntimeError("boom")

    quectel_sim.refuse_push_login()
    harness = make_qpush(on_token_error=broken)
    harness.push.subscribe([LAMP])
    harness.push.start()
    await wait_until(lambda: harness.push.reconnect_count >= 2, what="retries")
    assert "Error in push token callback" in caplog.text
    quectel_sim.refuse_push_login(enabled=False)
    await wait_until(lambda: harness.push.connected, what="the channel to connect")


async def test_malformed_frames_and_duplicates(
    quectel_sim: QuectelSimulator, make_qpush: QPushFactory
) -> None:
    """Garbage costs only its frame; a message delivered twice (same ticket) counts once."""
    harness = make_qpush()
    await connected(harness, LAMP)
    message = {
        "cmd": "message",
        "data": {
            "productKey": "p11lt1",
            "deviceKey": "LT0001",
            "type": "MATTR",
            "subtype": "REPORT",
            "ticket": "T1",
            "data": {"kv": {"brightness": "9"}},
        },
    }
    for text in (
        "not json",
        "[1, 2]",
        json.dumps({"cmd": "message", "data": {"type": "ONLINE"}}),
        json.dumps(
            {
                "cmd": "message",
                "data": {
                    "productKey": "p",
                    "deviceKey": "d",
                    "type": "ONLINE",
                    "data": {"value": 7},
                },
            }
        ),
        json.dumps({"cmd": "message", "data": "{broken"}),
        json.dumps({"cmd": "error", "data": {"code": 4001, "msg": "server internal exception"}}),
        json.dumps({"cmd": "send_ack", "data": {}}),
        json.dumps(message),
        json.dumps(message),
    ):
        await quectel_sim.send_garbage(text)
    await quectel_sim.report(LAMP, {"brightness": 10})
    await wait_until(lambda: len(harness.events) == 2, what="two reports")
    assert [dict(e.values) for e in harness.events] == [{"brightness": "9"}, {"brightness": "10"}]  # type: ignore[union-attr]
    assert harness.changes == [True]


async def test_error_frame_with_token_code_reconnects(
    quectel_sim: QuectelSimulator, make_qpush: QPushFactory
) -> None:
    """An `error` frame saying "not logged in" makes the channel renew and log in again."""
    harness = make_qpush()
    await connected(harness, LAMP)
    await quectel_sim.send_garbage(
        json.dumps({"cmd": "error", "data": {"code": 4010, "msg": "user not logged in"}})
    )
    await wait_until(lambda: harness.changes == [True, False, True], what="a reconnect")
    assert harness.token_errors == 1


async def test_subscription_follows_the_device_list(
    quectel_sim: QuectelSimulator, make_qpush: QPushFactory
) -> None:
    """Devices added are subscribed, devices removed unsubscribed, on the open socket."""
    harness = make_qpush()
    await connected(harness, LAMP, STATION)
    harness.push.subscribe([LAMP, GATEWAY])
    await wait_until(
        lambda: quectel_sim.connections()[0]["DeviceIds"] == [GATEWAY, LAMP], what="resubscription"
    )
    await wait_until(lambda: harness.push.subscribed_ids == {LAMP, GATEWAY}, what="the reply")
    harness.push.subscribe([LAMP])
    await wait_until(
        lambda: quectel_sim.connections()[0]["DeviceIds"] == [LAMP], what="unsubscription"
    )
    assert harness.push.subscribed_ids == {LAMP}
    harness.push.subscribe([])
    await wait_until(lambda: quectel_sim.connections()[0]["DeviceIds"] == [], what="no devices")
    assert harness.push.connected


async def test_no_devices_and_all_refused(
    quectel_sim: QuectelSimulator, make_qpush: QPushFactory
) -> None:
    """No devices: logged in is connected. Every device refused: push counts as down."""
    empty = make_qpush()
    await connected(empty)
    assert empty.push.subscribed_ids == frozenset()
    refused = make_qpush()
    refused.push.subscribe(["nope/none"])
    refused.push.start()
    await wait_until(lambda: refused.push.reconnect_count >= 2, what="retries")
    assert not refused.push.connected


async def test_callback_errors_are_logged(
    quectel_sim: QuectelSimulator, make_qpush: QPushFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """An event or connection callback that raises does not stop the channel."""

    def broken(_: object) -> None:
        raise RuntimeError("boom")

    harness = make_qpush()
    harness.push._on_event = broken
    harness.push._on_connection_change = broken
    harness.push.subscribe([LAMP])
    harness.push.start()
    await wait_until(lambda: harness.push.connected, what="the channel to connect")
    await quectel_sim.report(LAMP, {"brightness": 2})
    await wait_until(lambda: "Error in push event callback" in caplog.text, what="the log")
    assert "Error in push connection callback" in caplog.text
    await harness.push.stop()
    await harness.push.stop()


async def test_login_reply_timeout(quectel_sim: QuectelSimulator, make_qpush: QPushFactory) -> None:
    """A service that never answers the login is down; the channel retries."""
    harness = make_qpush(quectel_sim.doc_ws_url, reply_timeout=0.05)
    quectel_sim.silence_push_login()
    harness.push.start()
    await wait_until(lambda: harness.push.reconnect_count >= 2, what="retries")
    assert not harness.push.connected
    quectel_sim.silence_push_login(enabled=False)
    await wait_until(lambda: harness.push.connected, what="the channel to connect")


def test_decode_message() -> None:
    """ONLINE 2 is online again; other types carry nothing; bad messages raise ValueError."""
    base = {"productKey": "p", "deviceKey": "d"}
    assert decode_message({**base, "type": "ONLINE", "data": {"value": 2}}) == StatusChange(
        "p/d", True
    )
    assert decode_message({**base, "type": "STATUS", "data": {"kv": {}}}) is None
    assert decode_message({**base, "type": "MATTR", "subtype": "OTHER"}) is None
    assert decode_message({**base, "type": "ENDUSER", "data": '{"value": 2}'}) == BindChange(
        "p/d", False
    )
    event = decode_message({**base, "type": "MEVENT", "subtype": "ERROR", "data": {"code": "e"}})
    assert event == DeviceEvent("p/d", "e", "fault", {}, None)
    for bad in (
        {"type": "ONLINE"},
        {**base, "type": "MEVENT", "data": {}},
        {**base, "type": "MATTR", "subtype": "REPORT", "data": {"kv": [1]}},
    ):
        with pytest.raises(ValueError, match=r"\w"):
            decode_message(bad)


def test_push_urls() -> None:
    """Only a /ws/v2 URL gets the doc's /ws/v1 as fallback."""
    assert push_urls("wss://h:8443/ws/v2") == ("wss://h:8443/ws/v2", "wss://h:8443/ws/v1")
    assert push_urls("ws://h/custom") == ("ws://h/custom",)
