"""Curtain motors: a device that moves toward its target a step at a time, as a real motor does.

A control sets the target (a position, or open/close); the device echoes the control at once,
then reports its current position every tick, a step nearer, until it is there; a stop command
halts it where it is. A product has a motor when its fixture entry says which properties drive it
(`"Motor"`, see README.md); other products report a control's values at once and nothing more.

Time is the simulator's: with a tick (seconds) the motors move by themselves; without one they
move only when told to (`Motors.step`), so a test decides when the curtain gets anywhere.
"""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from simulator.thing_model import Member

if TYPE_CHECKING:
    from simulator.model import Device

type Report = Callable[[Device, dict[str, object]], Awaitable[None]]
type Spawn = Callable[[Coroutine[Any, Any, None]], None]

DEFAULT_STEP = 10


@dataclass(frozen=True, slots=True)
class MotorSpec:
    """Which properties drive a product's motor."""

    position: str  # the current position, reported while moving
    target: str | None = None  # the position a control asks for
    command: str | None = None  # an enum of "open", "close" and "stop"
    commands: Mapping[str, object] | None = None  # "open"/"close"/"stop" -> command key
    step: int = DEFAULT_STEP  # position units per tick

    @classmethod
    def parse(cls, raw: Mapping[str, object], properties: Mapping[str, Member]) -> MotorSpec:
        """Read a fixture's "Motor" entry; ValueError names what does not fit the model."""
        spec = cls(
            position=str(raw["Position"]),
            target=cast(str | None, raw.get("Target")),
            command=cast(str | None, raw.get("Command")),
            commands=cast(Mapping[str, object] | None, raw.get("Commands")),
            step=int(cast(int, raw.get("Step", DEFAULT_STEP))),
        )
        for prop_id in (spec.position, spec.target, spec.command):
            if prop_id is not None and prop_id not in properties:
                raise ValueError(f"motor property {prop_id!r} is not in the thing model")
        if spec.step <= 0:
            raise ValueError("motor step must be positive")
        return spec

    def range_of(self, device: Device) -> tuple[float, float]:
        """The lowest (closed) and highest (open) position."""
        define = device.product.model.properties[self.position].define
        low, high = define.get("min", 0), define.get("max", 100)
        return float(cast(str, low)), float(cast(str, high))


class Motors:
    """The motors of the cloud's devices that are on their way somewhere."""

    def __init__(self, report: Report, spawn: Spawn, tick: float | None) -> None:
        """Report positions through `report`; with a `tick`, move by themselves in `spawn`ed work."""
        self._report = report
        self._spawn = spawn
        self.tick = tick
        # Device id -> the device and the position it is heading for.
        self._targets: dict[str, tuple[Device, float]] = {}
        self._running = False

    def target(self, device: Device) -> float | None:
        """Where the device's motor is heading, None when it stands still."""
        moving = self._targets.get(device.device_id)
        return None if moving is None else moving[1]

    def forget(self, device: Device) -> None:
        """The device left the cloud: its motor goes nowhere."""
        self._targets.pop(device.device_id, None)

    def controlled(self, device: Device, params: Mapping[str, object]) -> None:
        """A control reached the device: head for its target, or stop."""
        spec = device.product.motor
        if spec is None:
            return
        low, high = spec.range_of(device)
        destination: float | None = None
        if spec.target is not None and spec.target in params:
            destination = float(cast(float, params[spec.target]))
        if spec.command is not None and spec.command in params and spec.commands:
            command = params[spec.command]
            if command == spec.commands.get("stop"):
                self.forget(device)
                return
            if command == spec.commands.get("open"):
                destination = high
            elif command == spec.commands.get("close"):
                destination = low
        if destination is None:
            return
        self._targets[device.device_id] = (device, destination)
        if self.tick is not None and not self._running:
            self._running = True
            self._spawn(self._run(self.tick))

    async def step(self) -> int:
        """Move every moving motor one step on and report it; return how many moved."""
        moved = 0
        for device, destination in list(self._targets.values()):
            spec = device.product.motor
            if spec is None or not device.online:
                # Without power a motor stops where it is.
                self.forget(device)
                continue
            current = float(cast(float, device.data[spec.position].value))
            distance = destination - current
            position = (
                destination
                if abs(distance) <= spec.step
                else current + spec.step * (1 if distance > 0 else -1)
            )
            if position == destination:
                self.forget(device)
            await self._report(device, {spec.position: _as_model_number(position)})
            moved += 1
        return moved

    async def _run(self, tick: float) -> None:
        try:
            while self._targets:
                await asyncio.sleep(tick)
                await self.step()
        finally:
            self._running = False


def _as_model_number(value: float) -> int | float:
    """A whole position as an int, as an int property reports it."""
    return int(value) if value.is_integer() else value
