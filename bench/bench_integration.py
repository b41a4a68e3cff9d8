"""The benchmark: the integration in HA's test harness, the cloud simulator in another process.

`scripts/bench` runs it once per device count, never the test suite:

    BENCH_DEVICES=500 BENCH_PHASES=setup,steady BENCH_OUT=bench/.out/500.json \
        python -m pytest bench/bench_integration.py -o python_files='bench_*.py' -p no:logging

Phases (comma-separated in BENCH_PHASES):
- setup: wall time of the entry's setup (read the home, subscribe push, create every entity),
  HTTP requests by Action, and RSS before and after;
- steady: requests while push is healthy, time-compressed (see STEADY_SCALE);
- latency: push -> HA state latency at 100 and 1000 pushes/s, spread over the devices;
- maxrate: the highest push rate handled without a growing backlog;
- history: the import of the cloud's history into statistics (requests, pages, time), with the
  recorder's reads and writes replaced by a counter (the bench runs no recorder);
- writes: state writes per push, by entity domain, for one push of each property of every online
  device (counts, not time);
- pushdown: requests per minute while push is down (the fallback polls, the lists' read and
  the missed-events catch-up), and what the catch-ups ask for when push is back;
- firmware: the firmware checks after the start (measured from the setup on) and after a
  restart, by simulated minute.
BENCH_PROFILE=<rate> also writes a cProfile of the HA process during the run at that rate.
Results go to BENCH_OUT as JSON; `bench/report.py` turns them into the table.
"""

import asyncio
from collections import Counter
from collections.abc import AsyncGenerator, Callable
import contextlib
import cProfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
import gc
import importlib
import json
import math
import os
from pathlib import Path
import pstats
import resource
import statistics
import sys
import time
from types import SimpleNamespace
from typing import Any, cast

import aiohttp
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.pacing import paced
from custom_components.tencent_iot import (
    PLATFORMS,
    const,
    event_log as event_log_module,
    firmware as firmware_module,
    history as history_module,
    push_session,
)
from custom_components.tencent_iot.api import PushClient
from custom_components.tencent_iot.api.const import DEFAULT_HEARTBEAT_INTERVAL
from custom_components.tencent_iot.api.quectel import QuectelPushClient
from custom_components.tencent_iot.connection import create_client, token_data
from custom_components.tencent_iot.const import (
    CONF_ACCESS_TOKEN,
    CONF_ACCOUNT,
    CONF_ACCOUNT_TYPE,
    CONF_API_URL,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    CONF_CLOUD,
    CONF_COUNTRY_CODE,
    CONF_DATA_CENTRE,
    CONF_FAMILY_ID,
    CONF_PASSWORD,
    CONF_REFRESH_EXPIRE_AT,
    CONF_REFRESH_TOKEN,
    CONF_REGION,
    CONF_TOKEN_EXPIRE_AT,
    CONF_USER_DOMAIN,
    CONF_USER_DOMAIN_SECRET,
    CONF_USER_ID,
    CONF_WS_URL,
    DEVICE_LIST_REFRESH,
    DOMAIN,
)
from custom_components.tencent_iot.coordinator import TencentIoTCoordinator

ROOT = Path(__file__).resolve().parent.parent
# Imported up front, so that the timed setup does not pay for first imports: a real HA imports
# these while it starts, before it sets integrations up.
for _platform in PLATFORMS:
    importlib.import_module(f"homeassistant.components.{_platform}")
    importlib.import_module(f"custom_components.tencent_iot.{_platform}")
# The cloud the benchmark runs against: "tencent" (default) or "quectel" (BENCH_CLOUD).
CLOUD = os.environ.get("BENCH_CLOUD", "tencent")
# Requests that travel over the WebSocket, not HTTP (Quectel's: its handshakes by path).
WS_ACTIONS = frozenset({"ActivePush", "AppDeviceTraceHeartBeat", "v2", "v1"})
# Requested after setup, in the background: the firmware check, the message centre, the
# catch-up of missed device events and the speakers' music sources (one read per speaker);
# Quectel's message centre and event history.
BACKGROUND_ACTIONS = frozenset(
    {
        "AppCheckFirmwareUpdate",
        "AppGetMessages",
        "AppKugouUserCommand",
        "AppListEventHistory",
        "userMsgList",
        "deviceEventList",
    }
)
# The steady state runs this many times faster than real time: polls every 3 s instead of
# 60 s, heartbeats every 2.5 s instead of 50 s. What a poll does does not depend on the clock,
# so counts scale back exactly.
STEADY_SCALE = 20
STEADY_MINUTES = 10
# The poll interval: a constant since issue 23, an option's default before it (read either
# way, so that the phases can measure an older commit too).
POLL_SECONDS: float = (
    interval.total_seconds()
    if isinstance(interval := getattr(const, "POLL_INTERVAL", None), timedelta)
    else float(getattr(const, "DEFAULT_POLL_INTERVAL", 60))
)
# While push is down: this many polls (one a minute), then the lists' read (every 10 minutes).
PUSH_DOWN_POLLS = 10
# Firmware checks run on a timer this many times faster than real time, when the integration
# has one (FIRMWARE_CHECK_TICK, since issue 23; before, its pace was asyncio sleeps). They are
# followed until every device was checked once, or for FIRMWARE_WINDOW simulated minutes.
FIRMWARE_SCALE = 60
FIRMWARE_WINDOW = 180
# The missed-events catch-up runs on a timer this many times faster than real time, when the
# integration has one (CATCH_UP_TICK, since issue 23; before, its pace was asyncio sleeps). After
# push is back it is followed until every device with events was read once, or for EVENTS_WINDOW
# simulated minutes.
EVENTS_SCALE = 20
EVENTS_WINDOW = 30
EVENT_HISTORY = "AppListEventHistory"
# When a pace has no timer to compress, it is followed this long (s) at most.
REAL_TIME_LIMIT = 150.0
# Latency runs: (pushes per second, seconds). A minute at 1000/s spans several collections of
# HA's heap, so that the p99 is not luck.
LATENCY_RUNS = ((100, 20.0), (1000, 60.0))
# The control run: HA alone, writing states at this rate (per second) for this long (s).
CONTROL_RUN = (1000, 60.0)
CONTROL_ATTRIBUTES = {"device_class": "battery", "state_class": "measurement", "unit": "%"}
# Rates tried for the highest rate without backlog, each for MAX_RATE_SECONDS.
MAX_RATES = (2000, 3000, 4000, 5000, 6000, 7000, 8000, 10000)
MAX_RATE_SECONDS = 4.0
# A rate is sustained when every push is applied, the simulator sends at least this share of
# the offered rate, HA's process is busy less than MAX_BUSY of the time, and the latency over
# the last tenth of the run stays under TAIL_LATENCY (s).
SUSTAINED_SHARE = 0.95
MAX_BUSY = 0.9
TAIL_LATENCY = 0.1
# Entity domains showing several properties of a device: those of the mapping's device rules
# (`mapping/devices.py`). The other entities show one property each, or none.
COMPOSITE_DOMAINS = frozenset({"climate", "cover", "fan", "light"})


def rss_bytes() -> int:
    """Resident set size of this process."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize()


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class SimProcess:
    """The simulator subprocess and its control port."""

    def __init__(self, info: dict[str, Any], session: aiohttp.ClientSession) -> None:
        """Wrap a started `bench.sim_server`."""
        self.control_url: str = info["control_url"]
        self.session = session

    async def get(self, path: str) -> Any:
        """GET a control route."""
        async with self.session.get(f"{self.control_url}{path}") as response:
            response.raise_for_status()
            return await response.json()

    async def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """POST to a control route."""
        async with self.session.post(f"{self.control_url}{path}", json=body or {}) as response:
            response.raise_for_status()
            return await response.json()

    async def counts(self) -> dict[str, int]:
        """Requests per Action since the last reset."""
        return cast(dict[str, int], await self.get("/counters"))

    async def reset_counts(self) -> None:
        """Count from zero."""
        await self.post("/counters/reset")


@pytest.fixture
async def sim_process(socket_enabled: None) -> AsyncGenerator[SimProcess]:
    """`bench.sim_server` with BENCH_DEVICES synthetic devices, in its own process."""
    devices = int(os.environ.get("BENCH_DEVICES", "10"))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.sim_server",
        "--devices",
        str(devices),
        "--cloud",
        CLOUD,
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 120)
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600))
    try:
        yield SimProcess(json.loads(line), session)
    finally:
        await session.close()
        if process.stdin is not None:
            process.stdin.close()  # the server stops when its stdin closes
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


@dataclass(slots=True)
class Bench:
    """What the phases share."""

    hass: HomeAssistant
    sim: SimProcess
    entry: MockConfigEntry
    results: dict[str, Any]

    @property
    def coordinator(self) -> TencentIoTCoordinator:
        """The entry's coordinator."""
        coordinator: TencentIoTCoordinator = self.entry.runtime_data.coordinator
        return coordinator


async def wait_until(condition: Callable[[], bool], seconds: float = 60) -> None:
    """Let the loop run until `condition` holds."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - nothing to wait on: the state is polled
            await asyncio.sleep(0.002)


def quectel_entry_data(info: dict[str, Any]) -> dict[str, Any]:
    """Entry data of the Quectel simulator's demo user, not logged in yet."""
    user = next(a for a in info["accounts"] if a["uid"] == info["user_id"])
    return {
        CONF_CLOUD: "quectel",
        CONF_DATA_CENTRE: "custom",
        CONF_API_URL: info["api_url"],
        CONF_WS_URL: info["ws_url"],
        CONF_USER_DOMAIN: info["user_domain"],
        CONF_USER_DOMAIN_SECRET: info["user_domain_secret"],
        CONF_ACCOUNT_TYPE: "email",
        CONF_COUNTRY_CODE: "86",
        CONF_ACCOUNT: user["email"],
        CONF_PASSWORD: user["password"],
        CONF_USER_ID: info["user_id"],
        CONF_FAMILY_ID: info["family_id"],
        CONF_ACCESS_TOKEN: "",
        CONF_TOKEN_EXPIRE_AT: None,
        CONF_REFRESH_TOKEN: "",
        CONF_REFRESH_EXPIRE_AT: None,
    }


async def make_entry(hass: HomeAssistant, sim: SimProcess) -> MockConfigEntry:
    """A config entry as the config flow leaves it: logged in, with the token stored."""
    info = await sim.get("/info")
    if info.get("cloud") == "quectel":
        return await add_logged_in_entry(hass, info, quectel_entry_data(info))
    user = next(a for a in info["accounts"] if a["UserID"] == info["user_id"])
    data: dict[str, Any] = {
        CONF_REGION: "custom",
        CONF_API_URL: info["api_url"],
        CONF_WS_URL: info["ws_url"],
        CONF_APP_KEY: info["app_key"],
        CONF_APP_SECRET: info["app_secret"],
        CONF_ACCOUNT_TYPE: "phone",
        CONF_COUNTRY_CODE: user["CountryCode"],
        CONF_ACCOUNT: user["PhoneNumber"],
        CONF_PASSWORD: user["Password"],
        CONF_USER_ID: info["user_id"],
        CONF_FAMILY_ID: info["family_id"],
        CONF_ACCESS_TOKEN: "",
        CONF_TOKEN_EXPIRE_AT: None,
    }
    return await add_logged_in_entry(hass, info, data)


async def add_logged_in_entry(
    hass: HomeAssistant, info: dict[str, Any], data: dict[str, Any]
) -> MockConfigEntry:
    """Log in with the entry data's account, store the tokens, add the entry."""
    client = create_client(hass, data)
    data.update(token_data(client, await client.login_password()))
    entry = MockConfigEntry(
        domain=DOMAIN, title="Bench", data=data, unique_id=f"{info['user_id']}/{info['family_id']}"
    )
    entry.add_to_hass(hass)
    return entry


def split_counts(counts: dict[str, int]) -> dict[str, Any]:
    """Counts by Action: HTTP for setup, HTTP in the background, and WebSocket."""
    http = {k: v for k, v in sorted(counts.items()) if k not in WS_ACTIONS | BACKGROUND_ACTIONS}
    background = {k: v for k, v in sorted(counts.items()) if k in BACKGROUND_ACTIONS}
    ws = {k: v for k, v in sorted(counts.items()) if k in WS_ACTIONS}
    return {
        "http": http,
        "background": background,
        "ws": ws,
        "http_total": sum(http.values()),
        "background_total": sum(background.values()),
        "ws_total": sum(ws.values()),
    }


async def phase_setup(bench: Bench) -> None:
    """Set the entry up; time it, count requests, measure memory."""
    hass, sim = bench.hass, bench.sim
    gc.collect()
    rss_before = rss_bytes()
    await sim.reset_counts()
    started = time.perf_counter()
    assert await hass.config_entries.async_setup(bench.entry.entry_id)
    loaded = time.perf_counter() - started
    push = bench.coordinator.push
    assert push is not None
    await wait_until(lambda: push.connected)
    await hass.async_block_till_done()
    settled = time.perf_counter() - started
    counts = await sim.counts()
    # The firmware check runs in the background, paced; the later phases start after it, and
    # entities and memory are counted with its update entities.
    firmware = bench.entry.runtime_data.firmware
    await wait_until(lambda: firmware.data is not None, seconds=600)
    firmware_checked = time.perf_counter() - started
    # The catch-up of missed events (one paced read per device with events) too, when the
    # integration has one: it would otherwise count as the steady state's.
    if (events := getattr(bench.entry.runtime_data, "events", None)) is not None:
        await events.async_wait_caught_up()
    await hass.async_block_till_done()
    entities = len(hass.states.async_all())
    gc.collect()
    rss_after = rss_bytes()
    # Setup requests as counted when it settled; firmware checks as counted at their end.
    firmware_counts = {a: n for a, n in (await sim.counts()).items() if a in BACKGROUND_ACTIONS}
    requests = split_counts(counts | firmware_counts)
    bench.results["setup"] = {
        "devices": len(bench.coordinator.devices),
        "entities": entities,
        "loaded_s": loaded,
        "settled_s": settled,
        "firmware_checked_s": firmware_checked,
        "requests": requests,
        "rss_before": rss_before,
        "rss_after": rss_after,
    }


async def phase_history(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    """One import round of the default history days, as when every sensor first appears.

    No recorder runs: its reads (nothing imported yet, no hour before) and its write are
    replaced, so the figure is the cloud's side (requests, pacing) and the aggregation, not
    the database's.
    """
    hass = bench.hass
    hours: list[int] = []
    monkeypatch.setattr(
        history_module,
        "get_instance",
        lambda hass: SimpleNamespace(async_add_executor_job=hass.async_add_executor_job),
    )
    monkeypatch.setattr(history_module, "statistics_during_period", lambda *_: {})
    monkeypatch.setattr(history_module, "get_last_statistics", lambda *_: {})
    monkeypatch.setattr(
        history_module,
        "async_import_statistics",
        lambda _hass, _metadata, statistics: hours.append(len(statistics)),
    )
    importer = bench.entry.runtime_data.history
    await bench.sim.reset_counts()
    started = time.perf_counter()
    await importer.async_import()
    elapsed = time.perf_counter() - started
    counts = await bench.sim.counts()
    await hass.async_block_till_done()
    pages = counts.get("AppGetDeviceDataHistory", 0)
    bench.results["history"] = {
        "days": importer.days,
        "sensors": len(hours),
        "requests": pages,
        "pages_per_sensor": pages / len(hours) if hours else 0,
        "hours": sum(hours),
        "seconds": elapsed,
    }


class PollCounter:
    """Counts the coordinator's polls (each one calls its listeners) until stopped."""

    def __init__(self, coordinator: TencentIoTCoordinator) -> None:
        """Start counting."""
        self.polls = 0
        self.stop = coordinator.async_add_listener(self._count)

    @callback
    def _count(self) -> None:
        self.polls += 1


async def phase_steady(bench: Bench) -> None:
    """Requests per minute while push is healthy, with polls and heartbeats time-compressed."""
    coordinator = bench.coordinator
    assert coordinator.push_healthy
    coordinator.update_interval = timedelta(seconds=POLL_SECONDS / STEADY_SCALE)
    # A refresh now schedules the next one at the compressed interval.
    await coordinator.async_refresh()
    await bench.sim.reset_counts()
    poll_counter = PollCounter(coordinator)
    healthy_throughout = True
    started = time.monotonic()
    while time.monotonic() - started < STEADY_MINUTES * 60 / STEADY_SCALE:
        await asyncio.sleep(0.1)
        healthy_throughout &= coordinator.push_healthy
    counts = split_counts(await bench.sim.counts())
    # Simulated minutes elapsed; `polls` (one per simulated minute) is kept as a cross-check.
    minutes = (time.monotonic() - started) * STEADY_SCALE / 60
    poll_counter.stop()
    coordinator.update_interval = timedelta(seconds=POLL_SECONDS)
    await coordinator.async_refresh()
    bench.results["steady"] = {
        "minutes": minutes,
        "polls": poll_counter.polls,
        "scale": STEADY_SCALE,
        "push_healthy_throughout": healthy_throughout,
        "per_minute": {
            kind: {action: n / minutes for action, n in counts[kind].items()}
            for kind in ("http", "background", "ws")
        },
        "http_per_minute": counts["http_total"] / minutes,
        "ws_per_minute": counts["ws_total"] / minutes,
    }


async def settled_counts(sim: SimProcess, quiet: float = 1.0) -> dict[str, int]:
    """Requests per Action once no new request came for `quiet` seconds."""
    counts = await sim.counts()
    while True:
        await asyncio.sleep(quiet)
        latest = await sim.counts()
        if latest == counts:
            return counts
        counts = latest


async def phase_push_down(bench: Bench, events_scale: float) -> None:
    """Requests per minute while push is down, and the catch-ups when it is back.

    PUSH_DOWN_POLLS polls are run one after the other (each is what a minute brings: the poll
    interval is 60 s), then one read of the lists (what 10 minutes bring). Per minute: a
    poll's requests plus a tenth of the lists'. No clock is compressed for them: what a poll
    asks for does not depend on it. The read of the lists sets off the missed-events catch-up,
    followed for the 10 minutes until the next one on its own (compressed) clock. When push is
    back, the data catch-up is counted until the requests stop, the missed-events catch-up
    minute by minute until every device with events was read.
    """
    coordinator = bench.coordinator
    admin_url = (await bench.sim.get("/info"))["admin_url"]

    async def admin(path: str, body: dict[str, Any]) -> None:
        async with bench.sim.session.post(f"{admin_url}/{path}", json=body) as response:
            response.raise_for_status()

    await admin("ws/refuse", {"enabled": True})
    await admin("ws/drop", {})
    await wait_until(lambda: not coordinator.push_healthy)
    await bench.sim.reset_counts()
    poll_counter = PollCounter(coordinator)
    started = time.perf_counter()
    for _ in range(PUSH_DOWN_POLLS):
        await coordinator.async_refresh()
    poll_seconds = (time.perf_counter() - started) / PUSH_DOWN_POLLS
    poll_counter.stop()
    polls = split_counts(await bench.sim.counts())["http"]
    await bench.sim.reset_counts()
    await coordinator.async_read_lists()
    lists = split_counts(await bench.sim.counts())["http"]
    lists.pop(EVENT_HISTORY, None)  # followed on its own clock
    list_minutes = DEVICE_LIST_REFRESH.total_seconds() / 60
    with_events = partial(devices_with_events, bench)
    events_down = RequestTimeline(bench, events_scale, EVENT_HISTORY)
    await events_down.follow(with_events, list_minutes)
    per_minute = {
        action: polls.get(action, 0) / poll_counter.polls + lists.get(action, 0) / list_minutes
        for action in sorted({*polls, *lists})
    }
    per_minute[EVENT_HISTORY] = events_down.at(list_minutes) / list_minutes
    online = sum(1 for state in coordinator.devices.values() if state.online)
    reads = polls.get("AppGetDeviceData", 0) / poll_counter.polls
    # Push back: what the catch-ups ask for, until the requests stop.
    await bench.sim.reset_counts()
    await admin("ws/refuse", {"enabled": False})
    await wait_until(lambda: coordinator.push_healthy, seconds=120)
    events_back = RequestTimeline(bench, events_scale, EVENT_HISTORY)
    await events_back.follow(with_events, EVENTS_WINDOW)
    catch_up = split_counts(await settled_counts(bench.sim))["http"]
    bench.results["push_down"] = {
        "polls": poll_counter.polls,
        "poll_seconds": poll_seconds,
        "per_minute": per_minute,
        "http_per_minute": sum(per_minute.values()),
        "online_devices": online,
        "data_reads_per_poll": reads,
        "minutes_between_reads_of_a_device": online / reads if reads else None,
        "catch_up": catch_up,
        "events_back": events_back.summary(with_events()),
    }


def devices_with_events(bench: Bench) -> int:
    """The devices whose thing model has events: those the missed-events catch-up reads."""
    return sum(
        1 for state in bench.coordinator.devices.values() if state.product.thing_model.events
    )


class RequestTimeline:
    """Cumulative requests of one Action (one per device), in simulated minutes.

    Sampled in real time. The clock starts when the entry is loaded: a compressed clock would
    otherwise count the setup itself as many simulated minutes.
    """

    def __init__(self, bench: Bench, scale: float, action: str = "AppCheckFirmwareUpdate") -> None:
        """Nothing sampled yet; `scale` simulated seconds pass per real second."""
        self.bench = bench
        self.sim = bench.sim
        self.scale = scale
        self.action = action
        self.samples: list[tuple[float, int]] = []

    async def follow(self, devices: Callable[[], int], minutes: float) -> None:
        """Sample until every device was asked for once, or for `minutes` simulated minutes."""
        limit = min(minutes * 60 / self.scale, REAL_TIME_LIMIT if self.scale == 1 else math.inf)
        entry = self.bench.entry
        await wait_until(lambda: entry.state is ConfigEntryState.LOADED, seconds=600)
        started = time.perf_counter()
        while True:
            count = (await self.sim.counts()).get(self.action, 0)
            elapsed = time.perf_counter() - started
            self.samples.append((elapsed * self.scale / 60, count))
            if 0 < devices() <= count or elapsed >= limit:
                return
            await asyncio.sleep(0.2)

    def at(self, minute: float) -> int:
        """Requests within the first `minute` simulated minutes."""
        return max((count for at, count in self.samples if at <= minute), default=0)

    def since(self, minute: float) -> int:
        """Requests up to the first sample at or after `minute` simulated minutes.

        None before the timeline began: its counts start from zero.
        """
        if minute <= 0:
            return 0
        return next((count for at, count in self.samples if at >= minute), 0)

    def summary(self, devices: int) -> dict[str, Any]:
        """Requests in the first minutes, the most in any minute, and when all were made.

        A minute is measured from the first sample in it: from the last one before, sampling
        would stretch it by up to the time between two samples and count two turns of a
        timer a minute apart as one minute's.
        """
        peak = max(
            (count - self.since(at - 1) for at, count in self.samples),
            default=0,
        )
        every = next((at for at, count in self.samples if count >= devices), None)
        return {
            "devices": devices,
            "scale": self.scale,
            "first_1_min": self.at(1),
            "first_2_min": self.at(2),
            "first_10_min": self.at(10),
            "first_60_min": self.at(60),
            "peak_per_min": peak,
            "all_checked_min": every,
            "followed_min": self.samples[-1][0] if self.samples else 0,
            "checked": self.samples[-1][1] if self.samples else 0,
        }


def family_size(bench: Bench) -> int:
    """The devices of the entry's family, once it is set up (0 before)."""
    if not hasattr(bench.entry, "runtime_data"):
        return 0
    return len(bench.coordinator.devices)


def compress_timer(
    monkeypatch: pytest.MonkeyPatch, module: object, name: str, scale: float
) -> float:
    """Run a timer of the integration `scale` times faster, when it has it; the scale it runs at."""
    tick = getattr(module, name, None)
    if not isinstance(tick, timedelta):
        return 1
    monkeypatch.setattr(module, name, tick / scale)
    return scale


async def phase_firmware_restart(bench: Bench, scale: float) -> None:
    """Unload the entry and set it up again: the checks of the next minutes."""
    hass = bench.hass
    assert await hass.config_entries.async_unload(bench.entry.entry_id)
    await hass.async_block_till_done()
    await bench.sim.reset_counts()
    timeline = RequestTimeline(bench, scale)
    following = asyncio.create_task(timeline.follow(partial(family_size, bench), 10))
    assert await hass.config_entries.async_setup(bench.entry.entry_id)
    await following
    bench.results["firmware"]["restart"] = timeline.summary(family_size(bench))


# Pushes


@dataclass(slots=True)
class PushPlan:
    """Which property each device reports, and which device each entity belongs to."""

    items: list[list[Any]]  # [device_id, prop, low, span, extra values]
    entity_device: dict[str, str]

    @property
    def devices(self) -> list[str]:
        """Device ids, by plan index."""
        return [item[0] for item in self.items]


def build_plan(bench: Bench, models: dict[str, dict[str, dict[str, Any]]]) -> PushPlan:
    """For each online device: an int property with an entity of its own, or a light's brightness.

    Consecutive pushes to a device carry different values, so each one changes a state.
    """
    registry = er.async_get(bench.hass)
    entity_device: dict[str, str] = {}
    unique_ids: set[str] = set()
    for entity in er.async_entries_for_config_entry(registry, bench.entry.entry_id):
        parts = entity.unique_id.split("/")
        if len(parts) >= 3:
            entity_device[entity.entity_id] = "/".join(parts[:2])
            unique_ids.add(entity.unique_id)
    items: list[list[Any]] = []
    for key, state in bench.coordinator.devices.items():
        if not state.online or key not in models:
            continue
        for prop, define in models[key].items():
            if define.get("type") != "int":
                continue
            low, high = int(float(define.get("min", 0))), int(float(define.get("max", 0)))
            if f"{key}/{prop}" in unique_ids and high - low >= 60:
                items.append([key, prop, low, high - low + 1, {}])
                break
            if prop == "brightness" and "power_switch" in models[key] and high - low >= 60:
                low = max(low, 1)
                items.append([key, prop, low, high - low + 1, {"power_switch": 1}])
                break
    return PushPlan(items, entity_device)


class StateRecorder:
    """For each device of the plan, every new value of its property HA's states showed, in order.

    Consecutive pushes to a device carry different values, so the k-th push to a device is the
    k-th change recorded for it (its value is checked too).
    """

    def __init__(self, bench: Bench, plan: PushPlan) -> None:
        """Listen to state changes of the plan's devices."""
        self._devices = bench.coordinator.devices
        self._props = {item[0]: item[1] for item in plan.items}
        self._entity_device = plan.entity_device
        # Plain lists of ints and floats: the recorder gives the collector nothing to track.
        self.values: dict[str, list[Any]] = {}
        self.times: dict[str, list[float]] = {}
        self._last: dict[str, Any] = {}
        self._recorded = 0
        self._expected = 0
        self._all_seen = asyncio.Event()
        self._unsub = bench.hass.bus.async_listen(EVENT_STATE_CHANGED, self._on_change)

    def start(self) -> None:
        """Forget what was recorded; changes count from the current values."""
        self.values = {key: [] for key in self._props}
        self.times = {key: [] for key in self._props}
        self._last = {key: self._devices[key].values.get(prop) for key, prop in self._props.items()}
        self._recorded = 0
        self._expected = 0
        self._all_seen.clear()

    async def wait_for(self, count: int, seconds: float) -> None:
        """Until `count` changes were recorded, or `seconds` have passed."""
        self._expected = count
        if self._recorded >= count:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._all_seen.wait(), seconds)

    @callback
    def _on_change(self, event: Event[EventStateChangedData]) -> None:
        key = self._entity_device.get(event.data["entity_id"])
        new_state = event.data["new_state"]
        if key is None or new_state is None or (prop := self._props.get(key)) is None:
            return
        value = self._devices[key].values.get(prop)
        if value == self._last[key]:
            return  # another entity of the device, or a state change without a new value
        self._last[key] = value
        self.values[key].append(value)
        self.times[key].append(new_state.last_updated_timestamp)
        self._recorded += 1
        if self._expected and self._recorded >= self._expected:
            self._all_seen.set()

    def latencies(
        self, devices: list[str], indexes: list[int], values: list[Any], stamps: list[float]
    ) -> list[float]:
        """Each push's latency, in send order; inf when its value never showed."""
        position = dict.fromkeys(self.values, 0)
        result: list[float] = []
        for index, value, stamp in zip(indexes, values, stamps, strict=True):
            key = devices[index]
            k = position[key]
            position[key] = k + 1
            if k < len(self.values[key]) and self.values[key][k] == value:
                result.append(self.times[key][k] - stamp)
            else:
                result.append(math.inf)
        return result

    def stop(self) -> None:
        """Stop listening."""
        self._unsub()


class GcWatch:
    """Time spent in garbage collection, the longest pause, and the full collections."""

    def __init__(self) -> None:
        """Not watching yet."""
        self.total = 0.0
        self.longest = 0.0
        self.full = 0  # collections of the oldest generation: the whole (unfrozen) heap
        self.collected = 0  # objects found unreachable: garbage reference counting missed
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        pause = time.perf_counter() - self._started
        self.total += pause
        self.longest = max(self.longest, pause)
        self.full += info["generation"] == 2
        self.collected += info["collected"]

    def __enter__(self) -> GcWatch:
        """Start watching."""
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop watching."""
        gc.callbacks.remove(self._callback)


@dataclass(slots=True)
class Burst:
    """One run of pushes at a fixed rate, as sent and as seen."""

    rate: float
    sent: int
    achieved_rate: float
    latencies: list[float]  # in send order; inf when never seen
    busy: float  # share of the run's wall time HA's process spent on the CPU
    gc: GcWatch

    @property
    def missing(self) -> int:
        """Pushes whose value never showed in HA."""
        return sum(1 for latency in self.latencies if math.isinf(latency))

    @property
    def tail_p95(self) -> float:
        """Latency p95 over the last tenth of the run."""
        return percentile(self.latencies[-max(1, len(self.latencies) // 10) :], 0.95)

    @property
    def sustained(self) -> bool:
        """Whether HA kept up: all applied, at the rate, with time to spare, no growing tail."""
        return (
            self.missing == 0
            and self.achieved_rate >= SUSTAINED_SHARE * self.rate
            and self.busy < MAX_BUSY
            and self.tail_p95 <= TAIL_LATENCY
        )

    def summary(self) -> dict[str, Any]:
        """Figures, latencies in ms."""
        seen = [latency for latency in self.latencies if not math.isinf(latency)] or [math.inf]
        return {
            "rate": self.rate,
            "sent": self.sent,
            "achieved_rate": self.achieved_rate,
            "missing": self.missing,
            "p50_ms": percentile(seen, 0.50) * 1000,
            "p95_ms": percentile(seen, 0.95) * 1000,
            "p99_ms": percentile(seen, 0.99) * 1000,
            "max_ms": max(seen) * 1000,
            "mean_ms": statistics.fmean(seen) * 1000,
            "tail_p95_ms": self.tail_p95 * 1000,
            "busy": self.busy,
            "gc_total_ms": self.gc.total * 1000,
            "gc_longest_ms": self.gc.longest * 1000,
            "gc_full": self.gc.full,
            "gc_collected": self.gc.collected,
            "sustained": self.sustained,
        }


class Burster:
    """Runs bursts and matches each push to the state change it caused."""

    def __init__(self, bench: Bench, plan: PushPlan, recorder: StateRecorder) -> None:
        """Use this plan and recorder."""
        self.bench = bench
        self.plan = plan
        self.recorder = recorder
        self.offset = 1

    async def run(self, rate: float, seconds: float, settle: float = 3.0) -> Burst:
        """Send `rate` pushes/s for `seconds`, then wait for HA to apply them."""
        count = max(1, round(rate * seconds))
        self.recorder.start()
        # Each run starts one value past where the last one ended: every push changes a value.
        body = {"rate": rate, "count": count, "plan": self.plan.items, "offset": self.offset}
        self.offset += math.ceil(count / len(self.plan.items)) + 1
        devices = self.plan.devices
        profile = os.environ.get("BENCH_PROFILE") == str(rate)
        profiler = cProfile.Profile() if profile else None
        with GcWatch() as gc_watch:
            cpu_started, wall_started = time.process_time(), time.perf_counter()
            if profiler is not None:
                profiler.enable()
            answer = await self.bench.sim.post("/burst", body)
            if profiler is not None:
                profiler.disable()
            busy = (time.process_time() - cpu_started) / (time.perf_counter() - wall_started)
            sent = len(answer["index"])
            await self.recorder.wait_for(sent, settle)
        if profiler is not None:
            out = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / ".out" / "x.json"))
            with out.with_name(f"profile-{rate}.txt").open("w", encoding="utf-8") as stream:
                pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(50)
        latencies = self.recorder.latencies(
            devices, answer["index"], answer["value"], answer["stamp"]
        )
        return Burst(
            rate=rate,
            sent=sent,
            achieved_rate=sent / answer["elapsed"] if answer["elapsed"] else math.inf,
            latencies=latencies,
            busy=busy,
            gc=gc_watch,
        )


async def control_run(hass: HomeAssistant, entities: int, rate: float, seconds: float) -> Burst:
    """HA alone: state changes at `rate`, written straight to the state machine from a timer.

    Same heap, rate and number of entities as a latency run, without the integration on the
    path: a write's latency is how late it ran. What remains is Home Assistant's own floor.
    """
    loop = asyncio.get_running_loop()
    entity_ids = [f"sensor.bench_control_{i:04d}" for i in range(entities)]
    count = max(1, round(rate * seconds))
    latencies: list[float] = []
    with GcWatch() as gc_watch:
        cpu_started, start = time.process_time(), loop.time()
        async for k, due in paced(rate, count):
            value = str(k // entities)  # a new value each round: every write is a change
            hass.states.async_set(entity_ids[k % entities], value, CONTROL_ATTRIBUTES)
            latencies.append(loop.time() - due)
        elapsed = loop.time() - start
        busy = (time.process_time() - cpu_started) / elapsed
    for entity_id in entity_ids:
        hass.states.async_remove(entity_id)
    return Burst(rate, count, count / elapsed, latencies, busy, gc_watch)


async def phase_pushes(bench: Bench, phases: set[str]) -> None:
    """Latency at 100 and 1000 pushes/s, and the highest rate without backlog."""
    plan = build_plan(bench, await bench.sim.get("/models"))
    recorder = StateRecorder(bench, plan)
    burster = Burster(bench, plan, recorder)
    try:
        # Warm-up: keep the devices whose every report changed a state (a bulb in colour
        # mode shows its colour's brightness, not `brightness`).
        warm = await burster.run(200, max(2.0, 3 * len(plan.items) / 200))
        missing = {
            plan.devices[i % len(plan.items)]
            for i, latency in enumerate(warm.latencies)
            if math.isinf(latency)
        }
        plan.items = [item for item in plan.items if item[0] not in missing]
        bench.results["push_plan"] = {
            "devices": len(plan.items),
            "properties": sorted({item[1] for item in plan.items}),
        }
        if "latency" in phases:
            bench.results["latency"] = [
                (await burster.run(rate, seconds)).summary() for rate, seconds in LATENCY_RUNS
            ]
            control = await control_run(bench.hass, len(plan.items), *CONTROL_RUN)
            bench.results["control"] = control.summary()
        if "maxrate" in phases:
            runs: list[dict[str, Any]] = []
            failures = 0
            for rate in MAX_RATES:
                # A second try when the first fails: a full garbage collection of HA's heap
                # (up to several hundred ms) can land in a run's last tenth by chance.
                for _attempt in range(2):
                    await asyncio.sleep(1.0)
                    result = await burster.run(rate, MAX_RATE_SECONDS)
                    runs.append(result.summary())
                    if result.sustained:
                        break
                failures = 0 if result.sustained else failures + 1
                if failures >= 2:
                    break
            sustained = [run["rate"] for run in runs if run["sustained"]]
            capacities = [run["rate"] / run["busy"] for run in runs if run["missing"] == 0]
            bench.results["maxrate"] = {
                "best": max(sustained, default=0),
                "capacity_estimate": statistics.median(capacities) if capacities else 0,
                "runs": runs,
            }
    finally:
        recorder.stop()


def other_value(define: dict[str, Any], current: object) -> object:
    """A valid value of a property other than `current`; None for a struct or a timestamp."""
    candidates: list[object]
    match define.get("type"):
        case "bool":
            candidates = [0, 1]
        case "enum":
            candidates = [int(key) for key in define.get("mapping", {})]
        case "int" | "float" as kind:
            number = int if kind == "int" else float
            low, high = number(float(define.get("min", 0))), number(float(define.get("max", 0)))
            step = number(float(define.get("step", 1))) or 1
            candidates = [value for value in (low, low + step) if value <= high]
        case "string":
            candidates = ["", "bench"]
        case "array":
            item = other_value(define.get("arrayInfo", {}), None)
            candidates = [[], [item]] if item is not None else [[]]
        case _:
            return None
    return next((value for value in candidates if value != current), None)


async def git(*args: str) -> str:
    """What a git command prints, run in this tree."""
    process = await asyncio.create_subprocess_exec(
        "git", *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    return out.decode().strip()


async def integration_commit() -> str:
    """The commit whose integration is measured, marked when the integration has local changes.

    Changes elsewhere do not count: the bench's own files may be newer (a figure for an older
    commit is measured with this phase copied in), and a run rewrites `bench/results.md`.
    """
    commit = await git("rev-parse", "--short", "HEAD")
    if await git("status", "--porcelain", "--", "custom_components"):
        return f"{commit} + local changes"
    return commit


async def phase_writes(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    """State writes per push: one push of each property of every online device, to a new value.

    `Entity.async_write_ha_state` is wrapped here, in the bench process, to count the writes by
    entity domain. A push should rewrite the entities showing its property, not every entity
    of its device: pushes of a property a composite entity does not show (a light strip's
    segments, an air conditioner's filter state, a purifier's PM2.5) tell the two apart.
    """
    coordinator = bench.coordinator
    models = await bench.sim.get("/models")
    admin_url = (await bench.sim.get("/info"))["admin_url"]
    plan = [
        (key, prop, value)
        for key, state in coordinator.devices.items()
        if state.online and key in models
        for prop, define in models[key].items()
        if (value := other_value(define, state.values.get(prop))) is not None
    ]
    # A poll rewrites every entity: this refresh puts the next one a poll interval away.
    await coordinator.async_refresh()
    await bench.hass.async_block_till_done()
    writes: Counter[str] = Counter()
    write = Entity.async_write_ha_state

    def counted_write(entity: Entity) -> None:
        writes[entity.entity_id.partition(".")[0]] += 1
        write(entity)

    poll_counter = PollCounter(coordinator)
    with monkeypatch.context() as patch:
        patch.setattr(Entity, "async_write_ha_state", counted_write)
        for key, prop, value in plan:
            report = {"device_id": key, "params": {prop: value}}
            async with bench.sim.session.post(f"{admin_url}/report", json=report) as response:
                response.raise_for_status()
        await wait_until(
            lambda: all(
                coordinator.devices[key].values.get(prop) == value for key, prop, value in plan
            )
        )
        await bench.hass.async_block_till_done()
    poll_counter.stop()
    assert poll_counter.polls == 0, "a poll ran while writes were counted"
    bench.results["writes"] = {
        "commit": await integration_commit(),
        "measured": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "devices": len({key for key, _, _ in plan}),
        "pushes": len(plan),
        "writes": writes.total(),
        "composite_writes": sum(writes[domain] for domain in COMPOSITE_DOMAINS),
        "by_domain": dict(sorted(writes.items())),
    }


async def check_end_state(bench: Bench) -> None:
    """Count the devices whose values or availability differ from the simulator's."""
    await bench.hass.async_block_till_done()
    states = await bench.sim.get("/states")
    bench.results["end_state_mismatches"] = sorted(
        key
        for key, state in bench.coordinator.devices.items()
        if key in states
        and (
            state.online != states[key]["Online"]
            or (
                state.online
                and any(state.values.get(p) != v for p, v in states[key]["Data"].items())
            )
        )
    )


async def test_bench(
    hass: HomeAssistant, sim_process: SimProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run the phases named in BENCH_PHASES and write their figures to BENCH_OUT."""
    phases = set(os.environ.get("BENCH_PHASES", "setup,steady").split(","))
    out = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / ".out" / "bench.json"))
    # Heartbeats at the steady phase's compressed pace all along (a small frame every 2.5 s).
    for name, channel in (("PushClient", PushClient), ("QuectelPushClient", QuectelPushClient)):
        monkeypatch.setattr(
            push_session,
            name,
            partial(channel, heartbeat_interval=DEFAULT_HEARTBEAT_INTERVAL / STEADY_SCALE),
        )
    entry = await make_entry(hass, sim_process)
    bench = Bench(hass, sim_process, entry, {"n": int(os.environ.get("BENCH_DEVICES", "10"))})
    events_scale = (
        compress_timer(monkeypatch, event_log_module, "CATCH_UP_TICK", EVENTS_SCALE)
        if "pushdown" in phases
        else 1
    )
    if events_scale != 1:
        # A turn's requests are paced too (a burst, then 10 a second): on the compressed clock
        # at real-time pace, a turn of a second would spill over a whole simulated minute.
        rate = const.BACKGROUND_REQUESTS_PER_SECOND * events_scale
        monkeypatch.setattr(const, "BACKGROUND_REQUESTS_PER_SECOND", rate)
    if "firmware" in phases:
        scale = compress_timer(monkeypatch, firmware_module, "FIRMWARE_CHECK_TICK", FIRMWARE_SCALE)
        timeline = RequestTimeline(bench, scale)
        following = asyncio.create_task(
            timeline.follow(partial(family_size, bench), FIRMWARE_WINDOW)
        )
    await phase_setup(bench)
    if "firmware" in phases:
        await following
        bench.results["firmware"] = {"start": timeline.summary(family_size(bench))}
    if phases & {"pushdown", "firmware"}:
        bench.results["traffic"] = {
            "commit": await integration_commit(),
            "measured": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        }
    if "pushdown" in phases:
        await phase_push_down(bench, events_scale)
    if "firmware" in phases:
        await phase_firmware_restart(bench, scale)
    if "history" in phases:
        await phase_history(bench, monkeypatch)
    if "steady" in phases:
        await phase_steady(bench)
    if phases & {"latency", "maxrate"}:
        await phase_pushes(bench, phases)
    if "writes" in phases:
        await phase_writes(bench, monkeypatch)
    await check_end_state(bench)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await hass.async_add_executor_job(write_results, out, bench.results)


def write_results(path: Path, results: dict[str, Any]) -> None:
    """Write the figures as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
