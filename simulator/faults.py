"""HTTP fault injection and per-Action request counting.

A fault applies to the next `count` requests (of one Action, or of any); several can be armed at
once. A 500 replaces the call (nothing happens), a delay runs before it, and a malformed body
replaces the answer of a call that did happen, as a proxy mangling a reply would.
"""

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum


class FaultKind(StrEnum):
    """What a fault does to a request."""

    ERROR_500 = "http500"
    DELAY = "delay"
    MALFORMED = "malformed"


@dataclass(slots=True)
class Fault:
    """An armed fault."""

    kind: FaultKind
    remaining: int
    action: str | None = None
    seconds: float = 0.0


class Faults:
    """Armed faults and the request counter."""

    def __init__(self) -> None:
        """Nothing armed, nothing counted."""
        self.armed: list[Fault] = []
        self.counts: Counter[str] = Counter()

    def arm(
        self, kind: FaultKind, count: int, action: str | None = None, seconds: float = 0.0
    ) -> None:
        """Arm a fault for the next `count` matching requests."""
        if count < 1:
            raise ValueError("count must be at least 1")
        self.armed.append(Fault(kind, count, action or None, seconds))

    def clear(self) -> None:
        """Disarm everything."""
        self.armed.clear()

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
