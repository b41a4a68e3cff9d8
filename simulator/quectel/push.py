"""The WebSocket push channel (`/ws/v2` live, `/ws/v1` in the doc's guide): login, subscribe, messages.

Frames follow the doc's "WebSocket Message Format Definition": `login` → `login_resp`,
`subscribe` → `subscribe_resp`, `unsubscribe` → `unsubscribe_resp`, `pong` (the client's
heartbeat, not answered), and `message` pushes of ONLINE, MATTR/REPORT, MEVENT and ENDUSER.
"""

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping
import contextlib
from dataclasses import dataclass, field
from enum import StrEnum
import json
import secrets
from typing import Any

from aiohttp import WSMsgType, web

from simulator.quectel.model import Device, State, now_ms

# Codes of the doc's error table.
_OK = 1
_BAD_JSON = 4002
_NO_CMD = 4003
_UNSUPPORTED = 4004
_TOKEN_INVALID = 4008
_NOT_LOGGED_IN = 4010
_NOT_BOUND = 4011


def dumps(value: object) -> str:
    """Compact JSON, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class WsRefusal(StrEnum):
    """How a WebSocket path turns clients away."""

    NOT_FOUND = "not_found"  # the handshake is answered with HTTP 404
    CLOSE = "close"  # the handshake succeeds, then the socket closes at once


@dataclass(eq=False, slots=True)
class Connection:
    """One client's socket."""

    ws: web.WebSocketResponse
    path: str
    uid: str | None = None
    subscriptions: dict[str, set[str]] = field(default_factory=dict)
    heartbeats: int = 0

    async def send(self, frame: Mapping[str, Any] | str) -> None:
        """Send a frame; a socket closing meanwhile loses it."""
        if not self.ws.closed:
            with contextlib.suppress(ConnectionError):
                await self.ws.send_str(frame if isinstance(frame, str) else dumps(frame))


@dataclass(slots=True)
class PushOptions:
    """How the channel behaves (admin switches)."""

    kv_as_text: bool = True  # report values as the doc's example does: "kv": {"k1": "v1"}
    enduser_data_as_text: bool = True  # the ENDUSER message's `data` as JSON text (doc example)
    refuse_login: bool = False
    silent_login: bool = False  # logins are never answered (a stuck service)
    refused_paths: dict[str, WsRefusal] = field(default_factory=dict)


class PushHub:
    """Every open socket, and sending messages to those that follow a device."""

    def __init__(self, state: Callable[[], State]) -> None:
        """`state` gives the cloud's current data (it is replaced on reset)."""
        self._state = state
        self.connections: list[Connection] = []
        # Handshakes per path's last segment ("v2", "v1"), refused ones too.
        self.handshakes: Counter[str] = Counter()
        self.options = PushOptions()
        self._changed = asyncio.Condition()

    async def changed(self) -> None:
        """Wait until a connection logs in, subscribes or goes."""
        async with self._changed:
            await self._changed.wait()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def message(
        self, device: Device, kind: str, subtype: str, data: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A `message` frame's data for a device."""
        body: dict[str, Any] = {
            "productKey": device.product.product_key,
            "deviceKey": device.device_key,
            "type": kind,
            "createdAt": now_ms(),
            "ticket": secrets.token_hex(12),
            "data": dict(data),
        }
        if subtype:
            body["subtype"] = subtype
        if device.gateway:
            gateway_pk, _, gateway_dk = device.gateway.partition("/")
            body["gateway"] = {"productKey": gateway_pk, "deviceKey": gateway_dk}
        return body

    async def publish(self, device: Device, message_type: str, body: Mapping[str, Any]) -> int:
        """Send a message to every connection subscribed to the device for `message_type`."""
        count = 0
        for connection in list(self.connections):
            if message_type in connection.subscriptions.get(device.key, set()):
                await connection.send({"cmd": "message", "data": body})
                count += 1
        return count

    async def publish_to_user(self, uid: str, body: Mapping[str, Any]) -> None:
        """An ENDUSER message to every connection of a user (the device may not be followed)."""
        data: object = dumps(body) if self.options.enduser_data_as_text else body
        for connection in list(self.connections):
            if connection.uid == uid:
                await connection.send({"cmd": "message", "data": data})

    async def close_all(self, *, abort: bool = False) -> int:
        """Close every socket (or drop it without a close frame); return how many."""
        connections = list(self.connections)
        for connection in connections:
            if abort:
                transport = connection.ws._req.transport if connection.ws._req else None
                if transport is not None:
                    transport.abort()
            else:
                await connection.ws.close(code=1001, message=b"going away")
        return len(connections)

    async def send_garbage(self, text: str) -> int:
        """Send a frame that is not a valid message to every connection."""
        for connection in list(self.connections):
            await connection.send(text)
        return len(self.connections)

    # The socket

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """GET /ws/v2 or /ws/v1."""
        self.handshakes[request.path.rsplit("/", 1)[-1]] += 1
        refusal = self.options.refused_paths.get(request.path)
        if refusal is WsRefusal.NOT_FOUND:
            return web.Response(status=404, text="404: Not Found")
        ws = web.WebSocketResponse(compress=False, timeout=2.0, autoping=True)
        await ws.prepare(request)
        if refusal is WsRefusal.CLOSE:
            await ws.close(code=1011, message=b"no push service on this path")
            return ws
        connection = Connection(ws, request.path)
        self.connections.append(connection)
        try:
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    await self._frame(connection, frame.data)
        finally:
            self.connections.remove(connection)
            await self._notify()
        return ws

    async def _frame(self, connection: Connection, text: str) -> None:
        try:
            frame = json.loads(text)
        except ValueError:
            await _error(connection, _BAD_JSON, "the JSON data is incorrectly formatted", text)
            return
        if not isinstance(frame, dict) or not frame.get("cmd"):
            await _error(connection, _NO_CMD, "command is empty", text)
            return
        if frame["cmd"] in ("subscribe", "unsubscribe") and connection.uid is None:
            await _error(connection, _NOT_LOGGED_IN, "user not logged in", text)
            return
        match frame["cmd"]:
            case "pong":
                connection.heartbeats += 1
            case "login":
                await self._login(connection, frame.get("data"))
            case "subscribe":
                await self._subscribe(connection, frame.get("data"))
            case "unsubscribe":
                await self._unsubscribe(connection, frame.get("data"))
            case _:
                await _error(connection, _UNSUPPORTED, "command is not supported", text)

    async def _login(self, connection: Connection, data: object) -> None:
        if self.options.silent_login:
            return
        token = data.get("token") if isinstance(data, dict) else None
        state = self._state()
        session = state.sessions.get(str(token).removeprefix("Bearer ")) if token else None
        if session is None or session.access_expire <= now_ms() or self.options.refuse_login:
            await connection.send(
                {
                    "cmd": "login_resp",
                    "data": {"code": _TOKEN_INVALID, "msg": "token validation failed"},
                }
            )
            return
        connection.uid = session.uid
        await connection.send({"cmd": "login_resp", "data": {"code": _OK, "msg": "succ"}})
        await self._notify()

    async def _subscribe(self, connection: Connection, data: object) -> None:
        state = self._state()
        replies: list[dict[str, Any]] = []
        for entry in data if isinstance(data, list) else []:
            if not isinstance(entry, dict):
                continue
            pk, dk = str(entry.get("productKey", "")), str(entry.get("deviceKey", ""))
            device = state.devices.get(f"{pk}/{dk}")
            reply = {"productKey": pk, "deviceKey": dk}
            if (
                device is None
                or connection.uid is None
                or not state.can_see(connection.uid, device)
            ):
                replies.append({**reply, "code": _NOT_BOUND, "msg": "device is not bound"})
                continue
            types = entry.get("messageType")
            connection.subscriptions[device.key] = (
                {str(t) for t in types} if isinstance(types, list) else set()
            )
            replies.append({**reply, "code": _OK, "msg": "succ"})
        await connection.send({"cmd": "subscribe_resp", "data": replies})
        await self._notify()

    async def _unsubscribe(self, connection: Connection, data: object) -> None:
        replies = []
        for entry in data if isinstance(data, list) else []:
            if isinstance(entry, dict):
                key = f"{entry.get('productKey', '')}/{entry.get('deviceKey', '')}"
                known = connection.subscriptions.pop(key, None) is not None
                code, msg = (_OK, "succ") if known else (4014, "device is not subscribed")
                replies.append({**entry, "code": code, "msg": msg})
        await connection.send({"cmd": "unsubscribe_resp", "data": replies})


async def _error(connection: Connection, code: int, msg: str, request: str) -> None:
    await connection.send({"cmd": "error", "data": {"code": code, "msg": msg, "reqMsg": request}})
