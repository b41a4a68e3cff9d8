"""HTTP and WebSocket front of the simulated Quectel cloud: routes, envelope, token, faults."""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
import json
from typing import Any, Final

from aiohttp import web

from simulator.faults import FaultKind, Faults
from simulator.quectel import api, api_records
from simulator.quectel.api import Call, Handler
from simulator.quectel.cloud import QuectelCloud
from simulator.quectel.model import QuecError, now_ms
from simulator.quectel.push import PushHub, dumps

LIVE_WS_PATH: Final = "/ws/v2"
DOC_WS_PATH: Final = "/ws/v1"
_ENDUSER = "/v2/enduser/enduserapi"
_BINDING = "/v2/binding/enduserapi"
_FAMILY = "/v2/family/enduserapi"
_CEP = "/v2/cep/enduserapi"
_DATA = "/v2/quecdatastorage/enduserapi"
_MESSAGES = "/v2/mobilepush/enduserapi"

# (method, path, handler, whether it needs a token)
ROUTES: Final[list[tuple[str, str, Handler, bool]]] = [
    ("POST", f"{_ENDUSER}/emailPwdLogin", api.login("email"), False),
    ("POST", f"{_ENDUSER}/phonePwdLogin", api.login("phone"), False),
    ("PUT", f"{_ENDUSER}/refreshToken", api.refresh_token, False),
    ("GET", f"{_ENDUSER}/userInfo", api.user_info, True),
    ("DELETE", f"{_ENDUSER}/userLogout", api.user_logout, True),
    ("GET", f"{_FAMILY}/getFamilyModeConfig", api.family_mode_config, True),
    ("GET", f"{_FAMILY}/getFamilyList", api.family_list, True),
    ("GET", f"{_FAMILY}/getFamilyRoomList", api.room_list, True),
    ("GET", f"{_FAMILY}/getFamilyDeviceList", api.family_device_list, True),
    ("GET", f"{_FAMILY}/getFamilyRoomDeviceList", api.room_device_list, True),
    ("GET", f"{_BINDING}/userDeviceList", api.user_device_list, True),
    ("GET", f"{_BINDING}/getGatewayDeviceChildList", api.gateway_children, True),
    ("GET", f"{_BINDING}/productTSL", api.product_tsl, True),
    ("GET", f"{_BINDING}/getDeviceBusinessAttributes", api.business_attributes, True),
    ("POST", f"{_BINDING}/batchControlDevice", api.batch_control, True),
    ("POST", f"{_BINDING}/shareByUid", api_records.share_by_uid, True),
    ("GET", f"{_BINDING}/deviceShareUserList", api_records.share_user_list, True),
    ("DELETE", f"{_BINDING}/ownerUserUnshareDevice", api_records.owner_unshare, True),
    ("GET", f"{_CEP}/selectSceneList", api.scene_list, True),
    ("POST", f"{_CEP}/sceneExecute", api.scene_execute, True),
    ("GET", f"{_CEP}/automation/list", api.automation_list, True),
    ("POST", f"{_CEP}/automation/status", api.automation_status, True),
    ("POST", f"{_CEP}/v2/addCornJob", api_records.add_cron_job, True),
    ("PUT", f"{_CEP}/v2/setCronJob", api_records.set_cron_job, True),
    ("GET", f"{_CEP}/v2/getCronJobList", api_records.cron_job_list, True),
    ("DELETE", f"{_CEP}/batchDeleteCronJob", api_records.delete_cron_jobs, True),
    ("GET", f"{_DATA}/getPropertyDataList", api_records.property_data_list, True),
    ("POST", f"{_DATA}/v2/deviceEventList", api_records.device_event_list, True),
    ("GET", f"{_MESSAGES}/userMsgList", api_records.message_list, True),
    ("POST", f"{_MESSAGES}/readMsg", api_records.read_messages, True),
]


@dataclass(slots=True)
class CodeFault:
    """The next `remaining` calls (of one action, or any) answer this envelope code."""

    code: int
    remaining: int
    action: str | None = None
    msg: str = ""


@dataclass(slots=True)
class Runtime:
    """What the handlers work with; `cloud` is replaced when the simulator resets."""

    cloud: QuectelCloud
    hub: PushHub
    faults: Faults = field(default_factory=Faults)
    code_faults: list[CodeFault] = field(default_factory=list)
    success_code: int = 200  # the pages' examples show 0
    bare_lists: set[str] = field(default_factory=set)
    # The last request per action: method, query, form, JSON body and headers (no token).
    last_requests: dict[str, dict[str, object]] = field(default_factory=dict)

    def take_code_fault(self, action: str) -> CodeFault | None:
        """Use up one shot of the first code fault that matches the action."""
        for fault in self.code_faults:
            if fault.action in (None, action):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.code_faults.remove(fault)
                return fault
        return None


def _scalars(value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): v for k, v in value.items() if not isinstance(v, Mapping | list)}


async def _read(request: web.Request) -> tuple[dict[str, Any], Any]:
    params: dict[str, Any] = dict(request.query)
    body: Any = None
    if request.content_type == "application/x-www-form-urlencoded":
        params.update(await request.post())
    elif request.can_read_body:
        try:
            body = json.loads(await request.text())
        except ValueError:
            raise QuecError(5005, "The request body is not JSON") from None
        params.update(_scalars(body))
    return params, body


def _user(runtime: Runtime, request: web.Request) -> tuple[str, str]:
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token:
        raise QuecError(5106, "Please enter token")
    session = runtime.cloud.state.sessions.get(token)
    if session is None or session.access_expire <= now_ms():
        raise QuecError(5032, "token verification failed")
    return session.uid, token


def _envelope(runtime: Runtime, result: object) -> dict[str, Any]:
    if isinstance(result, QuecError):
        return {"code": result.code, "msg": result.msg, "data": None, "extMsg": None}
    return {"code": runtime.success_code, "msg": "", "data": result, "extMsg": None}


def _handler(runtime: Runtime, handler: Handler, needs_token: bool) -> Any:
    async def route(request: web.Request) -> web.Response:
        action = request.path.rsplit("/", 1)[-1]
        faults = runtime.faults
        faults.counts[action] += 1
        if faults.take(FaultKind.ERROR_500, action):
            return web.Response(status=500, text="500 Internal Server Error")
        if delay := faults.take(FaultKind.DELAY, action):
            await asyncio.sleep(delay.seconds)
        result: object
        try:
            params, body = await _read(request)
            runtime.last_requests[action] = {
                "method": request.method,
                "params": {k: v for k, v in params.items() if k != "pwd"},
                "body": body,
                "headers": {k: v for k, v in request.headers.items() if k != "Authorization"},
            }
            if (fault := runtime.take_code_fault(action)) is not None:
                result = QuecError(fault.code, fault.msg or f"simulated error {fault.code}")
            else:
                call = Call(runtime.cloud, params, body, bare_lists=action in runtime.bare_lists)
                if needs_token:
                    call.uid, call.token = _user(runtime, request)
                result = await handler(call)
        except QuecError as err:
            result = err
        text = dumps(_envelope(runtime, result))
        if faults.take(FaultKind.MALFORMED, action):
            text = text[: len(text) // 2]
        return web.Response(text=text, content_type="application/json")

    return route


def routes(runtime: Runtime) -> list[web.RouteDef]:
    """The API's routes and the push channel at both paths."""
    table = [
        web.route(method, path, _handler(runtime, handler, token))
        for method, path, handler, token in ROUTES
    ]
    table += [web.get(LIVE_WS_PATH, runtime.hub.handle), web.get(DOC_WS_PATH, runtime.hub.handle)]
    return table
