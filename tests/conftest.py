"""Shared fixtures: the local cloud simulator and a config entry set up against it."""

from collections.abc import AsyncGenerator, Generator
from functools import partial
from typing import Any
from unittest.mock import patch

from homeassistant.components.recorder.core import Recorder
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

# Imported before HA's test harness adds its own `custom_components` package to sys.path,
# which would otherwise shadow this repository's.
from custom_components.tencent_iot import (
    PLATFORMS,
    connection,
    push_session,
)
from custom_components.tencent_iot.api import TencentIoTClient
from custom_components.tencent_iot.const import (
    CONF_ACCESS_TOKEN,
    CONF_ACCOUNT,
    CONF_ACCOUNT_TYPE,
    CONF_API_URL,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    CONF_COUNTRY_CODE,
    CONF_FAMILY_ID,
    CONF_PASSWORD,
    CONF_REGION,
    CONF_TOKEN_EXPIRE_AT,
    CONF_USER_ID,
    CONF_WS_URL,
    DOMAIN,
)
from simulator import CloudSimulator
from simulator.quectel import QuectelSimulator

from .platform_common import set_up_entry
from .quectel_common import quectel_entry_data


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: Any) -> None:
    """Let every test load this custom integration."""


@pytest.fixture
def platforms() -> list[Platform]:
    """The entity platforms an entry sets up; a test module narrows them to what it tests."""
    return PLATFORMS


@pytest.fixture(autouse=True)
def only_platforms(platforms: list[Platform]) -> Generator[None]:
    """Set entries up with `platforms` only."""
    with patch("custom_components.tencent_iot.PLATFORMS", platforms):
        yield


@pytest.fixture
async def recorder_until_unload(
    recorder_mock: Recorder, hass: HomeAssistant
) -> AsyncGenerator[None]:
    """A recorder that outlives the entries, as in HA, where it stops after they do.

    The test harness shuts the recorder down before `hass` unloads the entries: a history
    import still running in between would find the recorder gone.
    """
    yield
    await unload_entries(hass)


async def unload_entries(hass: HomeAssistant) -> None:
    """Unload the integration's loaded entries (before what they use goes away)."""
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
def fast_push_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Push reconnects within milliseconds instead of seconds."""
    monkeypatch.setattr(push_session, "PUSH_BACKOFF_MIN", 0.01)
    monkeypatch.setattr(push_session, "PUSH_BACKOFF_MAX", 0.05)


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The entry's client retries a failed request once, at once: a failing cloud fails fast."""
    monkeypatch.setattr(
        connection, "TencentIoTClient", partial(TencentIoTClient, retry_delays=(0.0,))
    )


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncGenerator[CloudSimulator]:
    """The cloud simulator with the default home, on a free loopback port.

    Its curtain motors move only when a test steps them (`sim.step_motors()`).
    """
    simulator = CloudSimulator(scene_delay_scale=0.01, motor_tick=None)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def quectel_sim(socket_enabled: None) -> AsyncGenerator[QuectelSimulator]:
    """The Quectel cloud simulator with its demo home, on a free loopback port."""
    simulator = QuectelSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop()


def home_family_id(sim: CloudSimulator) -> str:
    """The demo user's first family: the one with most devices."""
    user_id = sim.demo_user.user_id
    return next(f.family_id for f in sim.state.families.values() if user_id in f.members)


def entry_data(sim: CloudSimulator, family_id: str | None = None) -> dict[str, Any]:
    """Config entry data for the demo user's phone login against the simulator."""
    account = sim.phone_account
    return {
        CONF_REGION: "custom",
        CONF_API_URL: sim.api_url,
        CONF_WS_URL: sim.ws_url,
        CONF_APP_KEY: sim.app_key,
        CONF_APP_SECRET: sim.app_secret,
        CONF_ACCOUNT_TYPE: account.kind,
        CONF_COUNTRY_CODE: account.country_code,
        CONF_ACCOUNT: account.account,
        CONF_PASSWORD: account.password,
        CONF_USER_ID: sim.demo_user.user_id,
        CONF_FAMILY_ID: family_id or home_family_id(sim),
        CONF_ACCESS_TOKEN: "",
        CONF_TOKEN_EXPIRE_AT: None,
    }


def add_entry(hass: HomeAssistant, data: dict[str, Any], title: str = "entry") -> MockConfigEntry:
    """Add (but do not set up) an entry with the given data, unique per user and family."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=title,
        data=data,
        unique_id=f"{data[CONF_USER_ID]}/{data[CONF_FAMILY_ID]}",
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def config_entry(hass: HomeAssistant, sim: CloudSimulator) -> AsyncGenerator[MockConfigEntry]:
    """A config entry for the simulator's home, added to HA but not set up.

    Unloaded before the simulator stops: push reconnecting to a server that is closing would
    race its close (asyncio's "Error on transport creation for incoming connection").
    """
    yield add_entry(hass, entry_data(sim), f"{sim.demo_user.nickname} · Home")
    await unload_entries(hass)


@pytest.fixture
async def setup_integration(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """The config entry, set up against the simulator, its first firmware check done."""
    await set_up_entry(hass, config_entry)
    return config_entry


@pytest.fixture
async def quectel_entry(
    hass: HomeAssistant, quectel_sim: QuectelSimulator
) -> AsyncGenerator[MockConfigEntry]:
    """An entry of the demo user's home on the Quectel simulator, added but not set up.

    Unloaded before the simulator stops, as `config_entry` is.
    """
    yield add_entry(hass, quectel_entry_data(quectel_sim), "Demo · My Home")
    await unload_entries(hass)


@pytest.fixture
async def setup_quectel(hass: HomeAssistant, quectel_entry: MockConfigEntry) -> MockConfigEntry:
    """The Quectel entry, set up, its first firmware check done."""
    await set_up_entry(hass, quectel_entry)
    return quectel_entry
