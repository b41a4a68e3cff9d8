"""The coordinator: push first, polling as the fallback, and what happens when the cloud errs."""

import asyncio
from datetime import timedelta
import logging
import math
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.tencent_iot import coordinator as coordinator_module, push_session
from custom_components.tencent_iot.api import (
    TencentIoTAuthError,
    TencentIoTConnectionError,
)
from custom_components.tencent_iot.cloud import CoalescedRead, run_all
from custom_components.tencent_iot.const import (
    CONF_ACCESS_TOKEN,
    CONF_ROOMS,
    CONF_USE_PUSH,
    DEVICE_LIST_REFRESH,
    DOMAIN,
)
from custom_components.tencent_iot.control import async_set_values
from custom_components.tencent_iot.coordinator import TencentIoTCoordinator
from simulator import CloudSimulator

from .platform_common import (
    BALCONY,
    BULB,
    GATEWAY,
    PLUG,
    connected_push,
    coordinator_of,
    deliver_report,
    set_up_entry,
    set_up_while_cloud_down,
    take_push_down,
    wait_for,
)


async def set_up_polled(hass: HomeAssistant, entry: MockConfigEntry) -> TencentIoTCoordinator:
    """Set the entry up with push off, so that only polls read the cloud; its coordinator."""
    hass.config_entries.async_update_entry(entry, options={CONF_USE_PUSH: False})
    await set_up_entry(hass, entry)
    return coordinator_of(entry)


def succeeded(coordinator: TencentIoTCoordinator) -> bool:
    """Whether the last refresh succeeded (a call, so type narrowing does not stick)."""
    return coordinator.last_update_success


pytestmark = pytest.mark.usefixtures("fast_push_backoff")


async def test_push_report_applies_without_poll(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A property report pushed by the cloud updates the state without any HTTP read."""
    coordinator = coordinator_of(setup_integration)
    await sim.wait_for_subscription(BULB)
    calls: list[str] = []
    coordinator.listeners.async_add_device_listener(BULB, lambda: calls.append(BULB))
    sim.reset_request_counts()
    await deliver_report(hass, sim, coordinator, BULB, brightness=42)
    assert calls == [BULB]
    assert "AppGetDeviceData" not in sim.request_counts()


async def test_push_status_change(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Online/offline pushes change the device's availability."""
    coordinator = coordinator_of(setup_integration)
    await sim.wait_for_subscription(BULB)
    await sim.set_online(BULB, False)
    await wait_for(hass, lambda: not coordinator.devices[BULB].online)
    await sim.set_online(BULB, True)
    await wait_for(hass, lambda: coordinator.devices[BULB].online)


async def test_out_of_order_push_never_goes_back(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A duplicate or older push does not overwrite a newer value."""
    coordinator = coordinator_of(setup_integration)
    await sim.wait_for_subscription(BULB)
    await sim.report(BULB, {"brightness": 10})
    await deliver_report(hass, sim, coordinator, BULB, brightness=90)
    await sim.replay_out_of_order(BULB)
    await sim.report(PLUG, {"power_switch": 0})
    await wait_for(hass, lambda: coordinator.devices[PLUG].values.get("power_switch") is False)
    assert coordinator.devices[BULB].values["brightness"] == 90


async def test_steady_state_polls_statuses_only(
    hass: HomeAssistant,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
) -> None:
    """While push is healthy a poll reads statuses, never device data."""
    coordinator = coordinator_of(setup_integration)
    await sim.wait_for_subscription()
    await wait_for(hass, lambda: coordinator.push_healthy)
    sim.reset_request_counts()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await wait_for(hass, lambda: "AppGetDeviceStatuses" in sim.request_counts())
    assert "AppGetDeviceData" not in sim.request_counts()


async def test_poll_fallback_without_push(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """With push off, each poll reads device data, and control is confirmed by a read."""
    coordinator = await set_up_polled(hass, config_entry)
    assert coordinator.push is None
    assert not sim.connections()
    sim.state.device(BULB).data["brightness"].value = 33
    await coordinator.async_refresh()
    assert coordinator.devices[BULB].values["brightness"] == 33
    await async_set_values(coordinator, BULB, {"brightness": 55})
    assert coordinator.devices[BULB].values["brightness"] == 55
    assert sim.controls()[-1]["Data"] == {"brightness": 55}


async def test_reconnect_catches_up(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A change made while the WebSocket was down is read once push is back."""
    coordinator = coordinator_of(setup_integration)
    await sim.wait_for_subscription(BULB)
    push = await take_push_down(hass, sim, setup_integration)
    # Made while nobody is subscribed: no push reaches HA.
    await sim.report(BULB, {"brightness": 7})
    await hass.async_block_till_done()
    assert coordinator.devices[BULB].values.get("brightness") != 7
    sim.refuse_subscriptions(False)
    await wait_for(hass, lambda: push.connected)
    await wait_for(hass, lambda: coordinator.devices[BULB].values.get("brightness") == 7)
    assert push.reconnect_count >= 1


async def test_push_down_raises_repair_then_clears(
    hass: HomeAssistant,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
) -> None:
    """Push down for 10 minutes raises a repair issue; it goes when push is back."""
    push = await take_push_down(hass, sim, setup_integration)
    issue_id = f"push_unavailable_{setup_integration.entry_id}"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["ws_url"] == sim.ws_url
    sim.refuse_subscriptions(False)
    await wait_for(hass, lambda: push.connected)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_token_expiry_relogin(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """An expired token is replaced by a transparent login, stored in the entry."""
    coordinator = coordinator_of(setup_integration)
    old_token = setup_integration.data[CONF_ACCESS_TOKEN]
    sim.expire_tokens(revoke=True)
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert setup_integration.data[CONF_ACCESS_TOKEN] != old_token
    assert setup_integration.data[CONF_ACCESS_TOKEN] in sim.state.sessions


async def test_password_changed_starts_reauth(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """When the stored password no longer works, HA's re-authentication flow starts."""
    coordinator = coordinator_of(setup_integration)
    sim.set_password("a-new-password")
    sim.expire_tokens(revoke=True)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert not coordinator.last_update_success
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_cloud_errors_then_recovery(
    hass: HomeAssistant,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """HTTP 500s make the update fail (logged once); the next good poll recovers."""
    coordinator = coordinator_of(setup_integration)
    sim.fail_next(100)
    await coordinator.async_refresh()
    await coordinator.async_refresh()
    assert not succeeded(coordinator)
    assert caplog.text.count("Error fetching tencent_iot data") == 1
    sim.clear_faults()
    await coordinator.async_refresh()
    assert succeeded(coordinator)
    assert "Fetching tencent_iot data recovered" in caplog.text


async def test_setup_retries_when_cloud_down(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """With the cloud down and nothing saved, setup is retried later."""
    await set_up_while_cloud_down(hass, sim, config_entry)


async def test_restart_with_cloud_down_uses_saved_home(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """After a restart while the cloud is down, devices come from the saved home, offline."""
    await set_up_entry(hass, config_entry)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=5))
    await hass.async_block_till_done()
    assert f"{DOMAIN}.{config_entry.entry_id}" in hass_storage
    expected = set(coordinator_of(config_entry).devices)
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()

    sim.fail_next(1000)
    await set_up_entry(hass, config_entry)
    coordinator = coordinator_of(config_entry)
    assert config_entry.state is ConfigEntryState.LOADED
    assert set(coordinator.devices) == expected
    assert not any(state.online for state in coordinator.devices.values())
    assert coordinator.devices[BULB].product.thing_model.properties

    sim.clear_faults()
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert coordinator.devices[BULB].online


@pytest.mark.parametrize(
    ("product_id", "gateway"),
    [("P8VN3KQ4WT", None), ("SW2K8V6QZ1", GATEWAY)],
    ids=["device", "gateway_sub_device"],
)
async def test_device_added_and_removed_live(
    hass: HomeAssistant,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    product_id: str,
    gateway: str | None,
) -> None:
    """A bound device appears without a reload; an unbound one leaves the registry.

    A plug comes with `StatusChange`/`Bind`; a sub-device with `Gateway`/`bind` on its gateway,
    and is registered under that gateway.
    """
    coordinator = coordinator_of(setup_integration)
    registry = dr.async_get(hass)
    entry_id = setup_integration.entry_id
    await sim.wait_for_subscription()
    added: list[str] = []
    coordinator.listeners.async_add_new_devices_listener(
        lambda states: added.extend(s.key for s in states)
    )
    new_key = await sim.add_device(product_id, "new_01", alias="New Switch", gateway_id=gateway)
    await wait_for(hass, lambda: new_key in coordinator.devices)
    assert added == [new_key]
    device = registry.async_get_device_by_identifier((DOMAIN, new_key), entry_id)
    assert device is not None
    assert device.name == "New Switch"
    if gateway is not None:
        parent = registry.async_get_device_by_identifier((DOMAIN, gateway), entry_id)
        assert parent is not None
        assert device.via_device_id == parent.id
    await sim.wait_for_subscription(new_key)
    await sim.report(new_key, {"power_switch": 1})
    await wait_for(hass, lambda: coordinator.devices[new_key].values.get("power_switch") is True)

    await sim.remove_device(new_key)
    await wait_for(hass, lambda: new_key not in coordinator.devices)
    assert registry.async_get_device_by_identifier((DOMAIN, new_key), entry_id) is None


async def test_rooms_option_limits_devices(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """Only devices of the chosen rooms are added."""
    bulb = sim.state.device(BULB)
    hass.config_entries.async_update_entry(config_entry, options={CONF_ROOMS: [bulb.room_id]})
    await set_up_entry(hass, config_entry)
    coordinator = coordinator_of(config_entry)
    assert BULB in coordinator.devices
    assert {state.device.room_id for state in coordinator.devices.values()} == {bulb.room_id}


async def test_periodic_list_refresh_finds_changes(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """Every 10 minutes, on HA's timer and not by the polls, added devices and gone scenes are found."""
    coordinator = await set_up_polled(hass, config_entry)
    new_key = await sim.add_device("P8VN3KQ4WT", "plug_poll_01", alias="Polled Plug")
    gone_scene = next(iter(coordinator.scenes))
    del sim.state.scenes[gone_scene]
    started = dt_util.utcnow()
    async_fire_time_changed(hass, started + DEVICE_LIST_REFRESH - timedelta(minutes=1))
    await hass.async_block_till_done()
    assert new_key not in coordinator.devices
    async_fire_time_changed(hass, started + DEVICE_LIST_REFRESH)
    await wait_for(hass, lambda: new_key in coordinator.devices)
    assert coordinator.devices[new_key].online
    assert gone_scene not in coordinator.scenes


async def test_device_coming_online_is_read(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A device that comes online (push StatusChange) has its data read at once."""
    coordinator = coordinator_of(setup_integration)
    assert not coordinator.devices[BALCONY].online
    assert not coordinator.devices[BALCONY].values
    await sim.wait_for_subscription(BALCONY)
    await sim.set_online(BALCONY, True)
    await wait_for(hass, lambda: bool(coordinator.devices[BALCONY].values))
    assert coordinator.devices[BALCONY].online


async def test_device_coming_online_found_by_poll(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """With push healthy, a poll that finds a device back online reads only that device."""
    coordinator = coordinator_of(setup_integration)
    await wait_for(hass, lambda: coordinator.push_healthy)
    sim.refuse_subscriptions()
    sim.state.device(BALCONY).online = True
    sim.reset_request_counts()
    await coordinator.async_refresh()
    assert coordinator.devices[BALCONY].values
    assert sim.request_counts()["AppGetDeviceData"] == 1


async def test_push_recovers_after_token_revoked(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A revoked token refuses push; the next poll logs in again and push subscribes with it."""
    coordinator = coordinator_of(setup_integration)
    push = await connected_push(hass, setup_integration)
    old_token = setup_integration.data[CONF_ACCESS_TOKEN]
    sim.expire_tokens(revoke=True)
    await sim.drop_websockets()
    await wait_for(hass, lambda: not push.connected)
    await coordinator.async_refresh()
    assert setup_integration.data[CONF_ACCESS_TOKEN] != old_token
    await wait_for(hass, lambda: push.connected)
    await deliver_report(hass, sim, coordinator, BULB, brightness=21)


async def test_list_refresh_failure_is_logged(
    hass: HomeAssistant,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bind push whose device-list read fails is logged, and the next read finds it."""
    coordinator = coordinator_of(setup_integration)
    await sim.wait_for_subscription()
    sim.fail_next(10, action="AppGetRoomList")
    new_key = await sim.add_device("P8VN3KQ4WT", "plug_late_01")
    await wait_for(hass, lambda: "Reading the device list failed" in caplog.text)
    assert new_key not in coordinator.devices
    sim.clear_faults()
    coordinator.async_schedule_list_refresh()
    await wait_for(hass, lambda: new_key in coordinator.devices)


async def test_failed_list_read_is_due_at_the_next_poll(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failed list read is tried again by the next poll, not in 10 minutes.

    Both ways a read can fail: in the background (a bind push) and in a poll of its own.
    """
    coordinator = await set_up_polled(hass, config_entry)
    new_key = await sim.add_device("P8VN3KQ4WT", "plug_boot_01")
    attempts_per_read = 3  # the transport retries a failed request twice
    sim.fail_next(attempts_per_read, action="AppGetRoomList")
    coordinator.async_schedule_list_refresh()
    await wait_for(hass, lambda: "Reading the device list failed" in caplog.text)
    sim.fail_next(attempts_per_read, action="AppGetRoomList")
    await coordinator.async_refresh()
    found_by_poll = [new_key in coordinator.devices]
    polls_succeeded = [coordinator.last_update_success]
    await coordinator.async_refresh()
    found_by_poll.append(new_key in coordinator.devices)
    polls_succeeded.append(coordinator.last_update_success)
    assert polls_succeeded == [False, True]
    assert found_by_poll == [False, True]


async def test_catch_up_failure_keeps_running(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A failing catch-up read after a reconnect is skipped; polling reads the data later."""
    coordinator = coordinator_of(setup_integration)
    push = await connected_push(hass, setup_integration)
    sim.fail_next(10, action="AppGetDeviceStatuses")
    await sim.drop_websockets()
    await wait_for(hass, lambda: push.reconnect_count >= 1 and push.connected)
    await wait_for(hass, lambda: sim.request_counts().get("AppGetDeviceStatuses", 0) >= 1)
    assert coordinator.last_update_success
    sim.clear_faults()
    await deliver_report(hass, sim, coordinator, BULB, brightness=64)


async def test_value_outside_model_is_ignored(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """A value that does not fit the thing model does not replace the last good one."""
    coordinator = await set_up_polled(hass, config_entry)
    good = coordinator.devices[BULB].values["brightness"]
    cloud = sim.state.device(BULB)
    cloud.data["brightness"].value = "not-a-number"
    cloud.data["brightness"].last_update += 1000
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert coordinator.devices[BULB].values["brightness"] == good


async def test_rooms_option_change_removes_excluded_devices(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """After limiting the rooms, devices of the other rooms leave the device registry."""
    registry = dr.async_get(hass)
    entry_id = setup_integration.entry_id
    plug_room = sim.state.device(PLUG).room_id
    hass.config_entries.async_update_entry(setup_integration, options={CONF_ROOMS: [plug_room]})
    assert await hass.config_entries.async_reload(entry_id)
    await hass.async_block_till_done()
    assert registry.async_get_device_by_identifier((DOMAIN, PLUG), entry_id) is not None
    assert registry.async_get_device_by_identifier((DOMAIN, BULB), entry_id) is None
    keys = {
        key
        for device in dr.async_entries_for_config_entry(registry, entry_id)
        for _, key in device.identifiers
    }
    coordinator = coordinator_of(setup_integration)
    assert keys == {*coordinator.devices, coordinator.home_key}


async def test_run_all_leaves_no_job_running_behind_a_failure() -> None:
    """A failure is raised only once every other job has finished; an auth failure wins."""
    release = asyncio.Event()
    finished: list[str] = []

    async def slow() -> None:
        await release.wait()
        finished.append("slow")

    async def fails(error: Exception) -> None:
        await asyncio.sleep(0)
        raise error

    runner = asyncio.create_task(run_all([slow(), fails(TencentIoTConnectionError("down"))]))
    for _ in range(10):  # loop turns, not time: the failure is long raised by then
        await asyncio.sleep(0)
    assert not runner.done()
    release.set()
    with pytest.raises(TencentIoTConnectionError):
        await runner
    assert finished == ["slow"]

    with pytest.raises(TencentIoTAuthError):
        await run_all(
            [
                fails(TencentIoTConnectionError("down")),
                fails(TencentIoTAuthError("InvalidAccessToken", "expired")),
            ]
        )


async def test_run_all_can_cancel_the_others_on_a_failure() -> None:
    """With cancel_on_failure, the first failure cancels the other jobs before it is raised."""
    waiting: list[asyncio.Task[None]] = []

    async def waits_forever() -> None:
        task = asyncio.current_task()
        assert task is not None
        waiting.append(task)
        await asyncio.Event().wait()

    async def fails() -> None:
        await asyncio.sleep(0)
        raise TencentIoTConnectionError("down")

    with pytest.raises(TencentIoTConnectionError):
        await run_all([waits_forever(), fails()], cancel_on_failure=True)
    assert len(waiting) == 1
    assert waiting[0].cancelled()


async def test_coalesced_read_runs_once_more_however_often_asked(hass: HomeAssistant) -> None:
    """Asked three times while it runs, a read runs once more after it; then it is idle."""
    entry = MockConfigEntry(domain=DOMAIN)
    entry.add_to_hass(hass)
    gates: list[asyncio.Event] = []
    finished = 0

    async def read() -> None:
        nonlocal finished
        gate = asyncio.Event()
        gates.append(gate)
        await gate.wait()
        finished += 1

    coalesced = CoalescedRead(hass, entry, read, "the test list")
    coalesced.async_schedule()
    await wait_for(hass, lambda: len(gates) == 1)
    for _ in range(3):
        coalesced.async_schedule()
    gates[0].set()
    await wait_for(hass, lambda: len(gates) == 2)
    gates[1].set()
    # A further run would start in the same step that ends the second one.
    await wait_for(hass, lambda: finished == 2)
    assert len(gates) == 2


async def test_coalesced_read_logs_a_failure_and_is_asked_again(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A failed read in the background is logged; the next ask reads again."""
    caplog.set_level(logging.DEBUG, logger="custom_components.tencent_iot")
    entry = MockConfigEntry(domain=DOMAIN)
    entry.add_to_hass(hass)
    outcomes: list[Exception | None] = [TencentIoTConnectionError("down"), None]
    done: list[str] = []

    async def read() -> None:
        if (error := outcomes.pop(0)) is not None:
            raise error
        done.append("read")

    coalesced = CoalescedRead(hass, entry, read, "the test list")
    coalesced.async_schedule()
    await wait_for(hass, lambda: "Reading the test list failed: down" in caplog.text)
    assert not done
    coalesced.async_schedule()
    await wait_for(hass, lambda: done == ["read"])


def data_reads(sim: CloudSimulator, keys: list[str]) -> dict[str, int]:
    """How often the cloud was asked for each device's data."""
    return {key: sim.state.device(key).data_reads for key in keys}


def online_keys(coordinator: TencentIoTCoordinator) -> list[str]:
    """The devices the coordinator knows online."""
    return sorted(key for key, state in coordinator.devices.items() if state.online)


async def test_polls_read_devices_in_turn_within_the_budget(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without push, a poll reads at most its budget of devices' data, the longest unread first.

    A device that comes online is read by the next poll, before its turn.
    """
    monkeypatch.setattr(coordinator_module, "DATA_READS_PER_MINUTE", 5)
    coordinator = await set_up_polled(hass, config_entry)
    online = online_keys(coordinator)
    before = data_reads(sim, online)
    per_poll: list[int] = []
    for _ in range(math.ceil(len(online) / 5)):
        sim.reset_request_counts()
        await coordinator.async_refresh()
        per_poll.append(sim.request_counts()["AppGetDeviceData"])
        assert coordinator.last_update_success
    assert per_poll == [5] * len(per_poll)
    reads = [after - before[key] for key, after in data_reads(sim, online).items()]
    # Every device had its turn; a turn begun again reads the first ones a second time.
    assert min(reads) == 1
    assert max(reads) == 2

    sim.state.device(BALCONY).online = True
    balcony_reads = data_reads(sim, [BALCONY])[BALCONY]
    await coordinator.async_refresh()
    assert data_reads(sim, [BALCONY])[BALCONY] == balcony_reads + 1
    assert coordinator.devices[BALCONY].values


async def test_push_back_reads_every_device_within_the_budget(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After an outage every device is read once more: a budget's worth at once, the rest by polls."""
    monkeypatch.setattr(coordinator_module, "DATA_READS_PER_MINUTE", 5)
    await set_up_entry(hass, config_entry)
    coordinator = coordinator_of(config_entry)
    push = await take_push_down(hass, sim, config_entry)
    online = online_keys(coordinator)
    offline = len(coordinator.devices) - len(online)
    before = data_reads(sim, online)
    sim.refuse_subscriptions(False)
    await wait_for(hass, lambda: push.connected)
    await wait_for(hass, lambda: coordinator.data_reads_owed == len(coordinator.devices) - 5)
    polls = 0
    while coordinator.data_reads_owed > offline:
        await coordinator.async_refresh()
        polls += 1
    assert polls == math.ceil((len(online) - 5) / 5)
    assert [after - before[key] for key, after in data_reads(sim, online).items()] == [1] * len(
        online
    )


@pytest.mark.usefixtures("quick_retries")
async def test_failed_polls_back_off(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Each failed poll doubles the wait for the next, up to 5 minutes; a good one resets it."""
    coordinator = coordinator_of(setup_integration)
    assert coordinator.update_interval == timedelta(seconds=60)
    sim.fail_next(1000)
    intervals = []
    for _ in range(4):
        await coordinator.async_refresh()
        assert coordinator.update_interval is not None
        intervals.append(coordinator.update_interval.total_seconds())
    assert intervals == [120, 240, 300, 300]
    sim.clear_faults()
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert coordinator.update_interval == timedelta(seconds=60)


async def test_push_outage_is_logged_once_at_info(
    hass: HomeAssistant,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One INFO line when push goes down and one when it is back, whatever happens between."""
    caplog.set_level(logging.INFO)
    push = await take_push_down(hass, sim, setup_integration)
    await wait_for(hass, lambda: push.reconnect_count >= 3)
    sim.refuse_subscriptions(False)
    await wait_for(hass, lambda: push.connected)
    await hass.async_block_till_done()
    said = [
        (record.levelno, record.getMessage())
        for record in caplog.records
        if record.name.startswith("custom_components.tencent_iot")
        and record.levelno >= logging.INFO
    ]
    assert said == [
        (
            logging.INFO,
            "Push channel is down (closed by the server); polling device data until it is back",
        ),
        (logging.INFO, "Push channel is back; reading what changed meanwhile"),
    ]


async def test_push_never_connecting_is_logged_and_repaired(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Push refused from the start: said once at INFO, and a repair issue after 10 minutes."""
    monkeypatch.setattr(push_session, "PUSH_SUBSCRIBE_WAIT", 0.01)
    caplog.set_level(logging.INFO)
    sim.refuse_subscriptions()
    await set_up_entry(hass, config_entry)
    push = coordinator_of(config_entry).push
    assert push is not None
    await wait_for(hass, lambda: push.reconnect_count >= 2)
    assert caplog.text.count("Push channel is down") == 1
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=11))
    await hass.async_block_till_done()
    issue_id = f"push_unavailable_{config_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    sim.refuse_subscriptions(False)
    await wait_for(hass, lambda: push.connected)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert caplog.text.count("Push channel is back") == 1
