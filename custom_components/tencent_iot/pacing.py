"""Pacing of the background reads (history, past events): a burst, then a steady rate."""

import asyncio

from .const import BACKGROUND_BURST, BACKGROUND_REQUESTS_PER_SECOND


class RequestPacer:
    """Lets the first `burst` requests go at once, then one every 1/`rate` seconds."""

    def __init__(
        self, burst: int = BACKGROUND_BURST, rate: float = BACKGROUND_REQUESTS_PER_SECOND
    ) -> None:
        """Nothing sent yet."""
        self._burst = burst
        self._interval = 1 / rate
        self._sent = 0
        self._next_slot: float | None = None

    async def wait(self) -> None:
        """Wait until the next request may go."""
        self._sent += 1
        if self._sent <= self._burst:
            return
        now = asyncio.get_running_loop().time()
        slot = now if self._next_slot is None else max(now, self._next_slot)
        self._next_slot = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)
