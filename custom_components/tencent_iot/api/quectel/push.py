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
from custom_components.tencent_iot.api.push_channel import (
    LinkDownError,
    PushChannel,
    RefusedError,
    TokenRejectedError,
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


def _event_params(kv: Mapping[str, Any]) -> dict[str, Any]:
    """An event's output values: the text of a number, bool, object or list is read as one.

    The cloud sends them as text, like report values; unlike those, they reach automations
    as they are, and the event's history (`deviceEventList`) has them typed.
    """
    params: dict[str, Any] = {}
    for code, value in kv.items():
        decoded = lenient_json_value(value) if isinstance(value, str) else value
        params[code] = value if decoded is None or isinstance(decoded, str) else decoded
    return params


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
            params = _event_params(_object(data.get("kv"), "kv"))
            return DeviceEvent(key, code, event_type, params, stamp)
        case "ENDUSER":
            # value 1: bound or shared to the user; 0: unbound, unshared; 2: reset.
            return BindChange(key, as_int(data.get("value")) == 1)
    return None  # STATUS (module data), RAW, LOCATION, and what may come


class QuectelPushClient(PushChannel):
    """Keeps one WebSocket to Quectel's push service alive and turns messages into events.

    Built like Tencent's `PushClient`, so the core can run either. Callbacks run in the event
    loop and must not block; what they raise is logged and does not stop the channel.
    """

    name = "Quectel push"
    task_name = "quectel push channel"

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
        super().__init__(
            session,
            identity.ws_urls,
            token_provider,
            on_event,
            on_connection_change,
            on_token_error=on_token_error,
            heartbeat_interval=heartbeat_interval,
            reply_timeout=reply_timeout,
            backoff_min=backoff_min,
            backoff_max=backoff_max,
        )
        self._tickets: OrderedDict[str, None] = OrderedDict()

    def subscribe(self, device_ids: Iterable[str]) -> None:
        """Follow these "<productKey>/<deviceKey>" ids (and no others); at once when connected."""
        old, self._wanted = self._wanted, frozenset(device_ids)
        if (ws := self._ws) is None or ws.closed or not self._connected:
            return
        self._send_in_background(self._resubscribe(ws, old), "quectel push subscription")

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
                raise RefusedError(f"{url} refused the connection (HTTP {err.status})") from err
            raise LinkDownError(f"{url} failed the connection (HTTP {err.status})") from err
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
                raise LinkDownError(f"no login reply within {self._reply_timeout:g} s") from None
            frame = self._frame(ws, message)
            if frame is None or as_str(frame.get("cmd")) not in ("login_resp", "error"):
                self._handle(frame)
                continue
            data = _object_or_empty(frame.get("data"))
            code = as_int(data.get("code"))
            if code == _OK and frame.get("cmd") == "login_resp":
                return
            if code in _TOKEN_CODES:
                raise TokenRejectedError(str(code))
            raise LinkDownError(f"login failed: {code} {as_str(data.get('msg'))}".strip())

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
                    raise LinkDownError("closed by the server")
                raise RefusedError(f"{self.ws_url} closed before the login was answered")
            case _:  # ERROR
                raise LinkDownError(f"socket error: {ws.exception()}")
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
                    raise TokenRejectedError(str(code))
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
            raise LinkDownError(f"subscription refused for all {len(self._wanted)} devices")
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
        if event is not None:
            self._emit(event)

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
