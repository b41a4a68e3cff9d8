"""Helpers shared by the API client tests."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import logging
import time

import pytest

from custom_components.tencent_iot.api import (
    Device,
    LoginCredentials,
    PushClient,
    PushEvent,
    TencentIoTClient,
)
from simulator import CloudSimulator

# Devices of the simulator's default home.
BULB = Device("3JQ8VX2K1M", "bulb_7c87ce1a")  # colour bulb, firmware 1.2.0 (1.3.0 available)
BULB_WITH_TIMER = Device("3JQ8VX2K1M", "bulb_7c87ce2b")  # up to date, one timer
PLUG = Device("P8VN3KQ4WT", "plug_e8db8411")  # read-only metering, `overload` alert
OFFLINE_LIGHT = Device("K2B7QX9RDL", "ceiling_5e22")  # always offline
GATEWAY = Device("GW5X7N2R4B", "gw_c8478c2f")  # two sub-devices
SMOKE = Device("SM7K3Z9PXA", "smoke_77f0c3")  # alert and fault events, `mute_alarm` action
SPEAKER = Device("SPK4N7W2QX", "spk_d83bbf10")  # music, `play_song` action
OTHER_USER_ID = "2103481378"  # the guest, a member of neither family

PRODUCT_IDS = (
    "3JQ8VX2K1M",
    "7DW4NLPA2Z",
    "K2B7QX9RDL",
    "5GHT2MZQ8N",
    "P8VN3KQ4WT",
    "AC6R2TYH0E",
    "CT9M4PZ7XE",
    "GW5X7N2R4B",
    "TH4Z8K2QWM",
    "SW2K8V6QZ1",
    "DR3P9X5VKM",
    "MS8Q2W4NJT",
    "SM7K3Z9PXA",
    "SPK4N7W2QX",
    "AP2Q6X8MZR",
)


def key(device: Device) -> str:
    """The "ProductId/DeviceName" id of a device."""
    return device.key


def phone_credentials(sim: CloudSimulator, password: str | None = None) -> LoginCredentials:
    """The demo user's phone login."""
    account = sim.phone_account
    return LoginCredentials(
        account_type="phone",
        account=account.account,
        password=account.password if password is None else password,
        country_code=account.country_code,
    )


def email_credentials(sim: CloudSimulator) -> LoginCredentials:
    """The demo user's e-mail login."""
    account = sim.email_account
    return LoginCredentials(
        account_type="email", account=account.account, password=account.password
    )


def home_family_id(sim: CloudSimulator) -> str:
    """The demo user's first family, which holds most devices."""
    user_id = sim.demo_user.user_id
    return next(f.family_id for f in sim.state.families.values() if user_id in f.members)


async def wait_until(
    condition: Callable[[], bool], within: float = 3.0, what: str = "condition"
) -> None:
    """Poll `condition` every few milliseconds; fail the test when it stays false."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {within:g} s waiting for {what}")
        await asyncio.sleep(0.005)


def client_log(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the client package logged (the simulator's own logs are left out)."""
    return "\n".join(
        f"{record.levelname} {record.getMessage()} {record.exc_text or ''}"
        for record in caplog.records
        if record.name.startswith("custom_components.tencent_iot")
    )


def records_at(caplog: pytest.LogCaptureFixture, level: int, text: str) -> list[logging.LogRecord]:
    """Client log records at `level` whose message contains `text`."""
    return [
        record
        for record in caplog.records
        if record.name.startswith("custom_components.tencent_iot")
        and record.levelno == level
        and text in record.getMessage()
    ]


type SimFactory = Callable[..., Awaitable[CloudSimulator]]
type ClientFactory = Callable[..., TencentIoTClient]


@dataclass
class PushHarness:
    """A push channel with everything it reported."""

    push: PushClient
    events: list[PushEvent] = field(default_factory=list)
    changes: list[bool] = field(default_factory=list)
    token_errors: int = 0

    def of_type[T](self, kind: type[T]) -> list[T]:
        """The events of one type, oldest first."""
        return [event for event in self.events if isinstance(event, kind)]


type PushFactory = Callable[..., PushHarness]
