"""`python -m simulator`: run the simulated cloud until interrupted."""

import argparse
import asyncio
from dataclasses import asdict
import json
import logging
from pathlib import Path
import signal

from simulator.quectel import QuectelSimulator
from simulator.simulator import DEFAULT_TOKEN_TTL, CloudSimulator


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8780)
    parser.add_argument(
        "--fixture", type=Path, help="fixture JSON (default: fixtures/default_home.json)"
    )
    parser.add_argument(
        "--devices",
        type=int,
        default=0,
        help="add N synthetic devices to the first family of each cloud",
    )
    parser.add_argument(
        "--doc-envelope",
        action="store_true",
        help='answer the doc\'s {"Response": ...} instead of the live {"code","msg","data"}',
    )
    parser.add_argument(
        "--payload-nul-bytes",
        type=int,
        default=0,
        help="append N NUL bytes to every push payload, as some devices send them",
    )
    parser.add_argument(
        "--token-ttl", type=int, default=DEFAULT_TOKEN_TTL, help="AccessToken lifetime in seconds"
    )
    parser.add_argument(
        "--scene-delay-scale", type=float, default=1.0, help="multiply scene delay actions"
    )
    parser.add_argument(
        "--motor-tick",
        type=float,
        default=1.0,
        help="seconds between two steps of a moving curtain motor (0: only on POST /_sim/motors/step)",
    )
    return parser.parse_args()


def _print_quectel(sim: QuectelSimulator) -> None:
    info = sim.info()
    print("Quectel Developer Center cloud simulator (same port)")
    print(f"  API (/v2/...):         {info['api_url']}")
    print(f"  WebSocket:             {info['ws_url']} (also {info['doc_ws_url']})")
    print(f"  Admin:                 {info['admin_url']}")
    print(f"  User domain:           {info['user_domain']}")
    print(f"  User domain secret:    {info['user_domain_secret']}")
    print(f"  Devices:               {len(sim.state.devices)}")
    print(f"  Accounts (test credentials): {json.dumps(info['accounts'], ensure_ascii=False)}")


async def _serve(args: argparse.Namespace) -> None:
    sim = CloudSimulator(
        args.fixture,
        devices=args.devices,
        wrapped=not args.doc_envelope,
        token_ttl=args.token_ttl,
        scene_delay_scale=args.scene_delay_scale,
        motor_tick=args.motor_tick or None,
    )
    sim.set_payload_style(nul_bytes=args.payload_nul_bytes)
    quectel = QuectelSimulator(devices=args.devices)
    quectel.bind(await sim.start(args.host, args.port, extra_routes=quectel.routes()))
    info = sim.info()
    print("Tencent IoT Explorer cloud simulator")
    print(f"  API (appapi/tokenapi): {info['api_url']}")
    print(f"  WebSocket:             {info['ws_url']} (also {info['doc_ws_url']})")
    print(f"  Admin:                 {info['admin_url']}")
    print(f"  AppKey:                {info['app_key']}")
    print(f"  AppSecret:             {info['app_secret']}")
    print(f"  Verification code:     {info['verification_code']}")
    print(f"  Devices:               {len(sim.state.devices)}")
    print("  Accounts (test credentials):")
    for account in sim.state.users.values():
        print(
            f"    {account.nickname}: +{account.country_code} {account.phone} / {account.email}"
            f"  password {account.password!r}  UserID {account.user_id}"
        )
    accounts = {"phone": asdict(sim.phone_account), "email": asdict(sim.email_account)}
    print(f"  Demo logins: {json.dumps(accounts, ensure_ascii=False)}")
    _print_quectel(quectel)
    print("  Ctrl-C (or SIGTERM) stops it.", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await quectel.stop()
        await sim.stop()


def main() -> None:
    """Parse the command line and serve until Ctrl-C."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(_serve(_arguments()))


if __name__ == "__main__":
    main()
