"""Doing something a number of times at a fixed rate on the running asyncio loop."""

import asyncio
from collections.abc import AsyncIterator


async def paced(rate: float, count: int) -> AsyncIterator[tuple[int, float]]:
    """Yield k = 0 .. count - 1, each once due (at start + k / rate), with that due time.

    Whatever is due is yielded at once, then the generator sleeps until the next one is due.
    Due times are in the loop's clock (`loop.time()`).
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    k = 0
    while k < count:
        due = min(count, int((loop.time() - start) * rate) + 1)
        while k < due:
            yield k, start + k / rate
            k += 1
        if k < count:
            await asyncio.sleep(max(0.0, start + k / rate - loop.time()))
