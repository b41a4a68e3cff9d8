"""Climate: an air conditioner's state, and each control round trip through the cloud."""

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator

from .platform_common import (
    AC,
    BEDROOM_AC,
    call_service,
    controls_of,
    entity_id,
    state,
    subscribed_entity,
    wait_for_state,
)


async def test_air_conditioner(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Mode, temperature, fan and swing go out as changed ids and come back by push."""
    climate = await subscribed_entity(hass, sim, "climate", AC, "climate")
    current = state(hass, climate)
    assert current.state == "cool"
    assert current.attributes["hvac_modes"] == ["off", "auto", "cool", "heat", "dry", "fan_only"]
    assert current.attributes["fan_modes"] == ["auto", "low", "medium", "high"]
    assert current.attributes["swing_modes"] == ["off", "on"]
    assert (current.attributes["min_temp"], current.attributes["max_temp"]) == (16, 30)
    assert current.attributes["target_temp_step"] == 0.5
    assert current.attributes["current_temperature"] == 27.3
    assert current.attributes["temperature"] == 25.5

    await call_service(hass, "climate.set_temperature", climate, temperature=24)
    assert controls_of(sim, AC)[-1] == {"temp_set": 24}
    await wait_for_state(hass, climate, temperature=24)

    await call_service(hass, "climate.set_temperature", climate, temperature=22.5, hvac_mode="heat")
    assert controls_of(sim, AC)[-1] == {"mode": 2, "temp_set": 22.5}
    await wait_for_state(hass, climate, "heat", temperature=22.5)

    await call_service(hass, "climate.set_fan_mode", climate, fan_mode="high")
    assert controls_of(sim, AC)[-1] == {"fan_speed": 3}
    await wait_for_state(hass, climate, fan_mode="high")

    await call_service(hass, "climate.set_swing_mode", climate, swing_mode="on")
    assert controls_of(sim, AC)[-1] == {"swing": 1}
    await wait_for_state(hass, climate, swing_mode="on")

    await call_service(hass, "climate.set_hvac_mode", climate, hvac_mode="off")
    assert controls_of(sim, AC)[-1] == {"power_switch": 0}
    await wait_for_state(hass, climate, "off")

    await call_service(hass, "climate.set_hvac_mode", climate, hvac_mode="dry")
    assert controls_of(sim, AC)[-1] == {"power_switch": 1, "mode": 3}
    await wait_for_state(hass, climate, "dry")

    # Asking for the mode it is in sends it again.
    await call_service(hass, "climate.set_hvac_mode", climate, hvac_mode="dry")
    assert controls_of(sim, AC)[-1] == {"power_switch": 1, "mode": 3}

    await call_service(hass, "climate.turn_off", climate)
    assert controls_of(sim, AC)[-1] == {"power_switch": 0}
    await wait_for_state(hass, climate, "off")
    await call_service(hass, "climate.turn_on", climate)
    assert controls_of(sim, AC)[-1] == {"power_switch": 1}
    await wait_for_state(hass, climate, "dry")


async def test_out_of_range_temperature(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A temperature outside the model's range is refused before anything is sent."""
    climate = entity_id(hass, "climate", BEDROOM_AC, "climate")
    assert state(hass, climate).state == "off"
    before = len(sim.controls())
    with pytest.raises(ServiceValidationError):
        await call_service(hass, "climate.set_temperature", climate, temperature=35)
    assert len(sim.controls()) == before
