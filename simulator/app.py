"""HTTP and WebSocket front: request checks, envelopes, faults and the push channel."""

import asyncio
import contextlib
from dataclasses import dataclass, field
from enum import StrEnum
import json
from typing import cast

from aiohttp import WSMsgType, web

from simulator import api_app, api_token, errors
from simulator.calls import AppCall, Result, TokenCall, TokenHandler
from simulator.cloud import Cloud
from simulator.errors import ApiError
from simulator.faults import FaultKind, Faults, Throttling
from simulator.model import now_s
from simulator.params import Params
from simulator.push import ActivePushReply, Connection
from simulator.signing import signature_matches

API_PATH = "/api/exploreropen"
SDK_WS_PATH = "/ws/explorer"  # what Tencent's app SDK connects to
DOC_WS_PATH = "/iotstudio_v2_weapp_1"  # what the API reference names
TIMESTAMP_WINDOW = 300  # s a signed request's Timestamp may be off the server's clock


def dumps(value: object) -> str:
    """Compact JSON, non-ASCII kept as is (as the live service answers)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class WsRefusal(StrEnum):
    """How a WebSocket path turns clients away."""

    NOT_FOUND = "not_found"  # the handshake is answered with HTTP 404
    UNAVAILABLE = "unavailable"  # HTTP 503: the path exists, its service is down for now
    CLOSE = "close"  # the handshake succeeds, then the socket closes before any reply


@dataclass(slots=True)
class Runtime:
    """What the request handlers work with; `cloud` is replaced when the simulator resets."""

    cloud: Cloud
    faults: Faults
    wrapped: bool = True
    refused_ws_paths: dict[str, WsRefusal] = field(default_factory=dict)
    # The last HTTP request per Action: its query string and JSON body.
    last_requests: dict[str, dict[str, object]] = field(default_factory=dict)


RUNTIME = web.AppKey("runtime", Runtime)


def envelope(runtime: Runtime, request_id: str, result: Result | ApiError) -> dict[str, object]:
    """Wrap a result as the documented `{"Response"}` or the live `{"code", "msg", "data"}`."""
    if isinstance(result, ApiError):
        body: dict[str, object] = {
            "Error": {"Code": result.code, "Message": result.message},
            "RequestId": request_id,
        }
    else:
        body = {**result, "RequestId": request_id}
    if not runtime.wrapped:
        return {"Response": body}
    if isinstance(result, ApiError):
        return {"code": errors.wrapped_code(result), "msg": result.message, "data": body}
    return {"code": 0, "msg": "", "data": body}


def _check_signature(runtime: Runtime, body: dict[str, object]) -> None:
    """AppKey, Timestamp (±300 s), Nonce and Signature of an appapi call."""
    state = runtime.cloud.state
    params = Params(body)
    if params.text("AppKey") != state.app_key:
        raise ApiError(errors.APP_NOT_EXISTS, "The application is not created or has been deleted")
    timestamp = params.integer("Timestamp")
    if abs(now_s() - timestamp) > TIMESTAMP_WINDOW:
        raise ApiError(errors.SIGNATURE_EXPIRE, "Timestamp is more than 300 s off the server time")
    if params.integer("Nonce") <= 0:
        raise ApiError(errors.INVALID_PARAM, "Nonce must be a positive integer")
    if not signature_matches(state.app_secret, body, params.text("Signature")):
        raise ApiError(errors.SIGNATURE_FAILURE, "The signature does not match")


async def dispatch_app(runtime: Runtime, body: dict[str, object], request_id: str) -> Result:
    """Run a signed appapi call."""
    _check_signature(runtime, body)
    handler = api_app.HANDLERS.get(cast(str, body.get("Action")))
    if handler is None:
        raise ApiError(errors.INVALID_ACTION, f"Illegal Action {body.get('Action')!r}")
    return await handler(AppCall(runtime.cloud, Params(body), request_id))


async def dispatch_token(
    runtime: Runtime,
    body: dict[str, object],
    request_id: str,
    handlers: dict[str, TokenHandler] = api_token.HANDLERS,
) -> Result:
    """Run a tokenapi call (also what the WebSocket's YunApi forwards)."""
    handler = handlers.get(cast(str, body.get("Action")))
    if handler is None:
        raise ApiError(errors.INVALID_ACTION, f"Illegal Action {body.get('Action')!r}")
    user = runtime.cloud.state.user_for_token(body.get("AccessToken"))
    return await handler(TokenCall(runtime.cloud, Params(body), request_id, user))


async def _read_body(request: web.Request) -> dict[str, object]:
    try:
        body = json.loads(await request.text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ApiError(errors.INVALID_JSON, "The request format is not JSON") from err
    if not isinstance(body, dict):
        raise ApiError(errors.INVALID_JSON, "The request format is not JSON")
    return cast(dict[str, object], body)


async def _dispatch(
    runtime: Runtime, body: dict[str, object], request_id: str, *, signed: bool
) -> Result | ApiError:
    """Run an HTTP call; a logical error becomes the value to answer with."""
    if not request_id:
        return ApiError(errors.MISSING_PARAM, "Missing required parameter RequestId")
    try:
        if signed:
            return await dispatch_app(runtime, body, request_id)
        return await dispatch_token(runtime, body, request_id)
    except ApiError as err:
        return err


def _throttled(runtime: Runtime, request_id: str, throttling: Throttling) -> web.Response:
    """A request refused for being one too many: nothing happens."""
    if throttling.http_429:
        headers = {"Retry-After": throttling.retry_after} if throttling.retry_after else {}
        return web.Response(status=429, text="429 Too Many Requests", headers=headers)
    refusal = ApiError(throttling.code, "Requests exceed the frequency limit")
    return web.json_response(envelope(runtime, request_id, refusal), dumps=dumps)


async def _handle(request: web.Request, *, signed: bool) -> web.Response:
    runtime = request.app[RUNTIME]
    try:
        body = await _read_body(request)
    except ApiError as err:
        return web.json_response(envelope(runtime, "", err), dumps=dumps)
    action = body.get("Action")
    action_name = action if isinstance(action, str) else ""
    raw_request_id = body.get("RequestId")
    request_id = raw_request_id if isinstance(raw_request_id, str) else ""
    faults = runtime.faults
    faults.counts[action_name] += 1
    runtime.last_requests[action_name] = {"query": dict(request.query), "body": body}
    if faults.take(FaultKind.ERROR_500, action_name):
        return web.Response(status=500, text="500 Internal Server Error")
    if (throttle := faults.take(FaultKind.THROTTLE, action_name)) and throttle.throttling:
        return _throttled(runtime, request_id, throttle.throttling)
    if delay := faults.take(FaultKind.DELAY, action_name):
        await asyncio.sleep(delay.seconds)
    result = await _dispatch(runtime, body, request_id, signed=signed)
    text = dumps(envelope(runtime, request_id, result))
    if faults.take(FaultKind.MALFORMED, action_name):
        text = text[: len(text) // 2]
    return web.Response(text=text, content_type="application/json")


async def handle_appapi(request: web.Request) -> web.Response:
    """POST {base}/appapi."""
    return await _handle(request, signed=True)


async def handle_tokenapi(request: web.Request) -> web.Response:
    """POST {base}/tokenapi."""
    return await _handle(request, signed=False)


def _ws_reply(req_id: object, data: object, error: str = "", error_message: str = "") -> str:
    return dumps({"error": error, "error_message": error_message, "data": data, "reqId": req_id})


def _active_push(runtime: Runtime, connection: Connection, params: dict[str, object]) -> list[str]:
    """Subscribe to the visible devices of the token's user; [] when refused."""
    state = runtime.cloud.state
    hub = runtime.cloud.hub
    try:
        user = state.user_for_token(params.get("AccessToken"))
    except ApiError:
        return []
    if hub.refuse_subscriptions:
        return []
    requested = params.get("DeviceIds")
    visible = [
        device_id
        for device_id in (requested if isinstance(requested, list) else [])
        if isinstance(device_id, str)
        and (device := state.devices.get(device_id)) is not None
        and state.can_see(user.user_id, device)
    ]
    connection.active_push = {
        key: value for key, value in params.items() if key not in {"AccessToken", "DeviceIds"}
    }
    hub.subscribe(connection, user.user_id, visible)
    return visible


async def _yun_api(
    runtime: Runtime, connection: Connection, params: dict[str, object]
) -> dict[str, object]:
    """Run a tokenapi call made over the WebSocket (the heartbeat, in practice)."""
    action_params = params.get("ActionParams")
    body = dict(action_params) if isinstance(action_params, dict) else {}
    body["Action"] = params.get("Action")
    raw_request_id = body.get("RequestId")
    request_id = raw_request_id if isinstance(raw_request_id, str) else ""
    runtime.faults.counts[str(body["Action"])] += 1
    await _ws_delay(runtime, connection, str(body["Action"]))
    result: Result | ApiError
    try:
        result = await dispatch_token(runtime, body, request_id, api_token.WS_HANDLERS)
    except ApiError as err:
        result = err
    if isinstance(result, ApiError):
        error = {"Code": result.code, "Message": result.message}
        return {"Response": {"Error": error, "RequestId": request_id}}
    return {"Response": {**result, "RequestId": request_id}}


async def _ws_delay(runtime: Runtime, connection: Connection, action: str) -> None:
    """Hold a WebSocket reply when a delay was armed for this very Action (a silent backend).

    Only a delay naming the Action applies, so `delay_next(...)` without one keeps meaning HTTP.
    The hold ends early when the hub closes the connection, so `stop()` leaves no handler behind.
    """
    if delay := runtime.faults.take(FaultKind.DELAY, action, exact=True):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(connection.closing.wait(), delay.seconds)


def _active_push_reply(runtime: Runtime, req_id: object, subscribed: list[str]) -> str | None:
    match runtime.cloud.hub.active_push_reply:
        case ActivePushReply.NONE:
            return None
        case ActivePushReply.NO_IDS:
            return _ws_reply(req_id, {})
    return _ws_reply(req_id, {"deviceIds": subscribed})


async def _ws_message(runtime: Runtime, connection: Connection, text: str) -> str | None:
    try:
        message = json.loads(text)
    except json.JSONDecodeError:
        return _ws_reply("", {}, "-1", "The message is not JSON")
    if not isinstance(message, dict):
        return _ws_reply("", {}, "-1", "The message is not a JSON object")
    req_id = message.get("reqId", "")
    raw_params = message.get("params")
    params = cast(dict[str, object], raw_params) if isinstance(raw_params, dict) else {}
    match message.get("action"):
        case "ActivePush":
            runtime.faults.counts["ActivePush"] += 1
            await _ws_delay(runtime, connection, "ActivePush")
            subscribed = _active_push(runtime, connection, params)
            return _active_push_reply(runtime, req_id, subscribed)
        case "YunApi":
            return _ws_reply(req_id, await _yun_api(runtime, connection, params))
        case other:
            return _ws_reply(req_id, {}, "-1", f"Unknown action {other!r}")


async def handle_ws(request: web.Request) -> web.StreamResponse:
    """GET /ws/explorer or /iotstudio_v2_weapp_1 (query `uin`, `cId`): the push channel."""
    runtime = request.app[RUNTIME]
    refusal = runtime.refused_ws_paths.get(request.path)
    if refusal is WsRefusal.NOT_FOUND:
        return web.Response(status=404, text="404: Not Found")
    if refusal is WsRefusal.UNAVAILABLE:
        return web.Response(status=503, text="503: Service Unavailable")
    # No compression: large frames would be deflated in an executor and could overtake others.
    # A short close timeout keeps stop() quick when a client does not answer the close frame.
    ws = web.WebSocketResponse(compress=False, timeout=2.0)
    await ws.prepare(request)
    if refusal is WsRefusal.CLOSE:
        await ws.close(code=1011, message=b"no push service on this path")
        return ws
    connection = Connection(ws, request)
    hub = runtime.cloud.hub
    hub.add(connection)
    try:
        async for message in ws:
            if message.type is WSMsgType.TEXT and (
                reply := await _ws_message(runtime, connection, message.data)
            ):
                await connection.send(reply)
    finally:
        hub.remove(connection)
    return ws


def build_app(runtime: Runtime) -> web.Application:
    """Build the aiohttp application, without the admin routes."""
    app = web.Application()
    app[RUNTIME] = runtime
    app.router.add_post(f"{API_PATH}/appapi", handle_appapi)
    app.router.add_post(f"{API_PATH}/tokenapi", handle_tokenapi)
    app.router.add_get(SDK_WS_PATH, handle_ws)
    app.router.add_get(DOC_WS_PATH, handle_ws)
    return app
