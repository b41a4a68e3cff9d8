"""What the background features (history, missed events, messages) share.

Their reads are paced: a burst, then a steady rate, like the firmware check.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from homeassistant.core import HomeAssistant

from .const import BACKGROUND_BURST, BACKGROUND_REQUESTS_PER_SECOND
from .coordinator import TencentIoTCoordinator
from .models import TencentIoTConfigEntry

# One page of a paged read: its items, the context of the next page, whether it was the last.
type Page[T] = tuple[Sequence[T], str, bool]


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


class EntryFeature:
    """A feature of a loaded entry, working beside its coordinator."""

    def __init__(self, hass: HomeAssistant, entry: TencentIoTConfigEntry) -> None:
        """Bind the feature to the entry."""
        self.hass = hass
        self.entry = entry

    @property
    def coordinator(self) -> TencentIoTCoordinator:
        """The entry's coordinator."""
        return self.entry.runtime_data.coordinator


async def read_pages[T](
    read_page: Callable[[str | None], Awaitable[Page[T]]], pacer: RequestPacer, max_pages: int
) -> list[T]:
    """Every item of a read paged by context (at most `max_pages` pages), paced."""
    items: list[T] = []
    context: str | None = None
    for _ in range(max_pages):
        await pacer.wait()
        page, context, list_over = await read_page(context)
        items.extend(page)
        if list_over or not context or not page:
            break
    return items
