"""HTTP 500s, timeouts and malformed answers, during setup and during polling."""

from datetime import timedelta

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.tencent_iot.coordinator import TencentIoTCoordinator
from tests.platform_common import set_up_entry, wait_for

from .clouds import CLOUDS, Cloud
from .conftest import CLIENT_TIMEOUT
from .helpers import assert_end_state, push_healthy_coordinator, wait_push_healthy


def succeeded(coordinator: TencentIoTCoordinator) -> bool:
    """Whether the last refresh succeeded (a call, so type narrowing does not stick)."""
    return coordinator.last_update_success


def device_entity_states(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """The states of the entry's enabled device entities."""
    registry = er.async_get(hass)
    states = []
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if entity.unique_id.count("/") >= 2 and entity.disabled_by is None:
            current = hass.states.get(entity.entity_id)
            assert current is not None
            states.append(current.state)
    return states


async def retry_setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Let HA's setup retry run (it waits 5 s or more after a failure)."""
    assert entry.state is ConfigEntryState.SETUP_RETRY
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=2))
    await wait_for(hass, lambda: entry.state is ConfigEntryState.LOADED)


@pytest.mark.parametrize("cloud", CLOUDS, indirect=True)
@pytest.mark.parametrize(
    ("failures", "retried"),
    [(2, False), (40, True)],
    ids=["absorbed-by-retries", "setup-retried"],
)
async def test_http_500_during_setup(
    hass: HomeAssistant, cloud: Cloud, failures: int, retried: bool
) -> None:
    """A few 500s on device-data reads are retried away; many make HA retry the setup."""
    sim, config_entry = cloud.sim, cloud.entry
    sim.fail_next(failures, action=cloud.requests.device_data)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    if retried:
        assert not hass.states.async_all(cloud.bulb_domain)
        # A small home does not use up the failures in one attempt: the cloud is back now.
        sim.clear_faults()
        await retry_setup(hass, config_entry)
    assert config_entry.state is ConfigEntryState.LOADED
    await wait_push_healthy(hass, config_entry)
    await assert_end_state(hass, sim, config_entry)


@pytest.mark.parametrize("cloud", CLOUDS, indirect=True)
async def test_timeouts_during_setup(hass: HomeAssistant, cloud: Cloud) -> None:
    """A device-list read that never answers in time fails the setup; the retry succeeds."""
    sim, config_entry = cloud.sim, cloud.entry
    # Every attempt of the (retried) read times out.
    sim.delay_next(CLIENT_TIMEOUT * 2, count=3, action=cloud.requests.device_list)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await retry_setup(hass, config_entry)
    await wait_push_healthy(hass, config_entry)
    await assert_end_state(hass, sim, config_entry)


@pytest.mark.parametrize("cloud", CLOUDS, indirect=True)
async def test_malformed_answer_during_setup(hass: HomeAssistant, cloud: Cloud) -> None:
    """A product list cut in half (not retried: it is no network error) fails the setup cleanly."""
    sim, config_entry = cloud.sim, cloud.entry
    sim.malform_next(1, action=cloud.requests.products)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await retry_setup(hass, config_entry)
    await wait_push_healthy(hass, config_entry)
    await assert_end_state(hass, sim, config_entry)


@pytest.mark.parametrize("cloud", CLOUDS, indirect=True)
@pytest.mark.parametrize("fault", ["http500", "timeout", "malformed"])
async def test_poll_faults_make_entities_unavailable_then_recover(
    hass: HomeAssistant, cloud: Cloud, caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    """Failing polls turn the entities unavailable, logged once; the next good poll recovers."""
    sim, setup_integration = cloud.sim, cloud.entry
    await set_up_entry(hass, setup_integration)
    coordinator = await push_healthy_coordinator(hass, setup_integration)
    match fault:
        case "http500":
            sim.fail_next(100)
        case "timeout":
            sim.delay_next(CLIENT_TIMEOUT * 2, count=6, action=cloud.requests.statuses)
        case _:
            sim.malform_next(6, action=cloud.requests.statuses)
    await coordinator.async_refresh()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert not coordinator.last_update_success
    states = device_entity_states(hass, setup_integration)
    assert states
    assert set(states) == {STATE_UNAVAILABLE}
    failures = [
        r for r in caplog.records if r.getMessage().startswith("Error fetching tencent_iot")
    ]
    assert len(failures) == 1, [r.getMessage() for r in failures]

    # The cloud keeps changing meanwhile; push still delivers it.
    await sim.report(cloud.bulb, {"brightness": 17})
    await sim.set_online(cloud.plug, False)
    sim.clear_faults()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert succeeded(coordinator)
    await wait_for(hass, lambda: coordinator.devices[cloud.bulb].values.get("brightness") == 17)
    await assert_end_state(hass, sim, setup_integration)
