"""Covers: the curtain's state, each control round trip, and the way to where it was sent.

The simulator's curtain motor moves 10 % per step, and only when a test steps it.
"""

from collections.abc import Iterable
from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.tencent_iot.cover import MOVE_TIMEOUT
from simulator import CloudSimulator

from .platform_common import (
    CURTAIN,
    call_service,
    controls_of,
    state,
    subscribed_entity,
    wait_for_state,
)


async def curtain(hass: HomeAssistant, sim: CloudSimulator) -> str:
    """The living room curtain's entity, once its reports arrive by push."""
    return await subscribed_entity(hass, sim, "cover", CURTAIN, "cover")


async def step(hass: HomeAssistant, sim: CloudSimulator, state: str, position: int) -> None:
    """The motor moves one step; until the entity shows where it is now."""
    await sim.step_motors()
    await wait_for_state(hass, await curtain(hass, sim), state, current_position=position)


async def travel(
    hass: HomeAssistant, sim: CloudSimulator, moving: str, positions: Iterable[int], there: str
) -> None:
    """The motor steps through `positions`: `moving` on the way, `there` at the last one."""
    *way, last = positions
    for position in way:
        await step(hass, sim, moving, position)
    await step(hass, sim, there, last)


def later(hass: HomeAssistant, delta: timedelta) -> None:
    """Fire the timers Home Assistant has due within `delta` from now."""
    async_fire_time_changed(hass, dt_util.utcnow() + delta)


async def test_curtain(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Commands and positions go out; the reported position comes back by push."""
    cover = await curtain(hass, sim)
    current = state(hass, cover)
    assert current.state == "open"
    assert current.attributes["current_position"] == 70
    assert current.attributes["supported_features"] == 15

    await call_service(hass, "cover.set_cover_position", cover, position=30)
    assert controls_of(sim, CURTAIN)[-1] == {"percent_control": 30}

    for service, key in (("close_cover", 1), ("stop_cover", 2), ("open_cover", 0)):
        await call_service(hass, f"cover.{service}", cover)
        assert controls_of(sim, CURTAIN)[-1] == {"control": key}

    await sim.report(CURTAIN, {"position": 0, "control": 2})
    await wait_for_state(hass, cover, "closed", current_position=0)


async def test_closing_until_the_target_is_reached(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Set to 25 %: closing from 70 % at once, the position step by step, open at 25 %."""
    cover = await curtain(hass, sim)
    await call_service(hass, "cover.set_cover_position", cover, position=25)
    # Before the motor reports anything: on its way, from where it is.
    assert state(hass, cover).state == "closing"
    assert state(hass, cover).attributes["current_position"] == 70
    await travel(hass, sim, "closing", (60, 50, 40, 30, 25), "open")


async def test_opening_and_closing_by_command(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Open heads for 100 %, close for 0 %, closed when there."""
    cover = await curtain(hass, sim)
    await call_service(hass, "cover.open_cover", cover)
    assert state(hass, cover).state == "opening"
    await travel(hass, sim, "opening", (80, 90, 100), "open")

    await call_service(hass, "cover.close_cover", cover)
    assert state(hass, cover).state == "closing"
    await travel(hass, sim, "closing", range(90, -10, -10), "closed")


async def test_stopped_from_home_assistant(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Stop on the way: it stands where it is."""
    cover = await curtain(hass, sim)
    await call_service(hass, "cover.set_cover_position", cover, position=0)
    await step(hass, sim, "closing", 60)
    await call_service(hass, "cover.stop_cover", cover)
    assert state(hass, cover).state == "open"
    assert await sim.step_motors() == 0
    assert state(hass, cover).attributes["current_position"] == 60


async def test_stop_reported_by_the_device(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Stopped in the app or by hand: the device's report of the stop ends the move."""
    cover = await curtain(hass, sim)
    await call_service(hass, "cover.open_cover", cover)
    await step(hass, sim, "opening", 80)
    await sim.report(CURTAIN, {"control": 2})
    await wait_for_state(hass, cover, "open", current_position=80)


async def test_a_silent_curtain_stops_moving_in_time(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """No report of arrival nor of a stop: after a while without progress it counts as stopped."""
    cover = await curtain(hass, sim)
    await call_service(hass, "cover.set_cover_position", cover, position=40)
    await step(hass, sim, "closing", 60)
    # It made progress in that time: it gets the time again.
    later(hass, MOVE_TIMEOUT)
    await hass.async_block_till_done()
    assert state(hass, cover).state == "closing"
    # None since.
    later(hass, MOVE_TIMEOUT)
    await wait_for_state(hass, cover, "open", current_position=60)


async def test_a_curtain_that_drops_off_stops_moving(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Offline on the way: unavailable, and not on its way when it is back."""
    cover = await curtain(hass, sim)
    await call_service(hass, "cover.set_cover_position", cover, position=40)
    await sim.set_online(CURTAIN, False)
    await wait_for_state(hass, cover, "unavailable")
    await sim.set_online(CURTAIN, True)
    await wait_for_state(hass, cover, "open", current_position=70)


async def test_no_move_to_where_it_is(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Sent where it already is: the command goes out, nothing moves."""
    cover = await curtain(hass, sim)
    await call_service(hass, "cover.set_cover_position", cover, position=70)
    assert controls_of(sim, CURTAIN)[-1] == {"percent_control": 70}
    assert state(hass, cover).state == "open"
