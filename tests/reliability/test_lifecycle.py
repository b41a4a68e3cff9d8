"""Devices coming and going, HA starting while the cloud is down, and changes in the gaps."""

import asyncio
from datetime import timedelta
from functools import partial

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.tencent_iot.const import DOMAIN
from simulator import CloudSimulator
from tests.platform_common import (
    BALCONY,
    PLUG,
    connected_push,
    coordinator_of,
    deliver_report,
    set_up_entry,
    set_up_while_cloud_down,
    wait_for,
)

from .clouds import CLOUDS, Cloud
from .helpers import Simulator, assert_end_state, push_healthy_coordinator, wait_push_healthy


def more_requests(sim: Simulator, before: int) -> bool:
    """Whether the simulator has seen more than `before` requests."""
    return sum(sim.request_counts().values()) > before


async def take_cloud_push_down(hass: HomeAssistant, cloud: Cloud) -> None:
    """Once push is connected: drop it and keep it down."""
    push = await connected_push(hass, cloud.entry)
    cloud.refuse_push()
    await cloud.sim.drop_websockets()
    await wait_for(hass, lambda: not push.connected)


def entities_of(hass: HomeAssistant, entry: MockConfigEntry, device: str) -> list[str]:
    """The entity ids of one device."""
    return [
        entity.entity_id
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if entity.unique_id.startswith(f"{device}/")
    ]


async def test_devices_added_and_removed_live(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A bound device gets its entities and pushes; an unbound one loses them, no reload."""
    coordinator = await push_healthy_coordinator(hass, setup_integration)
    new_plug = await sim.add_device("P8VN3KQ4WT", "plug_live_01", alias="Live Plug")
    new_bulb = await sim.add_device("3JQ8VX2K1M", "bulb_live_02", alias="Live Bulb")
    await wait_for(hass, lambda: {new_plug, new_bulb} <= coordinator.devices.keys())
    await sim.wait_for_subscription(new_bulb)
    await sim.report(new_plug, {"power_switch": 1})
    await deliver_report(hass, sim, coordinator, new_bulb, power_switch=1, brightness=77)
    assert entities_of(hass, setup_integration, new_plug)
    await assert_removed_live(hass, sim, setup_integration, PLUG)


@pytest.mark.parametrize("cloud", ["quectel"], indirect=True)
async def test_quectel_devices_added_and_removed_live(hass: HomeAssistant, cloud: Cloud) -> None:
    """The same on Quectel: a bound plug pushes at once; an unbound one goes with its entities."""
    sim, entry = cloud.sim, cloud.entry
    await set_up_entry(hass, entry)
    coordinator = await push_healthy_coordinator(hass, entry)
    new_plug = await cloud.add_device("plug_live_01", "Live Plug")
    await wait_for(hass, lambda: new_plug in coordinator.devices)
    await sim.wait_for_subscription(new_plug)
    await deliver_report(hass, sim, coordinator, new_plug, switch=True, power=12.5)
    assert entities_of(hass, entry, new_plug)
    await assert_removed_live(hass, sim, entry, cloud.plug)


async def assert_removed_live(
    hass: HomeAssistant, sim: Simulator, entry: MockConfigEntry, device: str
) -> None:
    """The device is unbound: it leaves the coordinator, the registry and the states."""
    coordinator = coordinator_of(entry)
    old_entities = entities_of(hass, entry, device)
    assert old_entities
    await sim.remove_device(device)
    await wait_for(hass, lambda: device not in coordinator.devices)
    await wait_for(hass, lambda: not entities_of(hass, entry, device))
    assert all(hass.states.get(entity_id) is None for entity_id in old_entities)
    registry = dr.async_get(hass)
    assert registry.async_get_device_by_identifier((DOMAIN, device), entry.entry_id) is None
    await assert_end_state(hass, sim, entry)


@pytest.mark.parametrize("cloud", CLOUDS, indirect=True)
async def test_cloud_down_at_start_retries_then_sets_up_fully(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """HA starts while the cloud answers nothing but 500s: retries, then a complete setup."""
    sim, config_entry = cloud.sim, cloud.entry
    await set_up_while_cloud_down(hass, sim, config_entry)
    for attempt in range(1, 3):  # still down at the next two attempts
        assert config_entry.state is ConfigEntryState.SETUP_RETRY
        requests = sum(sim.request_counts().values())
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5 * attempt))
        await wait_for(hass, partial(more_requests, sim, requests))
        await wait_for(hass, lambda: config_entry.state is ConfigEntryState.SETUP_RETRY)
    assert not entities_of(hass, config_entry, cloud.bulb)
    sim.clear_faults()
    await sim.report(cloud.bulb, {"brightness": 12})
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=60))
    await wait_for(hass, lambda: config_entry.state is ConfigEntryState.LOADED)
    await wait_push_healthy(hass, config_entry)
    assert coordinator_of(config_entry).devices[cloud.bulb].values["brightness"] == 12
    await assert_end_state(hass, sim, config_entry)


@pytest.mark.parametrize("cloud", CLOUDS, indirect=True)
async def test_restart_with_cloud_down_starts_unavailable_then_recovers(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """After a restart with the cloud down, the saved home is shown unavailable until it is back."""
    sim, config_entry = cloud.sim, cloud.entry
    await set_up_entry(hass, config_entry)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=5))  # saves the home
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()

    sim.fail_next(10_000)
    cloud.refuse_push()
    await set_up_entry(hass, config_entry)
    registry = er.async_get(hass)
    states = [
        hass.states.get(entity_id)
        for entity_id in entities_of(hass, config_entry, cloud.bulb)
        if not registry.async_get(entity_id).disabled  # type: ignore[union-attr]
    ]
    assert states
    assert all(state is not None and state.state == STATE_UNAVAILABLE for state in states)

    await sim.report(cloud.bulb, {"brightness": 34})
    sim.clear_faults()
    coordinator = coordinator_of(config_entry)
    await coordinator.async_refresh()
    await wait_push_healthy(hass, config_entry)
    await assert_end_state(hass, sim, config_entry)


async def test_device_coming_online_shows_the_cloud_values(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A device offline at setup (its data unread) shows the cloud's values once online."""
    coordinator = await push_healthy_coordinator(hass, setup_integration)
    assert not coordinator.devices[BALCONY].online
    await sim.set_online(BALCONY, True)
    await wait_for(hass, lambda: coordinator.devices[BALCONY].online)
    await assert_end_state(hass, sim, setup_integration)


@pytest.mark.parametrize("cloud", CLOUDS, indirect=True)
async def test_change_while_setup_reads_the_home_is_not_lost(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """A report between the device-data reads and the push subscription still reaches HA."""
    sim, config_entry = cloud.sim, cloud.entry
    scenes = cloud.requests.scenes
    # Held after the data reads, before the push channel subscribes.
    sim.delay_next(0.2, action=scenes)
    setup = asyncio.ensure_future(hass.config_entries.async_setup(config_entry.entry_id))
    await wait_for(hass, lambda: sim.request_counts().get(scenes, 0) > 0)
    await sim.report(cloud.bulb, {"brightness": 3})
    await sim.report(cloud.plug, {cloud.plug_switch: cloud.switch_value(False)})
    assert await setup
    await wait_push_healthy(hass, config_entry)
    await assert_end_state(hass, sim, config_entry)


@pytest.mark.parametrize("cloud", CLOUDS, indirect=True)
async def test_failed_catch_up_is_read_again(
    hass: HomeAssistant, cloud: Cloud, caplog: pytest.LogCaptureFixture
) -> None:
    """When the read after a reconnect fails, the next poll reads what push missed."""
    sim, setup_integration = cloud.sim, cloud.entry
    await set_up_entry(hass, setup_integration)
    coordinator = await push_healthy_coordinator(hass, setup_integration)
    await take_cloud_push_down(hass, cloud)
    await sim.report(cloud.bulb, {"brightness": 9})
    sim.fail_next(10_000, action=cloud.requests.device_data)
    cloud.refuse_push(False)
    await wait_push_healthy(hass, setup_integration)
    await wait_for(hass, lambda: "Catch-up read after reconnect failed" in caplog.text)
    # Let the reads still under way fail too.
    await asyncio.sleep(0.2)
    assert coordinator.devices[cloud.bulb].values["brightness"] != 9
    sim.clear_faults()
    await coordinator.async_refresh()
    await assert_end_state(hass, sim, setup_integration)


@pytest.mark.parametrize("cloud", CLOUDS, indirect=True)
async def test_devices_bound_and_unbound_during_an_outage_are_found(
    hass: HomeAssistant, cloud: Cloud, caplog: pytest.LogCaptureFixture
) -> None:
    """Bind and unbind pushes sent while push was down are made up for by a list read.

    A failed read is due at the next poll, not in 10 minutes.
    """
    sim, setup_integration = cloud.sim, cloud.entry
    await set_up_entry(hass, setup_integration)
    coordinator = await push_healthy_coordinator(hass, setup_integration)
    await take_cloud_push_down(hass, cloud)
    new_plug = await cloud.add_device("plug_quiet_01", "Quiet Plug")
    await sim.remove_device(cloud.plug)
    # A device-list read failing once is tried again by the next poll.
    sim.fail_next(3, action=cloud.requests.rooms)
    cloud.refuse_push(False)
    await wait_push_healthy(hass, setup_integration)
    await wait_for(hass, lambda: "Reading the device list failed" in caplog.text)
    assert new_plug not in coordinator.devices
    await coordinator.async_refresh()
    await wait_for(
        hass, lambda: new_plug in coordinator.devices and cloud.plug not in coordinator.devices
    )
    await sim.wait_for_subscription(new_plug)
    await sim.report(new_plug, {cloud.plug_switch: cloud.switch_value(True)})
    await assert_end_state(hass, sim, setup_integration)
