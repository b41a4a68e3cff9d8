"""HTTP fault injection and per-Action request counting.

A fault applies to the next `count` requests (of one Action, or of any), or to every request
for some seconds; several can be armed at once. A 500 replaces the call (nothing happens), a
delay runs before it, a malformed body replaces the answer of a call that did happen, as a proxy
mangling a reply would, and a throttle refuses the call for being one too many.
"""

import asyncio
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
import math

# Tencent Cloud's common code for a request refused for being one too many.
RATE_LIMIT_CODE = "RequestLimitExceeded"


class FaultKind(StrEnum):
    """What a fault does to a request."""

    ERROR_500 = "http500"
    DELAY = "delay"
    MALFORMED = "malformed"
    THROTTLE = "throttle"


@dataclass(frozen=True, slots=True)
class Throttling:
    """How a throttled request is refused: an error code with HTTP 200, or an HTTP 429."""

    code: str = RATE_LIMIT_CODE
    http_429: bool = False
    retry_after: str | None = None  # the 429's Retry-After header, as sent


@dataclass(slots=True)
class Fault:
    """An armed fault; `remaining` is infinite for one armed for a time."""

    kind: FaultKind
    remaining: float
    action: str | None = None
    seconds: float = 0.0
    throttling: Throttling | None = None


class Faults:
    """Armed faults and the request counter."""

    def __init__(self) -> None:
        """Nothing armed, nothing counted."""
        self.armed: list[Fault] = []
        self.counts: Counter[str] = Counter()
        self._timers: list[asyncio.TimerHandle] = []

    def arm(
        self,
        kind: FaultKind,
        count: int,
        action: str | None = None,
        seconds: float = 0.0,
        throttling: Throttling | None = None,
    ) -> None:
        """Arm a fault for the next `count` matching requests."""
        if count < 1:
            raise ValueError("count must be at least 1")
        self.armed.append(Fault(kind, count, action or None, seconds, throttling))

    def arm_for(
        self,
        kind: FaultKind,
        duration: float,
        action: str | None = None,
        throttling: Throttling | None = None,
    ) -> None:
        """Arm a fault for every matching request during `duration` seconds of the loop's timer."""
        if duration <= 0:
            raise ValueError("seconds must be positive")
        fault = Fault(kind, math.inf, action or None, throttling=throttling)
        self.armed.append(fault)
        self._timers.append(asyncio.get_running_loop().call_later(duration, self._disarm, fault))

    def _disarm(self, fault: Fault) -> None:
        if fault in self.armed:
            self.armed.remove(fault)

    def clear(self) -> None:
        """Disarm everything, timed faults too."""
        self.armed.clear()
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()

    def take(self, kind: FaultKind, action: str, *, exact: bool = False) -> Fault | None:
        """Use up one shot of the first armed fault of this kind that matches the Action.

        With `exact`, only a fault armed for this very Action matches (not one armed for any).
        """
        for fault in self.armed:
            if fault.kind is kind and (
                fault.action == action if exact else fault.action in {None, action}
            ):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.armed.remove(fault)
                return fault
        return None
