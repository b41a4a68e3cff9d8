"""Water heater: its state, and each control round trip through the cloud."""

from collections.abc import AsyncGenerator

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator

from .platform_common import (
    WATER_HEATER,
    call_service,
    controls_of,
    home_with_water_heater,
    running_simulator,
    state,
    subscribed_entity,
    wait_for_state,
)


@pytest.fixture
def platforms() -> list[Platform]:
    """Only the water heater platform."""
    return [Platform.WATER_HEATER]


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncGenerator[CloudSimulator]:
    """The default home plus a water heater."""
    async with running_simulator(home_with_water_heater()) as simulator:
        yield simulator


async def test_water_heater(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Operations are the model's modes and "off"; temperatures go out in the model's steps."""
    heater = await subscribed_entity(hass, sim, "water_heater", WATER_HEATER, "water_heater")
    current = state(hass, heater)
    assert current.state == "节能 Eco"
    assert current.attributes["operation_list"] == [
        "off",
        "标准 Standard",
        "节能 Eco",
        "速热 Boost",
    ]
    assert (current.attributes["temperature"], current.attributes["current_temperature"]) == (
        55,
        48,
    )

    await call_service(hass, "water_heater.set_temperature", heater, temperature=60.4)
    assert controls_of(sim, WATER_HEATER)[-1] == {"temp_set": 60}
    await wait_for_state(hass, heater, temperature=60)

    await call_service(hass, "water_heater.set_operation_mode", heater, operation_mode="速热 Boost")
    assert controls_of(sim, WATER_HEATER)[-1] == {"mode": "boost"}
    await wait_for_state(hass, heater, "速热 Boost")

    await call_service(hass, "water_heater.set_operation_mode", heater, operation_mode="off")
    assert controls_of(sim, WATER_HEATER)[-1] == {"power_switch": 0}
    await wait_for_state(hass, heater, "off")

    await call_service(hass, "water_heater.turn_on", heater)
    assert controls_of(sim, WATER_HEATER)[-1] == {"power_switch": 1}
    await wait_for_state(hass, heater, "速热 Boost")
    await call_service(hass, "water_heater.turn_off", heater)
    assert controls_of(sim, WATER_HEATER)[-1] == {"power_switch": 0}
    await wait_for_state(hass, heater, "off")
