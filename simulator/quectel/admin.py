"""`/_sim/quectel/...`: the Quectel simulator's admin surface over HTTP, each route one method.

JSON in, JSON out, as Tencent's `/_sim/...` (whose request handling it shares); a bad request
answers 400 `{"error": {"Code", "Message"}}`.
"""

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from simulator.admin import (
    _flag,
    _number,
    _object,
    _optional_int,
    _optional_text,
    _text,
    _wrap,
)
from simulator.errors import ApiError
from simulator.quectel.model import QuecError
from simulator.quectel.push import WsRefusal

if TYPE_CHECKING:
    from simulator.quectel.simulator import QuectelSimulator

type Body = dict[str, object]
type AdminHandler = Callable[[Body], Awaitable[object]]


def _as_api_errors(handler: AdminHandler) -> AdminHandler:
    """Quectel's errors as the admin surface reports them (the Tencent simulator's `_wrap`)."""

    async def run(body: Body) -> object:
        try:
            return await handler(body)
        except QuecError as err:
            raise ApiError(str(err.code), err.msg) from err

    return run


def _device_routes(sim: QuectelSimulator) -> list[tuple[str, str, AdminHandler]]:
    async def report(body: Body) -> object:
        await sim.report(_text(body, "device_id"), _object(body, "values"))
        return None

    async def online(body: Body) -> object:
        await sim.set_online(_text(body, "device_id"), _flag(body, "online"))
        return None

    async def event(body: Body) -> object:
        await sim.raise_event(
            _text(body, "device_id"), _text(body, "code"), _object(body, "params")
        )
        return None

    async def add_device(body: Body) -> object:
        key = await sim.add_device(
            _text(body, "product_key"),
            _text(body, "device_key"),
            name=_optional_text(body, "name"),
            owner=_optional_text(body, "owner"),
            fid=_optional_text(body, "fid"),
            gateway=_optional_text(body, "gateway"),
            online=_flag(body, "online"),
        )
        return {"device_id": key}

    async def remove_device(body: Body) -> object:
        await sim.remove_device(_text(body, "device_id"))
        return None

    async def share(body: Body) -> object:
        expire_at = _optional_int(body, "expire_at")
        await sim.share(_text(body, "device_id"), _text(body, "uid"), expire_at=expire_at)
        return None

    async def unshare(body: Body) -> object:
        await sim.unshare(_text(body, "device_id"), _text(body, "uid"))
        return None

    async def device(body: Body) -> object:
        return sim.device_state(_text(body, "device_id"))

    async def controls(_: Body) -> object:
        return sim.controls()

    return [
        ("POST", "report", report),
        ("POST", "online", online),
        ("POST", "event", event),
        ("POST", "devices", add_device),
        ("POST", "devices/remove", remove_device),
        ("POST", "share", share),
        ("POST", "unshare", unshare),
        ("GET", "device", device),
        ("GET", "controls", controls),
    ]


def _fault_routes(sim: QuectelSimulator) -> list[tuple[str, str, AdminHandler]]:
    async def fault(body: Body) -> object:
        kind = _text(body, "kind")
        count = _optional_int(body, "count") or 1
        action = _optional_text(body, "action")
        match kind:
            case "http500":
                sim.fail_next(count, action=action)
            case "delay":
                sim.delay_next(_number(body, "seconds", 1.0), count, action=action)
            case "malformed":
                sim.malform_next(count, action=action)
            case "rate_limit":
                sim.rate_limit_next(count, action=action)
            case "code":
                sim.error_next(int(_number(body, "code", 0)), count, action=action)
            case _:
                raise ValueError(f"unknown fault kind {kind!r}")
        return None

    async def clear(_: Body) -> object:
        sim.clear_faults()
        return None

    async def expire_tokens(body: Body) -> object:
        return {"count": sim.expire_tokens(refresh=_flag(body, "refresh", default=False))}

    async def password(body: Body) -> object:
        sim.set_password(_text(body, "password"), _optional_text(body, "uid"))
        return None

    async def family_mode(body: Body) -> object:
        sim.set_family_mode(_flag(body, "enabled"), _optional_text(body, "uid"))
        return None

    async def drop(body: Body) -> object:
        return {"count": await sim.drop_websockets(abort=_flag(body, "abort", default=False))}

    async def garbage(body: Body) -> object:
        return {"count": await sim.send_garbage(_text(body, "text", "this is not JSON"))}

    async def refuse_path(body: Body) -> object:
        how = _optional_text(body, "how")
        sim.refuse_ws_path(_text(body, "path"), None if how is None else WsRefusal(how))
        return None

    async def refuse_login(body: Body) -> object:
        sim.refuse_push_login(_flag(body, "enabled"))
        return None

    return [
        ("POST", "faults", fault),
        ("POST", "faults/clear", clear),
        ("POST", "tokens/expire", expire_tokens),
        ("POST", "password", password),
        ("POST", "family_mode", family_mode),
        ("POST", "ws/drop", drop),
        ("POST", "ws/garbage", garbage),
        ("POST", "ws/refuse_path", refuse_path),
        ("POST", "ws/refuse_login", refuse_login),
    ]


def routes(sim: QuectelSimulator) -> list[web.RouteDef]:
    """The admin routes bound to a simulator, under `/_sim/quectel/`."""

    async def info(_: Body) -> object:
        return sim.info()

    async def reset(_: Body) -> object:
        await sim.reset()
        return None

    async def counters(_: Body) -> object:
        return sim.request_counts()

    async def last_request(body: Body) -> object:
        return sim.last_request(_text(body, "action")) or {}

    async def connections(_: Body) -> object:
        return sim.connections()

    table: list[tuple[str, str, AdminHandler]] = [
        ("GET", "info", info),
        ("POST", "reset", reset),
        ("GET", "counters", counters),
        ("GET", "last_request", last_request),
        ("GET", "ws/connections", connections),
        *_device_routes(sim),
        *_fault_routes(sim),
    ]
    return [
        web.route(method, f"/_sim/quectel/{path}", _wrap(_as_api_errors(handler)))
        for method, path, handler in table
    ]
