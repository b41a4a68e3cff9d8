"""Icons of the entities named as the model names them: by a word of the property id."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.api import ThingModel
from custom_components.tencent_iot.mapping import map_thing_model
from custom_components.tencent_iot.mapping.icons import id_words

from .platform_common import AC, GATEWAY, PURIFIER, SMOKE, entity_id


@pytest.fixture
def platforms() -> list[Platform]:
    """Entries are set up with the sensor platform only."""
    return [Platform.SENSOR]


@pytest.mark.parametrize(
    ("device", "key", "icon"),
    [
        (AC, "filter_state", "mdi:air-filter"),
        (PURIFIER, "filter_life", "mdi:air-filter"),
        (PURIFIER, "aqi_level", "mdi:leaf"),
        (SMOKE, "smoke_value", "mdi:smoke"),
        (GATEWAY, "zigbee_channel", "mdi:zigbee"),
    ],
)
async def test_demo_home_icons(
    hass: HomeAssistant, setup_integration: MockConfigEntry, device: str, key: str, icon: str
) -> None:
    """The demo home's sensors without a device class show what they measure."""
    entry = er.async_get(hass).async_get(entity_id(hass, "sensor", device, key))
    assert entry is not None
    assert entry.original_icon == icon


def test_words_of_an_id() -> None:
    """Ids split at underscores, dashes and camel case, in lower case."""
    assert id_words("filter_life") == {"filter", "life"}
    assert id_words("filterLife") == {"filter", "life"}
    assert id_words("AQI-level") == {"aqi", "level"}
    assert id_words("pm2_5") == {"pm2", "5"}


def test_only_whole_words_and_only_without_an_icon_of_their_own() -> None:
    """A word inside another does not count; a device class or a translation keeps its icon."""
    model = ThingModel.from_api(
        {
            "properties": [
                {"id": "filters_used", "name": "Used", "mode": "r", "define": {"type": "int"}},
                {"id": "smoke_level", "name": "Level", "mode": "r", "define": {"type": "int"}},
                {
                    "id": "smoke_temp",
                    "name": "Smoke temperature",
                    "mode": "r",
                    "define": {"type": "float", "unit": "°C"},
                },
                {"id": "smoke", "name": "Smoke", "mode": "r", "define": {"type": "bool"}},
            ]
        }
    )
    mapping = map_thing_model(model)
    icons = {
        description.key: description.icon
        for description in (*mapping.sensors, *mapping.binary_sensors)
    }
    assert icons == {
        "filters_used": None,
        "smoke_level": "mdi:smoke",
        # A temperature: the frontend's thermometer.
        "smoke_temp": None,
        # The standard smoke binary sensor: its device class's icon.
        "smoke": None,
    }
