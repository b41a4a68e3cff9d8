"""Fixtures of the conformance suite: the simulator and Tencent's SDK logged in to it.

No Home Assistant here: the repository-wide autouse fixture that enables custom integrations
(and pulls in `hass`) is replaced by a no-op.
"""

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

import pytest

from simulator import CloudSimulator

from .sdk import SdkDriver, SdkError

# The SDK's own WebSocket path (its default URL is wss://iot.cloud.tencent.com/ws/explorer).
SDK_WS_PATH = "/ws/explorer"

type SdkFactory = Callable[..., Awaitable[SdkDriver]]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No Home Assistant here: replaces the fixture of tests/conftest.py."""


@pytest.fixture
async def start_sdk(sim: CloudSimulator) -> AsyncGenerator[SdkFactory]:
    """Start SDK drivers logged in to `sim` (init options such as `heartbeatInterval` pass on)."""
    drivers: list[SdkDriver] = []

    async def factory(**options: Any) -> SdkDriver:
        driver = await SdkDriver.start()
        drivers.append(driver)
        account = sim.phone_account
        init = driver.call(
            "init",
            apiUrl=f"{sim.api_url}/",
            wsUrl=sim.base_url.replace("http", "ws", 1) + SDK_WS_PATH,
            appKey=sim.app_key,
            appSecret=sim.app_secret,
            account={
                "kind": account.kind,
                "countryCode": account.country_code,
                "account": account.account,
                "password": account.password,
            },
            **options,
        )
        try:
            await init
        except SdkError as err:
            raise AssertionError(
                f"the SDK could not log in through getAccessToken and AppGetUser: {err.error}"
            ) from None
        return driver

    yield factory
    for driver in drivers:
        await driver.stop()


@pytest.fixture
async def sdk(start_sdk: SdkFactory) -> SdkDriver:
    """The SDK, logged in as the demo user (by phone) through its own getAccessToken."""
    return await start_sdk()
