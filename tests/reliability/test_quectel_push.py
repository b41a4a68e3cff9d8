"""Quectel's push channel in HA: garbage frames, a refused token, the keep-alive, and polling."""

import json
import logging

from homeassistant.core import HomeAssistant
import pytest

from custom_components.tencent_iot.const import CONF_ACCESS_TOKEN
from tests.platform_common import coordinator_of, deliver_report, push_of, set_up_entry, wait_for
from tests.quectel_common import KETTLE_PLUG, LAMP, POWER_STATION

from .clouds import Cloud
from .conftest import short_push_timeouts
from .helpers import assert_end_state, wait_push_healthy
from .test_auth import reauth_flows

pytestmark = pytest.mark.parametrize("cloud", ["quectel"], indirect=True)


async def test_garbage_frames_are_skipped_quietly(
    hass: HomeAssistant, cloud: Cloud, caplog: pytest.LogCaptureFixture
) -> None:
    """Frames that are no valid message are skipped alone; the connection and others go on."""
    sim, entry = cloud.sim, cloud.entry
    await set_up_entry(hass, entry)
    await wait_push_healthy(hass, entry)
    push = push_of(entry)
    reconnects = push.reconnect_count
    message = {"productKey": "p11lt1", "deviceKey": "LT0001", "createdAt": 1}
    frames = [
        '{"cmd":"message","data":{"productKey"',
        "[1, 2, 3]",
        json.dumps({"cmd": "message", "data": "not an object"}),
        json.dumps({"cmd": "message", "data": {"type": "MATTR", "subtype": "REPORT"}}),
        json.dumps({"cmd": "message", "data": {**message, "type": "ONLINE", "data": {"value": 7}}}),
        json.dumps({"cmd": "message", "data": {**message, "type": "MEVENT", "data": {"kv": {}}}}),
        json.dumps(
            {
                "cmd": "message",
                "data": {**message, "type": "MATTR", "subtype": "REPORT", "data": {"kv": [1]}},
            }
        ),
    ]
    for text in frames:
        assert await sim.send_garbage(text) == 1
    # Unknown commands and message types are no harm either.
    await sim.send_garbage(json.dumps({"cmd": "mystery", "data": {}}))
    await sim.send_garbage(json.dumps({"cmd": "message", "data": {**message, "type": "RAW"}}))
    await deliver_report(hass, sim, coordinator_of(entry), LAMP, brightness=61)
    assert push.connected
    assert push.reconnect_count == reconnects
    skipped = [
        r for r in caplog.records if "Skipping malformed Quectel push frame" in r.getMessage()
    ]
    assert len(skipped) == len(frames)
    assert all(r.levelno == logging.DEBUG for r in skipped)
    await assert_end_state(hass, sim, entry)


async def test_refused_token_is_refreshed_and_push_reconnects(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """Push logins refused for the token (4008): the refresh token renews it, push comes back."""
    sim, entry = cloud.sim, cloud.entry
    await set_up_entry(hass, entry)
    await wait_push_healthy(hass, entry)
    old_token = entry.data[CONF_ACCESS_TOKEN]
    logins = sim.request_counts().get(cloud.requests.login, 0)
    cloud.expire_tokens()
    await sim.drop_websockets()
    await wait_for(hass, lambda: entry.data[CONF_ACCESS_TOKEN] != old_token)
    await wait_push_healthy(hass, entry)
    assert cloud.token_valid(entry.data[CONF_ACCESS_TOKEN])
    assert sim.request_counts().get("refreshToken", 0) == 1
    assert sim.request_counts().get(cloud.requests.login, 0) == logins
    assert not reauth_flows(hass)
    await deliver_report(hass, sim, coordinator_of(entry), LAMP, brightness=44)
    await assert_end_state(hass, sim, entry)


async def test_keep_alive(
    hass: HomeAssistant, cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The channel sends `{"cmd":"pong"}` on its own beat while nothing arrives."""
    short_push_timeouts(monkeypatch, heartbeat_interval=0.02)
    sim, entry = cloud.sim, cloud.entry
    await set_up_entry(hass, entry)
    await wait_push_healthy(hass, entry)
    beats = sim.connections()[0]["Heartbeats"]
    assert isinstance(beats, int)
    await wait_for(hass, lambda: sim.connections()[0]["Heartbeats"] >= beats + 3)  # type: ignore[operator]
    await assert_end_state(hass, sim, entry)


async def test_device_data_is_polled_only_while_push_is_down(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """With push healthy a poll reads online states only; push down, every device's values."""
    sim, entry = cloud.sim, cloud.entry
    await set_up_entry(hass, entry)
    coordinator = coordinator_of(entry)
    await wait_push_healthy(hass, entry)
    reads = cloud.requests.device_data
    sim.reset_request_counts()
    await coordinator.async_refresh()
    assert sim.request_counts().get(cloud.requests.statuses, 0) >= 1
    assert sim.request_counts().get(reads, 0) == 0

    push = push_of(entry)
    cloud.refuse_push()
    await sim.drop_websockets()
    await wait_for(hass, lambda: not push.connected)
    await sim.report(KETTLE_PLUG, {"power": 800.5})
    sim.reset_request_counts()
    await coordinator.async_refresh()
    assert sim.request_counts().get(reads, 0) == len(coordinator.devices)
    assert coordinator.devices[KETTLE_PLUG].values["power"] == 800.5
    cloud.refuse_push(False)
    await wait_push_healthy(hass, entry)
    await sim.report(POWER_STATION, {"battery_percentage": 55})
    await wait_for(
        hass, lambda: coordinator.devices[POWER_STATION].values["battery_percentage"] == 55
    )
    await assert_end_state(hass, sim, entry)
