"""Selects: enum and string-enum properties, with the model's labels as options."""

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator

from .platform_common import (
    SWITCH3,
    call_service,
    controls_of,
    state,
    subscribed_entity,
    wait_for_state,
)


async def test_enum(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """An option goes out as its key and comes back by push."""
    indicator = await subscribed_entity(hass, sim, "select", SWITCH3, "indicator_mode")
    assert state(hass, indicator).state == "开关状态 Relay"

    await call_service(hass, "select.select_option", indicator, option="常亮 Always on")
    assert controls_of(sim, SWITCH3)[-1] == {"indicator_mode": 2}
    await wait_for_state(hass, indicator, "常亮 Always on")
