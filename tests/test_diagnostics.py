"""Diagnostics: useful content, no secrets."""

import json

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.api import REGIONS, RegionEndpoints
from custom_components.tencent_iot.const import (
    CONF_ACCESS_TOKEN,
    CONF_ACCOUNT,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    CONF_PASSWORD,
    CONF_REGION,
    CONF_USER_ID,
    DOMAIN,
)
from custom_components.tencent_iot.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)
from simulator import CloudSimulator
from simulator.app import SDK_WS_PATH

from .conftest import entry_data
from .platform_common import BULB, PLUG, coordinator_of, entity_id, set_up_entry, wait_for


def secrets_of(entry: MockConfigEntry) -> list[str]:
    """The values that must never appear in a diagnostics dump: secrets, the account, the app."""
    return [
        entry.data[key]
        for key in (
            CONF_APP_SECRET,
            CONF_PASSWORD,
            CONF_ACCESS_TOKEN,
            CONF_ACCOUNT,
            CONF_USER_ID,
            CONF_APP_KEY,
        )
    ]


async def test_entry_diagnostics(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The dump has push health, models and data, and none of the secrets."""
    diagnostics = await async_get_config_entry_diagnostics(hass, setup_integration)
    dump = json.dumps(diagnostics, default=str)
    for secret in secrets_of(setup_integration):
        assert secret
        assert secret not in dump
    for key in (CONF_APP_SECRET, CONF_USER_ID, CONF_APP_KEY):
        assert diagnostics["entry"]["data"][key] == "**REDACTED**"
    # The entry's unique id is "<UserID>/<FamilyId>": not in the dump either.
    assert setup_integration.unique_id
    assert setup_integration.unique_id not in dump
    assert diagnostics["push"]["enabled"] is True
    assert diagnostics["push"]["url"] == sim.ws_url
    # Set up a moment ago, and the first heartbeat is answered at once.
    assert 0 <= diagnostics["push"]["seconds_since_last_message"] < 600
    assert set(diagnostics["devices"]) == set(setup_integration.runtime_data.coordinator.devices)
    bulb = diagnostics["devices"][BULB]
    assert "brightness" in bulb["thing_model"]["properties"]
    assert bulb["values"]["brightness"] == sim.device_state(BULB)["Data"]["brightness"]  # type: ignore[index]
    # The mapping report: each property's entity and the rule that made it; no overrides.
    assert bulb["mapping"]["brightness"] == {
        "entity_id": entity_id(hass, "light", BULB, "light"),
        "platform": "light",
        "key": "light",
        "rule": "light_rule",
        "customised": False,
    }
    assert (bulb["overrides"], bulb["ignored_overrides"]) == ({}, [])
    power = diagnostics["devices"][PLUG]["mapping"]["power"]
    assert (power["entity_id"], power["rule"]) == (
        entity_id(hass, "sensor", PLUG, "power"),
        "standard_sensor",
    )


async def test_device_diagnostics(hass: HomeAssistant, setup_integration: MockConfigEntry) -> None:
    """A device's dump has its model and values, and none of the secrets."""
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, BULB), setup_integration.entry_id
    )
    assert device is not None
    diagnostics = await async_get_device_diagnostics(hass, setup_integration, device)
    dump = json.dumps(diagnostics, default=str)
    for secret in secrets_of(setup_integration):
        assert secret not in dump
    assert diagnostics["entry"]["data"][CONF_USER_ID] == "**REDACTED**"
    assert diagnostics["device"]["online"] is True
    assert diagnostics["device"]["product"]["product_id"] == "3JQ8VX2K1M"
    assert diagnostics["device"]["mapping"]["power_switch"]["rule"] == "light_rule"


async def test_diagnostics_show_the_fallback_push_url(
    hass: HomeAssistant, sim: CloudSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A built-in region whose host refuses the SDK's path: push runs on the doc's, as shown."""
    endpoints = RegionEndpoints(sim.api_url, sim.ws_url, sim.doc_ws_url, region_id=1)
    monkeypatch.setitem(REGIONS, "china", endpoints)  # the real cloud is unreachable here
    sim.refuse_ws_path(SDK_WS_PATH)
    entry = MockConfigEntry(domain=DOMAIN, data={**entry_data(sim), CONF_REGION: "china"})
    entry.add_to_hass(hass)
    await set_up_entry(hass, entry)
    coordinator = coordinator_of(entry)
    await wait_for(hass, lambda: coordinator.push_healthy)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["push"]["url"] == sim.doc_ws_url
    assert diagnostics["push"]["connected"] is True
    # The entry's UserID and RegionId reach the cloud as Tencent's SDK sends them.
    [connection] = sim.connections()
    assert connection["Query"]["uin"] == sim.demo_user.user_id  # type: ignore[index]
    assert connection["ActivePush"]["RegionId"] == 1  # type: ignore[index]
