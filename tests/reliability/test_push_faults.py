"""The WebSocket misbehaving: drops, garbage, unknown fields, duplicates and old pushes."""

import json
import logging
import time

from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.api import PushClient, PushEvent, PushIdentity
from custom_components.tencent_iot.const import CONF_ACCESS_TOKEN, DOMAIN
from simulator import CloudSimulator
from simulator.model import PropValue
from simulator.push import device_change, encode_payload
from tests.platform_common import (
    BULB,
    CURTAIN,
    PLUG,
    coordinator_of,
    count_state_writes,
    deliver_report,
    push_of,
    set_up_entry,
    wait_for,
)

from .clouds import CLOUDS, Cloud
from .conftest import PUSH_REPLY_TIMEOUT
from .helpers import assert_end_state, push_healthy_coordinator, wait_push_healthy


def warnings_about(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    """WARNING (or worse) messages containing `text`."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and text in r.getMessage()
    ]


@pytest.mark.parametrize("cloud", CLOUDS, indirect=True)
@pytest.mark.parametrize("abort", [False, True], ids=["close-frame", "tcp-drop"])
async def test_websocket_dropped_reconnects_with_backoff_and_catches_up(
    hass: HomeAssistant, cloud: Cloud, monkeypatch: pytest.MonkeyPatch, abort: bool
) -> None:
    """Reconnects back off, resubscribe, and a change made during the outage reaches HA."""
    sim, setup_integration = cloud.sim, cloud.entry
    await set_up_entry(hass, setup_integration)
    coordinator = coordinator_of(setup_integration)
    push = push_of(setup_integration)
    await wait_push_healthy(hass, setup_integration)
    # Long enough to see the delays grow: 20 ms doubling up to 160 ms, with jitter.
    monkeypatch.setattr(push, "_backoff_min", 0.02)
    monkeypatch.setattr(push, "_backoff_max", 0.16)
    reconnects_before = push.reconnect_count

    cloud.refuse_push()
    await sim.drop_websockets(abort=abort)
    await wait_for(hass, lambda: not push.connected)
    sim.reset_request_counts()
    # Made while no subscription is accepted: no push can carry these.
    await sim.report(cloud.bulb, {"brightness": 7})
    await sim.report(cloud.plug, {cloud.plug_switch: cloud.switch_value(False)})
    offline = CURTAIN if cloud.name == "tencent" else cloud.plug
    await sim.set_online(offline, False)
    await wait_for(hass, lambda: cloud.push_attempts() >= 6)
    attempts_at = hass.loop.time()
    await wait_for(hass, lambda: hass.loop.time() - attempts_at > 0.6)
    # 0.6 s of refusals with delays growing to 160 ms: a handful of attempts, not dozens.
    assert 3 <= cloud.push_attempts() - 6 <= 8

    cloud.refuse_push(False)
    await wait_push_healthy(hass, setup_integration)
    assert push.reconnect_count > reconnects_before
    await wait_for(hass, lambda: coordinator.devices[cloud.bulb].values.get("brightness") == 7)
    await wait_for(hass, lambda: not coordinator.devices[offline].online)
    # Subscribed again to every device: a new report arrives by push.
    await deliver_report(hass, sim, coordinator, cloud.bulb, brightness=8)
    await assert_end_state(hass, sim, setup_integration)


async def test_garbage_frames_are_skipped_quietly(
    hass: HomeAssistant,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Undecodable frames are skipped alone, at debug level, without dropping the connection."""
    caplog.set_level(logging.DEBUG, logger="custom_components.tencent_iot")
    coordinator = coordinator_of(setup_integration)
    push = push_of(setup_integration)
    await wait_push_healthy(hass, setup_integration)
    reconnects = push.reconnect_count
    seq = sim.state.device(BULB).seq
    bad_payload = {"DeviceId": BULB, "Type": "Property", "SubType": "Report", "Seq": seq + 1}
    for text in (
        '{"action":"DeviceChange","push":tr',
        "[1, 2, 3]",
        '{"action": "DeviceChange", "push": true, "params": "nope"}',
        json.dumps({"push": True, "params": {**bad_payload, "Payload": "%%% not base64"}}),
        json.dumps({"push": True, "params": {**bad_payload, "Payload": "bm90IGpzb24="}}),
        json.dumps({"push": True, "params": {"DeviceId": "no-slash", "Type": "Property"}}),
        json.dumps(
            {
                "push": True,
                "params": {
                    **bad_payload,
                    "Payload": encode_payload({"method": "report", "params": [1, 2]}),
                },
            }
        ),
    ):
        assert await sim.send_garbage(text) == 1
    await deliver_report(hass, sim, coordinator, BULB, brightness=61)
    assert push.connected
    assert push.reconnect_count == reconnects
    assert not warnings_about(caplog, "malformed push frame")
    skipped = [r for r in caplog.records if "Skipping malformed push frame" in r.getMessage()]
    assert len(skipped) == 7
    await assert_end_state(hass, sim, setup_integration)


async def test_unknown_fields_and_types_are_ignored(
    hass: HomeAssistant,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Fields, push types, properties and an envelope the integration does not know: no harm."""
    coordinator = await push_healthy_coordinator(hass, setup_integration)
    device = sim.state.device(BULB)
    brightness = device.values()["brightness"]
    frames = [
        # A push type nobody documented, with fields nobody knows.
        device_change(BULB, "Telemetry", "Report", "$x", {"foo": 1}, seq=device.seq + 1),
        # A report with an unknown property and unknown payload fields beside a known one.
        device_change(
            BULB,
            "Property",
            "Report",
            f"$thing/up/property/{BULB}",
            {
                "method": "report",
                "timestamp": device.data["brightness"].last_update,
                "params": {"brightness": brightness, "mystery_level": 3},
                "extra": {"nested": [1, 2]},
            },
            seq=device.seq + 2,
        ),
    ]
    unknown_action = {"action": "Mystery", "reqId": "x", "data": {"anything": True}}
    for text in [*frames, json.dumps(unknown_action)]:
        await sim.send_garbage(text)
    device.seq += 2
    # The cloud grows a property the product's model does not declare, and switches to the
    # live service's {"code", "msg", "data"} envelope.
    device.data["mystery_level"] = PropValue(3, device.data["brightness"].last_update)
    sim.set_wrapped(True)
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    # A reconnect reads every device's data again, the unknown property included.
    push = push_of(setup_integration)
    reconnects = push.reconnect_count
    await sim.drop_websockets()
    await wait_for(hass, lambda: push.reconnect_count > reconnects and push.connected)
    await deliver_report(hass, sim, coordinator, BULB, brightness=12)
    assert coordinator.devices[BULB].values.get("mystery_level") == 3
    # The reconnect is said once at INFO when push goes down and once when it is back; nothing
    # is worth a warning.
    assert warnings_about(caplog, "") == []
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.INFO] == [
        "Push channel is down (closed by the server); polling device data until it is back",
        "Push channel is back; reading what changed meanwhile",
    ]
    await assert_end_state(hass, sim, setup_integration)


async def test_duplicate_and_out_of_order_pushes_never_go_backwards(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Replayed and older pushes, before and after a reconnect, never move a value back."""
    coordinator = await push_healthy_coordinator(hass, setup_integration)
    light = er.async_get(hass).async_get_entity_id("light", DOMAIN, f"{BULB}/light")
    assert light is not None
    seen: list[int] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        new_state = event.data["new_state"]
        if (
            event.data["entity_id"] == light
            and new_state is not None
            and (brightness := new_state.attributes.get("brightness")) is not None
        ):
            seen.append(brightness)

    unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, record)
    await sim.report(BULB, {"power_switch": 1, "color_mode": 0})
    for level in range(10, 100, 10):
        await sim.report(BULB, {"brightness": level})
        await sim.replay_out_of_order(BULB)
        # The very same frame again.
        last_report = sim.state.device(BULB).last_report
        assert last_report is not None
        await sim.send_garbage(last_report)
    await wait_for(hass, lambda: coordinator.devices[BULB].values["brightness"] == 90)

    # After a reconnect the channel forgets Seq numbers; report timestamps still rule.
    push = push_of(setup_integration)
    await sim.drop_websockets()
    await wait_for(hass, lambda: not push.connected)
    await wait_push_healthy(hass, setup_integration)
    await sim.replay_out_of_order(BULB)
    await sim.report(PLUG, {"power_switch": 1})
    await wait_for(hass, lambda: coordinator.devices[PLUG].values["power_switch"] is True)
    unsubscribe()

    assert coordinator.devices[BULB].values["brightness"] == 90
    assert seen
    assert seen == sorted(set(seen)), f"brightness went back: {seen}"
    await assert_end_state(hass, sim, setup_integration)


async def test_subscription_reply_never_comes(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A subscription left unanswered times out, and the channel connects again."""
    coordinator = coordinator_of(setup_integration)
    push = push_of(setup_integration)
    await wait_push_healthy(hass, setup_integration)
    # Held longer than the reply timeout (see conftest).
    sim.delay_next(PUSH_REPLY_TIMEOUT * 3, count=1, action="ActivePush")
    await sim.drop_websockets()
    await wait_for(hass, lambda: not push.connected)
    await sim.report(BULB, {"brightness": 44})
    await wait_push_healthy(hass, setup_integration)
    await wait_for(hass, lambda: coordinator.devices[BULB].values.get("brightness") == 44)
    await assert_end_state(hass, sim, setup_integration)


async def test_heartbeats_go_on_after_a_slow_event(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A frame handled past the heartbeat deadline does not stop heartbeats (or link checks).

    The channel's next wait then has no time left; a zero timeout must not mean "wait forever".
    """
    await wait_push_healthy(hass, setup_integration)
    received: list[PushEvent] = []

    def slow_event(event: PushEvent) -> None:
        received.append(event)
        time.sleep(0.03)  # longer than the heartbeat interval below

    push = PushClient(
        async_get_clientsession(hass),
        PushIdentity((sim.ws_url,)),
        token_provider=lambda: setup_integration.data[CONF_ACCESS_TOKEN],
        on_event=slow_event,
        heartbeat_interval=0.02,
        reply_timeout=PUSH_REPLY_TIMEOUT,
    )
    push.subscribe([BULB])
    push.start()
    try:
        await wait_for(hass, lambda: push.connected)
        await sim.report(BULB, {"brightness": 52})
        await wait_for(hass, lambda: bool(received))
        beats = sim.request_counts().get("AppDeviceTraceHeartBeat", 0)
        # Nothing else arrives: only the heartbeat's own deadline can wake the channel.
        await wait_for(
            hass,
            lambda: sim.request_counts().get("AppDeviceTraceHeartBeat", 0) >= beats + 3,
            seconds=2,
        )
    finally:
        await push.stop()
    await assert_end_state(hass, sim, setup_integration)


async def test_push_rewrites_only_the_entities_showing_the_change(
    hass: HomeAssistant,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A report rewrites the entities of the changed property; a status change all of them.

    With several entities per device, rewriting every one per push is what limited the push
    rate (see bench/results.md).
    """
    coordinator = await push_healthy_coordinator(hass, setup_integration)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    plug_entities = {
        entity.entity_id
        for entity in er.async_entries_for_config_entry(registry, setup_integration.entry_id)
        if entity.unique_id.startswith(f"{PLUG}/") and entity.disabled_by is None
    }
    countdown = registry.async_get_entity_id("number", DOMAIN, f"{PLUG}/countdown")
    written = count_state_writes(monkeypatch)
    await deliver_report(hass, sim, coordinator, PLUG, countdown=77)
    assert set(written) == {countdown}
    written.clear()
    await sim.set_online(PLUG, False)
    await wait_for(hass, lambda: not coordinator.devices[PLUG].online)
    assert set(written) == plug_entities
    await assert_end_state(hass, sim, setup_integration)
