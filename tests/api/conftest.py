"""Fixtures of the API client tests: the simulator over loopback and a real aiohttp session.

These tests need no Home Assistant instance: the repository-wide autouse fixture that
enables custom integrations (and pulls in `hass`) is replaced by a no-op.
"""

from collections.abc import AsyncGenerator, Generator
import socket
from typing import Any

import aiohttp
import pytest

from custom_components.tencent_iot.api import (
    PushClient,
    PushEvent,
    PushIdentity,
    TencentIoTClient,
    Token,
)
from simulator import CloudSimulator

from .common import ClientFactory, PushFactory, PushHarness, SimFactory, phone_credentials


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No Home Assistant here: replaces the fixture of tests/conftest.py."""


@pytest.fixture
def closed_port(socket_enabled: None) -> Generator[int]:
    """A loopback port that refuses connections for the whole test.

    Bound but never listening: a port closed again at once could be taken meanwhile by any
    server of the machine (another test's simulator, another suite), and then answer.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
async def session() -> AsyncGenerator[aiohttp.ClientSession]:
    """A real HTTP session, closed at the end of the test."""
    async with aiohttp.ClientSession() as http:
        yield http


@pytest.fixture
async def make_sim(socket_enabled: None) -> AsyncGenerator[SimFactory]:
    """Start extra simulators (for example with `devices=N`), all stopped at the end."""
    started: list[CloudSimulator] = []

    async def factory(**options: Any) -> CloudSimulator:
        simulator = CloudSimulator(scene_delay_scale=0.01, **options)
        await simulator.start()
        started.append(simulator)
        return simulator

    yield factory
    for simulator in started:
        await simulator.stop()


@pytest.fixture
def make_client(sim: CloudSimulator, session: aiohttp.ClientSession) -> ClientFactory:
    """Build clients of `sim` (or of another simulator) with short retry delays."""

    def factory(target: CloudSimulator | None = None, **options: Any) -> TencentIoTClient:
        cloud = target or sim
        settings: dict[str, Any] = {
            "app_key": cloud.app_key,
            "app_secret": cloud.app_secret,
            "api_url": cloud.api_url,
            "ws_url": cloud.ws_url,
            "retry_delays": (0.01, 0.01),
        }
        settings.update(options)
        return TencentIoTClient(session, **settings)

    return factory


@pytest.fixture
def tokens() -> list[Token]:
    """Tokens reported to the owner through `on_token`."""
    return []


@pytest.fixture
async def client(
    sim: CloudSimulator, make_client: ClientFactory, tokens: list[Token]
) -> TencentIoTClient:
    """A client logged in with the demo user's phone and password."""
    logged_in = make_client(credentials=phone_credentials(sim), on_token=tokens.append)
    await logged_in.login_password()
    return logged_in


@pytest.fixture
async def make_push(
    session: aiohttp.ClientSession, client: TencentIoTClient
) -> AsyncGenerator[PushFactory]:
    """Build push channels on `client`'s token with tiny timings; all are stopped at the end."""
    harnesses: list[PushHarness] = []

    def factory(
        ws_url: str | None = None, *, identity: PushIdentity | None = None, **options: Any
    ) -> PushHarness:
        harness: PushHarness

        def token() -> str:
            return client.access_token or ""

        async def on_token_error() -> None:
            harness.token_errors += 1
            await client.relogin()

        settings: dict[str, Any] = {
            "on_token_error": on_token_error,
            "heartbeat_interval": 30.0,
            "reply_timeout": 1.0,
            "backoff_min": 0.01,
            "backoff_max": 0.05,
        }
        settings.update(options)
        events: list[PushEvent] = []
        changes: list[bool] = []
        push = PushClient(
            session,
            identity or (PushIdentity((ws_url,)) if ws_url else client.push_identity),
            token,
            events.append,
            changes.append,
            **settings,
        )
        harness = PushHarness(push, events, changes)
        harnesses.append(harness)
        return harness

    yield factory
    for harness in harnesses:
        await harness.push.stop()
