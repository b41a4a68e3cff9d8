"""`QuectelSimulator`: a local Quectel Developer Center cloud, for tests and for the CLI.

Tests run it in their own event loop on a random loopback port:

    async with QuectelSimulator() as sim:
        client = make_client(sim.api_url, sim.ws_url, sim.user_domain, sim.user_domain_secret)
        await sim.report("p11lt1/LT0001", {"brightness": 40})

`python -m simulator` serves it beside the Tencent cloud on one port (`routes()`): its paths
(`/v2/...`, `/ws/v2`, `/ws/v1`, `/_sim/quectel/...`) do not collide with Tencent's.
"""

from collections.abc import Mapping
from dataclasses import dataclass
import socket
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from simulator.faults import FaultKind
from simulator.quectel import admin
from simulator.quectel.app import DOC_WS_PATH, LIVE_WS_PATH, CodeFault, Runtime, routes
from simulator.quectel.cloud import QuectelCloud
from simulator.quectel.model import (
    Device,
    QuecError,
    State,
    User,
    add_synthetic_devices,
    load,
    now_ms,
    read_fixture,
)
from simulator.quectel.push import PushHub, WsRefusal

RATE_LIMITED = 4026


@dataclass(frozen=True, slots=True)
class QuecAccount:
    """Credentials a login form takes."""

    kind: str  # "email" | "phone"
    country_code: str
    account: str
    password: str


class QuectelSimulator:
    """A local Quectel end-user cloud with a demo home."""

    def __init__(self, fixture: Mapping[str, Any] | None = None, *, devices: int = 0) -> None:
        """Load a fixture (the demo home when none is given) plus `devices` synthetic ones."""
        self._source = fixture or read_fixture()
        self._synthetic = devices
        self.hub = PushHub(lambda: self.state)
        self.runtime = Runtime(QuectelCloud(self._load(), self.hub), self.hub)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # Lifecycle

    def routes(self) -> list[web.RouteDef]:
        """The API, the push channel and the admin routes, to serve in any aiohttp app."""
        return [*routes(self.runtime), *admin.routes(self)]

    def bind(self, base_url: str) -> None:
        """Name the base URL the routes are served at (when mounted in another app)."""
        self.base_url = base_url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 = a free port) and return the base URL."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.create_server((host, port), family=family)
        app = web.Application()
        app.add_routes(self.routes())
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()
        url_host = f"[{host}]" if family == socket.AF_INET6 else host
        self.bind(f"http://{url_host}:{sock.getsockname()[1]}")
        return self.base_url

    async def stop(self) -> None:
        """Close every WebSocket and shut the server down."""
        await self.hub.close_all()
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
        """Reload the fixture, forget faults, options and counters, close every WebSocket."""
        await self.hub.close_all()
        self.runtime.cloud = QuectelCloud(self._load(), self.hub)
        self.runtime.faults.clear()
        self.runtime.faults.counts.clear()
        self.runtime.code_faults.clear()
        self.runtime.bare_lists.clear()
        self.runtime.success_code = 200
        self.runtime.last_requests.clear()
        self.hub.handshakes.clear()
        self.hub.options = type(self.hub.options)()

    def _load(self) -> State:
        state = load(self._source)
        add_synthetic_devices(state, self._synthetic)
        return state

    # What a client needs

    @property
    def state(self) -> State:
        """The cloud's data."""
        return self.runtime.cloud.state

    @property
    def cloud(self) -> QuectelCloud:
        """The cloud's operations."""
        return self.runtime.cloud

    @property
    def api_url(self) -> str:
        """HTTP base (the paths start with /v2/...)."""
        return self.base_url

    @property
    def ws_url(self) -> str:
        """The push channel at the live path (`/ws/v2`)."""
        return f"{self.base_url.replace('http', 'ws', 1)}{LIVE_WS_PATH}"

    @property
    def doc_ws_url(self) -> str:
        """The push channel at the doc's path (`/ws/v1`)."""
        return f"{self.base_url.replace('http', 'ws', 1)}{DOC_WS_PATH}"

    @property
    def user_domain(self) -> str:
        """The app's user domain."""
        return self.state.user_domain

    @property
    def user_domain_secret(self) -> str:
        """The app's user domain secret (login signatures)."""
        return self.state.user_domain_secret

    @property
    def demo_user(self) -> User:
        """The fixture's first user, who owns the demo home (family mode on)."""
        return next(iter(self.state.users.values()))

    @property
    def email_account(self) -> QuecAccount:
        """The demo user's email login."""
        user = self.demo_user
        return QuecAccount("email", "", user.email, user.password)

    @property
    def phone_account(self) -> QuecAccount:
        """The demo user's phone login."""
        user = self.demo_user
        return QuecAccount("phone", user.country_code, user.phone, user.password)

    def info(self) -> dict[str, object]:
        """URLs, the app's credentials and the accounts, as the CLI prints them."""
        return {
            "api_url": self.api_url,
            "ws_url": self.ws_url,
            "doc_ws_url": self.doc_ws_url,
            "admin_url": f"{self.base_url}/_sim/quectel",
            "user_domain": self.user_domain,
            "user_domain_secret": self.user_domain_secret,
            "accounts": [
                {
                    "uid": user.uid,
                    "nickname": user.nickname,
                    "email": user.email,
                    "phone": f"+{user.country_code} {user.phone}",
                    "password": user.password,
                    "family_mode": user.family_mode,
                }
                for user in self.state.users.values()
            ],
        }

    # Devices

    async def report(self, device_id: str, values: Mapping[str, object]) -> None:
        """The device reports values (read-only ones too): stored and pushed as MATTR/REPORT."""
        await self.cloud.report(self.state.device(device_id), values)

    async def set_online(self, device_id: str, online: bool) -> None:
        """Take a device (and a gateway's sub-devices) on- or offline; pushes ONLINE."""
        await self.cloud.set_online(self.state.device(device_id), online)

    async def raise_event(
        self, device_id: str, code: str, params: Mapping[str, object] | None = None
    ) -> None:
        """The device raises a TSL event; pushes MEVENT; warnings and errors leave a message."""
        await self.cloud.raise_event(self.state.device(device_id), code, params or {})

    async def add_device(
        self,
        product_key: str,
        device_key: str,
        *,
        name: str | None = None,
        owner: str | None = None,
        fid: str | None = None,
        gateway: str | None = None,
        online: bool = True,
    ) -> str:
        """Bind a new device to a user (the demo user by default); pushes ENDUSER value 1."""
        product = self.state.products.get(product_key)
        if product is None:
            raise QuecError(5066, f"product {product_key} does not exist")
        device = Device(
            product,
            device_key,
            name or device_key,
            owner or self.demo_user.uid,
            fid=next(iter(self.state.families)) if fid is None else fid,
            access_type=2 if gateway else 0,
            gateway=gateway,
            online=online,
        )
        if device.key in self.state.devices:
            raise QuecError(5050, f"{device.key} is already bound")
        await self.cloud.bind(device)
        return device.key

    async def remove_device(self, device_id: str) -> None:
        """Unbind a device (a gateway takes its sub-devices along); pushes ENDUSER value 0."""
        await self.cloud.unbind(self.state.device(device_id))

    async def share(self, device_id: str, uid: str, *, expire_at: int | None = None) -> None:
        """Share a device with a user; pushes ENDUSER value 1 to them."""
        await self.cloud.share(self.state.device(device_id), uid, expire_at)

    async def unshare(self, device_id: str, uid: str) -> None:
        """Take a share back; pushes ENDUSER value 0 to the recipient."""
        await self.cloud.unshare(self.state.device(device_id), uid)

    def device_state(self, device_id: str) -> dict[str, object]:
        """What the cloud holds for a device."""
        device = self.state.device(device_id)
        return {
            "DeviceId": device.key,
            "Name": device.name,
            "Owner": device.owner,
            "Online": device.online,
            "Values": dict(device.values),
            "SharedWith": sorted(device.shares),
            "Gateway": device.gateway,
        }

    def controls(self) -> list[dict[str, Any]]:
        """Writes and service calls that reached devices: `{Time, DeviceId, Data, Source}`."""
        return list(self.state.controls)

    def add_history(self, device_id: str, code: str, points: list[tuple[int, object]]) -> None:
        """Add past values (ms, value) of a property."""
        self.state.device(device_id).history.setdefault(code, []).extend(points)

    # Accounts

    def expire_tokens(self, *, refresh: bool = False) -> int:
        """Expire every access token (and with `refresh` every refresh token); return how many."""
        for session in self.state.sessions.values():
            session.access_expire = now_ms() - 1
            if refresh:
                session.refresh_expire = now_ms() - 1
        return len(self.state.sessions)

    def set_password(self, password: str, uid: str | None = None) -> None:
        """Change a password (the demo user's by default); tokens stay valid."""
        (self.state.users[uid] if uid else self.demo_user).password = password

    def set_family_mode(self, enabled: bool, uid: str | None = None) -> None:
        """Switch a user's family mode (the demo user's by default)."""
        (self.state.users[uid] if uid else self.demo_user).family_mode = enabled

    # Faults and dialects

    def fail_next(self, count: int = 1, *, action: str | None = None) -> None:
        """The next requests (of an action, e.g. "userDeviceList", or any) answer HTTP 500."""
        self.runtime.faults.arm(FaultKind.ERROR_500, count, action)

    def delay_next(self, seconds: float, count: int = 1, *, action: str | None = None) -> None:
        """The next requests wait before being handled."""
        self.runtime.faults.arm(FaultKind.DELAY, count, action, seconds)

    def malform_next(self, count: int = 1, *, action: str | None = None) -> None:
        """The next answers are cut in half (invalid JSON); the calls still take effect."""
        self.runtime.faults.arm(FaultKind.MALFORMED, count, action)

    def error_next(
        self, code: int, count: int = 1, *, action: str | None = None, msg: str = ""
    ) -> None:
        """The next requests answer an envelope with this code (and nothing happens)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        self.runtime.code_faults.append(CodeFault(code, count, action, msg))

    def rate_limit_next(self, count: int = 1, *, action: str | None = None) -> None:
        """The next requests are refused for being too many (code 4026)."""
        self.error_next(RATE_LIMITED, count, action=action, msg="Request too frequent")

    def clear_faults(self) -> None:
        """Disarm every fault; serve both WebSocket paths and accept logins again."""
        self.runtime.faults.clear()
        self.runtime.code_faults.clear()
        self.hub.options.refused_paths.clear()
        self.hub.options.refuse_login = False
        self.hub.options.silent_login = False

    def set_success_code(self, code: int) -> None:
        """Answer success with 200 (live, the default) or 0 (the pages' examples)."""
        self.runtime.success_code = code

    def set_bare_lists(self, *actions: str) -> None:
        """These list calls answer a bare array of every item instead of a page."""
        self.runtime.bare_lists = set(actions)

    def set_push_style(self, *, kv_as_text: bool = True, enduser_data_as_text: bool = True) -> None:
        """Report values as text (the doc's example) or as JSON values; ENDUSER data as text or object."""
        self.hub.options.kv_as_text = kv_as_text
        self.hub.options.enduser_data_as_text = enduser_data_as_text

    def refuse_ws_path(self, path: str, how: WsRefusal | None = WsRefusal.NOT_FOUND) -> None:
        """Turn clients away from `/ws/v2` or `/ws/v1` (None serves it again)."""
        if how is None:
            self.hub.options.refused_paths.pop(path, None)
        else:
            self.hub.options.refused_paths[path] = how

    def refuse_push_login(self, enabled: bool = True) -> None:
        """The push channel answers every login with 4008 (token validation failed)."""
        self.hub.options.refuse_login = enabled

    def silence_push_login(self, enabled: bool = True) -> None:
        """The push channel never answers a login (a stuck service)."""
        self.hub.options.silent_login = enabled

    async def drop_websockets(self, *, abort: bool = False) -> int:
        """Close every WebSocket (close frame 1001), or drop the TCP connections."""
        return await self.hub.close_all(abort=abort)

    async def send_garbage(self, text: str = "this is not JSON") -> int:
        """Send a frame that is no valid message to every connection."""
        return await self.hub.send_garbage(text)

    def request_counts(self) -> dict[str, int]:
        """Requests per action (the path's last segment); WebSocket handshakes as "v2", "v1"."""
        return {**self.runtime.faults.counts, **self.hub.handshakes}

    def reset_request_counts(self) -> None:
        """Start counting requests (and handshakes) from zero."""
        self.runtime.faults.counts.clear()
        self.hub.handshakes.clear()

    def last_request(self, action: str) -> dict[str, object] | None:
        """The last request of an action: method, params (no password), JSON body, headers."""
        return self.runtime.last_requests.get(action)

    def connections(self) -> list[dict[str, object]]:
        """Open WebSockets: path, uid, subscribed devices, heartbeats received."""
        return [
            {
                "Path": connection.path,
                "Uid": connection.uid,
                "DeviceIds": sorted(connection.subscriptions),
                "Heartbeats": connection.heartbeats,
            }
            for connection in self.hub.connections
        ]

    async def wait_for_subscription(self, device_id: str | None = None) -> None:
        """Until a logged-in connection subscribed (to `device_id`, if given); wrap in a timeout."""
        while not any(
            c.uid is not None and (device_id is None or device_id in c.subscriptions)
            for c in self.hub.connections
        ):
            await self.hub.changed()
