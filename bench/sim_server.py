"""The cloud simulator in its own process, with a control port for the benchmark.

`python -m bench.sim_server --devices N` starts `CloudSimulator(devices=N)` on a free loopback
port and a second small HTTP server (the control port) beside it, prints one JSON line
`{"base_url", "control_url"}` and serves until SIGTERM or until stdin is closed. With
`--cloud quectel` the cloud is `QuectelSimulator(devices=N)` instead, behind the same control
port (its thing models told in the Tencent shapes the benchmark reads).

Running the cloud in another process keeps its work (building and sending frames, answering
HTTP) off Home Assistant's event loop and core, as with the real cloud. The control port adds
what the simulator's admin surface has no call for: pushes at a fixed rate with the time each
one was sent, and every device's state in one answer.
"""

import argparse
import asyncio
from collections.abc import Awaitable, Callable
import contextlib
import json
import os
import signal
import sys
import time
from typing import Any, cast

from aiohttp import web

from bench.pacing import paced
from simulator import CloudSimulator
from simulator.quectel import QuectelSimulator

type Simulator = CloudSimulator | QuectelSimulator

type Handler = Callable[[web.Request], Awaitable[web.Response]]

# A plan item: device id, property id, lowest value, how many values to cycle through,
# and constant values sent along (e.g. a light's power switch, so brightness is shown).
type PlanItem = tuple[str, str, int, int, dict[str, object]]


def _plan(raw: object) -> list[PlanItem]:
    items: list[PlanItem] = []
    for item in cast(list[list[Any]], raw):
        device_id, prop, low, span, extra = item
        items.append((str(device_id), str(prop), int(low), max(1, int(span)), dict(extra)))
    return items


async def burst(
    sim: Simulator, rate: float, count: int, plan: list[PlanItem], offset: int = 0
) -> Any:
    """Report `count` values at `rate` per second, round-robin over the plan's devices.

    The k-th push goes to device k mod len(plan) and carries value
    low + (offset + k div len(plan)) mod span: consecutive values of a device differ.

    Push k is due at start + k / rate; whatever is due is sent at once, then the task sleeps
    until the next one is due. Each send records `time.time()` just before the report is
    built, so a measured latency includes building, sending and receiving the frame.
    """
    # Three flat lists: numbers only, nothing for the collector of either process to track.
    indexes: list[int] = []
    values: list[int] = []
    stamps: list[float] = []
    loop = asyncio.get_running_loop()
    start = loop.time()
    async for k, _due in paced(rate, count):
        index = k % len(plan)
        device_id, prop, low, span, extra = plan[index]
        value = low + (offset + k // len(plan)) % span
        stamp = time.time()
        await sim.report(device_id, {**extra, prop: value})
        indexes.append(index)
        values.append(value)
        stamps.append(stamp)
    return {
        "index": indexes,
        "value": values,
        "stamp": stamps,
        "elapsed": loop.time() - start,
    }


def _states(sim: Simulator) -> dict[str, object]:
    if isinstance(sim, QuectelSimulator):
        return {
            key: {"Online": device.online, "Data": dict(device.values)}
            for key, device in sim.state.devices.items()
        }
    family = next(iter(sim.state.families.values()))
    return {
        device_id: {
            "Online": sim.state.devices[device_id].online,
            "Data": sim.state.devices[device_id].values(),
        }
        for device_id in family.device_ids
    }


# A TSL data type as a DataTemplate's `type`.
_TSL_TYPES = {"BOOL": "bool", "INT": "int", "FLOAT": "float", "DOUBLE": "float", "ENUM": "enum"}


def _tsl_define(spec: dict[str, Any]) -> dict[str, object]:
    """A TSL property as the DataTemplate define the benchmark reads (type, min, max)."""
    specs = spec.get("specs")
    define: dict[str, object] = {"type": _TSL_TYPES.get(str(spec.get("dataType")), "other")}
    if isinstance(specs, dict):
        define |= {key: specs[key] for key in ("min", "max") if key in specs}
    elif define["type"] in ("enum", "bool") and isinstance(specs, list):
        define["mapping"] = {str(item.get("value")): item.get("name") for item in specs}
    return define


def _models(sim: Simulator) -> dict[str, object]:
    if isinstance(sim, QuectelSimulator):
        return {
            key: {
                spec["code"]: _tsl_define(spec) for spec in device.product.tsl.get("properties", [])
            }
            for key, device in sim.state.devices.items()
        }
    family = next(iter(sim.state.families.values()))
    return {
        device_id: {
            key: dict(member.define)
            for key, member in sim.state.devices[device_id].product.model.properties.items()
        }
        for device_id in family.device_ids
    }


def _info(sim: Simulator) -> dict[str, object]:
    """The cloud's URLs and credentials, its demo user and that user's first home."""
    if isinstance(sim, QuectelSimulator):
        return {
            **sim.info(),
            "admin_url": f"{sim.base_url}/_sim/quectel",
            "cloud": "quectel",
            "family_id": next(iter(sim.state.families)),
            "user_id": sim.demo_user.uid,
        }
    user_id = sim.demo_user.user_id
    family_id = next(f.family_id for f in sim.state.families.values() if user_id in f.members)
    return {**sim.info(), "cloud": "tencent", "family_id": family_id, "user_id": user_id}


def control_app(sim: Simulator) -> web.Application:
    """The control port's routes."""

    async def counters(_: web.Request) -> web.Response:
        return web.json_response(sim.request_counts())

    async def reset_counters(_: web.Request) -> web.Response:
        sim.reset_request_counts()
        return web.json_response({"ok": True})

    async def states(_: web.Request) -> web.Response:
        return web.json_response(_states(sim))

    async def models(_: web.Request) -> web.Response:
        return web.json_response(_models(sim))

    async def connections(_: web.Request) -> web.Response:
        return web.json_response(sim.connections())

    async def info(_: web.Request) -> web.Response:
        return web.json_response(_info(sim))

    async def run_burst(request: web.Request) -> web.Response:
        body = await request.json()
        result = await burst(
            sim,
            float(body["rate"]),
            int(body["count"]),
            _plan(body["plan"]),
            int(body.get("offset", 0)),
        )
        return web.json_response(result)

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.add_routes(
        [
            web.get("/counters", counters),
            web.post("/counters/reset", reset_counters),
            web.get("/states", states),
            web.get("/models", models),
            web.get("/connections", connections),
            web.get("/info", info),
            web.post("/burst", run_burst),
        ]
    )
    return app


async def serve(devices: int, cloud: str) -> None:
    """Run the simulator and the control port until SIGTERM or end of stdin."""
    sim: Simulator = (
        QuectelSimulator(devices=devices)
        if cloud == "quectel"
        else CloudSimulator(devices=devices, scene_delay_scale=0.01)
    )
    base_url = await sim.start()
    runner = web.AppRunner(control_app(sim), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = cast(Any, site._server)  # the only way to learn the bound port
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({"base_url": base_url, "control_url": f"http://127.0.0.1:{port}"}), flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)

    def stdin_readable() -> None:
        # The parent closing stdin (or dying) ends this process.
        if not os.read(sys.stdin.fileno(), 1024):
            stop.set()

    loop.add_reader(sys.stdin.fileno(), stdin_readable)
    try:
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            loop.remove_reader(sys.stdin.fileno())
        await runner.cleanup()
        await sim.stop()


def main() -> None:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(prog="python -m bench.sim_server", description=__doc__)
    parser.add_argument("--devices", type=int, default=0)
    parser.add_argument("--cloud", choices=("tencent", "quectel"), default="tencent")
    args = parser.parse_args()
    asyncio.run(serve(args.devices, args.cloud))


if __name__ == "__main__":
    main()
