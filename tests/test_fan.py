"""Fans: the air purifier's state, and each control round trip through the cloud."""

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator

from .platform_common import PURIFIER, controls_of, entity_id, state, wait_for_state


async def test_purifier(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Speed in percent maps onto the 1-5 levels; modes are presets."""
    fan = entity_id(hass, "fan", PURIFIER, "fan")
    await sim.wait_for_subscription(PURIFIER)
    current = state(hass, fan)
    assert current.state == "on"
    assert current.attributes["percentage"] == 40
    assert current.attributes["percentage_step"] == 20
    assert current.attributes["preset_modes"] == ["自动 Auto", "睡眠 Sleep", "手动 Manual"]
    assert current.attributes["preset_mode"] == "自动 Auto"

    await hass.services.async_call(
        "fan", "set_percentage", {"entity_id": fan, "percentage": 100}, blocking=True
    )
    assert controls_of(sim, PURIFIER)[-1] == {"fan_level": 5}
    await wait_for_state(hass, fan, "on", percentage=100)

    await hass.services.async_call(
        "fan", "set_preset_mode", {"entity_id": fan, "preset_mode": "睡眠 Sleep"}, blocking=True
    )
    assert controls_of(sim, PURIFIER)[-1] == {"mode": 1}
    await wait_for_state(hass, fan, preset_mode="睡眠 Sleep")

    await hass.services.async_call(
        "fan", "set_percentage", {"entity_id": fan, "percentage": 0}, blocking=True
    )
    assert controls_of(sim, PURIFIER)[-1] == {"power_switch": 0}
    await wait_for_state(hass, fan, "off", percentage=0)

    await hass.services.async_call(
        "fan",
        "turn_on",
        {"entity_id": fan, "percentage": 60, "preset_mode": "手动 Manual"},
        blocking=True,
    )
    assert controls_of(sim, PURIFIER)[-1] == {"power_switch": 1, "fan_level": 3, "mode": 2}
    await wait_for_state(hass, fan, "on", percentage=60, preset_mode="手动 Manual")

    await hass.services.async_call(
        "fan", "set_percentage", {"entity_id": fan, "percentage": 20}, blocking=True
    )
    assert controls_of(sim, PURIFIER)[-1] == {"fan_level": 1}

    await hass.services.async_call("fan", "turn_off", {"entity_id": fan}, blocking=True)
    assert controls_of(sim, PURIFIER)[-1] == {"power_switch": 0}
    await wait_for_state(hass, fan, "off")
