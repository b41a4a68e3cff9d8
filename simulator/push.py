"""The WebSocket side: connections, subscriptions and `DeviceChange` frames.

A connection belongs to the user whose AccessToken its last `ActivePush` carried. Device pushes go
to connections subscribed to that device; Bind/Unbind go to every connection of the family's
members, since nobody can have subscribed to a device that was not bound yet.
Subscriptions add up: each `ActivePush` adds its devices to what the connection already has.
"""

import asyncio
import base64
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
import json

from aiohttp import web

# The reference's sample times are Beijing time with an explicit offset.
_BEIJING = timezone(timedelta(hours=8))


@dataclass(frozen=True, slots=True)
class PayloadStyle:
    """How `params.Payload` is encoded: the quirks a client must survive.

    Devices written in C may send their JSON with trailing NUL bytes, which Tencent's SDK strips
    after decoding; its base64 decoder also takes input without `=` padding.
    """

    nul_bytes: int = 0  # NUL bytes appended to the JSON before encoding
    unpadded: bool = False  # base64 without its trailing "="


def encode_payload(payload: object, style: PayloadStyle = PayloadStyle()) -> str:
    """Base64 of the compact JSON payload, as `params.Payload` carries it."""
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    encoded = base64.b64encode(raw + b"\0" * style.nul_bytes).decode()
    return encoded.rstrip("=") if style.unpadded else encoded


def device_change(
    device_id: str,
    kind: str,
    sub_kind: str,
    topic: str,
    payload: object,
    *,
    seq: int,
    style: PayloadStyle = PayloadStyle(),
) -> str:
    """Build the text of a `DeviceChange` push."""
    stamp = datetime.now(UTC).astimezone(_BEIJING).isoformat(timespec="seconds")
    frame = {
        "action": "DeviceChange",
        "push": True,
        "params": {
            "Time": stamp,
            "Type": kind,
            "SubType": sub_kind,
            "Topic": topic,
            "Payload": encode_payload(payload, style),
            "Seq": seq,
            "DeviceId": device_id,
        },
    }
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


class ActivePushReply(StrEnum):
    """What ActivePush answers; it subscribes all the same."""

    IDS = "ids"  # `data.deviceIds`: the ids subscribed
    NO_IDS = "no_ids"  # `data: {}`
    NONE = "none"  # nothing at all (Tencent's SDK never waits for the reply)


class Connection:
    """One WebSocket client."""

    __slots__ = ("active_push", "closing", "request", "subscribed", "user_id", "ws")

    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        """Wrap an accepted WebSocket."""
        self.ws = ws
        self.request = request
        self.user_id: str | None = None
        self.subscribed: set[str] = set()
        # The last ActivePush's parameters besides the token (Platform, AppKey, RegionId...).
        self.active_push: dict[str, object] = {}
        # Set when the hub closes the connection: a reply held by a fault stops waiting.
        self.closing = asyncio.Event()

    async def send(self, text: str) -> bool:
        """Send a frame; False when the peer is already gone."""
        if self.ws.closed:
            return False
        try:
            await self.ws.send_str(text)
        except ConnectionResetError:
            return False
        return True


class PushHub:
    """Fan-out of frames to the connections that should see them."""

    def __init__(self) -> None:
        """Start with no connections."""
        self.connections: set[Connection] = set()
        self._by_device: dict[str, set[Connection]] = {}
        self._by_user: dict[str, set[Connection]] = {}
        self.refuse_subscriptions = False
        # What ActivePush answers: the live service's reply is not known to list the ids.
        self.active_push_reply = ActivePushReply.IDS
        self.payload_style = PayloadStyle()
        # Seq as the reference's samples have it, in seconds: pushes within a second share one.
        self.seq_in_seconds = False
        self._subscribed = asyncio.Event()

    def add(self, connection: Connection) -> None:
        """Track a new connection."""
        self.connections.add(connection)

    def remove(self, connection: Connection) -> None:
        """Forget a closed connection and its subscriptions."""
        self.connections.discard(connection)
        for device_id in connection.subscribed:
            self._discard(self._by_device, device_id, connection)
        if connection.user_id is not None:
            self._discard(self._by_user, connection.user_id, connection)

    @staticmethod
    def _discard(index: dict[str, set[Connection]], key: str, connection: Connection) -> None:
        members = index.get(key)
        if members is not None:
            members.discard(connection)
            if not members:
                del index[key]

    def subscribe(self, connection: Connection, user_id: str, device_ids: Iterable[str]) -> None:
        """Bind a connection to a user and add device subscriptions."""
        if connection.user_id != user_id:
            if connection.user_id is not None:
                self._discard(self._by_user, connection.user_id, connection)
            connection.user_id = user_id
            self._by_user.setdefault(user_id, set()).add(connection)
        for device_id in device_ids:
            connection.subscribed.add(device_id)
            self._by_device.setdefault(device_id, set()).add(connection)
        # Wake whoever waits for a subscription, and arm a fresh event for the next one.
        self._subscribed.set()
        self._subscribed = asyncio.Event()

    async def next_subscription(self) -> None:
        """Wait until some connection subscribes."""
        await self._subscribed.wait()

    def forget_device(self, device_id: str) -> None:
        """Drop every subscription to a device that was unbound."""
        for connection in self._by_device.pop(device_id, set()):
            connection.subscribed.discard(device_id)

    def forget_user_device(self, user_id: str, device_id: str) -> None:
        """Drop a user's subscriptions to a device they may no longer see (a share ended)."""
        for connection in self._by_user.get(user_id, set()):
            connection.subscribed.discard(device_id)
            self._discard(self._by_device, device_id, connection)

    def subscribers(self, device_id: str) -> set[Connection]:
        """Return the connections subscribed to a device."""
        return self._by_device.get(device_id, set())

    def of_users(self, user_ids: Iterable[str]) -> set[Connection]:
        """Return the connections of any of these users."""
        result: set[Connection] = set()
        for user_id in user_ids:
            result |= self._by_user.get(user_id, set())
        return result

    async def send(self, connections: Iterable[Connection], text: str) -> int:
        """Send one frame to several connections; return how many took it.

        One after the other on purpose: a frame is written before `send_str` awaits, so frames
        reach each connection in the order they were produced (concurrent sends could reorder
        them, and out-of-order delivery must only happen when a test injects it).
        """
        sent = 0
        for connection in list(connections):
            sent += await connection.send(text)
        return sent

    async def close_all(self, *, abort: bool = False) -> int:
        """Close every connection: a clean close frame, or a dropped TCP connection."""
        connections = list(self.connections)
        for connection in connections:
            connection.closing.set()
        if abort:
            for connection in connections:
                if (transport := connection.request.transport) is not None:
                    transport.abort()
        else:
            await asyncio.gather(
                *(c.ws.close(code=1001, message=b"simulator closing") for c in connections)
            )
        return len(connections)
