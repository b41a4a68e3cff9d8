"""Devices other users share with the account: in the account's first entry, live, until unshared."""

from collections.abc import AsyncGenerator
import copy
import json
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import DOMAIN
from simulator import CloudSimulator, api_token

from .conftest import add_entry, entry_data
from .platform_common import (
    DEFAULT_FIXTURE,
    call_service,
    controls_of,
    coordinator_of,
    set_up_entry,
    subscribed_entity,
    take_push_down,
    wait_for,
    wait_for_state,
)

LILY = "2103481377"
DEMO = "2103481376"
PARENTS = "f_c68ad910ed49ac65f21f1bf2c5dbf912"
# Lily's own flat: its lamp is shared with the demo user, its plug is not.
LAMP = "K2B7QX9RDL/lily_lamp"
PLUG = "P8VN3KQ4WT/lily_plug"


def home_with_lilys_flat() -> dict[str, Any]:
    """The default home, plus a family of Lily's that shares a lamp with the demo user."""
    home: dict[str, Any] = copy.deepcopy(json.loads(DEFAULT_FIXTURE.read_text(encoding="utf-8")))
    home["Families"].append(
        {
            "FamilyId": "f_lily",
            "FamilyName": "Lily's flat",
            "Address": "",
            "Members": [{"UserID": LILY, "Role": 1}],
            "RoomList": [{"RoomId": "r_lily", "RoomName": "Lounge"}],
        }
    )
    for key, alias, data, shared in (
        (LAMP, "Lily's lamp", {"power_switch": 0, "brightness": 40}, [DEMO]),
        (PLUG, "Lily's plug", {"power_switch": 1}, []),
    ):
        product_id, device_name = key.split("/")
        home["Devices"].append(
            {
                "ProductId": product_id,
                "DeviceName": device_name,
                "AliasName": alias,
                "FamilyId": "f_lily",
                "RoomId": "r_lily",
                "DeviceType": 0,
                "Online": 1,
                "FwVersion": "1.0.0",
                "IconUrl": "",
                "Data": data,
                "SharedWith": shared,
            }
        )
    return home


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncGenerator[CloudSimulator]:
    """The default home and Lily's flat."""
    simulator = CloudSimulator(home_with_lilys_flat(), scene_delay_scale=0.01)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def parents_entry(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The demo user's second entry (Parents' Home), added after the first; both set up."""
    parents = add_entry(hass, entry_data(sim, PARENTS), "Parents")
    # Setting up the integration sets up both entries.
    await set_up_entry(hass, config_entry)
    assert parents.state is ConfigEntryState.LOADED
    return parents


def ha_devices(hass: HomeAssistant, key: str) -> list[dr.DeviceEntry]:
    """The HA devices of a cloud device, of every entry."""
    return dr.async_get(hass).async_get_devices(identifiers={(DOMAIN, key)})


async def test_shared_device_in_the_first_entry(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    parents_entry: MockConfigEntry,
) -> None:
    """The first entry shows the shared lamp, live and controllable; the second does not."""
    assert LAMP in coordinator_of(config_entry).devices
    assert LAMP not in coordinator_of(parents_entry).devices
    assert PLUG not in coordinator_of(config_entry).devices
    [lamp] = ha_devices(hass, LAMP)
    assert lamp.config_entry_id == config_entry.entry_id
    assert (lamp.name, lamp.area_id) == ("Lily's lamp", None)

    light = await subscribed_entity(hass, sim, "light", LAMP, "light")
    await wait_for_state(hass, light, "off")
    await call_service(hass, "light.turn_on", light, brightness=255)
    assert controls_of(sim, LAMP)[-1] == {"power_switch": 1, "brightness": 100}
    await wait_for_state(hass, light, "on", brightness=255)
    await sim.report(LAMP, {"brightness": 50})
    await wait_for_state(hass, light, "on", brightness=128)


async def test_share_ended_and_new_share(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """A share ended in the app takes the device away at the next list read; a new one adds it."""
    await set_up_entry(hass, config_entry)
    coordinator = coordinator_of(config_entry)
    light = await subscribed_entity(hass, sim, "light", LAMP, "light")

    sim.unshare_device(LAMP, DEMO)
    await coordinator.async_read_lists()
    assert LAMP not in coordinator.devices
    assert ha_devices(hass, LAMP) == []
    assert er.async_get(hass).async_get(light) is None
    assert hass.states.get(light) is None

    sim.share_device(PLUG, DEMO)
    await coordinator.async_read_lists()
    assert PLUG in coordinator.devices
    switch = await subscribed_entity(hass, sim, "switch", PLUG, "power_switch")
    await wait_for_state(hass, switch, "on")


async def test_unshared_device_found_by_its_data_read(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """A poll that can no longer read a device's data reads the lists again at once."""
    await set_up_entry(hass, config_entry)
    coordinator = coordinator_of(config_entry)
    await take_push_down(hass, sim, config_entry)
    sim.unshare_device(LAMP, DEMO)
    await coordinator.async_refresh()
    await wait_for(hass, lambda: LAMP not in coordinator.devices)


async def test_next_entry_takes_over(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    parents_entry: MockConfigEntry,
) -> None:
    """The first entry deleted, the account's next entry shows the shared devices."""
    await hass.config_entries.async_remove(config_entry.entry_id)
    parents = coordinator_of(parents_entry)
    await wait_for(hass, lambda: LAMP in parents.devices)
    [lamp] = ha_devices(hass, LAMP)
    assert lamp.config_entry_id == parents_entry.entry_id
    assert er.async_get(hass).async_get_entity_id("light", DOMAIN, f"{LAMP}/light") is not None


async def test_cloud_without_sharing(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An app whose cloud refuses the share list loads its home; what it showed stays."""
    await set_up_entry(hass, config_entry)
    coordinator = coordinator_of(config_entry)
    monkeypatch.delitem(api_token.HANDLERS, "AppListUserShareDevices")
    await coordinator.async_read_lists()
    assert LAMP in coordinator.devices
    await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert LAMP not in coordinator_of(config_entry).devices
    assert len(coordinator_of(config_entry).devices) == 18
