"""Loading the integration into Home Assistant."""

from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_custom_components

from custom_components.tencent_iot.const import DOMAIN


async def test_integration_is_found(hass: HomeAssistant) -> None:
    """HA finds this custom integration with its brand assets."""
    integrations = await async_get_custom_components(hass)
    assert DOMAIN in integrations
    assert integrations[DOMAIN].has_branding
