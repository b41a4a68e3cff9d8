"""The cloud's rate limit as one account meets it: requests counted, and one back-off for all.

A cloud that answers "too many requests" wants fewer requests from the whole account, not the
same call again at once: while the back-off runs, every request sent through the `RateLimit`
waits. The back-off grows while the cloud keeps refusing and ends with the first answer that is
not a refusal. Any cloud's client can share it: it only needs the refusals raised as
`TencentIoTRateLimitError`. Its one timer is the event loop's (`call_later`), so Home
Assistant's tests can move it forward.
"""

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
import logging
from typing import Final

from .const import RATE_LIMIT_RETRIES
from .exceptions import (
    TencentIoTConnectionError,
    TencentIoTRateLimitError,
    TencentIoTRejectedError,
    TencentIoTResponseError,
)

_LOGGER = logging.getLogger(__name__)

# The first back-off (s), doubled for each refusal in a row up to BACKOFF_MAX.
BACKOFF_MIN: Final = 2.0
BACKOFF_MAX: Final = 300.0
# A Retry-After longer than this (s) is not taken at its word.
RETRY_AFTER_MAX: Final = 3600.0

type ThrottleListener = Callable[[bool], None]


@dataclass(frozen=True, slots=True)
class Throttle:
    """A refusal for too many requests, and the back-off it started."""

    at: datetime  # when the cloud refused (UTC)
    code: str  # the cloud's error code, or "HTTP 429"
    action: str  # the request it refused
    backoff: float  # seconds every request waited because of it


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from an HTTP Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except TypeError, ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_MAX)


class RateLimit:
    """Counts an account's requests and holds them all while the cloud asks for fewer."""

    def __init__(
        self, *, backoff_min: float = BACKOFF_MIN, backoff_max: float = BACKOFF_MAX
    ) -> None:
        """No request counted, no back-off."""
        self._backoff_min = backoff_min
        self._backoff_max = backoff_max
        self._requests: Counter[str] = Counter()
        self._open = asyncio.Event()
        self._open.set()
        self._timer: asyncio.TimerHandle | None = None
        # Back-offs started so far: a refusal of a request sent before the current back-off
        # began is already waited for, and an answer to it says nothing about the cloud now.
        self._generation = 0
        # Back-offs in a row, with no answer in between: 0 when the cloud is not refusing.
        self._refusals = 0
        self._listeners: list[ThrottleListener] = []
        self.last_throttle: Throttle | None = None

    @property
    def throttled(self) -> bool:
        """Whether the cloud's last word was a refusal: from it until a request is answered."""
        return self._refusals > 0

    @property
    def backing_off(self) -> bool:
        """Whether requests are being held now."""
        return not self._open.is_set()

    @property
    def requests(self) -> Mapping[str, int]:
        """Requests sent, by action (a retried request counts each time)."""
        return dict(self._requests)

    @property
    def total(self) -> int:
        """Requests sent, all actions together."""
        return self._requests.total()

    def add_listener(self, listener: ThrottleListener) -> Callable[[], None]:
        """Call `listener(True)` when the cloud starts refusing, `(False)` when it answers again."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def send[T](self, action: str, request: Callable[[], Awaitable[T]]) -> T:
        """Wait out any back-off, then send the request; a refusal starts or grows the back-off."""
        while not self._open.is_set():
            await self._open.wait()
        generation = self._generation
        self._requests[action] += 1
        try:
            result = await request()
        except TencentIoTRateLimitError as err:
            self._refused(generation, action, err)
            raise
        except TencentIoTRejectedError:
            self._answered(generation)
            raise
        self._answered(generation)
        return result

    async def send_retrying[T](
        self,
        action: str,
        request: Callable[[], Awaitable[T]],
        *,
        retry_delays: Sequence[float],
        retry: bool,
    ) -> T:
        """Send a request; with `retry`, send it again after a refusal or a lost connection.

        A refusal for too many requests is sent again after the back-off (which is the wait),
        at most RATE_LIMIT_RETRIES times; a failed connection after each of `retry_delays`.
        A reply that is not the cloud's envelope is not retried: it would not change.
        """
        attempt = refusals = 0
        while True:
            try:
                return await self.send(action, request)
            except TencentIoTRateLimitError:
                if not retry or refusals >= RATE_LIMIT_RETRIES:
                    raise
                refusals += 1
                _LOGGER.debug(
                    "%s refused as too many; retry %d after the back-off", action, refusals
                )
            except TencentIoTResponseError:
                raise
            except TencentIoTConnectionError as err:
                if not retry or attempt >= len(retry_delays):
                    raise
                delay = retry_delays[attempt]
                attempt += 1
                _LOGGER.debug("%s failed (%s); retry %d in %.1f s", action, err, attempt, delay)
                await asyncio.sleep(delay)

    def close(self) -> None:
        """Stop the back-off timer and let every request go (the owner is going away)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._open.set()

    def _refused(self, generation: int, action: str, err: TencentIoTRateLimitError) -> None:
        if generation != self._generation:
            return
        self._refusals += 1
        delay = min(self._backoff_max, self._backoff_min * 2 ** min(self._refusals - 1, 16))
        if err.retry_after is not None:
            delay = max(delay, min(err.retry_after, RETRY_AFTER_MAX))
        self._generation += 1
        self._open.clear()
        self._timer = asyncio.get_running_loop().call_later(delay, self._end_backoff)
        self.last_throttle = Throttle(datetime.now(UTC), err.code, action, delay)
        _LOGGER.debug("%s refused as too many (%s): every request waits %g s", action, err, delay)
        if self._refusals == 1:
            self._notify(True)

    def _end_backoff(self) -> None:
        self._timer = None
        self._open.set()

    def _answered(self, generation: int) -> None:
        if generation != self._generation or not self._refusals:
            return
        self._refusals = 0
        self._notify(False)

    def _notify(self, throttled: bool) -> None:
        for listener in list(self._listeners):
            try:
                listener(throttled)
            except Exception:
                _LOGGER.exception("Error in rate-limit listener")
