"""The simulator's curtain motor: it moves to its target over time, as a real one does."""

import copy
from typing import Any

import aiohttp
import pytest

from custom_components.tencent_iot.api import Device, TencentIoTClient
from simulator import CloudSimulator, fixture
from simulator.fixture import FixtureError

from .common import ClientFactory, SimFactory, key, phone_credentials, wait_until

CURTAIN = Device("CT9M4PZ7XE", "curtain_90a1")  # at 70 %, 10 % per step


def position(sim: CloudSimulator) -> object:
    """The curtain's current position as the cloud holds it."""
    return sim.device_state(key(CURTAIN))["Data"]["position"]  # type: ignore[index]


async def test_moves_a_step_at_a_time(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """A target is echoed at once; the position follows a step per tick, then it stands."""
    await client.control_device(CURTAIN, {"percent_control": 45})
    assert sim.device_state(key(CURTAIN))["MotorTarget"] == 45
    assert position(sim) == 70
    seen = []
    while await sim.step_motors():
        seen.append(position(sim))
    assert seen == [60, 50, 45]
    assert sim.device_state(key(CURTAIN))["MotorTarget"] is None
    assert await sim.step_motors() == 0


async def test_commands_open_close_and_stop(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """Open heads for the top of the range, close for the bottom, stop halts where it is."""
    await client.control_device(CURTAIN, {"control": 0})
    await sim.step_motors()
    assert position(sim) == 80
    await client.control_device(CURTAIN, {"control": 1})
    assert sim.device_state(key(CURTAIN))["MotorTarget"] == 0
    await sim.step_motors()
    await sim.step_motors()
    assert position(sim) == 60
    await client.control_device(CURTAIN, {"control": 2})
    assert sim.device_state(key(CURTAIN))["MotorTarget"] is None
    assert await sim.step_motors() == 0
    assert position(sim) == 60


async def test_stops_without_power(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """A motor that drops off the network stands still; one unbound goes nowhere."""
    await client.control_device(CURTAIN, {"percent_control": 0})
    await sim.set_online(key(CURTAIN), False)
    assert await sim.step_motors() == 0
    assert position(sim) == 70
    await sim.set_online(key(CURTAIN), True)
    await client.control_device(CURTAIN, {"percent_control": 0})
    await sim.remove_device(key(CURTAIN))
    assert await sim.step_motors() == 0


async def test_moves_by_itself_with_a_tick(
    make_sim: SimFactory, make_client: ClientFactory
) -> None:
    """With a tick the motor runs on its own until it is there."""
    sim: CloudSimulator = await make_sim(motor_tick=0.01)
    client = make_client(sim, credentials=phone_credentials(sim))
    await client.login_password()
    await client.control_device(CURTAIN, {"percent_control": 100})
    await wait_until(lambda: position(sim) == 100, what="the curtain to open")
    assert sim.device_state(key(CURTAIN))["MotorTarget"] is None


async def test_admin_steps_the_motors(
    client: TencentIoTClient, sim: CloudSimulator, session: aiohttp.ClientSession
) -> None:
    """POST /_sim/motors/step moves them, for a simulator started with --motor-tick 0."""
    await client.control_device(CURTAIN, {"percent_control": 65})
    async with session.post(f"{sim.base_url}/_sim/motors/step", json={}) as response:
        assert await response.json() == {"moved": 1}
    assert position(sim) == 65


@pytest.mark.parametrize(
    ("motor", "problem"),
    [
        ({"Position": "nowhere"}, "'nowhere' is not in the thing model"),
        ({"Position": "position", "Step": 0}, "step must be positive"),
        ({"Target": "percent_control"}, "Position"),
    ],
)
def test_a_motor_must_fit_the_model(motor: dict[str, Any], problem: str) -> None:
    """A fixture's motor naming what the model lacks fails on load."""
    source: dict[str, Any] = copy.deepcopy(dict(fixture.read(fixture.DEFAULT_FIXTURE)))
    curtain = next(p for p in source["Products"] if p["ProductId"] == CURTAIN.product_id)
    curtain["Motor"] = motor
    with pytest.raises(FixtureError, match=problem):
        fixture.load(source, token_ttl=60)
