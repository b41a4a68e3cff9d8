"""What the background features (history, missed events, messages) share.

Their reads are paced: a burst, then a steady rate, like the firmware check. What they remember
is saved a little later, many changes in one write, and at the latest when the entry unloads or
Home Assistant stops.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from . import const
from .const import DOMAIN
from .coordinator import TencentIoTCoordinator
from .models import TencentIoTConfigEntry

# One page of a paged read: its items, the context of the next page, whether it was the last.
type Page[T] = tuple[Sequence[T], str, bool]

# Changes within this many seconds are written together.
SAVE_DELAY: Final = 10.0
# Readers accept what earlier releases wrote, so the version stays.
_STORAGE_VERSION: Final = 1


class RequestPacer:
    """Lets the first `burst` requests go at once, then one every 1/`rate` seconds."""

    def __init__(self, burst: int | None = None, rate: float | None = None) -> None:
        """Nothing sent yet; by default the integration's background pace."""
        self._burst = const.BACKGROUND_BURST if burst is None else burst
        self._interval = 1 / (const.BACKGROUND_REQUESTS_PER_SECOND if rate is None else rate)
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


class FeatureStore[T: Mapping[str, Any]]:
    """A feature's saved data, in the entry's own file `tencent_iot.<entry id>.<name>`.

    Saves are delayed and merged (`Store.async_delay_save`); Home Assistant writes a pending
    save when it stops, and `async_flush` (called at unload) writes it before a reload reads
    the file again.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: TencentIoTConfigEntry,
        name: str,
        data: Callable[[], T],
    ) -> None:
        """`data` gives what to save, when the save happens."""
        self._store: Store[T] = Store(hass, _STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.{name}")
        self._data = data
        self._pending = False

    async def async_load(self) -> Any:
        """What was saved (as written by any version), or None."""
        return await self._store.async_load()

    @callback
    def async_save(self) -> None:
        """Save soon."""
        self._pending = True
        self._store.async_delay_save(self._written, SAVE_DELAY)

    async def async_flush(self) -> None:
        """Write a pending save now."""
        if self._pending:
            await self._store.async_save(self._written())

    def _written(self) -> T:
        self._pending = False
        return self._data()


async def iterate_pages[T](
    read_page: Callable[[str | None], Awaitable[Page[T]]], pacer: RequestPacer
) -> AsyncIterator[Sequence[T]]:
    """Each page of a read paged by context, paced, to the last one.

    It also ends when the cloud's context stops moving on (it would answer the same page
    forever).
    """
    context: str | None = None
    contexts: set[str] = set()
    while True:
        await pacer.wait()
        page, context, list_over = await read_page(context)
        yield page
        if list_over or not context or not page or context in contexts:
            return
        contexts.add(context)


async def read_pages[T](
    read_page: Callable[[str | None], Awaitable[Page[T]]], pacer: RequestPacer
) -> list[T]:
    """Every item of a read paged by context, paced."""
    return [item async for page in iterate_pages(read_page, pacer) for item in page]
