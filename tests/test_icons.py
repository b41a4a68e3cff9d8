"""Icons of the entities named as the model names them: by a word of the property id."""

import json
from pathlib import Path

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.api import ThingModel
from custom_components.tencent_iot.mapping import map_thing_model
from custom_components.tencent_iot.mapping.icons import ICON_WORDS, id_words

from .platform_common import AC, GATEWAY, PURIFIER, SMOKE, entity_id

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "tencent_iot"
ICONS = json.loads((INTEGRATION / "icons.json").read_text(encoding="utf-8"))
ENGLISH = json.loads((INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8"))
# The platforms the fallback makes an entity of, by the field of the mapping that holds it.
FALLBACK_PLATFORMS = {
    "binary_sensors": "binary_sensor",
    "datetimes": "datetime",
    "numbers": "number",
    "selects": "select",
    "sensors": "sensor",
    "switches": "switch",
    "texts": "text",
}


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
    """The demo home's sensors without a device class show what they measure.

    The icon is an icon translation (icons.json, by the entity's translation key), not an icon
    in the state; the entity keeps the model's name.
    """
    entry = er.async_get(hass).async_get(entity_id(hass, "sensor", device, key))
    assert entry is not None
    assert entry.original_icon is None
    assert entry.translation_key is not None
    assert ICONS["entity"]["sensor"][entry.translation_key]["default"] == icon
    model = setup_integration.runtime_data.coordinator.devices[device].product.thing_model
    assert entry.original_name == model.properties[key].name


def test_every_icon_word_has_an_icon_on_every_platform_and_no_name() -> None:
    """Whatever platform the fallback makes of a property, its word's icon is in icons.json.

    And no translation names the key: the entity keeps the model's name.
    """
    names = ENGLISH["entity"]
    properties = [
        {"id": f"{word}_{kind}_{mode}", "name": word, "mode": mode, "define": define}
        for words, _key in ICON_WORDS
        for word in words
        for kind, define in (
            ("bool", {"type": "bool"}),
            ("int", {"type": "int", "min": "0", "max": "9"}),
            ("enum", {"type": "enum", "mapping": {"0": "a", "1": "b"}}),
            ("string", {"type": "string"}),
            ("timestamp", {"type": "timestamp"}),
        )
        for mode in ("r", "rw")
    ]
    mapping = map_thing_model(ThingModel.from_api({"properties": properties}))
    icon_keys = {key for _words, key in ICON_WORDS}
    platforms = set()
    for field, platform in FALLBACK_PLATFORMS.items():
        for description in getattr(mapping, field):
            if description.device_class not in (None, SensorDeviceClass.ENUM):
                continue  # a timestamp: the frontend's icon of its device class
            assert description.translation_key in icon_keys, description.key
            platforms.add(platform)
            assert ICONS["entity"][platform][description.translation_key]["default"]
            assert description.translation_key not in names.get(platform, {})
            assert description.name == description.key.partition("_")[0]
    assert platforms == set(FALLBACK_PLATFORMS.values())


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
    icon_keys = {key for _words, key in ICON_WORDS}
    icons = {
        description.key: description.translation_key
        if description.translation_key in icon_keys
        else None
        for description in (*mapping.sensors, *mapping.binary_sensors)
    }
    assert icons == {
        "filters_used": None,
        "smoke_level": "smoke_density",
        # A temperature: the frontend's thermometer.
        "smoke_temp": None,
        # The standard smoke binary sensor: its device class's icon.
        "smoke": None,
    }
