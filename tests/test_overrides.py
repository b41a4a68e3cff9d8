"""Overrides in the mapping, as pure functions: reading, fitting, applying, reporting."""

from dataclasses import replace
from typing import Any

from homeassistant.components.number import NumberDeviceClass
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.components.switch.const import SwitchDeviceClass
from homeassistant.const import Platform
import pytest

from custom_components.tencent_iot.api import Product, ThingModel
from custom_components.tencent_iot.mapping import DeviceMapping, device_mapping, map_thing_model
from custom_components.tencent_iot.mapping.descriptions import TencentIoTSensorEntityDescription
from custom_components.tencent_iot.mapping.overrides import (
    EntityType,
    IgnoredOverride,
    PropertyOverride,
    Scaled,
    entity_types,
    product_overrides,
    scaled,
    unscaled,
)
from custom_components.tencent_iot.mapping.report import Decision

TEMPLATE: dict[str, Any] = {
    "properties": [
        {"id": "power_switch", "name": "Power", "mode": "rw", "define": {"type": "bool"}},
        {
            "id": "brightness",
            "name": "Brightness",
            "mode": "rw",
            "define": {"type": "int", "min": "1", "max": "100", "step": "1", "unit": "%"},
        },
        {
            "id": "level",
            "name": "Level",
            "mode": "rw",
            "define": {"type": "float", "min": "-5", "max": "5", "step": "0.5", "unit": ""},
        },
        {
            "id": "meter",
            "name": "Meter",
            "mode": "r",
            "define": {"type": "float", "min": "0", "max": "99999", "unit": "Wh"},
        },
        {"id": "note", "name": "Note", "mode": "rw", "define": {"type": "string", "max": "10"}},
        {
            "id": "mode",
            "name": "Mode",
            "mode": "r",
            "define": {"type": "stringenum", "mapping": {"a": "A", "b": "B"}},
        },
        {"id": "alarm", "name": "Alarm", "mode": "r", "define": {"type": "timestamp"}},
        {
            "id": "info",
            "name": "Info",
            "mode": "r",
            "define": {"type": "struct", "specs": []},
        },
    ]
}
MODEL = ThingModel.from_api(TEMPLATE)
LIGHT_CATEGORY = "141"


def mapped(*overrides: PropertyOverride, category: str = LIGHT_CATEGORY) -> DeviceMapping:
    """The test model mapped with these overrides (as a light, by default)."""
    return map_thing_model(MODEL, category, "Lamp", tuple(overrides))


def sensor(mapping: DeviceMapping, key: str) -> TencentIoTSensorEntityDescription:
    """The sensor of one property."""
    return next(item for item in mapping.sensors if item.key == key)


def decision(mapping: DeviceMapping, property_id: str) -> Decision:
    """What became of one property."""
    return next(item for item in mapping.decisions if item.property_id == property_id)


def test_read_from_options() -> None:
    """Stored settings are read into a typed override; automatic is not stored back."""
    raw = {"entity_type": "sensor", "unit": "°C", "scale": 0.1, "precision": 1, "enabled": False}
    override = PropertyOverride.from_options("t", raw)
    assert override == PropertyOverride("t", EntityType.SENSOR, None, "°C", 0.1, 1, False)
    assert override.as_options() == raw
    assert PropertyOverride.from_options("t", {"entity_type": "automatic"}).as_options() == {}
    overrides, unreadable = product_overrides({"b": {"scale": 2}, "a": {"entity_type": "hidden"}})
    assert [item.property_id for item in overrides] == ["a", "b"]  # ordered: hashable as a key
    assert unreadable == []


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("sensor", "not an object"),
        ({"colour": "red"}, "unknown settings ['colour']"),
        ({"device_class": 3}, "device class and unit must be text"),
        ({"scale": 0}, "scale factor 0"),
        ({"scale": True}, "True is not a number"),
        ({"precision": 9}, "precision 9 is not 0-6"),
        ({"enabled": "yes"}, "enabled 'yes' is not true or false"),
        ({"entity_type": "light"}, "'light' is not a valid EntityType"),
    ],
)
def test_unreadable_settings_are_left_out(raw: object, problem: str) -> None:
    """Each unreadable override is left out and described; the product's others stay."""
    overrides, unreadable = product_overrides({"bad": raw, "good": {"enabled": True}})
    assert overrides == (PropertyOverride("good", enabled=True),)
    assert unreadable == [f"bad: {problem}"]
    assert product_overrides(["not", "a", "mapping"]) == (
        (),
        ["not an object: ['not', 'a', 'mapping']"],
    )


@pytest.mark.parametrize(
    ("property_id", "expected"),
    [
        ("power_switch", ["binary_sensor", "switch"]),
        ("brightness", ["sensor", "binary_sensor", "number"]),
        ("meter", ["sensor", "binary_sensor"]),
        ("note", ["sensor", "text"]),
        ("mode", ["sensor"]),
        ("alarm", ["sensor"]),
        ("info", ["sensor"]),
    ],
)
def test_entity_types_fit_the_property(property_id: str, expected: list[str]) -> None:
    """Select only for writable enums, number only for writable numbers, and so on."""
    assert entity_types(MODEL.properties[property_id]) == (
        EntityType.AUTOMATIC,
        *expected,
        EntityType.HIDDEN,
    )


def test_scaling_is_exact_in_decimal() -> None:
    """No float noise either way; a number is rounded to its step before it is divided."""
    assert scaled(235, 0.1) == 23.5
    assert scaled(3, 0.1) == 0.3
    assert scaled(5, 10) == 50
    assert type(scaled(5, 10.0)) is int
    assert unscaled(40.2, 0.1, 0.1) == 402
    assert unscaled(40.26, 0.1, 0.1) == 403
    assert unscaled(7, 0.5, None) == 14
    assert Scaled(str, 2)("x") == "x"  # text is not scaled
    assert Scaled(float, 2) == Scaled(float, 2)  # equal mappings stay equal


def test_typed_property_leaves_the_light() -> None:
    """Brightness as a sensor: the light has no brightness, the sensor is reported as override."""
    plain = mapped()
    assert plain.lights[0].brightness is not None
    assert decision(plain, "brightness") == Decision(
        "brightness", Platform.LIGHT, "light", "light_rule"
    )
    mapping = mapped(PropertyOverride("brightness", EntityType.SENSOR, scale=0.01, unit="%"))
    # The light category alone makes no light of a device with readings (a meter here).
    assert mapping.lights == ()
    assert sensor(mapping, "brightness").value_fn(50) == 0.5
    # With a colour temperature left, the light stays, without its brightness.
    white = ThingModel.from_api(
        {
            "properties": [
                *TEMPLATE["properties"],
                {
                    "id": "color_temp",
                    "name": "Colour temperature",
                    "mode": "rw",
                    "define": {"type": "int", "min": "2700", "max": "6500", "unit": "K"},
                },
            ]
        }
    )
    mapping = map_thing_model(
        white,
        LIGHT_CATEGORY,
        "Lamp",
        (PropertyOverride("brightness", EntityType.SENSOR, scale=0.01, unit="%"),),
    )
    assert mapping.lights[0].brightness is None
    assert mapping.lights[0].color_temp is not None
    assert sensor(mapping, "brightness").value_fn(50) == 0.5
    assert decision(mapping, "brightness") == Decision(
        "brightness", Platform.SENSOR, "brightness", "override", customised=True
    )
    # A property with a type of its own is reported under it, the others as before.
    assert decision(mapping, "note").rule == "fallback"


def test_hidden_and_switch_device_class() -> None:
    """Hidden makes no entity; a switch takes a switch device class."""
    mapping = mapped(
        PropertyOverride("note", EntityType.HIDDEN),
        PropertyOverride("power_switch", EntityType.SWITCH, device_class="outlet"),
    )
    assert [item.key for item in mapping.texts] == []
    assert decision(mapping, "note") == Decision("note", None, None, "override")
    [switch] = mapping.switches
    assert switch.device_class is SwitchDeviceClass.OUTLET
    assert mapping.lights == ()  # without its power switch there is no light


def test_sensor_device_class_brings_a_fitting_state_class() -> None:
    """A device class brings a state class it allows; a unit brings its device class."""
    level = PropertyOverride("level", EntityType.SENSOR)
    assert sensor(mapped(level), "level").state_class is SensorStateClass.MEASUREMENT
    energy = sensor(mapped(replace(level, device_class="energy", unit="kWh")), "level")
    assert energy.device_class is SensorDeviceClass.ENERGY
    assert energy.state_class is SensorStateClass.TOTAL_INCREASING
    # The Wh meter in W is a power: a measurement, as HA wants a power.
    power = sensor(mapped(PropertyOverride("meter", unit="W")), "meter")
    assert (power.device_class, power.native_unit_of_measurement) == (SensorDeviceClass.POWER, "W")
    assert power.state_class is SensorStateClass.MEASUREMENT
    # In a unit of no class it has none, and still counts up.
    apples = sensor(mapped(PropertyOverride("meter", unit="apples")), "meter")
    assert apples.device_class is None
    assert apples.state_class is SensorStateClass.TOTAL_INCREASING


def test_negative_scale_turns_a_number_round() -> None:
    """-2 maps -5..5 step 0.5 onto -10..10 step 1."""
    [level] = mapped(
        PropertyOverride("level", scale=-2, device_class="temperature", unit="°C")
    ).numbers
    assert (level.native_min_value, level.native_max_value, level.native_step) == (-10, 10, 1)
    assert level.factor == -2
    assert level.device_class is NumberDeviceClass.TEMPERATURE


def test_overrides_that_no_longer_fit_are_ignored_and_reported() -> None:
    """Gone, misfit, part of a light, wrong device class: reported, the rules' entity stays."""
    mapping = mapped(
        PropertyOverride("gone", EntityType.SENSOR),
        PropertyOverride("mode", EntityType.SELECT),
        PropertyOverride("brightness", unit="%"),
        PropertyOverride("meter", device_class="door", precision=2),
    )
    assert set(mapping.ignored_overrides) == {
        IgnoredOverride("gone", "entity_type", "unknown_property"),
        IgnoredOverride("mode", "entity_type", "entity_type_misfit"),
        IgnoredOverride("brightness", "base", "combined_entity"),
        IgnoredOverride("meter", "device_class", "device_class_misfit"),
    }
    assert mapping.lights[0].brightness is not None
    meter = sensor(mapping, "meter")
    assert meter.device_class is SensorDeviceClass.ENERGY  # from its Wh, as the rules made it
    assert not decision(mapping, "meter").customised


def test_cache_keys_on_the_overrides() -> None:
    """Each product and set of overrides is mapped once; other overrides map again."""
    product = Product.from_api({"ProductId": "P9", "CategoryId": "141", "DataTemplate": TEMPLATE})
    plain = device_mapping(product)
    hidden = (PropertyOverride("note", EntityType.HIDDEN),)
    customised = device_mapping(product, hidden)
    assert customised is not plain
    assert device_mapping(product, hidden) is customised
    assert device_mapping(product) is plain
    assert device_mapping(product, (PropertyOverride("note", EntityType.HIDDEN),)) is customised
