"""Fixtures of the Quectel client tests: the Quectel simulator over loopback, real sessions."""

from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from custom_components.tencent_iot.api import LoginCredentials, PushEvent, RateLimit, Token
from custom_components.tencent_iot.api.quectel import (
    QuectelClient,
    QuectelPushClient,
    QuectelPushIdentity,
)
from simulator.quectel import QuectelSimulator

type QClientFactory = Callable[..., QuectelClient]


def email_credentials(sim: QuectelSimulator, password: str | None = None) -> LoginCredentials:
    """The demo user's email login."""
    account = sim.email_account
    return LoginCredentials(
        account_type="email",
        account=account.account,
        password=account.password if password is None else password,
    )


def phone_credentials(sim: QuectelSimulator) -> LoginCredentials:
    """The demo user's phone login."""
    account = sim.phone_account
    return LoginCredentials(
        account_type="phone",
        account=account.account,
        password=account.password,
        country_code=account.country_code,
    )


@pytest.fixture
def make_qclient(quectel_sim: QuectelSimulator, session: aiohttp.ClientSession) -> QClientFactory:
    """Build clients of the simulator with short retry delays and rate-limit back-offs."""

    def factory(**options: Any) -> QuectelClient:
        settings: dict[str, Any] = {
            "user_domain": quectel_sim.user_domain,
            "user_domain_secret": quectel_sim.user_domain_secret,
            "api_url": quectel_sim.api_url,
            "ws_url": quectel_sim.ws_url,
            "retry_delays": (0.01,),
            "rate_limit": RateLimit(backoff_min=0.001, backoff_max=0.004),
        }
        settings.update(options)
        return QuectelClient(session, **settings)

    return factory


@pytest.fixture
def qtokens() -> list[Token]:
    """Tokens reported through `on_token`."""
    return []


@pytest.fixture
async def qclient(
    quectel_sim: QuectelSimulator, make_qclient: QClientFactory, qtokens: list[Token]
) -> QuectelClient:
    """A client logged in with the demo user's email and password."""
    client = make_qclient(credentials=email_credentials(quectel_sim), on_token=qtokens.append)
    await client.login_password()
    return client


@dataclass
class QPushHarness:
    """A push channel and what it reported."""

    push: QuectelPushClient
    events: list[PushEvent] = field(default_factory=list)
    changes: list[bool] = field(default_factory=list)
    token_errors: int = 0


type QPushFactory = Callable[..., QPushHarness]


@pytest.fixture
async def make_qpush(
    session: aiohttp.ClientSession, qclient: QuectelClient
) -> AsyncGenerator[QPushFactory]:
    """Build push channels on `qclient`'s token with tiny timings; all stopped at the end."""
    harnesses: list[QPushHarness] = []

    def factory(*urls: str, **options: Any) -> QPushHarness:
        harness: QPushHarness

        async def on_token_error() -> None:
            harness.token_errors += 1
            await qclient.relogin()

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
        identity = QuectelPushIdentity(urls) if urls else qclient.push_identity
        push = QuectelPushClient(
            session,
            identity,
            lambda: qclient.access_token or "",
            events.append,
            changes.append,
            **settings,
        )
        harness = QPushHarness(push, events, changes)
        harnesses.append(harness)
        return harness

    yield factory
    for harness in harnesses:
        await harness.push.stop()
