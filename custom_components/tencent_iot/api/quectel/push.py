"""Quectel's WebSocket push: login, subscription, keep-alive, reconnects, and the shared events.

The channel yields the same events as Tencent's (`PropertyReport`, `DeviceEvent`,
`StatusChange`, `BindChange`), so the core does not care which cloud pushed them.
"""

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
import json
import logging
import secrets
import time
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from custom_components.tencent_iot.api.parsing import (
    as_int,
    as_records,
    as_str,
    dumps,
    lenient_json_value,
)
from custom_components.tencent_iot.api.push import (
    BindChange,
    DeviceEvent,
    PropertyReport,
    PushEvent,
    StatusChange,
)

from .const import (
    DEFAULT_BACKOFF_MAX,
    DEFAULT_BACKOFF_MIN,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_REPLY_TIMEOUT,
    DOC_WS_PATH,
    LIVE_WS_PATH,
    MESSAGE_TYPES,
)
from .tsl import EVENT_TYPES

_LOGGER = logging.getLogger(__name__)
_RANDOM: Final = secrets.SystemRandom()
# The reply code of a login or subscription that worked.
_OK: Final = 1
# login_resp / error codes that mean the token is not (or no longer) accepted.
_TOKEN_CODES: Final = frozenset({4007, 4008, 4010})
# The tickets of this many recent messages are kept to drop a message delivered twice.
_TICKETS_KEPT: Final = 512


def push_urls(ws_url: str) -> tuple[str, ...]:
    """The URLs to try, in order: the live `/ws/v2`, then the doc's `/ws/v1` on the same host."""
    parts = urlsplit(ws_url)
    if parts.path.rstrip("/") == LIVE_WS_PATH:
        return (ws_url, urlunsplit(parts._replace(path=DOC_WS_PATH)))
    return (ws_url,)


@dataclass(frozen=True, slots=True)
class QuectelPushIdentity:
    """Where the push channel connects; the token it logs in with comes from the client."""

    ws_urls: Sequence[str]


class _MalformedError(ValueError):
    """A pushed message cannot be read."""


def _object(value: object, what: str) -> Mapping[str, Any]:
    # Live services send some `data` fields as JSON text (the ENDUSER example does).
    decoded = lenient_json_value(value) if isinstance(value, str) else value
    if decoded is None:
        return {}
    if not isinstance(decoded, Mapping):
        raise _MalformedError(f"{what} is not an object")
    return decoded


def decode_message(message: Mapping[str, Any]) -> PushEvent | None:
    """The shared event of one `message` push's `data`; None for what carries nothing to act on.

    Raises ValueError for a malformed message.
    """
    product_key = as_str(message.get("productKey"))
    dk = as_str(message.get("deviceKey"))
    if not (product_key and dk):
        raise _MalformedError("message without productKey and deviceKey")
    key = f"{product_key}/{dk}"
    kind = as_str(message.get("type")).upper()
    subtype = as_str(message.get("subtype")).upper()
    data = _object(message.get("data"), "data")
    stamp = as_int(message.get("createdAt"))
    match kind:
        case "ONLINE":
            if (value := as_int(data.get("value"))) not in (0, 1, 2):
                raise _MalformedError(f"online value {data.get('value')!r}")
            return StatusChange(key, value != 0)  # 2 is "online again"
        case "MATTR" if subtype == "REPORT":
            return PropertyReport(key, _object(data.get("kv"), "kv"), stamp)
        case "MEVENT":
            if not (code := as_str(data.get("code"))):
                raise _MalformedError("event without code")
            event_type = EVENT_TYPES.get(subtype.lower(), "info")
            return DeviceEvent(key, code, event_type, _object(data.get("kv"), "kv"), stamp)
        case "ENDUSER":
            # value 1: bound or shared to the user; 0: unbound, unshared; 2: reset.
            return BindChange(key, as_int(data.get("value")) == 1)
    return None  # STATUS (module data), RAW, LOCATION, and what may come


class _LinkDownError(Exception):
    """The connection is unusable and must be replaced."""


class _RefusedError(Exception):
    """The URL turned the client away; another URL may serve push."""


class _TokenRejectedError(Exception):
    """The cloud refused the access token."""


class QuectelPushClient:
    """Keeps one WebSocket to Quectel's push service alive and turns messages into events.

    Built like Tencent's `PushClient`, so the core can run either. Callbacks run in the event
    loop and must not block; what they raise is logged and does not stop the channel.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        identity: QuectelPushIdentity,
        token_provider: Callable[[], str],
        on_event: Callable[[PushEvent], None],
        on_connection_change: Callable[[bool], None] | None = None,
        *,
        on_token_error: Callable[[], Awaitable[None]] | None = None,
        heartbeat_interval: float = DEFAULT_HEARTBEAT_INTERVAL,
        reply_timeout: float = DEFAULT_REPLY_TIMEOUT,
        backoff_min: float = DEFAULT_BACKOFF_MIN,
        backoff_max: float = DEFAULT_BACKOFF_MAX,
    ) -> None:
        """Configure the channel; `on_token_error` should renew the token before it returns."""
        self._session = session
        self._urls = tuple(identity.ws_urls)
        self._url_index = 0
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
        self._tickets: OrderedDict[str, None] = OrderedDict()
        self._connected = False
        self._down_logged = False
        self._last_message_at: float | None = None
        self._reconnect_count = 0

    @property
    def connected(self) -> bool:
        """Whether the socket is logged in and the subscription was answered."""
        return self._connected

    @property
    def ws_url(self) -> str:
        """The push URL in use (or tried next)."""
        return self._urls[self._url_index]

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
        """Device ids the service accepted in its last subscription reply."""
        return self._subscribed

    def start(self) -> None:
        """Run the channel in a task of the running loop (no-op when already running)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self.run(), name="quectel push channel"
            )

    async def stop(self) -> None:
        """Stop the task started by `start()` and close the socket; no callbacks are made."""
        task, self._task = self._task, None
        tasks = [*self._sends, *([task] if task is not None else [])]
        for pending in tasks:
            pending.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def subscribe(self, device_ids: Iterable[str]) -> None:
        """Follow these "<productKey>/<deviceKey>" ids (and no others); at once when connected."""
        old, self._wanted = self._wanted, frozenset(device_ids)
        if (ws := self._ws) is None or ws.closed or not self._connected:
            return
        task = asyncio.get_running_loop().create_task(
            self._resubscribe(ws, old), name="quectel push subscription"
        )
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def run(self) -> None:
        """Connect, log in, subscribe and serve until cancelled, reconnecting with back-off."""
        failures = 0
        try:
            while True:
                token_rejected = try_next_url_now = False
                try:
                    await self._serve()
                except _TokenRejectedError as err:
                    self._log_down(f"access token rejected ({err})")
                    token_rejected = True
                except _RefusedError as err:
                    self._log_down(str(err))
                    try_next_url_now = self._next_url()
                except (_LinkDownError, aiohttp.ClientError, TimeoutError, OSError) as err:
                    self._log_down(str(err) or type(err).__name__)
                if self._connected:
                    failures = 0
                    self._set_connected(False)
                if token_rejected and self._on_token_error is not None:
                    try:
                        await self._on_token_error()
                    except Exception:
                        _LOGGER.exception("Error in push token callback")
                if not try_next_url_now:
                    failures += 1
                    await asyncio.sleep(self._backoff(failures))
                self._reconnect_count += 1
        finally:
            for send in self._sends:
                send.cancel()
            self._ws = None
            self._connected = False

    def _next_url(self) -> bool:
        """Move on to the next URL; True when there is one not yet tried in this round."""
        if len(self._urls) == 1:
            return False
        self._url_index = (self._url_index + 1) % len(self._urls)
        return self._url_index != 0

    def _backoff(self, failures: int) -> float:
        delay = self._backoff_min * 2.0 ** min(failures - 1, 16) * _RANDOM.uniform(0.8, 1.2)
        return max(self._backoff_min, min(self._backoff_max, delay))

    def _log_down(self, reason: str) -> None:
        if self._down_logged:
            _LOGGER.debug("Quectel push still down: %s", reason)
        else:
            _LOGGER.warning("Quectel push down: %s; reconnecting", reason)
            self._down_logged = True

    def _set_connected(self, connected: bool) -> None:
        self._connected = connected
        if connected and self._down_logged:
            _LOGGER.info("Quectel push connected again")
            self._down_logged = False
        if self._on_connection_change is not None:
            try:
                self._on_connection_change(connected)
            except Exception:
                _LOGGER.exception("Error in push connection callback")

    async def _serve(self) -> None:
        url = self.ws_url
        try:
            async with asyncio.timeout(self._reply_timeout):
                ws = await self._session.ws_connect(
                    url,
                    autoping=True,
                    timeout=aiohttp.ClientWSTimeout(ws_close=self._reply_timeout),
                )
        except aiohttp.WSServerHandshakeError as err:
            if 400 <= err.status < 500:
                raise _RefusedError(f"{url} refused the connection (HTTP {err.status})") from err
            raise
        self._ws = ws
        try:
            await self._send(ws, {"cmd": "pong"})
            await self._send(ws, {"cmd": "login", "data": {"token": self._token_provider()}})
            await self._expect_login(ws)
            await self._send_subscribe(ws, self._wanted)
            next_heartbeat = time.monotonic() + self._heartbeat_interval
            while True:
                wait = max(0.001, next_heartbeat - time.monotonic())
                try:
                    message = await ws.receive(timeout=wait)
                except TimeoutError:
                    await self._send(ws, {"cmd": "pong"})
                    next_heartbeat = time.monotonic() + self._heartbeat_interval
                    continue
                self._handle(self._frame(ws, message))
        finally:
            self._ws = None
            await ws.close()

    async def _expect_login(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Wait for login_resp; frames before it (an early error) are read as they come."""
        deadline = time.monotonic() + self._reply_timeout
        while True:
            try:
                message = await ws.receive(timeout=max(0.001, deadline - time.monotonic()))
            except TimeoutError:
                raise _LinkDownError(f"no login reply within {self._reply_timeout:g} s") from None
            frame = self._frame(ws, message)
            if frame is None or as_str(frame.get("cmd")) not in ("login_resp", "error"):
                self._handle(frame)
                continue
            data = _object_or_empty(frame.get("data"))
            code = as_int(data.get("code"))
            if code == _OK and frame.get("cmd") == "login_resp":
                return
            if code in _TOKEN_CODES:
                raise _TokenRejectedError(str(code))
            raise _LinkDownError(f"login failed: {code} {as_str(data.get('msg'))}".strip())

    def _frame(
        self, ws: aiohttp.ClientWebSocketResponse, message: aiohttp.WSMessage
    ) -> Mapping[str, Any] | None:
        """The JSON object a frame carries; None (logged) for one that is not."""
        match message.type:
            case aiohttp.WSMsgType.TEXT:
                text = message.data
            case aiohttp.WSMsgType.BINARY:
                try:
                    text = message.data.decode()
                except UnicodeDecodeError:
                    return self._malformed("binary frame is not UTF-8")
            case aiohttp.WSMsgType.CLOSE | aiohttp.WSMsgType.CLOSING | aiohttp.WSMsgType.CLOSED:
                if self._connected:
                    raise _LinkDownError("closed by the server")
                raise _RefusedError(f"{self.ws_url} closed before the login was answered")
            case _:  # ERROR
                raise _LinkDownError(f"socket error: {ws.exception()}")
        self._last_message_at = time.monotonic()
        try:
            frame = json.loads(text)
        except ValueError:
            return self._malformed("frame is not JSON")
        if not isinstance(frame, Mapping):
            return self._malformed("frame is not an object")
        return frame

    def _handle(self, frame: Mapping[str, Any] | None) -> None:
        if frame is None:
            return
        match as_str(frame.get("cmd")):
            case "message":
                self._handle_message(frame.get("data"))
            case "subscribe_resp":
                self._handle_subscribe_reply(frame.get("data"))
            case "error":
                data = _object_or_empty(frame.get("data"))
                if (code := as_int(data.get("code"))) in _TOKEN_CODES:
                    raise _TokenRejectedError(str(code))
                _LOGGER.debug("Quectel push error %s: %s", code, as_str(data.get("msg")))
            case other:
                _LOGGER.debug("Ignoring Quectel push frame %r", other)

    def _handle_subscribe_reply(self, data: object) -> None:
        accepted = {
            f"{as_str(item.get('productKey'))}/{as_str(item.get('deviceKey'))}"
            for item in as_records(data)
            if as_int(item.get("code")) == _OK
        }
        if refused := self._wanted - accepted:
            _LOGGER.debug("Quectel push refused %d devices: %s", len(refused), sorted(refused))
        if self._wanted and not accepted & self._wanted:
            raise _LinkDownError(f"subscription refused for all {len(self._wanted)} devices")
        self._subscribed = frozenset(accepted & self._wanted)
        if not self._connected:
            self._set_connected(True)

    def _handle_message(self, raw: object) -> None:
        try:
            message = _object(raw, "message")
            event = decode_message(message)
        except ValueError as err:
            self._malformed(str(err))
            return
        if (ticket := as_str(message.get("ticket"))) and self._seen(ticket):
            _LOGGER.debug("Dropping a message delivered twice (ticket %s)", ticket)
            return
        if event is None:
            return
        try:
            self._on_event(event)
        except Exception:
            _LOGGER.exception("Error in push event callback")

    def _seen(self, ticket: str) -> bool:
        if ticket in self._tickets:
            return True
        self._tickets[ticket] = None
        if len(self._tickets) > _TICKETS_KEPT:
            self._tickets.popitem(last=False)
        return False

    @staticmethod
    def _malformed(reason: str) -> None:
        # Only the frame is lost; the connection and the other frames go on.
        _LOGGER.debug("Skipping malformed Quectel push frame: %s", reason)

    async def _send(self, ws: aiohttp.ClientWebSocketResponse, frame: Mapping[str, Any]) -> None:
        await ws.send_str(dumps(frame))

    async def _send_subscribe(
        self, ws: aiohttp.ClientWebSocketResponse, device_ids: Iterable[str]
    ) -> None:
        ids = sorted(device_ids)
        if not ids:
            # Nothing to follow: logged in is all push needs to be.
            self._subscribed = frozenset()
            if not self._connected:
                self._set_connected(True)
            return
        entries = [
            {"productKey": pk, "deviceKey": dk, "messageType": list(MESSAGE_TYPES)}
            for pk, _, dk in (device_id.partition("/") for device_id in ids)
        ]
        await self._send(ws, {"cmd": "subscribe", "data": entries})

    async def _resubscribe(self, ws: aiohttp.ClientWebSocketResponse, old: frozenset[str]) -> None:
        try:
            if gone := sorted(old - self._wanted):
                entries = [
                    {"productKey": pk, "deviceKey": dk}
                    for pk, _, dk in (device_id.partition("/") for device_id in gone)
                ]
                await self._send(ws, {"cmd": "unsubscribe", "data": entries})
            if self._wanted - old or not self._wanted:
                await self._send_subscribe(ws, self._wanted)
            else:
                self._subscribed = self._subscribed & self._wanted
        except (aiohttp.ClientError, ConnectionError) as err:
            # The receive loop notices the broken socket and reconnects.
            _LOGGER.debug("Could not send the push subscription: %s", err)


def _object_or_empty(value: object) -> Mapping[str, Any]:
    try:
        return _object(value, "data")
    except ValueError:
        return {}
