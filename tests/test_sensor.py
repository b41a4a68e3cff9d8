"""Sensors and binary sensors: states from the simulator's data and from pushed reports."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator

from .conftest import add_entry, entry_data
from .platform_common import (
    AC,
    CLIMATE_SENSOR,
    DOOR,
    MOTION,
    SMOKE,
    SPEAKER,
    STRIP,
    entity_id,
    home_with,
    running_simulator,
    set_up_entry,
    state,
    thing_property,
    wait_for_state,
)


async def test_reports_update_sensors(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Pushed reports move numeric, enum and binary sensors."""
    temperature = entity_id(hass, "sensor", CLIMATE_SENSOR, "current_temp")
    door = entity_id(hass, "binary_sensor", DOOR, "contact_state")
    motion = entity_id(hass, "binary_sensor", MOTION, "motionAlarm_state")
    smoke = entity_id(hass, "binary_sensor", SMOKE, "smoke_sensor_state")
    filter_state = entity_id(hass, "sensor", AC, "filter_state")
    await sim.wait_for_subscription(SMOKE)
    assert state(hass, temperature).state == "23.6"
    assert state(hass, door).state == "off"

    await sim.report(CLIMATE_SENSOR, {"current_temp": 25.1})
    await wait_for_state(hass, temperature, "25.1")
    await sim.report(DOOR, {"contact_state": 1})
    await wait_for_state(hass, door, "on")
    await sim.report(MOTION, {"motionAlarm_state": True})
    await wait_for_state(hass, motion, "on")
    # The smoke state is an enum: any state but "normal" (0) is on.
    await sim.report(SMOKE, {"smoke_sensor_state": 2})
    await wait_for_state(hass, smoke, "on")
    await sim.report(AC, {"filter_state": 1})
    await wait_for_state(hass, filter_state, "需清洗 Clean me")


TRACKER = "TRACKER001/tag_1"


@pytest.mark.usefixtures("socket_enabled")
async def test_struct_and_array_sensors(hass: HomeAssistant) -> None:
    """Structs and arrays are disabled by default; enabled, the value is in the attributes."""
    tracker = {
        "ProductId": "TRACKER001",
        "Name": "Tag",
        "DataTemplate": {
            "properties": [
                thing_property(
                    "location",
                    "struct",
                    "r",
                    specs=[
                        {"id": "place", "name": "Place", "dataType": {"type": "string"}},
                        {"id": "floor", "name": "Floor", "dataType": {"type": "int"}},
                    ],
                )
            ]
        },
    }
    device = {
        "ProductId": "TRACKER001",
        "DeviceName": "tag_1",
        "AliasName": "Keys",
        "Data": {"location": {"place": "厨房", "floor": 2}},
    }
    async with running_simulator(home_with([tracker], [device])) as sim:
        entry = add_entry(hass, entry_data(sim))
        await set_up_entry(hass, entry)
        registry = er.async_get(hass)
        location = entity_id(hass, "sensor", TRACKER, "location")
        recent = entity_id(hass, "sensor", SPEAKER, "recent_songs")
        segments = entity_id(hass, "sensor", STRIP, "segments")
        for entity in (location, recent, segments):
            assert registry.async_get(entity).disabled_by is er.RegistryEntryDisabler.INTEGRATION  # type: ignore[union-attr]
            registry.async_update_entity(entity, disabled_by=None)
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()

        place = state(hass, location)
        assert place.attributes == {"place": "厨房", "floor": 2, "friendly_name": "Keys Location"}
        assert place.state == '{"floor": 2, "place": "厨房"}'
        assert state(hass, recent).attributes["items"][0] == "晴天"
        assert state(hass, recent).state == str(len(state(hass, recent).attributes["items"]))
        assert state(hass, segments).attributes["items"] == [100, 80, 60, 40]
        await hass.config_entries.async_unload(entry.entry_id)
