"""A soak compressed in time: many cycles of outages, bursts and faults, then HA equals the cloud.

Every cycle draws from a seeded random generator (the run is reproducible) a burst of device
reports and one disturbance: a dropped or aborted WebSocket with changes made while no
subscription is accepted, garbage frames, replayed and older pushes, devices going offline and
online, an expired token found by the heartbeat, failing reads around a reconnect, a device
bound or unbound, a poll. Nothing waits for the integration to settle between cycles.
`SOAK_SEED=<n>` replays another sequence (many seeds were run while writing it).
"""

import asyncio
from collections.abc import Awaitable, Callable
import os
import random

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator
from simulator.model import Device
from tests.platform_common import coordinator_of, push_of, set_up_entry, wait_for

from .conftest import short_push_timeouts
from .helpers import assert_end_state, wait_push_healthy

CYCLES = 100
SEED = int(os.environ.get("SOAK_SEED", "20261123"))
# Products whose devices can be bound during the soak (ordinary, not gateways).
BINDABLE = ("P8VN3KQ4WT", "3JQ8VX2K1M", "K2B7QX9RDL")


def random_values(rng: random.Random, device: Device) -> dict[str, object]:
    """One to three valid values for the device's bool, enum and number properties."""
    choices: dict[str, object] = {}
    for prop_id, member in device.product.model.properties.items():
        define = member.define
        match define.get("type"):
            case "bool":
                choices[prop_id] = rng.randint(0, 1)
            case "enum":
                mapping = define.get("mapping")
                if isinstance(mapping, dict) and mapping:
                    choices[prop_id] = int(rng.choice(list(mapping)))
            case "int":
                low, high = int(float(str(define["min"]))), int(float(str(define["max"])))
                choices[prop_id] = rng.randint(low, high)
    picked = rng.sample(sorted(choices), k=min(len(choices), rng.randint(1, 3)))
    return {prop_id: choices[prop_id] for prop_id in picked}


class Soak:
    """The disturbances, each one cycle's worth."""

    def __init__(self, hass: HomeAssistant, sim: CloudSimulator, entry: MockConfigEntry) -> None:
        """Drive this HA and this simulator."""
        self.hass = hass
        self.sim = sim
        self.entry = entry
        self.rng = random.Random(SEED)
        self.family_id = next(iter(sim.state.families))
        self.bound: list[str] = []
        self.counter = 0

    def online_devices(self) -> list[Device]:
        """The family's online devices that have something to report."""
        family = self.sim.state.families[self.family_id]
        devices = [self.sim.state.devices[device_id] for device_id in family.device_ids]
        return [
            device
            for device in devices
            if device.online and device.device_type != 1 and device.product.model.properties
        ]

    async def burst(self, count: int) -> None:
        """Reports from random online devices."""
        for _ in range(count):
            if devices := self.online_devices():
                device = self.rng.choice(devices)
                await self.sim.report(device.device_id, random_values(self.rng, device))

    async def outage(self) -> None:
        """The WebSocket goes away; changes happen while no subscription is accepted."""
        self.sim.refuse_subscriptions()
        await self.sim.drop_websockets(abort=self.rng.random() < 0.5)
        await self.burst(self.rng.randint(1, 8))
        await asyncio.sleep(self.rng.uniform(0, 0.05))
        self.sim.refuse_subscriptions(False)

    async def quick_drop(self) -> None:
        """The WebSocket drops and comes right back."""
        await self.sim.drop_websockets(abort=self.rng.random() < 0.5)

    async def garbage(self) -> None:
        """Frames that are not pushes."""
        await self.sim.send_garbage()
        await self.sim.send_garbage('{"push": true, "params": {"DeviceId": "x"}}')

    async def replay(self) -> None:
        """The last report again, then an older one."""
        reported = [d for d in self.online_devices() if d.last_report is not None]
        if reported:
            await self.sim.replay_out_of_order(self.rng.choice(reported).device_id)

    async def flap(self) -> None:
        """A device goes offline, maybe reports on the way, and maybe comes back."""
        if not (devices := self.online_devices()):
            return
        device = self.rng.choice(devices)
        await self.sim.set_online(device.device_id, False)
        if self.rng.random() < 0.7:
            await self.sim.set_online(device.device_id, True)
            await self.sim.report(device.device_id, random_values(self.rng, device))

    async def wake_up(self) -> None:
        """Every offline device comes back."""
        family = self.sim.state.families[self.family_id]
        for device_id in family.device_ids:
            device = self.sim.state.devices[device_id]
            if not device.online and device.device_type != 2:
                await self.sim.set_online(device_id, True)

    async def expire_token(self) -> None:
        """Every token expires; the next heartbeat or poll finds out."""
        self.sim.expire_tokens()

    async def failing_reads(self) -> None:
        """Device-data reads fail for a moment, around a reconnect."""
        self.sim.fail_next(self.rng.randint(1, 12), action="AppGetDeviceData")
        await self.quick_drop()

    async def bind_or_unbind(self) -> None:
        """A new device joins the family, or one that joined leaves."""
        if self.bound and self.rng.random() < 0.4:
            await self.sim.remove_device(self.bound.pop(self.rng.randrange(len(self.bound))))
            return
        self.counter += 1
        product = self.rng.choice(BINDABLE)
        self.bound.append(await self.sim.add_device(product, f"soak_{self.counter:03d}"))

    async def poll(self) -> None:
        """The coordinator's regular poll."""
        await coordinator_of(self.entry).async_refresh()

    def disturbances(self) -> list[Callable[[], Awaitable[None]]]:
        """What a cycle may do besides its burst."""
        return [
            self.outage,
            self.outage,
            self.quick_drop,
            self.garbage,
            self.replay,
            self.flap,
            self.expire_token,
            self.failing_reads,
            self.bind_or_unbind,
            self.poll,
        ]


async def test_soak(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Many cycles of drops, reconnects, bursts and faults end with HA equal to the cloud."""
    # Heartbeats often enough that an expired token is found by push as well as by polls.
    short_push_timeouts(monkeypatch, heartbeat_interval=0.1)
    await set_up_entry(hass, config_entry)
    await wait_push_healthy(hass, config_entry)
    soak = Soak(hass, sim, config_entry)
    disturbances = soak.disturbances()
    for _ in range(CYCLES):
        await soak.burst(soak.rng.randint(5, 25))
        await soak.rng.choice(disturbances)()
        # Let HA handle part of it, never all of it.
        await asyncio.sleep(soak.rng.choice((0, 0, 0.001, 0.01)))

    push = push_of(config_entry)
    assert push.reconnect_count >= 10
    # The cloud calms down: offline devices come back, faults stop. The next regular poll
    # logs in again if the token died (push cannot tell: the cloud just refuses to subscribe
    # an expired token), and reads whatever a failed read left unknown.
    sim.clear_faults()
    await soak.wake_up()
    await soak.poll()
    await wait_push_healthy(hass, config_entry)
    # A last burst goes by push alone.
    await soak.burst(20)
    await wait_for(hass, lambda: coordinator_of(config_entry).last_update_success)
    await assert_end_state(hass, sim, config_entry, within=10)
