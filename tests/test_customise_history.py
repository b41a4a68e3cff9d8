"""The history import follows the customisation: scaled values, nothing for hidden sensors."""

from statistics import mean

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import CONF_HISTORY_DAYS, CONF_OVERRIDES, DOMAIN
from simulator import CloudSimulator

from .platform_common import PLUG, entity_id, set_up_entry
from .test_history import (
    auto_enable_custom_integrations,
    expected_hours,
    hourly,
    import_round,
    imported_until,
    this_hour,
)

__all__ = ["auto_enable_custom_integrations"]  # the recorder before `hass`, as there

PLUG_PRODUCT = PLUG.split("/")[0]


async def test_history_is_imported_as_customised(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """Power in kW (scale 0.001) is imported in kW; the hidden voltage is not imported."""
    hass.config_entries.async_update_entry(
        config_entry,
        options={
            CONF_HISTORY_DAYS: 1,
            CONF_OVERRIDES: {
                PLUG_PRODUCT: {
                    "power": {"scale": 0.001, "unit": "kW"},
                    "voltage": {"entity_type": "hidden"},
                }
            },
        },
    )
    set_up_in = this_hour()
    await set_up_entry(hass, config_entry)
    await import_round(hass, config_entry)

    power = await hourly(hass, entity_id(hass, "sensor", PLUG, "power"))
    expected = expected_hours(sim, "power", 1, imported_until(power, set_up_in))
    assert len(power) == len(expected) == 24
    for row in power:
        assert row["mean"] == pytest.approx(mean(expected[row["start"]]) / 1000)
    assert er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{PLUG}/voltage") is None
