"""`/_sim/...`: the admin surface over HTTP, each route one `CloudSimulator` method.

JSON in, JSON out. A bad request answers 400 `{"error": {"Code", "Message"}}`.
"""

from collections.abc import Awaitable, Callable
import json
import math
from typing import TYPE_CHECKING, cast

from aiohttp import web

from simulator.app import WsRefusal
from simulator.errors import ApiError
from simulator.faults import RATE_LIMIT_CODE, FaultKind
from simulator.push import ActivePushReply

if TYPE_CHECKING:
    from simulator.simulator import CloudSimulator

type Body = dict[str, object]
type AdminHandler = Callable[[Body], Awaitable[object]]


def _text(body: Body, key: str, default: str | None = None) -> str:
    value = body.get(key, default)
    if not isinstance(value, str):
        raise TypeError(f"{key} must be a string")
    return value


def _optional_text(body: Body, key: str) -> str | None:
    return None if body.get(key) is None else _text(body, key)


def _optional_int(body: Body, key: str) -> int | None:
    value = body.get(key)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise TypeError(f"{key} must be an integer")
    return value


def _int(body: Body, key: str) -> int:
    if (value := _optional_int(body, key)) is None:
        raise TypeError(f"{key} is required")
    return value


def _flag(body: Body, key: str, default: bool = True) -> bool:
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise TypeError(f"{key} must be true or false")
    return value


def _object(body: Body, key: str) -> dict[str, object]:
    value = body.get(key, {})
    if not isinstance(value, dict):
        raise TypeError(f"{key} must be an object")
    return cast(dict[str, object], value)


def _number(body: Body, key: str, default: float) -> float:
    value = body.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{key} must be a number")
    return float(value)


def _wrap(handler: AdminHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def route(request: web.Request) -> web.Response:
        body: Body = dict(request.query)
        if request.can_read_body:
            try:
                decoded = json.loads(await request.text())
            except json.JSONDecodeError:
                decoded = None
            if not isinstance(decoded, dict):
                return web.json_response(
                    {"error": {"Code": "BadRequest", "Message": "body must be a JSON object"}},
                    status=400,
                )
            body.update(decoded)
        try:
            result = await handler(body)
        except ApiError as err:
            return web.json_response(
                {"error": {"Code": err.code, "Message": err.message}}, status=400
            )
        except (KeyError, TypeError, ValueError) as err:
            return web.json_response(
                {"error": {"Code": "BadRequest", "Message": str(err)}}, status=400
            )
        return web.json_response({"ok": True} if result is None else result)

    return route


def _arm_throttle(sim: CloudSimulator, body: Body, count: int) -> None:
    """Throttle the next `count` requests, or with `seconds` every request for that long."""
    action = _optional_text(body, "action")
    code = _text(body, "code", RATE_LIMIT_CODE)
    http_429 = _flag(body, "http_429", default=False)
    retry_after = _optional_text(body, "retry_after")
    if (seconds := _number(body, "seconds", 0)) > 0:
        sim.throttle_for(
            seconds, action=action, code=code, http_429=http_429, retry_after=retry_after
        )
    else:
        sim.throttle_next(
            count, action=action, code=code, http_429=http_429, retry_after=retry_after
        )


def _app_routes(sim: CloudSimulator) -> list[tuple[str, str, AdminHandler]]:
    """What a user does in the app without a push: sharing, renaming, moving devices."""

    async def share(body: Body) -> object:
        sim.share_device(_text(body, "device_id"), _text(body, "user_id"))
        return None

    async def unshare(body: Body) -> object:
        sim.unshare_device(_text(body, "device_id"), _text(body, "user_id"))
        return None

    async def rename(body: Body) -> object:
        sim.rename_device(_text(body, "device_id"), _text(body, "alias"))
        return None

    async def move(body: Body) -> object:
        sim.move_device(_text(body, "device_id"), _text(body, "room_id"))
        return None

    return [
        ("POST", "shares", share),
        ("POST", "shares/remove", unshare),
        ("POST", "devices/rename", rename),
        ("POST", "devices/move", move),
    ]


def _push_routes(sim: CloudSimulator) -> list[tuple[str, str, AdminHandler]]:
    """The `/_sim/ws/...` routes: the push channel's faults and options."""

    async def drop(body: Body) -> object:
        return {"count": await sim.drop_websockets(abort=_flag(body, "abort", default=False))}

    async def garbage(body: Body) -> object:
        text = _optional_text(body, "text")
        return {"count": await (sim.send_garbage() if text is None else sim.send_garbage(text))}

    async def replay(body: Body) -> object:
        await sim.replay_out_of_order(_text(body, "device_id"))
        return None

    async def refuse(body: Body) -> object:
        sim.refuse_subscriptions(_flag(body, "enabled"))
        return None

    async def refuse_path(body: Body) -> object:
        how = _optional_text(body, "how")
        sim.refuse_ws_path(_text(body, "path"), None if how is None else WsRefusal(how))
        return None

    async def active_push_reply(body: Body) -> object:
        sim.set_active_push_reply(ActivePushReply(_text(body, "reply")))
        return None

    async def payload_style(body: Body) -> object:
        sim.set_payload_style(
            nul_bytes=_optional_int(body, "nul_bytes") or 0,
            unpadded=_flag(body, "unpadded", default=False),
        )
        return None

    async def seq_in_seconds(body: Body) -> object:
        sim.set_seq_in_seconds(_flag(body, "enabled"))
        return None

    async def connections(_: Body) -> object:
        return sim.connections()

    return [
        ("POST", "ws/drop", drop),
        ("POST", "ws/garbage", garbage),
        ("POST", "ws/replay", replay),
        ("POST", "ws/refuse", refuse),
        ("POST", "ws/refuse_path", refuse_path),
        ("POST", "ws/active_push_reply", active_push_reply),
        ("POST", "ws/payload", payload_style),
        ("POST", "ws/seq_seconds", seq_in_seconds),
        ("GET", "ws/connections", connections),
    ]


def _record_routes(sim: CloudSimulator) -> list[tuple[str, str, AdminHandler]]:
    """What the cloud keeps of the past: property history, event history, messages."""

    async def history_interval(body: Body) -> object:
        sim.set_history_interval(_text(body, "device_id"), _int(body, "seconds"))
        return None

    async def event_history_ms(body: Body) -> object:
        sim.set_event_history_ms(_flag(body, "enabled"))
        return None

    async def messages(body: Body) -> object:
        sim.leave_messages(
            _int(body, "category"),
            _text(body, "title"),
            _text(body, "content", ""),
            family_id=_optional_text(body, "family_id"),
            device_id=_optional_text(body, "device_id"),
            count=_optional_int(body, "count") or 1,
        )
        return None

    return [
        ("POST", "history/interval", history_interval),
        ("POST", "events/ms", event_history_ms),
        ("POST", "messages", messages),
    ]


def routes(sim: CloudSimulator) -> list[web.RouteDef]:
    """Build the admin routes bound to a simulator."""

    async def info(_: Body) -> object:
        return sim.info()

    async def reset(_: Body) -> object:
        await sim.reset()
        return None

    async def report(body: Body) -> object:
        await sim.report(
            _text(body, "device_id"), _object(body, "params"), kind=_text(body, "kind", "Property")
        )
        return None

    async def online(body: Body) -> object:
        await sim.set_online(_text(body, "device_id"), _flag(body, "online"))
        return None

    async def event(body: Body) -> object:
        await sim.raise_event(
            _text(body, "device_id"), _text(body, "event_id"), _object(body, "params")
        )
        return None

    async def add_device(body: Body) -> object:
        device_id = await sim.add_device(
            _text(body, "product_id"),
            _text(body, "device_name"),
            alias=_optional_text(body, "alias"),
            family_id=_optional_text(body, "family_id"),
            room_id=_text(body, "room_id", "0"),
            online=_flag(body, "online"),
            gateway_id=_optional_text(body, "gateway_id"),
        )
        return {"device_id": device_id}

    async def remove_device(body: Body) -> object:
        await sim.remove_device(_text(body, "device_id"))
        return None

    async def device(body: Body) -> object:
        return sim.device_state(_text(body, "device_id"))

    async def bind_token(body: Body) -> object:
        token = sim.register_bind_token(
            _text(body, "product_id"),
            _text(body, "device_name"),
            alias=_optional_text(body, "alias"),
            token=_optional_text(body, "token"),
            ttl=_number(body, "ttl", 600),
        )
        return {"token": token}

    async def expire_tokens(body: Body) -> object:
        count = sim.expire_tokens(
            revoke=_flag(body, "revoke", default=False), code=_optional_text(body, "code")
        )
        return {"count": count}

    async def password(body: Body) -> object:
        sim.set_password(_text(body, "password"), _optional_text(body, "user_id"))
        return None

    async def wrapped(body: Body) -> object:
        sim.set_wrapped(_flag(body, "enabled"))
        return None

    async def arm_fault(body: Body) -> object:
        kind = FaultKind(_text(body, "kind"))
        count = _optional_int(body, "count") or 1
        if kind is FaultKind.THROTTLE:
            _arm_throttle(sim, body, count)
        else:
            sim.runtime.faults.arm(
                kind, count, _optional_text(body, "action"), _number(body, "seconds", 0)
            )
        return None

    async def list_faults(_: Body) -> object:
        return [
            {
                "kind": f.kind.value,
                "remaining": None if math.isinf(f.remaining) else int(f.remaining),
                "action": f.action,
                "seconds": f.seconds,
            }
            for f in sim.runtime.faults.armed
        ]

    async def clear_faults(_: Body) -> object:
        sim.clear_faults()
        return None

    async def last_request(body: Body) -> object:
        return sim.last_request(_text(body, "action")) or {}

    async def counters(_: Body) -> object:
        return sim.request_counts()

    async def reset_counters(_: Body) -> object:
        sim.reset_request_counts()
        return None

    async def controls(_: Body) -> object:
        return sim.controls()

    async def timers(body: Body) -> object:
        return sim.timers(_optional_text(body, "device_id"))

    async def ota(body: Body) -> object:
        return sim.advance_ota(
            _text(body, "device_id"),
            percent=_optional_int(body, "percent"),
            status=_optional_int(body, "status"),
        )

    async def verification_code(_: Body) -> object:
        return {"code": sim.last_verification_code()}

    async def share_invites(_: Body) -> object:
        return sim.share_invites()

    async def step_motors(_: Body) -> object:
        return {"moved": await sim.step_motors()}

    async def scene_running(body: Body) -> object:
        sim.set_scene_running(_text(body, "scene_id"), _flag(body, "running"))
        return None

    table: list[tuple[str, str, AdminHandler]] = [
        ("GET", "info", info),
        ("POST", "reset", reset),
        ("POST", "report", report),
        ("POST", "online", online),
        ("POST", "event", event),
        ("POST", "devices", add_device),
        ("POST", "devices/remove", remove_device),
        ("GET", "device", device),
        ("POST", "bind_tokens", bind_token),
        ("POST", "tokens/expire", expire_tokens),
        ("POST", "password", password),
        ("POST", "wrapped", wrapped),
        ("POST", "faults", arm_fault),
        ("GET", "faults", list_faults),
        ("POST", "faults/clear", clear_faults),
        ("GET", "last_request", last_request),
        ("GET", "counters", counters),
        ("POST", "counters/reset", reset_counters),
        ("GET", "controls", controls),
        ("GET", "timers", timers),
        ("POST", "ota/advance", ota),
        ("GET", "verification_code", verification_code),
        ("GET", "share_invites", share_invites),
        ("POST", "scenes/running", scene_running),
        ("POST", "motors/step", step_motors),
    ]
    table += _push_routes(sim) + _record_routes(sim) + _app_routes(sim)
    return [web.route(method, f"/_sim/{path}", _wrap(handler)) for method, path, handler in table]
