"""The access token expiring mid-run, and the password changing in the app."""

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import (
    CONF_ACCESS_TOKEN,
    CONF_PASSWORD,
    CONF_REFRESH_TOKEN,
    DOMAIN,
)
from simulator import CloudSimulator
from tests.platform_common import (
    BULB,
    coordinator_of,
    deliver_report,
    push_of,
    set_up_entry,
    wait_for,
)

from .clouds import CLOUDS, Cloud
from .conftest import short_push_timeouts
from .helpers import Simulator, assert_end_state, push_healthy_coordinator, wait_push_healthy

NEW_PASSWORD = "Changed@5678"


def reauth_flows(hass: HomeAssistant) -> list[str]:
    """The flow ids of the integration's re-authentication flows in progress."""
    return [
        flow["flow_id"]
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


async def assert_working_without_reauth(
    hass: HomeAssistant,
    sim: Simulator,
    entry: MockConfigEntry,
    *,
    brightness: int,
    device: str = BULB,
) -> None:
    """A report reaches the coordinator, no reauth flow started, and HA ends equal to the cloud."""
    await deliver_report(hass, sim, coordinator_of(entry), device, brightness=brightness)
    assert not reauth_flows(hass)
    await assert_end_state(hass, sim, entry)


@pytest.fixture
async def fast_heartbeat_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> MockConfigEntry:
    """The entry set up with a heartbeat every 50 ms: push finds a dead token by itself."""
    short_push_timeouts(monkeypatch, heartbeat_interval=0.05)
    await set_up_entry(hass, config_entry)
    return config_entry


@pytest.mark.parametrize("cloud", CLOUDS, indirect=True)
@pytest.mark.parametrize("revoke", [False, True], ids=["expired", "revoked"])
async def test_token_expired_mid_run_is_replaced_transparently(
    hass: HomeAssistant, cloud: Cloud, revoke: bool
) -> None:
    """A poll meeting a dead token logs in again; push resubscribes with the new token.

    Quectel renews with its refresh token; revoked, that one is refused too and the stored
    password logs in.
    """
    sim, setup_integration = cloud.sim, cloud.entry
    await set_up_entry(hass, setup_integration)
    coordinator = await push_healthy_coordinator(hass, setup_integration)
    old_token = setup_integration.data[CONF_ACCESS_TOKEN]
    logins = sim.request_counts().get(cloud.requests.login, 0)
    cloud.expire_tokens(revoke=revoke)
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    new_token = setup_integration.data[CONF_ACCESS_TOKEN]
    assert new_token != old_token
    assert cloud.token_valid(new_token)
    if cloud.name == "quectel":
        assert sim.request_counts().get(cloud.requests.login, 0) == logins + int(revoke)
        assert setup_integration.data[CONF_REFRESH_TOKEN] in sim.state.issued_tokens
    # The push channel reconnects with the new token.
    await sim.drop_websockets()
    await wait_push_healthy(hass, setup_integration)
    await assert_working_without_reauth(
        hass, sim, setup_integration, brightness=23, device=cloud.bulb
    )


async def test_token_rejected_by_push_heartbeat_is_replaced(
    hass: HomeAssistant,
    sim: CloudSimulator,
    fast_heartbeat_entry: MockConfigEntry,
) -> None:
    """Without any poll, a heartbeat refused for the token makes the channel log in again."""
    config_entry = fast_heartbeat_entry
    push = push_of(config_entry)
    await wait_push_healthy(hass, config_entry)
    old_token = config_entry.data[CONF_ACCESS_TOKEN]
    reconnects = push.reconnect_count
    sim.expire_tokens()
    await wait_for(hass, lambda: config_entry.data[CONF_ACCESS_TOKEN] != old_token)
    await wait_for(hass, lambda: push.reconnect_count > reconnects and push.connected)
    assert config_entry.data[CONF_ACCESS_TOKEN] in sim.state.sessions
    await assert_working_without_reauth(hass, sim, config_entry, brightness=31)


async def test_push_heartbeat_login_failures(
    hass: HomeAssistant,
    sim: CloudSimulator,
    fast_heartbeat_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A login failing after a refused heartbeat waits for the next poll; a new password: reauth."""
    config_entry = fast_heartbeat_entry
    coordinator = await push_healthy_coordinator(hass, config_entry)
    old_token = config_entry.data[CONF_ACCESS_TOKEN]
    sim.fail_next(10_000, action="AppGetToken")
    sim.expire_tokens(revoke=True)
    await wait_for(hass, lambda: "Re-login for push failed" in caplog.text)
    assert config_entry.data[CONF_ACCESS_TOKEN] == old_token
    sim.clear_faults()
    # The channel cannot subscribe with the dead token; the next poll signs in again.
    await coordinator.async_refresh()
    assert config_entry.data[CONF_ACCESS_TOKEN] != old_token
    await wait_push_healthy(hass, config_entry)
    assert not reauth_flows(hass)

    sim.set_password(NEW_PASSWORD)
    sim.expire_tokens(revoke=True)
    await wait_for(hass, lambda: bool(reauth_flows(hass)))
    assert len(reauth_flows(hass)) == 1
    assert coordinator.last_update_success  # no poll ran: the push channel found out
    assert await hass.config_entries.async_unload(config_entry.entry_id)


@pytest.mark.parametrize("cloud", CLOUDS, indirect=True)
async def test_password_changed_starts_reauth_then_recovers(
    hass: HomeAssistant, cloud: Cloud
) -> None:
    """The stored password stops working: one reauth flow; entering the new one recovers."""
    sim, setup_integration = cloud.sim, cloud.entry
    await set_up_entry(hass, setup_integration)
    coordinator = await push_healthy_coordinator(hass, setup_integration)
    sim.set_password(NEW_PASSWORD)
    cloud.expire_tokens(revoke=True)
    await sim.drop_websockets()
    await coordinator.async_refresh()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert not coordinator.last_update_success
    flows = reauth_flows(hass)
    assert len(flows) == 1
    # HA shows the entities unavailable, and nothing else has changed.
    await assert_end_state(hass, sim, setup_integration, unload=False)

    await sim.report(cloud.bulb, {"brightness": 66})
    result = await hass.config_entries.flow.async_configure(flows[0], {CONF_PASSWORD: NEW_PASSWORD})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert setup_integration.data[CONF_PASSWORD] == NEW_PASSWORD
    coordinator = coordinator_of(setup_integration)
    assert coordinator.last_update_success
    await wait_push_healthy(hass, setup_integration)
    assert coordinator.devices[cloud.bulb].values["brightness"] == 66
    await assert_end_state(hass, sim, setup_integration)
