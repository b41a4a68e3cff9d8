"""Covers: the curtain's state, and each control round trip through the cloud."""

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator

from .platform_common import (
    CURTAIN,
    call_service,
    controls_of,
    state,
    subscribed_entity,
    wait_for_state,
)


async def test_curtain(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Commands and positions go out; the reported position comes back by push."""
    cover = await subscribed_entity(hass, sim, "cover", CURTAIN, "cover")
    current = state(hass, cover)
    assert current.state == "open"
    assert current.attributes["current_position"] == 70
    assert current.attributes["supported_features"] == 15

    await call_service(hass, "cover.set_cover_position", cover, position=30)
    assert controls_of(sim, CURTAIN)[-1] == {"percent_control": 30}
    # The motor reports where it is while it moves.
    await sim.report(CURTAIN, {"position": 30})
    await wait_for_state(hass, cover, "open", current_position=30)

    for service, key in (("close_cover", 1), ("stop_cover", 2), ("open_cover", 0)):
        await call_service(hass, f"cover.{service}", cover)
        assert controls_of(sim, CURTAIN)[-1] == {"control": key}

    await sim.report(CURTAIN, {"position": 0})
    await wait_for_state(hass, cover, "closed", current_position=0)
