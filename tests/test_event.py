"""Event entities: thing-model events posted by devices."""

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator

from .platform_common import DOOR, PLUG, SMOKE, entity_id, state, wait_for


async def test_events_carry_their_parameters(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """An event fires its entity only, with the parameters as event data."""
    overload = entity_id(hass, "event", PLUG, "overload")
    smoke_alert = entity_id(hass, "event", SMOKE, "smoke_alert")
    sensor_fault = entity_id(hass, "event", SMOKE, "sensor_fault")
    tamper = entity_id(hass, "event", DOOR, "tamper_alarm")
    assert state(hass, overload).attributes["event_types"] == ["overload"]
    await sim.wait_for_subscription(SMOKE)

    await sim.raise_event(PLUG, "overload", {"power": 3700.5})
    await wait_for(hass, lambda: state(hass, overload).state != "unknown")
    assert state(hass, overload).attributes["event_type"] == "overload"
    assert state(hass, overload).attributes["power"] == 3700.5

    await sim.raise_event(SMOKE, "smoke_alert", {"smoke_value": 850, "alarm_level": 2})
    await wait_for(hass, lambda: state(hass, smoke_alert).state != "unknown")
    assert state(hass, smoke_alert).attributes["smoke_value"] == 850
    assert state(hass, sensor_fault).state == "unknown"

    await sim.raise_event(DOOR, "tamper_alarm")
    await wait_for(hass, lambda: state(hass, tamper).state != "unknown")
    assert state(hass, tamper).attributes["event_type"] == "tamper_alarm"
