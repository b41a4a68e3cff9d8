"""What every cloud's push channel shares: its task, reconnects with back-off, URL fallback, callbacks.

A cloud's channel subclasses `PushChannel` and implements `_serve()`: one connection, from
connecting to its end, raising `LinkDownError`, `RefusedError` or `TokenRejectedError` to say
how it ended.
"""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
import logging
import secrets
from typing import TYPE_CHECKING, Any, ClassVar, Final

import aiohttp

if TYPE_CHECKING:
    from .push import PushEvent

_LOGGER = logging.getLogger(__name__)
_RANDOM: Final = secrets.SystemRandom()


class LinkDownError(Exception):
    """The connection is unusable and must be replaced."""


class RefusedError(Exception):
    """The URL turned the client away; another URL may serve push.

    The handshake failed with a 4xx, or the socket closed before the service answered.
    """


class TokenRejectedError(Exception):
    """The cloud refused the access token."""


class PushChannel:
    """Keeps one WebSocket to a push service alive; subclasses speak the service's protocol.

    Callbacks run in the event loop and must not block; exceptions they raise are logged and
    do not stop the channel.
    """

    # How the log and the task name the channel.
    name: ClassVar[str] = "Push channel"
    task_name: ClassVar[str] = "push channel"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        ws_urls: Sequence[str],
        token_provider: Callable[[], str],
        on_event: Callable[[PushEvent], None],
        on_connection_change: Callable[[bool], None] | None,
        *,
        on_token_error: Callable[[], Awaitable[None]] | None,
        heartbeat_interval: float,
        reply_timeout: float,
        backoff_min: float,
        backoff_max: float,
    ) -> None:
        """Configure the channel; `on_token_error` should renew the token before it returns."""
        self._session = session
        self._urls = tuple(ws_urls)
        # The URL in use; it stays while it serves, so a reconnect goes where push last worked.
        self._url_index = 0
        self._refusals_in_a_row = 0
        self._token_provider = token_provider
        self._on_event = on_event
        self._on_connection_change = on_connection_change
        self._on_token_error = on_token_error
        self._heartbeat_interval = heartbeat_interval
        self._reply_timeout = reply_timeout
        self._backoff_min = backoff_min
        self._backoff_max = backoff_max
        self._task: asyncio.Task[None] | None = None
        self._sends: set[asyncio.Task[None]] = set()
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._wanted: frozenset[str] = frozenset()
        self._subscribed: frozenset[str] = frozenset()
        self._connected = False
        self._last_error: str | None = None
        self._last_message_at: float | None = None
        self._reconnect_count = 0

    @property
    def connected(self) -> bool:
        """Whether the socket is open and the subscription was acknowledged."""
        return self._connected

    @property
    def ws_url(self) -> str:
        """The push URL in use (or tried next), without its query."""
        return self._urls[self._url_index]

    @property
    def last_error(self) -> str | None:
        """Why the channel last failed to connect or went down, if it ever did."""
        return self._last_error

    @property
    def last_message_at(self) -> float | None:
        """`time.monotonic()` of the last frame received, if any."""
        return self._last_message_at

    @property
    def reconnect_count(self) -> int:
        """How many times the channel has tried to reconnect."""
        return self._reconnect_count

    @property
    def subscribed_ids(self) -> frozenset[str]:
        """Device ids the service confirmed in its last subscription reply."""
        return self._subscribed

    def start(self) -> None:
        """Run the channel in a task of the running loop (no-op when already running)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.run(), name=self.task_name)

    async def stop(self) -> None:
        """Stop the task started by `start()` and close the socket; no callbacks are made."""
        task, self._task = self._task, None
        tasks = [*self._sends, *([task] if task is not None else [])]
        for pending in tasks:
            pending.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def run(self) -> None:
        """Connect, subscribe and serve until cancelled, reconnecting with backoff."""
        failures = 0
        try:
            while True:
                token_rejected = try_next_url_now = False
                try:
                    await self._serve()
                except TokenRejectedError as err:
                    self._log_down(f"access token rejected ({err})")
                    token_rejected = True
                except RefusedError as err:
                    self._log_down(str(err))
                    try_next_url_now = self._next_url()
                except (LinkDownError, aiohttp.ClientError, TimeoutError, OSError) as err:
                    self._log_down(str(err) or type(err).__name__)
                if self._connected:
                    failures = 0
                    self._set_connected(False)
                if token_rejected:
                    await self._refresh_token()
                if not try_next_url_now:
                    failures += 1
                    await asyncio.sleep(self._backoff(failures))
                self._reconnect_count += 1
        finally:
            for send in self._sends:
                send.cancel()
            self._ws = None
            self._connected = False

    async def _serve(self) -> None:
        """One connection, from connecting to its end (an exception says how it ended)."""
        raise NotImplementedError

    def _send_in_background(self, send: Coroutine[Any, Any, None], name: str) -> None:
        """Run a send (a new subscription) beside the receive loop, cancelled with the channel."""
        task = asyncio.get_running_loop().create_task(send, name=name)
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    def _emit(self, event: PushEvent) -> None:
        try:
            self._on_event(event)
        except Exception:
            _LOGGER.exception("Error in push event callback")

    def _next_url(self) -> bool:
        """Move on to the next URL; True when it was not refused since push last worked."""
        urls = self._urls
        if len(urls) == 1:
            return False
        self._url_index = (self._url_index + 1) % len(urls)
        self._refusals_in_a_row += 1
        if self._refusals_in_a_row < len(urls):
            _LOGGER.debug("Push: trying %s instead", self.ws_url)
            return True
        return False

    def _backoff(self, failures: int) -> float:
        delay = self._backoff_min * 2.0 ** min(failures - 1, 16) * _RANDOM.uniform(0.8, 1.2)
        return max(self._backoff_min, min(self._backoff_max, delay))

    def _log_down(self, reason: str) -> None:
        # The owner tells the user that push is down and back (`on_connection_change`,
        # `last_error`); each failed attempt is for debugging.
        self._last_error = reason
        _LOGGER.debug("%s down: %s; reconnecting", self.name, reason)

    def _set_connected(self, connected: bool) -> None:
        self._connected = connected
        if connected:
            self._refusals_in_a_row = 0
        if self._on_connection_change is not None:
            try:
                self._on_connection_change(connected)
            except Exception:
                _LOGGER.exception("Error in push connection callback")

    async def _refresh_token(self) -> None:
        if self._on_token_error is None:
            return
        try:
            await self._on_token_error()
        except Exception:
            _LOGGER.exception("Error in push token callback")
