"""`CloudSimulator`: the simulated cloud as a Python object, for tests and for the CLI.

Tests run it inside their own event loop on a random loopback port:

    async with CloudSimulator() as sim:
        client = make_client(sim.api_url, sim.ws_url, sim.app_key, sim.app_secret)
        await sim.report("3JQ8VX2K1M/bulb_7c87ce1a", {"brightness": 40})

Every admin action of `/_sim/...` is a method here; the HTTP routes only call them.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
import secrets
import socket
import time
from types import TracebackType
from typing import Self

from aiohttp import web

from simulator import admin, errors, fixture
from simulator.app import API_PATH, DOC_WS_PATH, SDK_WS_PATH, Runtime, WsRefusal, build_app
from simulator.cloud import Cloud
from simulator.errors import ApiError
from simulator.faults import RATE_LIMIT_CODE, FaultKind, Faults, Throttling
from simulator.model import BindToken, Device, State, Timer, User, now_s
from simulator.push import ActivePushReply, PayloadStyle, PushHub

DEFAULT_TOKEN_TTL = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Account:
    """Credentials a login form takes."""

    kind: str  # "phone" | "email"
    country_code: str
    account: str
    password: str


def timer_entry(timer: Timer) -> dict[str, object]:
    """Describe a timer as tests read it back."""
    product_id, _, device_name = timer.device_id.partition("/")
    return {
        "TimerId": timer.timer_id,
        "DeviceId": timer.device_id,
        "ProductId": product_id,
        "DeviceName": device_name,
        "TimerName": timer.name,
        "Days": timer.days,
        "TimePoint": timer.time_point,
        "Repeat": timer.repeat,
        "Data": timer.data,
        "Status": timer.status,
    }


class CloudSimulator:
    """A local Tencent IoT Explorer application-side cloud."""

    def __init__(
        self,
        fixture_source: Path | str | Mapping[str, object] | None = None,
        *,
        devices: int = 0,
        wrapped: bool = True,
        token_ttl: int = DEFAULT_TOKEN_TTL,
        scene_delay_scale: float = 1.0,
        verification_code: str = "123456",
        motor_tick: float | None = 1.0,
    ) -> None:
        """Load a fixture (the default home when none is given) plus `devices` synthetic ones."""
        if fixture_source is None or isinstance(fixture_source, Path | str):
            self._source = fixture.read(Path(fixture_source or fixture.DEFAULT_FIXTURE))
        else:
            self._source = fixture_source
        self._synthetic = devices
        self._token_ttl = token_ttl
        self._scene_delay_scale = scene_delay_scale
        self._motor_tick = motor_tick
        self._verification_code = verification_code
        self.hub = PushHub()
        self.runtime = Runtime(self._new_cloud(), Faults(), wrapped)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def _new_cloud(self) -> Cloud:
        state = fixture.load(self._source, token_ttl=self._token_ttl, synthetic=self._synthetic)
        state.verification_code = self._verification_code
        return Cloud(
            state,
            self.hub,
            scene_delay_scale=self._scene_delay_scale,
            motor_tick=self._motor_tick,
        )

    # Lifecycle.

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, *, extra_routes: Iterable[web.RouteDef] = ()
    ) -> str:
        """Serve on host:port (0 = a free port) and return the base URL.

        `extra_routes` are served beside the cloud's (another cloud's simulator, say).
        """
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # Bind first: a taken port fails here, before anything needs cleaning up.
        sock = socket.create_server((host, port), family=family)
        app = build_app(self.runtime)
        app.add_routes(admin.routes(self))
        app.add_routes(extra_routes)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()
        bound_port = sock.getsockname()[1]
        url_host = f"[{host}]" if family == socket.AF_INET6 else host
        self.base_url = f"http://{url_host}:{bound_port}"
        return self.base_url

    async def stop(self) -> None:
        """Close every WebSocket, cancel scheduled work and shut the server down."""
        await self.hub.close_all()
        await self.cloud.close()
        self.runtime.faults.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        """Start on a random loopback port."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop."""
        await self.stop()

    async def reset(self) -> None:
        """Reload the fixture, forget faults and counters, and close every WebSocket."""
        await self.hub.close_all()
        await self.cloud.close()
        self.runtime.cloud = self._new_cloud()
        self.runtime.faults.clear()
        self.runtime.faults = Faults()
        self.runtime.last_requests.clear()
        self._clear_ws_options()
        self.hub.payload_style = PayloadStyle()
        self.hub.seq_in_seconds = False

    def _clear_ws_options(self) -> None:
        self.runtime.refused_ws_paths.clear()
        self.hub.refuse_subscriptions = False
        self.hub.active_push_reply = ActivePushReply.IDS

    # What a client needs.

    @property
    def cloud(self) -> Cloud:
        """The cloud's operations."""
        return self.runtime.cloud

    @property
    def state(self) -> State:
        """The cloud's data."""
        return self.runtime.cloud.state

    @property
    def api_url(self) -> str:
        """HTTP base: append /appapi or /tokenapi."""
        return f"{self.base_url}{API_PATH}"

    @property
    def ws_url(self) -> str:
        """The push channel at the path Tencent's SDK uses (`/ws/explorer`)."""
        return f"{self.base_url.replace('http', 'ws', 1)}{SDK_WS_PATH}"

    @property
    def doc_ws_url(self) -> str:
        """The push channel at the path the API reference names (`/iotstudio_v2_weapp_1`)."""
        return f"{self.base_url.replace('http', 'ws', 1)}{DOC_WS_PATH}"

    @property
    def app_key(self) -> str:
        """The AppKey appapi accepts."""
        return self.state.app_key

    @property
    def app_secret(self) -> str:
        """The AppSecret signatures are checked with."""
        return self.state.app_secret

    @property
    def demo_user(self) -> User:
        """The fixture's first user, who owns its families."""
        return next(iter(self.state.users.values()))

    @property
    def phone_account(self) -> Account:
        """The demo user's phone login."""
        user = self.demo_user
        return Account("phone", user.country_code, user.phone, user.password)

    @property
    def email_account(self) -> Account:
        """The demo user's email login."""
        user = self.demo_user
        return Account("email", "", user.email, user.password)

    def info(self) -> dict[str, object]:
        """URLs, credentials and accounts, as the CLI prints them."""
        return {
            "api_url": self.api_url,
            "ws_url": self.ws_url,
            "doc_ws_url": self.doc_ws_url,
            "admin_url": f"{self.base_url}/_sim",
            "app_key": self.app_key,
            "app_secret": self.app_secret,
            "accounts": [
                {
                    "UserID": user.user_id,
                    "NickName": user.nickname,
                    "CountryCode": user.country_code,
                    "PhoneNumber": user.phone,
                    "Email": user.email,
                    "Password": user.password,
                }
                for user in self.state.users.values()
            ],
            "verification_code": self.state.verification_code,
            "wrapped": self.runtime.wrapped,
        }

    # Devices.

    async def report(
        self, device_id: str, params: Mapping[str, object], *, kind: str = "Property"
    ) -> None:
        """Report values as the device (read-only ones too): apply them and push the report."""
        await self.cloud.report_raw(self.state.device(device_id), params, kind)

    async def set_online(self, device_id: str, online: bool) -> None:
        """Take a device (and a gateway's sub-devices) on- or offline; pushes StatusChange."""
        await self.cloud.set_online(self.state.device(device_id), online)

    async def raise_event(
        self, device_id: str, event_id: str, params: Mapping[str, object] | None = None
    ) -> None:
        """Post an event of the thing model as the device; pushes Event."""
        await self.cloud.post_event(self.state.device(device_id), event_id, params or {})

    def _new_device(self, product_id: str, device_name: str, alias: str | None) -> Device:
        product = self.state.products.get(product_id)
        if product is None:
            raise ApiError(errors.RESOURCE_NOT_FOUND, f"Product {product_id} does not exist")
        device = Device(product, device_name, alias or device_name)
        if device.device_id in self.state.devices:
            raise ApiError(errors.CANNOT_BIND_SAME_FAMILY, f"{device.device_id} is already bound")
        return device

    async def add_device(
        self,
        product_id: str,
        device_name: str,
        *,
        alias: str | None = None,
        family_id: str | None = None,
        room_id: str = "0",
        online: bool = True,
        gateway_id: str | None = None,
    ) -> str:
        """Bind a new device (default: first family, default room); returns its id.

        Pushes `StatusChange`/`Bind`; with `gateway_id`, the device is paired to that gateway as a
        sub-device (in the gateway's family) and `Gateway`/`bind` is pushed on the gateway.
        """
        device = self._new_device(product_id, device_name, alias)
        device.online = online
        gateway = None if gateway_id is None else self.state.device(gateway_id)
        if gateway is not None and gateway.device_type != 1:
            raise ApiError(errors.DEVICE_NOT_GATEWAY, f"{gateway_id} is not a gateway")
        default_family = gateway.family_id if gateway else next(iter(self.state.families))
        family = self.state.families[family_id or default_family]
        if room_id != "0" and room_id not in family.rooms:
            raise ApiError(
                errors.INVALID_PARAM, f"Room {room_id} is not in family {family.family_id}"
            )
        await self.cloud.bind(device, family, room_id, gateway)
        return device.device_id

    async def remove_device(self, device_id: str) -> None:
        """Unbind a device: pushes `StatusChange`/`Unbind`, or `Gateway`/`unbind` on its gateway.

        A gateway takes its sub-devices along.
        """
        await self.cloud.unbind(self.state.device(device_id))

    def share_device(self, device_id: str, user_id: str) -> None:
        """Share a device with a user, as if they had accepted an invitation (no push)."""
        self.cloud.share(self.state.device(device_id), user_id)

    def unshare_device(self, device_id: str, user_id: str) -> None:
        """End a share; the user's connections stop getting the device's pushes (no push)."""
        self.cloud.unshare(self.state.device(device_id), user_id)

    def rename_device(self, device_id: str, alias: str) -> None:
        """Rename a device, as the app does (AppUpdateDeviceInFamily; no push)."""
        self.cloud.rename(self.state.device(device_id), alias)

    def move_device(self, device_id: str, room_id: str) -> None:
        """Move a device to another room, as the app does (AppModifyFamilyDeviceRoom; no push)."""
        self.cloud.move(self.state.device(device_id), room_id)

    def register_bind_token(
        self,
        product_id: str,
        device_name: str,
        *,
        alias: str | None = None,
        token: str | None = None,
        ttl: float = 600,
    ) -> str:
        """Register a new device with a bind token, which becomes usable (state 2).

        The token is one from AppCreateDeviceBindToken, or a fresh one; AppTokenBindDeviceFamily
        then binds the device.
        """
        device = self._new_device(product_id, device_name, alias)
        entry = BindToken(token or secrets.token_hex(16), 2, time.time() + ttl, device.device_id)
        self.state.bind_tokens[entry.token] = entry
        self.state.pending[device.device_id] = device
        return entry.token

    async def step_motors(self) -> int:
        """Move every motor on its way one step and report it; return how many moved.

        With `motor_tick=None` motors move only so: a test decides when a curtain gets anywhere.
        """
        return await self.cloud.motors.step()

    def device_state(self, device_id: str) -> dict[str, object]:
        """Return what the cloud holds for a device."""
        device = self.state.device(device_id)
        ota = device.ota
        return {
            "DeviceId": device.device_id,
            "AliasName": device.alias,
            "FamilyId": device.family_id,
            "RoomId": device.room_id,
            "DeviceType": device.device_type,
            "GatewayId": device.gateway_id,
            "Online": device.online,
            "FwVersion": device.fw_version,
            "Seq": device.seq,
            "DataReads": device.data_reads,
            "EventReads": device.event_reads,
            "Data": device.values(),
            "MotorTarget": self.cloud.motors.target(device),
            "Ota": None
            if ota is None
            else {
                "OriVersion": ota.ori_version,
                "DstVersion": ota.dst_version,
                "Status": ota.status,
                "Percent": ota.percent,
            },
        }

    def advance_ota(
        self, device_id: str, *, percent: int | None = None, status: int | None = None
    ) -> dict[str, object]:
        """Move a firmware upgrade one step on, or to a given percent/status (5 fails, 6 completes)."""
        task = self.cloud.advance_ota(self.state.device(device_id), percent=percent, status=status)
        return {
            "OriVersion": task.ori_version,
            "DstVersion": task.dst_version,
            "Status": task.status,
            "Percent": task.percent,
        }

    def set_scene_running(self, scene_id: str, running: bool = True) -> None:
        """Flag a scene as running, so AppRunScene fails with SceneRunInProgress."""
        scene = self.state.scenes.get(scene_id)
        if scene is None:
            raise ApiError(errors.RESOURCE_NOT_FOUND, f"Scene {scene_id} does not exist")
        scene.forced_running = running

    # Accounts.

    def expire_tokens(self, *, revoke: bool = False, code: str | None = None) -> int:
        """Expire every AccessToken, or revoke them; return how many there were.

        Both answer `InvalidParameterValue.InvalidAccessToken` (wrapped `code` -1000), which
        Tencent's SDK re-logs in on; `code` makes expired tokens answer another code instead
        (the doc's `InvalidParameterValue.TokenIsExpire`, `VERIFY_LOGIN_FAIL`...).
        """
        count = len(self.state.sessions)
        if revoke:
            self.state.sessions.clear()
        else:
            for session in self.state.sessions.values():
                session.expire_at = now_s() - 1
                session.expired_code = code or errors.INVALID_ACCESS_TOKEN
        return count

    def set_password(self, password: str, user_id: str | None = None) -> None:
        """Change a user's password (the demo user's by default); tokens stay valid."""
        user = self.state.users[user_id] if user_id else self.demo_user
        user.password = password

    def last_verification_code(self) -> str | None:
        """Return the last code AppSend*VerificationCode sent."""
        return self.state.last_code

    def set_status_batch_limit(self, limit: int) -> None:
        """Reject AppGetDeviceStatuses calls naming more than `limit` devices (default 1000)."""
        self.state.status_batch_limit = limit

    def set_event_history_ms(self, enabled: bool = True) -> None:
        """AppListEventHistory gives TimeStamp in ms, as Tencent Cloud's samples show (not s)."""
        self.state.event_history_ms = enabled

    def set_history_interval(self, device_id: str, seconds: int) -> None:
        """The device reported every `seconds` (AppGetDeviceDataHistory; default 900)."""
        if seconds < 1:
            raise ApiError(errors.INVALID_PARAM, "the interval is at least 1 s")
        self.state.device(device_id).history_interval = seconds

    def leave_messages(
        self,
        category: int,
        title: str,
        content: str = "",
        *,
        family_id: str | None = None,
        device_id: str | None = None,
        count: int = 1,
    ) -> None:
        """Leave `count` messages (AppGetMessages) for every member of a family.

        The family is the device's, or `family_id`, or the demo user's first; messages left
        within one millisecond share their MsgTimestamp.
        """
        if category not in (1, 2, 3):
            raise ApiError(errors.INVALID_PARAM, "Category is 1, 2 or 3")
        device = self.state.device(device_id) if device_id else None
        family_id = device.family_id if device else family_id
        family = self.state.families.get(family_id) if family_id else None
        if family is None:
            family = self.state.families_of(self.demo_user)[0]
        for _ in range(count):
            self.state.notify(
                family,
                category=category,
                msg_type=category * 100,
                title=title,
                content=content,
                device=device,
            )

    def set_wrapped(self, enabled: bool) -> None:
        """Answer in the live `{"code", "msg", "data"}` wrapper (default), or the doc's `{"Response"}`."""
        self.runtime.wrapped = enabled

    def set_payload_style(self, *, nul_bytes: int = 0, unpadded: bool = False) -> None:
        """Encode push payloads with `nul_bytes` trailing NUL bytes and/or unpadded base64."""
        self.hub.payload_style = PayloadStyle(nul_bytes, unpadded)

    def set_seq_in_seconds(self, enabled: bool = True) -> None:
        """Give pushes a seconds-resolution Seq (the reference's samples): a second's pushes share it."""
        self.hub.seq_in_seconds = enabled

    def last_request(self, action: str) -> dict[str, object] | None:
        """Return the last HTTP request of an Action: `{"query": {...}, "body": {...}}`."""
        return self.runtime.last_requests.get(action)

    # Faults.

    def fail_next(self, count: int = 1, *, action: str | None = None) -> None:
        """Answer the next `count` requests (of `action`, or any) with an HTTP 500."""
        self.runtime.faults.arm(FaultKind.ERROR_500, count, action)

    def delay_next(self, seconds: float, count: int = 1, *, action: str | None = None) -> None:
        """Hold the next `count` requests `seconds` before handling them.

        Named `ActivePush` or a YunApi action (`AppDeviceTraceHeartBeat`), the WebSocket reply
        is held instead; a delay for any action applies to HTTP only.
        """
        self.runtime.faults.arm(FaultKind.DELAY, count, action, seconds)

    def malform_next(self, count: int = 1, *, action: str | None = None) -> None:
        """Cut the next `count` answers in half (invalid JSON); the calls still take effect."""
        self.runtime.faults.arm(FaultKind.MALFORMED, count, action)

    def throttle_next(
        self,
        count: int = 1,
        *,
        action: str | None = None,
        code: str = RATE_LIMIT_CODE,
        http_429: bool = False,
        retry_after: str | None = None,
    ) -> None:
        """Refuse the next `count` requests (of `action`, or any) for being too many.

        The refusal is the error `code` (HTTP 200), or with `http_429` an HTTP 429 carrying
        `retry_after` as its Retry-After header when given. Nothing happens for the call.
        """
        throttling = Throttling(code, http_429, retry_after)
        self.runtime.faults.arm(FaultKind.THROTTLE, count, action, throttling=throttling)

    def throttle_for(
        self,
        seconds: float,
        *,
        action: str | None = None,
        code: str = RATE_LIMIT_CODE,
        http_429: bool = False,
        retry_after: str | None = None,
    ) -> None:
        """Refuse every request (of `action`, or any) for `seconds`, as `throttle_next` does.

        The time runs on the event loop's timer (`call_later`): moving it forward ends it.
        """
        throttling = Throttling(code, http_429, retry_after)
        self.runtime.faults.arm_for(FaultKind.THROTTLE, seconds, action, throttling)

    def clear_faults(self) -> None:
        """Disarm every fault: accept subscriptions and connections on both paths again."""
        self.runtime.faults.clear()
        self._clear_ws_options()

    def refuse_subscriptions(self, enabled: bool = True) -> None:
        """ActivePush answers with an empty device list while enabled."""
        self.hub.refuse_subscriptions = enabled

    def set_active_push_reply(self, reply: ActivePushReply) -> None:
        """What ActivePush answers (it subscribes all the same): the ids, `data: {}`, or nothing."""
        self.hub.active_push_reply = reply

    def refuse_ws_path(self, path: str, how: WsRefusal | None = WsRefusal.NOT_FOUND) -> None:
        """Turn WebSocket clients away on `/ws/explorer` or `/iotstudio_v2_weapp_1`; None serves it again.

        `NOT_FOUND` answers the handshake with HTTP 404, `UNAVAILABLE` with 503; `CLOSE` accepts
        it, then closes at once.
        """
        if path not in {SDK_WS_PATH, DOC_WS_PATH}:
            raise ApiError(errors.INVALID_PARAM, f"{path} is not a WebSocket path")
        if how is None:
            self.runtime.refused_ws_paths.pop(path, None)
        else:
            self.runtime.refused_ws_paths[path] = how

    async def drop_websockets(self, *, abort: bool = False) -> int:
        """Close every WebSocket (close frame), or drop the TCP connections (`abort`)."""
        return await self.hub.close_all(abort=abort)

    async def send_garbage(self, text: str = '{"action":"DeviceChange","push":tr') -> int:
        """Send a frame that is not valid JSON to every connection."""
        return await self.hub.send(self.hub.connections, text)

    async def replay_out_of_order(self, device_id: str) -> None:
        """Re-send the device's last report (same Seq), then an older one with the replaced values."""
        await self.cloud.replay_out_of_order(self.state.device(device_id))

    # Records.

    def request_counts(self) -> dict[str, int]:
        """Return requests per Action (WebSocket ActivePush and YunApi actions included)."""
        return dict(self.runtime.faults.counts)

    def reset_request_counts(self) -> None:
        """Start counting from zero."""
        self.runtime.faults.counts.clear()

    def controls(self) -> list[dict[str, object]]:
        """Return the controls that reached devices, oldest first."""
        return [
            {"Time": c.time, "DeviceId": c.device_id, "Data": c.data, "Source": c.source}
            for c in self.state.controls
        ]

    def timers(self, device_id: str | None = None) -> list[dict[str, object]]:
        """Return the timers (of one device, or all)."""
        return [
            timer_entry(t) for t in self.state.timers.values() if device_id in {None, t.device_id}
        ]

    def share_invites(self) -> list[dict[str, object]]:
        """Return the share invitations sent with AppSendShareDeviceInvite."""
        return list(self.state.share_invites)

    def connections(self) -> list[dict[str, object]]:
        """Describe the open WebSockets: their user and subscriptions."""
        return [
            {
                "Path": c.request.path,
                "Query": dict(c.request.query),
                "UserID": c.user_id,
                "DeviceIds": sorted(c.subscribed),
                "ActivePush": dict(c.active_push),
            }
            for c in self.hub.connections
        ]

    async def wait_for_subscription(self, device_id: str | None = None) -> None:
        """Wait until a connection subscribed (to `device_id`, if given); wrap it in a timeout."""
        while not any(
            c.user_id is not None and (device_id is None or device_id in c.subscribed)
            for c in self.hub.connections
        ):
            await self.hub.next_subscription()
