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
    BULB,
    PLUG,
    coordinator_of,
    deliver_report,
    set_up_entry,
    set_up_while_cloud_down,
    take_push_down,
    wait_for,
)

from .helpers import assert_end_state, push_healthy_coordinator, wait_push_healthy


def more_requests(sim: CloudSimulator, before: int) -> bool:
    """Whether the simulator has seen more than `before` requests."""
    return sum(sim.request_counts().values()) > before


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
    old_plug_entities = entities_of(hass, setup_integration, PLUG)
    assert old_plug_entities

    await sim.remove_device(PLUG)
    await wait_for(hass, lambda: PLUG not in coordinator.devices)
    await wait_for(hass, lambda: not entities_of(hass, setup_integration, PLUG))
    assert all(hass.states.get(entity_id) is None for entity_id in old_plug_entities)
    registry = dr.async_get(hass)
    assert (
        registry.async_get_device_by_identifier((DOMAIN, PLUG), setup_integration.entry_id) is None
    )
    await assert_end_state(hass, sim, setup_integration)


async def test_cloud_down_at_start_retries_then_sets_up_fully(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """HA starts while the cloud answers nothing but 500s: retries, then a complete setup."""
    await set_up_while_cloud_down(hass, sim, config_entry)
    for attempt in range(1, 3):  # still down at the next two attempts
        assert config_entry.state is ConfigEntryState.SETUP_RETRY
        requests = sum(sim.request_counts().values())
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5 * attempt))
        await wait_for(hass, partial(more_requests, sim, requests))
        await wait_for(hass, lambda: config_entry.state is ConfigEntryState.SETUP_RETRY)
    assert not entities_of(hass, config_entry, BULB)
    sim.clear_faults()
    await sim.report(BULB, {"brightness": 12})
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=60))
    await wait_for(hass, lambda: config_entry.state is ConfigEntryState.LOADED)
    await wait_push_healthy(hass, config_entry)
    assert coordinator_of(config_entry).devices[BULB].values["brightness"] == 12
    await assert_end_state(hass, sim, config_entry)


async def test_restart_with_cloud_down_starts_unavailable_then_recovers(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """After a restart with the cloud down, the saved home is shown unavailable until it is back."""
    await set_up_entry(hass, config_entry)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=5))  # saves the home
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()

    sim.fail_next(10_000)
    sim.refuse_subscriptions()
    await set_up_entry(hass, config_entry)
    states = [hass.states.get(entity_id) for entity_id in entities_of(hass, config_entry, BULB)]
    assert states
    assert all(state is not None and state.state == STATE_UNAVAILABLE for state in states)

    await sim.report(BULB, {"brightness": 34})
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


async def test_change_while_setup_reads_the_home_is_not_lost(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """A report between the device-data reads and the push subscription still reaches HA."""
    # Held after the data reads, before the push channel subscribes.
    sim.delay_next(0.2, action="AppGetSceneList")
    setup = asyncio.ensure_future(hass.config_entries.async_setup(config_entry.entry_id))
    await wait_for(hass, lambda: sim.request_counts().get("AppGetSceneList", 0) > 0)
    await sim.report(BULB, {"brightness": 3})
    await sim.report(PLUG, {"power_switch": 0})
    assert await setup
    await wait_push_healthy(hass, config_entry)
    await assert_end_state(hass, sim, config_entry)


async def test_failed_catch_up_is_read_again(
    hass: HomeAssistant,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When the read after a reconnect fails, the next poll reads what push missed."""
    coordinator = await push_healthy_coordinator(hass, setup_integration)
    await take_push_down(hass, sim, setup_integration)
    await sim.report(BULB, {"brightness": 9})
    sim.fail_next(10_000, action="AppGetDeviceData")
    sim.refuse_subscriptions(False)
    await wait_push_healthy(hass, setup_integration)
    await wait_for(hass, lambda: "Catch-up read after reconnect failed" in caplog.text)
    # Let the reads still under way fail too.
    await asyncio.sleep(0.2)
    assert coordinator.devices[BULB].values["brightness"] != 9
    sim.clear_faults()
    await coordinator.async_refresh()
    await assert_end_state(hass, sim, setup_integration)


async def test_devices_bound_and_unbound_during_an_outage_are_found(
    hass: HomeAssistant,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Bind and unbind pushes sent while push was down are made up for by a list read.

    A failed read is due at the next poll, not in 10 minutes.
    """
    coordinator = await push_healthy_coordinator(hass, setup_integration)
    await take_push_down(hass, sim, setup_integration)
    new_plug = await sim.add_device("P8VN3KQ4WT", "plug_quiet_01", alias="Quiet Plug")
    await sim.remove_device(PLUG)
    # A device-list read failing once is tried again by the next poll.
    sim.fail_next(3, action="AppGetRoomList")
    sim.refuse_subscriptions(False)
    await wait_push_healthy(hass, setup_integration)
    await wait_for(hass, lambda: "Reading the device list failed" in caplog.text)
    assert new_plug not in coordinator.devices
    await coordinator.async_refresh()
    await wait_for(
        hass, lambda: new_plug in coordinator.devices and PLUG not in coordinator.devices
    )
    await sim.wait_for_subscription(new_plug)
    await sim.report(new_plug, {"power_switch": 1})
    await assert_end_state(hass, sim, setup_integration)
