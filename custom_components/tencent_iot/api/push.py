"""WebSocket push channel: subscription, heartbeat, reconnects, and typed device-change events."""

import asyncio
import base64
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
import json
import logging
import math
import secrets
import time
from typing import Any, Final, Literal
import uuid

import aiohttp

from .const import (
    DEFAULT_BACKOFF_MAX,
    DEFAULT_BACKOFF_MIN,
    DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_REPLY_TIMEOUT,
    REGIONS,
)
from .exceptions import is_token_error
from .parsing import as_bool, as_epoch_ms, as_int, as_str, dumps
from .push_channel import LinkDownError, PushChannel, RefusedError, TokenRejectedError

_LOGGER = logging.getLogger(__name__)
# The shortest wait for a frame (s), for when a deadline has already passed.
_MIN_WAIT: Final = 0.001
# What Tencent's app SDK sends as `Platform` in ActivePush and heartbeats.
_PLATFORM: Final = "weapp"


def push_urls(ws_url: str) -> tuple[str, ...]:
    """The push URLs to try, in order.

    A built-in region's host serves push at Tencent's SDK's path or at the doc's, which one is
    not certain: both, the SDK's first. A custom URL is used as given.
    """
    for endpoints in REGIONS.values():
        if ws_url in (endpoints.ws_url, endpoints.ws_fallback_url):
            return (endpoints.ws_url, endpoints.ws_fallback_url)
    return (ws_url,)


@dataclass(frozen=True, slots=True)
class PushIdentity:
    """Where the push channel connects, and who it says it is (as Tencent's SDK does)."""

    ws_urls: Sequence[str]  # tried in order; the one that answers is kept
    user_id: str = ""  # `uin` in the URL's query
    app_key: str = ""
    region_id: int = 1  # mainland China, the SDK's default


@dataclass(frozen=True, slots=True)
class PropertyReport:
    """Property values reported by a device: confirmed state. `timestamp` in ms."""

    device_key: str
    values: Mapping[str, Any]
    timestamp: int | None = None
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class ControlEcho:
    """A control sent to a device (by any app): requested, not confirmed state."""

    device_key: str
    values: Mapping[str, Any]
    client_token: str = ""
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A device went online or offline."""

    device_key: str
    online: bool
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    """A thing-model event; `event_type` is info/alert/fault, `timestamp` in ms."""

    device_key: str
    event_id: str
    event_type: str
    params: Mapping[str, Any] = field(default_factory=dict)
    timestamp: int | None = None
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class ActionReply:
    """A device's reply to an asynchronous action call, matched by `client_token`."""

    device_key: str
    client_token: str
    code: int | None = None
    status: str = ""
    response: Mapping[str, Any] = field(default_factory=dict)
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class BindChange:
    """A device (or gateway sub-device) was bound or unbound: the device list changed."""

    device_key: str
    bound: bool
    seq: int | None = None


type PushEvent = (
    PropertyReport | ControlEcho | StatusChange | DeviceEvent | ActionReply | BindChange
)


class _MalformedPushError(ValueError):
    """A push message cannot be decoded."""


def _object(value: object, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _MalformedPushError(f"{what} is not an object")
    return value


def _decode_payload(raw: object) -> Mapping[str, Any]:
    if raw is None or raw == "":
        return {}
    if not isinstance(raw, str):
        raise _MalformedPushError("Payload is not a string")
    try:
        # As Tencent's SDK: unpadded base64 is fine, and NUL bytes (C devices pad their JSON
        # with them) are removed before parsing.
        data = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
        decoded = json.loads(data.replace(b"\0", b""))
    except ValueError:  # binascii.Error and JSON/UTF-8 errors alike
        raise _MalformedPushError("Payload is not base64-encoded JSON") from None
    return _object(decoded, "Payload")


type _Decoder = Callable[[str, str, Mapping[str, Any], int | None], PushEvent | None]


def _status_event(
    device_key: str, sub_type: str, payload: Mapping[str, Any], seq: int | None
) -> PushEvent:
    status = (as_str(payload.get("Status")) or sub_type).lower()
    if status not in ("online", "offline"):
        raise _MalformedPushError(f"unknown status {status!r}")
    return StatusChange(device_key, status == "online", seq)


def _property_event(
    device_key: str, sub_type: str, payload: Mapping[str, Any], seq: int | None
) -> PushEvent | None:
    method = as_str(payload.get("method"))
    token = as_str(payload.get("clientToken"))
    match as_str(payload.get("type")):  # device-shadow documents
        case "update":
            state = _object(payload.get("state"), "state")
            return PropertyReport(device_key, _object(state.get("reported"), "reported"), None, seq)
        case "delta":
            wrapper = _object(payload.get("payload"), "payload")
            return ControlEcho(device_key, _object(wrapper.get("state"), "state"), token, seq)
    if method == "control" or (not method and sub_type in ("Push", "Control")):
        return ControlEcho(device_key, _object(payload.get("params"), "params"), token, seq)
    if method == "report" or (not method and sub_type == "Report"):
        values = _object(payload.get("params"), "params")
        return PropertyReport(device_key, values, as_epoch_ms(payload.get("timestamp")), seq)
    return None  # replies (report_reply, control_reply, ...) carry no state


def _device_event(
    device_key: str, _sub_type: str, payload: Mapping[str, Any], seq: int | None
) -> PushEvent:
    if not (event_id := as_str(payload.get("eventId"))):
        raise _MalformedPushError("event without eventId")
    return DeviceEvent(
        device_key,
        event_id,
        as_str(payload.get("type"), "info"),
        _object(payload.get("params"), "params"),
        as_epoch_ms(payload.get("timestamp")),
        seq,
    )


def _action_event(
    device_key: str, _sub_type: str, payload: Mapping[str, Any], seq: int | None
) -> PushEvent | None:
    if payload.get("method") != "action_reply":
        return None  # the action request itself, as sent to the device
    return ActionReply(
        device_key,
        as_str(payload.get("clientToken")),
        as_int(payload.get("code")),
        as_str(payload.get("status")),
        _object(payload.get("response"), "response"),
        seq,
    )


_DECODERS: Final[dict[str, _Decoder]] = {
    "StatusChange": _status_event,
    "Property": _property_event,
    "Template": _property_event,
    "Shadow": _property_event,
    "Event": _device_event,
    "Action": _action_event,
}


def decode_device_change(params: Mapping[str, Any]) -> PushEvent | None:
    """Decode the `params` of a DeviceChange push.

    Returns None for messages that carry nothing to act on (custom topics, action
    requests, replies). Raises ValueError for a malformed message.
    """
    device_key = as_str(params.get("DeviceId"))
    if device_key.count("/") != 1:
        raise _MalformedPushError("DeviceId is not ProductId/DeviceName")
    msg_type = as_str(params.get("Type"))
    sub_type = as_str(params.get("SubType"))
    seq = as_int(params.get("Seq"))
    # The doc lists no Type for binding; accept the spellings seen in clients
    # (Bind/Unbind, BindDevice, UnbindSubDevice ...) in Type or SubType.
    kinds = f"{msg_type} {sub_type}".lower()
    if "bind" in kinds:
        return BindChange(device_key, "unbind" not in kinds, seq)
    if (decoder := _DECODERS.get(msg_type)) is None:
        return None
    return decoder(device_key, sub_type, _decode_payload(params.get("Payload")), seq)


class _ClosedError(LinkDownError):
    """The service closed the socket."""


@dataclass(slots=True)
class _Pending:
    kind: Literal["subscribe", "heartbeat"]
    deadline: float
    device_ids: frozenset[str] = frozenset()


class PushClient(PushChannel):
    """Keeps one WebSocket to the push service alive and turns pushes into events.

    Callbacks run in the event loop and must not block; exceptions they raise
    are logged and do not stop the channel.
    """

    task_name = "tencent_iot push channel"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        identity: PushIdentity,
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
        """Configure the channel; `on_token_error` should log in again before it returns."""
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
        self._identity = identity
        self._answered = False  # the current connection's subscription was answered
        self._pending: dict[str, _Pending] = {}
        # Per device and Type: the latest Seq and the payloads seen with it, to drop duplicates.
        self._latest: dict[tuple[str, str], tuple[int, set[str]]] = {}

    def subscribe(self, device_ids: Iterable[str]) -> None:
        """Set the devices to listen to ("ProductId/DeviceName"); subscribes at once when connected."""
        self._wanted = frozenset(device_ids)
        if (ws := self._ws) is None or ws.closed:
            return
        self._send_in_background(self._resubscribe(ws), "tencent_iot push subscription")

    async def _serve(self) -> None:
        # The service may restart its Seq numbering with a new connection, and the
        # owner re-reads all state after reconnecting, so old counters are dropped.
        self._latest.clear()
        self._pending.clear()
        self._answered = False
        url = self.ws_url
        # As Tencent's SDK: the UserID (once known), and a fresh connection id each time.
        query = {"cId": secrets.token_hex(8)}
        if self._identity.user_id:
            query["uin"] = self._identity.user_id
        try:
            async with asyncio.timeout(self._reply_timeout):
                ws = await self._session.ws_connect(
                    url,
                    params=query,
                    autoping=True,
                    timeout=aiohttp.ClientWSTimeout(ws_close=self._reply_timeout),
                )
        except aiohttp.WSServerHandshakeError as err:
            if 400 <= err.status < 500:
                raise RefusedError(f"{url} refused the connection (HTTP {err.status})") from err
            # Not the error's own text: it holds the query, and with it the UserID.
            raise LinkDownError(f"{url} failed the connection (HTTP {err.status})") from err
        self._ws = ws
        try:
            await self._send_subscribe(ws)
            await self._send_heartbeat(ws)
            next_heartbeat = time.monotonic() + self._heartbeat_interval
            while True:
                deadline = min(
                    [next_heartbeat, *(pending.deadline for pending in self._pending.values())]
                )
                try:
                    # aiohttp reads a timeout of 0 as "no timeout": never pass less than a tick.
                    message = await ws.receive(timeout=max(_MIN_WAIT, deadline - time.monotonic()))
                except TimeoutError:
                    now = time.monotonic()
                    if late := [p.kind for p in self._pending.values() if p.deadline <= now]:
                        raise LinkDownError(
                            f"no reply to {late[0]} within {self._reply_timeout:g} s"
                        ) from None
                    if now >= next_heartbeat:
                        await self._send_heartbeat(ws)
                        next_heartbeat = now + self._heartbeat_interval
                    continue
                self._handle_message(ws, message)
        except (_ClosedError, aiohttp.ClientError, ConnectionError) as err:
            if self._answered:
                raise
            raise RefusedError(f"{url} closed before answering the subscription") from err
        finally:
            self._ws = None
            await ws.close()

    def _handle_message(
        self, ws: aiohttp.ClientWebSocketResponse, message: aiohttp.WSMessage
    ) -> None:
        match message.type:
            case aiohttp.WSMsgType.TEXT:
                self._handle_text(message.data)
            case aiohttp.WSMsgType.BINARY:
                try:
                    self._handle_text(message.data.decode())
                except UnicodeDecodeError:
                    self._malformed("binary frame is not UTF-8")
            case aiohttp.WSMsgType.CLOSE | aiohttp.WSMsgType.CLOSING | aiohttp.WSMsgType.CLOSED:
                raise _ClosedError("closed by the server")
            case aiohttp.WSMsgType.ERROR:
                raise LinkDownError(f"socket error: {ws.exception()}")

    def _handle_text(self, text: str) -> None:
        self._last_message_at = time.monotonic()
        try:
            frame = json.loads(text)
        except ValueError:
            self._malformed("frame is not JSON")
            return
        if not isinstance(frame, Mapping):
            self._malformed("frame is not an object")
            return
        if as_bool(frame.get("push")) or frame.get("action") == "DeviceChange":
            self._handle_push(frame.get("params"))
            return
        if (pending := self._pending.pop(as_str(frame.get("reqId")), None)) is None:
            _LOGGER.debug("Ignoring push frame without a known reqId")
        elif pending.kind == "subscribe":
            self._handle_subscribe_reply(frame, pending)
        else:
            self._handle_heartbeat_reply(frame)

    def _handle_subscribe_reply(self, frame: Mapping[str, Any], pending: _Pending) -> None:
        data = frame.get("data")
        if not isinstance(data, Mapping):
            data = {}
        self._check_logic_error(data, "subscription")
        if (error := as_str(frame.get("error"))) and error != "0":
            raise LinkDownError(
                f"subscription failed: {error} {as_str(frame.get('error_message'))}".strip()
            )
        self._answered = True
        ids = data.get("deviceIds", data.get("DeviceIds"))
        if ids is None:
            # Tencent's SDK never reads the reply: without a list, nothing was refused.
            accepted = pending.device_ids
        elif isinstance(ids, list):
            accepted = frozenset(item for item in ids if isinstance(item, str))
        else:
            accepted = frozenset()
        if pending.device_ids and not accepted:
            raise LinkDownError(f"subscription refused for all {len(pending.device_ids)} devices")
        if missing := pending.device_ids - accepted:
            _LOGGER.debug(
                "Push subscription refused for %d devices: %s", len(missing), sorted(missing)
            )
        self._subscribed = accepted
        if not self._connected:
            self._set_connected(True)

    def _handle_heartbeat_reply(self, frame: Mapping[str, Any]) -> None:
        failed = bool((error := as_str(frame.get("error"))) and error != "0")
        if failed:
            # A backend problem behind a live socket: the link itself is fine.
            _LOGGER.debug("Push heartbeat error: %s %s", error, as_str(frame.get("error_message")))
        data = frame.get("data")
        if isinstance(data, Mapping) and self._check_logic_error(data, "heartbeat"):
            failed = True
        if not failed and not self._connected:
            # ActivePush is not answered (yet), but the service serves the subscription's
            # heartbeat: as for Tencent's SDK, which never waits for that reply, push works.
            self._answered = True
            self._subscribed = self._wanted
            self._set_connected(True)

    def _check_logic_error(self, data: Mapping[str, Any], what: str) -> bool:
        """Raise for a token or subscription error; True for another error in a heartbeat."""
        response = data.get("Response")
        error = response.get("Error") if isinstance(response, Mapping) else None
        if not isinstance(error, Mapping):
            return False
        code, message = as_str(error.get("Code")), as_str(error.get("Message"))
        if is_token_error(code, message):
            raise TokenRejectedError(code)
        if what == "subscription":
            raise LinkDownError(f"subscription failed: {code}")
        _LOGGER.debug("Push %s error: %s", what, code)
        return True

    def _handle_push(self, params: object) -> None:
        if not isinstance(params, Mapping):
            self._malformed("push without params")
            return
        try:
            event = decode_device_change(params)
        except ValueError as err:
            self._malformed(str(err))
            return
        if event is None:
            return
        if event.seq is not None and self._is_duplicate(event.device_key, event.seq, params):
            _LOGGER.debug("Dropping duplicate push for %s (seq %d)", event.device_key, event.seq)
            return
        self._emit(event)

    def _is_duplicate(self, device_key: str, seq: int, params: Mapping[str, Any]) -> bool:
        """Whether this very push (same Seq, same payload) was already delivered.

        Seq alone proves nothing: the doc's samples carry seconds, so a second's pushes may
        share one, and Tencent's SDK ignores it. Going backwards in time is the owner's to
        refuse, by the reports' timestamps.
        """
        key = (device_key, as_str(params.get("Type")))
        payload = as_str(params.get("Payload"))
        latest = self._latest.get(key)
        if latest is None or latest[0] != seq:
            self._latest[key] = (seq, {payload})
            return False
        if payload in latest[1]:
            return True
        latest[1].add(payload)
        return False

    @staticmethod
    def _malformed(reason: str) -> None:
        # Only the frame is lost; the connection and the other frames go on.
        _LOGGER.debug("Skipping malformed push frame: %s", reason)

    async def _send(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        action: str,
        params: Mapping[str, Any],
        pending: _Pending,
    ) -> None:
        req_id = str(uuid.uuid4())
        # Registered before sending: the reply may be read before send_str returns.
        self._pending[req_id] = pending
        try:
            await ws.send_str(dumps({"action": action, "reqId": req_id, "params": params}))
        except BaseException:
            self._pending.pop(req_id, None)
            raise

    async def _resubscribe(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            await self._send_subscribe(ws)
        except (aiohttp.ClientError, ConnectionError) as err:
            # The receive loop notices the broken socket and reconnects.
            _LOGGER.debug("Could not send the push subscription: %s", err)

    async def _send_subscribe(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        ids = self._wanted
        identity = self._identity
        params = {
            "DeviceIds": sorted(ids),
            "Platform": _PLATFORM,
            "AccessToken": self._token_provider(),
            "AppKey": identity.app_key,
            "RegionId": identity.region_id,
        }
        await self._send(
            ws,
            "ActivePush",
            params,
            # No deadline: heartbeats, sent right after, are what must be answered.
            _Pending("subscribe", math.inf, ids),
        )

    async def _send_heartbeat(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        action_params = {
            "Platform": _PLATFORM,
            "DeviceIds": sorted(self._wanted),
            "AccessToken": self._token_provider(),
            "RequestId": str(uuid.uuid4()),
        }
        params = {"Action": "AppDeviceTraceHeartBeat", "ActionParams": action_params}
        await self._send(
            ws, "YunApi", params, _Pending("heartbeat", time.monotonic() + self._reply_timeout)
        )
