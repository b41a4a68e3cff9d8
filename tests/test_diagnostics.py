"""Diagnostics: useful content, no secrets."""

import json

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import (
    CONF_ACCESS_TOKEN,
    CONF_ACCOUNT,
    CONF_APP_SECRET,
    CONF_PASSWORD,
    DOMAIN,
)
from custom_components.tencent_iot.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)
from simulator import CloudSimulator

BULB = "3JQ8VX2K1M/bulb_7c87ce1a"


def secrets_of(entry: MockConfigEntry) -> list[str]:
    """The values that must never appear in a diagnostics dump."""
    return [
        entry.data[key] for key in (CONF_APP_SECRET, CONF_PASSWORD, CONF_ACCESS_TOKEN, CONF_ACCOUNT)
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
    assert diagnostics["entry"]["data"][CONF_APP_SECRET] == "**REDACTED**"
    assert diagnostics["push"]["enabled"] is True
    assert set(diagnostics["devices"]) == set(setup_integration.runtime_data.coordinator.devices)
    bulb = diagnostics["devices"][BULB]
    assert "brightness" in bulb["thing_model"]["properties"]
    assert bulb["values"]["brightness"] == sim.device_state(BULB)["Data"]["brightness"]  # type: ignore[index]


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
    assert diagnostics["device"]["online"] is True
    assert diagnostics["device"]["product"]["product_id"] == "3JQ8VX2K1M"
