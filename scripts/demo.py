"""Run Home Assistant with this integration against the local cloud simulator.

`scripts/develop` runs this with the Python of `.venv`; `scripts/e2e` imports it. It starts the
simulator and `hass` on 127.0.0.1, completes HA's onboarding through HA's onboarding HTTP API with
a local demo user, and adds the integration through the config-flow HTTP API twice: the Tencent
app's home (region "custom", pointed at the simulator) and the Quectel app's home (the Quectel
simulator served on the same port). A second run reuses the configuration. Ctrl-C stops both
processes.

Everything is written into the state directory (`.dev` by default) and `.dev/ha-packages`: HA
runs with `--skip-pip` so that it never installs packages into `.venv`, which the test suite
shares. What a user enters (a real account with --no-demo) stays in HA's config directory.
"""

import argparse
import asyncio
from collections.abc import Awaitable, Mapping, Sequence
import contextlib
from dataclasses import dataclass
import json
import os
from pathlib import Path
import signal
import socket
import sys
import time
from types import TracebackType
from typing import Any, Self

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
# Packages HA's own integrations import that .venv lacks (see ha_prepare.py); shared by every
# state directory.
HA_PACKAGES = ROOT / ".dev" / "ha-packages"
DOMAIN = "tencent_iot"
HOST = "127.0.0.1"
# hass's exit status when it is asked to restart (homeassistant.const.RESTART_EXIT_CODE).
RESTART_EXIT_CODE = 100


@dataclass(frozen=True, slots=True)
class HaUser:
    """A Home Assistant login."""

    name: str
    username: str
    password: str


# A local account of a Home Assistant that listens on 127.0.0.1 only.
DEMO_USER = HaUser(name="Demo", username="demo", password="demo1234")  # noqa: S106

# Core settings the onboarding wizard would ask for.
CORE_CONFIG: dict[str, Any] = {
    "location_name": "Demo Home",
    "latitude": 22.5431,
    "longitude": 114.0579,
    "elevation": 10,
    "unit_system": "metric",
    "time_zone": "Asia/Shanghai",
    "currency": "CNY",
    "country": "CN",
    "language": "en",
}

# The areas HA's onboarding creates.
ONBOARDING_AREAS = ("living_room", "kitchen", "bedroom")

CONFIGURATION_YAML = """\
# Home Assistant for trying and developing tencent_iot against the local cloud simulator.
# Written once by scripts/develop; edit it freely. Instead of default_config (bluetooth, dhcp,
# usb, cloud... need hardware, privileges or many packages), the parts a demo needs.
# Host and port are not set here but in .storage/http, on every start (see ha_prepare.py).
frontend:
config:
history:
logbook:
energy:
person:
sun:
system_health:
my:
automation: !include automations.yaml
script: !include scripts.yaml
scene: !include scenes.yaml
logger:
  default: info
  logs:
    custom_components.tencent_iot: debug
"""


class DemoError(Exception):
    """Something the user has to fix; the message says what."""


def step(message: str) -> None:
    """Print a progress line."""
    print(f"==> {message}", flush=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    """Whether something listens on 127.0.0.1:port."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


@dataclass(frozen=True, slots=True)
class Settings:
    """Where and how to run."""

    state_dir: Path
    port: int = 8123
    sim_port: int = 8780
    demo: bool = True
    add_integration: bool = True
    verbose: bool = False

    @property
    def config_dir(self) -> Path:
        """HA's configuration directory."""
        return self.state_dir / "config"

    @property
    def ha_url(self) -> str:
        """Base URL of Home Assistant."""
        return f"http://{HOST}:{self.port}"

    @property
    def sim_url(self) -> str:
        """Base URL of the simulator."""
        return f"http://{HOST}:{self.sim_port}"


def prepare_config(settings: Settings) -> None:
    """Create the configuration directory on first use and link the integration into it."""
    config = settings.config_dir
    (config / "custom_components").mkdir(parents=True, exist_ok=True)
    link = config / "custom_components" / DOMAIN
    target = ROOT / "custom_components" / DOMAIN
    if link.is_symlink() or not link.exists():
        link.unlink(missing_ok=True)
        link.symlink_to(target, target_is_directory=True)
    configuration = config / "configuration.yaml"
    if not configuration.exists():
        configuration.write_text(CONFIGURATION_YAML, encoding="utf-8")
    for name in ("automations.yaml", "scenes.yaml"):
        if not (config / name).exists():
            (config / name).write_text("[]\n", encoding="utf-8")
    if not (config / "scripts.yaml").exists():
        (config / "scripts.yaml").write_text("{}\n", encoding="utf-8")


class Process:
    """A child process in its own process group, so a terminal's Ctrl-C reaches only us."""

    def __init__(
        self, name: str, args: Sequence[str], log: Path, env: Mapping[str, str] | None = None
    ) -> None:
        """Remember what to start (env: variables to set on top of a clean environment)."""
        self.name = name
        self.args = list(args)
        self.log = log
        self.env = dict(env or {})
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, *, verbose: bool = False, append: bool = False) -> None:
        """Start it, its output going to the log (and the terminal with verbose)."""
        env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        env["PYTHONUNBUFFERED"] = "1"
        env.update(self.env)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab" if append else "wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                *self.args,
                cwd=ROOT,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=None if verbose else log,
                stderr=None if verbose else asyncio.subprocess.STDOUT,
                process_group=0,
            )

    @property
    def running(self) -> bool:
        """Whether it was started and has not exited."""
        return self.proc is not None and self.proc.returncode is None

    def tail(self, lines: int = 20) -> str:
        """The end of its log."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL its process group now."""
        if self.running and self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)

    async def stop(self, grace: float) -> None:
        """SIGTERM, then SIGKILL after grace seconds."""
        if self.proc is None or self.proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), grace)
        except TimeoutError:
            step(f"{self.name} did not stop within {grace:.0f} s: killing it")
            self.kill()
            await self.proc.wait()


async def prepare_ha(settings: Settings) -> None:
    """Set HA's address and install the packages it needs (see ha_prepare.py)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    proc = await asyncio.create_subprocess_exec(
        str(VENV_BIN / "python"),
        str(ROOT / "scripts" / "ha_prepare.py"),
        str(settings.config_dir),
        "--host",
        HOST,
        "--port",
        str(settings.port),
        "--packages",
        str(HA_PACKAGES),
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
    )
    if await proc.wait() != 0:
        raise DemoError("could not prepare Home Assistant's configuration (see above)")


class HaApiError(Exception):
    """HA answered a request with an error status."""

    def __init__(self, message: str, status: int = 0) -> None:
        """Keep the HTTP status."""
        super().__init__(message)
        self.status = status


class HomeAssistantApi:
    """Just enough of HA's HTTP and WebSocket API: onboarding, login, config flows, registries."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        """Talk to the HA at base_url."""
        self.session = session
        self.base_url = base_url
        self.client_id = f"{base_url}/"
        self.access_token: str | None = None
        self._ws_id = 0

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"} if self.access_token else {}

    async def request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """A JSON request; raises HaApiError on an error status."""
        async with self.session.request(
            method, self.base_url + path, json=body, headers=self._headers()
        ) as response:
            text = await response.text()
            if response.status >= 400:
                raise HaApiError(
                    f"{method} {path}: HTTP {response.status} {text[:300]}", response.status
                )
            return json.loads(text) if text else None

    async def _token(self, form: Mapping[str, str]) -> None:
        async with self.session.post(f"{self.base_url}/auth/token", data=form) as response:
            body = await response.json(content_type=None)
            if response.status != 200:
                raise HaApiError(f"POST /auth/token: HTTP {response.status} {body}")
        self.access_token = str(body["access_token"])

    async def onboarding_status(self) -> dict[str, bool]:
        """Which onboarding steps are done (all of them: HA removes the API afterwards)."""
        try:
            steps = await self.request("GET", "/api/onboarding")
        except HaApiError as err:
            if err.status == 404:
                return {"user": True, "core_config": True, "analytics": True, "integration": True}
            raise
        return {item["step"]: bool(item["done"]) for item in steps}

    async def onboard(self, user: HaUser) -> None:
        """Finish every open onboarding step the way the wizard does, creating user."""
        status = await self.onboarding_status()
        if not status.get("user"):
            step(f"onboarding Home Assistant with the local user {user.username!r}")
            result = await self.request(
                "POST",
                "/api/onboarding/users",
                {
                    "client_id": self.client_id,
                    "name": user.name,
                    "username": user.username,
                    "password": user.password,
                    "language": "en",
                },
            )
            await self._token(
                {
                    "grant_type": "authorization_code",
                    "code": result["auth_code"],
                    "client_id": self.client_id,
                }
            )
            # Onboarding creates Living Room, Kitchen and Bedroom areas; the integration
            # suggests the home's own rooms as areas, so the empty defaults would only be
            # doubles ("Kitchen" next to "厨房 Kitchen").
            await self.ws_commands(
                [
                    {"type": "config/area_registry/delete", "area_id": area_id}
                    for area_id in ONBOARDING_AREAS
                ]
            )
        else:
            await self.login(user)
        if not status.get("core_config"):
            await self.ws_command({"type": "config/core/update", **CORE_CONFIG})
            await self.request("POST", "/api/onboarding/core_config")
        if not status.get("analytics"):
            await self.request("POST", "/api/onboarding/analytics")
        if not status.get("integration"):
            await self.request(
                "POST",
                "/api/onboarding/integration",
                {"client_id": self.client_id, "redirect_uri": f"{self.client_id}?auth_callback=1"},
            )

    async def login(self, user: HaUser) -> None:
        """Log in through HA's login flow, as the login page does."""
        flow = await self.request(
            "POST",
            "/auth/login_flow",
            {
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.client_id}?auth_callback=1",
            },
        )
        result = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": self.client_id, "username": user.username, "password": user.password},
        )
        if result.get("type") != "create_entry":
            raise HaApiError(f"login as {user.username!r} refused: {result.get('errors')}")
        await self._token(
            {
                "grant_type": "authorization_code",
                "code": result["result"],
                "client_id": self.client_id,
            }
        )

    async def ws_commands(self, commands: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Run WebSocket API commands in order; returns their results."""
        url = self.base_url.replace("http", "ws", 1) + "/api/websocket"
        results: list[Any] = []
        async with self.session.ws_connect(url) as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": self.access_token})
            if (auth := await ws.receive_json()).get("type") != "auth_ok":
                raise HaApiError(f"WebSocket authentication failed: {auth}")
            for command in commands:
                self._ws_id += 1
                await ws.send_json({**command, "id": self._ws_id})
                while (reply := await ws.receive_json()).get("id") != self._ws_id:
                    pass
                if not reply.get("success"):
                    raise HaApiError(f"{command['type']}: {reply.get('error')}")
                results.append(reply.get("result"))
        return results

    async def ws_command(self, command: Mapping[str, Any]) -> Any:
        """Run one WebSocket API command."""
        return (await self.ws_commands([command]))[0]

    async def long_lived_token(self, name: str) -> str:
        """A long-lived access token of the logged-in user."""
        token = await self.ws_command(
            {"type": "auth/long_lived_access_token", "client_name": name, "lifespan": 3650}
        )
        return str(token)

    async def wait_running(self, limit: float = 300) -> None:
        """Until HA reports that it finished starting."""
        deadline = time.monotonic() + limit
        while (await self.request("GET", "/api/config"))["state"] != "RUNNING":
            if time.monotonic() > deadline:
                raise DemoError(f"Home Assistant did not finish starting within {limit:.0f} s")
            await asyncio.sleep(1)

    async def entries(self, domain: str = DOMAIN) -> list[dict[str, Any]]:
        """Config entries of a domain."""
        entries: list[dict[str, Any]] = await self.request(
            "GET", f"/api/config/config_entries/entry?domain={domain}"
        )
        return entries

    async def add_integration(self, sim: Mapping[str, Any]) -> dict[str, Any]:
        """Add the integration through its config flow, pointed at the Tencent simulator."""
        account = sim["accounts"][0]
        return await self.run_config_flow(
            {
                "user": {
                    "region": "custom",
                    "app_key": sim["app_key"],
                    "app_secret": sim["app_secret"],
                },
                "endpoint": {"api_url": sim["api_url"], "ws_url": sim["ws_url"]},
                "login": {
                    "account_type": "phone",
                    "country_code": account["CountryCode"],
                    "account": account["PhoneNumber"],
                    "password": account["Password"],
                },
            }
        )

    async def add_quectel_integration(self, sim: Mapping[str, Any]) -> dict[str, Any]:
        """Add the integration through its config flow for the Quectel simulator's app."""
        account = sim["accounts"][0]
        return await self.run_config_flow(
            {
                "user": {"region": "quectel"},
                "quectel_app": {
                    "data_centre": "custom",
                    "user_domain": sim["user_domain"],
                    "user_domain_secret": sim["user_domain_secret"],
                },
                "quectel_endpoint": {"api_url": sim["api_url"], "ws_url": sim["ws_url"]},
                "login": {
                    "account_type": "email",
                    "country_code": "86",
                    "account": account["email"],
                    "password": account["password"],
                },
            }
        )

    async def run_config_flow(self, answers: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """Run the integration's config flow with these answers per step; the entry it made."""
        result = await self.request(
            "POST",
            "/api/config/config_entries/flow",
            {"handler": DOMAIN, "show_advanced_options": False},
        )
        while result["type"] == "form":
            step_id = result["step_id"]
            if result.get("errors"):
                raise DemoError(f"config flow step {step_id!r} failed: {result['errors']}")
            if step_id == "family":
                # The first family of the demo account: "My Home".
                options = result["data_schema"][0]["selector"]["select"]["options"]
                answer: dict[str, Any] = {"family_id": options[0]["value"]}
            elif step_id in answers:
                answer = answers.pop(step_id)
            else:
                raise DemoError(f"unexpected config flow step {step_id!r}")
            result = await self.request(
                "POST", f"/api/config/config_entries/flow/{result['flow_id']}", answer
            )
        if result["type"] != "create_entry":
            raise DemoError(f"config flow ended with {result['type']}: {result.get('reason')}")
        entry: dict[str, Any] = result["result"]
        return entry

    async def wait_entry_loaded(self, entry_id: str, limit: float = 60) -> dict[str, Any]:
        """Until the entry is set up (or failed)."""
        deadline = time.monotonic() + limit
        while True:
            entry = next(e for e in await self.entries() if e["entry_id"] == entry_id)
            if entry["state"] not in ("not_loaded", "setup_in_progress"):
                return entry
            if time.monotonic() > deadline:
                return entry
            await asyncio.sleep(0.5)

    async def integration_summary(self) -> tuple[int, int]:
        """Devices and entities of the integration in HA's registries."""
        devices, entities = await self.ws_commands(
            [{"type": "config/device_registry/list"}, {"type": "config/entity_registry/list"}]
        )
        entry_ids = {entry["entry_id"] for entry in await self.entries()}
        own_devices = [d for d in devices if entry_ids & set(d["config_entries"])]
        own_entities = [e for e in entities if e["platform"] == DOMAIN]
        return len(own_devices), len(own_entities)


async def wait_http(url: str, process: Process, limit: float) -> None:
    """Until url answers, failing early when the process exits."""
    deadline = time.monotonic() + limit
    async with aiohttp.ClientSession() as session:
        while True:
            if not process.running:
                raise DemoError(
                    f"{process.name} exited; the end of {process.log}:\n{process.tail()}"
                )
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=5)) as response:
                    if response.status < 500:
                        return
            if time.monotonic() > deadline:
                raise DemoError(f"{process.name} did not answer at {url} within {limit:.0f} s")
            await asyncio.sleep(0.5)


class Demo:
    """The simulator and Home Assistant, started and stopped together."""

    def __init__(self, settings: Settings) -> None:
        """Prepare the processes; nothing runs yet."""
        self.settings = settings
        python = str(VENV_BIN / "python")
        self.simulator = Process(
            "simulator",
            [python, "-m", "simulator", "--host", HOST, "--port", str(settings.sim_port)],
            settings.state_dir / "simulator.log",
        )
        self.hass = Process(
            "Home Assistant",
            [str(VENV_BIN / "hass"), "-c", str(settings.config_dir), "--skip-pip"],
            # HA's own output may quote what a user entered: it stays in HA's config directory.
            settings.config_dir / "hass-console.log",
            {"PYTHONPATH": str(HA_PACKAGES)},
        )
        self.sim_info: dict[str, Any] = {}
        self.quectel_info: dict[str, Any] = {}
        self.summary = ""

    async def __aenter__(self) -> Self:
        """Start everything; stop what started when something fails."""
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop both processes."""
        await self.stop()

    async def start(self) -> None:
        """Start the simulator and HA, onboard, and add the integration."""
        settings = self.settings
        for port, what in ((settings.port, "Home Assistant"), (settings.sim_port, "simulator")):
            if (settings.demo or what == "Home Assistant") and port_in_use(port):
                raise DemoError(
                    f"port {port} ({what}) is in use: is another instance running? "
                    "Stop it or choose another port (--port / --sim-port)."
                )
        prepare_config(settings)
        await prepare_ha(settings)
        if settings.demo:
            step(f"starting the cloud simulator on {settings.sim_url}")
            await self.simulator.start(verbose=False)
            await wait_http(f"{settings.sim_url}/_sim/info", self.simulator, 60)
            async with aiohttp.ClientSession() as session:
                async with session.get(f"{settings.sim_url}/_sim/info") as response:
                    self.sim_info = await response.json()
                async with session.get(f"{settings.sim_url}/_sim/quectel/info") as response:
                    self.quectel_info = await response.json()
        step(f"starting Home Assistant on {settings.ha_url} (config: {settings.config_dir})")
        await self.hass.start(verbose=settings.verbose)
        await wait_http(f"{settings.ha_url}/api/onboarding", self.hass, 600)
        if settings.demo:
            await self.set_up_demo()

    async def set_up_demo(self) -> None:
        """Onboard with the demo user and add the integration unless it is there."""
        settings = self.settings
        async with aiohttp.ClientSession() as session:
            api = HomeAssistantApi(session, settings.ha_url)
            try:
                await api.onboard(DEMO_USER)
            except HaApiError as err:
                raise DemoError(
                    f"could not log in as {DEMO_USER.username!r} ({err}). This configuration "
                    f"was onboarded by hand: log in with your own user, or remove "
                    f"{settings.state_dir} to start afresh."
                ) from err
            await api.wait_running()
            if not settings.add_integration:
                return
            entries = await api.entries()
            if not entries:
                step("adding Tencent IoT Explorer through its config flow (custom region)")
                entry = await api.add_integration(self.sim_info)
                entries = [await api.wait_entry_loaded(entry["entry_id"])]
                step("adding the Quectel app's home through the config flow (custom endpoints)")
                entry = await api.add_quectel_integration(self.quectel_info)
                entries.append(await api.wait_entry_loaded(entry["entry_id"]))
            else:
                entries = [await api.wait_entry_loaded(entries[0]["entry_id"]), *entries[1:]]
            for entry in entries:
                if entry["state"] != "loaded":
                    step(f"warning: entry {entry['title']!r} is {entry['state']}: see the log")
            devices, entities = await api.integration_summary()
            titles = ", ".join(repr(entry["title"]) for entry in entries)
            self.summary = f"{titles}: {devices} devices, {entities} entities"

    async def stop(self) -> None:
        """Stop HA first (it says goodbye to the cloud), then the simulator."""
        if self.hass.running:
            step("stopping Home Assistant")
        await self.hass.stop(grace=90)
        if self.simulator.running:
            step("stopping the simulator")
        await self.simulator.stop(grace=15)

    def banner(self) -> str:
        """What to open and how to log in."""
        settings = self.settings
        lines = ["", f"Home Assistant: {settings.ha_url}"]
        if settings.demo:
            lines.append(f"  login:     {DEMO_USER.username} / {DEMO_USER.password}")
            if self.summary:
                lines.append(f"  {DOMAIN}: {self.summary}")
            info = self.sim_info
            account = info["accounts"][0]
            lines += [
                f"Simulator: {settings.sim_url} (admin API under /_sim)",
                f"  AppKey {info['app_key']}, AppSecret {info['app_secret']}",
                f"  account +{account['CountryCode']} {account['PhoneNumber']} / "
                f"{account['Password']}, API {info['api_url']}, push {info['ws_url']}",
            ]
            if quectel := self.quectel_info:
                quectel_account = quectel["accounts"][0]
                lines += [
                    "Quectel simulator: same port (admin API under /_sim/quectel)",
                    f"  user domain {quectel['user_domain']}, "
                    f"secret {quectel['user_domain_secret']}",
                    f"  account {quectel_account['email']} / {quectel_account['password']}, "
                    f"API {quectel['api_url']}, push {quectel['ws_url']}",
                ]
        else:
            lines.append(
                "  without the simulator: onboard in the browser, then add the integration"
            )
        logs = [settings.config_dir / "home-assistant.log"]
        if settings.demo:
            logs.append(self.simulator.log)
        lines += [
            f"Logs: {', '.join(_short(path) for path in logs)}",
            "Ctrl-C stops everything.",
            "",
        ]
        return "\n".join(lines)

    def simulator_ok(self) -> bool:
        """Whether the simulator runs (or was not wanted)."""
        return not self.settings.demo or self.simulator.running

    def kill(self) -> None:
        """SIGKILL both process groups at once (a second Ctrl-C)."""
        for process in (self.hass, self.simulator):
            process.kill()

    async def wait(self, interrupted: asyncio.Event) -> int:
        """Until interrupted (0), or until a process exits on its own (1).

        Home Assistant exits with RESTART_EXIT_CODE when asked to restart (Settings → System →
        Restart, or after installing something): it is started again, like a supervisor would.
        """
        while True:
            watched = [p.proc for p in (self.hass, self.simulator) if p.proc is not None]
            if await _first(interrupted, *(proc.wait() for proc in watched)):
                return 0
            hass = self.hass.proc
            if hass is None or hass.returncode != RESTART_EXIT_CODE or not self.simulator_ok():
                break
            step("Home Assistant asked to restart: starting it again")
            await self.hass.start(verbose=self.settings.verbose, append=True)
        for process in (self.hass, self.simulator):
            if process.proc is not None and process.proc.returncode is not None:
                step(
                    f"{process.name} exited ({process.proc.returncode}); the end of {process.log}:"
                )
                print(process.tail(), flush=True)
        return 1


async def _first(interrupted: asyncio.Event, *awaitables: Awaitable[Any]) -> bool:
    """Wait for the event or any awaitable; True when the event came first."""
    stopper = asyncio.ensure_future(interrupted.wait())
    others = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
    await asyncio.wait([stopper, *others], return_when=asyncio.FIRST_COMPLETED)
    for task in [stopper, *others]:
        if not task.done():
            task.cancel()
    await asyncio.gather(stopper, *others, return_exceptions=True)
    return interrupted.is_set()


def _short(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)


async def run(settings: Settings) -> int:
    """Start, print the banner, wait for Ctrl-C, stop; a second Ctrl-C kills."""
    demo = Demo(settings)
    interrupted = asyncio.Event()

    def on_signal() -> None:
        if interrupted.is_set():
            step("killing")
            demo.kill()
        interrupted.set()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    try:
        starting = asyncio.ensure_future(demo.start())
        if await _first(interrupted, starting):
            print(flush=True)
            return 130
        try:
            starting.result()
        except DemoError as err:
            print(f"scripts/develop: {err}", file=sys.stderr)
            return 1
        print(demo.banner(), flush=True)
        return await demo.wait(interrupted)
    finally:
        await demo.stop()


async def print_token(settings: Settings) -> int:
    """Print a long-lived access token of the demo user of a running demo."""
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantApi(session, settings.ha_url)
        try:
            await api.login(DEMO_USER)
            print(
                await api.long_lived_token(f"scripts/develop {time.strftime('%Y-%m-%d %H:%M:%S')}")
            )
        except (HaApiError, aiohttp.ClientError) as err:
            print(f"scripts/develop: no token from {settings.ha_url}: {err}", file=sys.stderr)
            return 1
    return 0


def parse_args(argv: Sequence[str] | None = None) -> tuple[Settings, bool]:
    """Settings from the command line, and whether to print a token instead of running."""
    parser = argparse.ArgumentParser(
        prog="scripts/develop",
        description="Run Home Assistant with tencent_iot on 127.0.0.1, by default against the "
        "local cloud simulator with the integration already added.",
    )
    parser.add_argument(
        "--no-demo",
        action="store_true",
        help="start Home Assistant alone (no simulator, no automatic onboarding), for a real account",
    )
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant's port (8123)")
    parser.add_argument("--sim-port", type=int, default=8780, help="the simulator's port (8780)")
    parser.add_argument(
        "--dir",
        type=Path,
        default=ROOT / ".dev",
        help="state directory: HA's config in DIR/config, logs (default .dev)",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show Home Assistant's output in the terminal"
    )
    parser.add_argument(
        "--token",
        action="store_true",
        help="print a long-lived access token of the demo user of a running demo, and exit",
    )
    args = parser.parse_args(argv)
    settings = Settings(
        state_dir=args.dir.resolve(),
        port=args.port,
        sim_port=args.sim_port,
        demo=not args.no_demo,
        verbose=args.verbose,
    )
    return settings, bool(args.token)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of scripts/develop."""
    settings, token = parse_args(argv)
    if token:
        return asyncio.run(print_token(settings))
    return asyncio.run(run(settings))


if __name__ == "__main__":
    sys.exit(main())
