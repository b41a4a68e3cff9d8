"""Fans: the air purifier's state, and each control round trip through the cloud."""

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator

from .platform_common import (
    PURIFIER,
    call_service,
    controls_of,
    state,
    subscribed_entity,
    wait_for_state,
)


async def test_purifier(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Speed in percent maps onto the 1-5 levels; modes are presets."""
    fan = await subscribed_entity(hass, sim, "fan", PURIFIER, "fan")
    current = state(hass, fan)
    assert current.state == "on"
    assert current.attributes["percentage"] == 40
    assert current.attributes["percentage_step"] == 20
    assert current.attributes["preset_modes"] == ["自动 Auto", "睡眠 Sleep", "手动 Manual"]
    assert current.attributes["preset_mode"] == "自动 Auto"

    await call_service(hass, "fan.set_percentage", fan, percentage=100)
    assert controls_of(sim, PURIFIER)[-1] == {"fan_level": 5}
    await wait_for_state(hass, fan, "on", percentage=100)

    await call_service(hass, "fan.set_preset_mode", fan, preset_mode="睡眠 Sleep")
    assert controls_of(sim, PURIFIER)[-1] == {"mode": 1}
    await wait_for_state(hass, fan, preset_mode="睡眠 Sleep")

    await call_service(hass, "fan.set_percentage", fan, percentage=0)
    assert controls_of(sim, PURIFIER)[-1] == {"power_switch": 0}
    await wait_for_state(hass, fan, "off", percentage=0)

    await call_service(hass, "fan.turn_on", fan, percentage=60, preset_mode="手动 Manual")
    assert controls_of(sim, PURIFIER)[-1] == {"power_switch": 1, "fan_level": 3, "mode": 2}
    await wait_for_state(hass, fan, "on", percentage=60, preset_mode="手动 Manual")

    await call_service(hass, "fan.set_percentage", fan, percentage=20)
    assert controls_of(sim, PURIFIER)[-1] == {"fan_level": 1}

    await call_service(hass, "fan.turn_off", fan)
    assert controls_of(sim, PURIFIER)[-1] == {"power_switch": 0}
    await wait_for_state(hass, fan, "off")
