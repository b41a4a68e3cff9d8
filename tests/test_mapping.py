"""The thing model → entity description mapping, as pure functions."""

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.climate.const import ClimateEntityFeature, HVACMode
from homeassistant.components.cover import CoverDeviceClass, CoverEntityFeature
from homeassistant.components.event import EventDeviceClass
from homeassistant.components.fan.const import FanEntityFeature
from homeassistant.components.light.const import ColorMode
from homeassistant.components.number import NumberDeviceClass
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.components.switch.const import SwitchDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.helpers.typing import UNDEFINED
import pytest

from custom_components.tencent_iot.api import Product, ThingModel
from custom_components.tencent_iot.mapping import DeviceMapping, device_mapping, map_thing_model
from custom_components.tencent_iot.mapping.colour_text import (
    TextColour,
    format_colour,
    parse_colour,
)
from custom_components.tencent_iot.mapping.descriptions import (
    Scale,
    TencentIoTEntityDescription,
    decode_members,
    snap,
    state_value,
    structured_attributes,
    structured_value,
    timestamp_value,
    truthy,
)
from custom_components.tencent_iot.mapping.report import PLATFORMS
from custom_components.tencent_iot.mapping.units import ha_unit


def prop(
    prop_id: str, kind: str, mode: str = "rw", name: str | None = None, **define: Any
) -> dict[str, Any]:
    """A raw DataTemplate property; numbers in `define` are sent as strings like the cloud does."""
    raw = {
        key: str(value) if isinstance(value, int | float) else value
        for key, value in define.items()
    }
    return {
        "id": prop_id,
        "name": name or prop_id.title(),
        "mode": mode,
        "define": {"type": kind, **raw},
    }


def switch(
    prop_id: str = "power_switch", mode: str = "rw", name: str | None = None
) -> dict[str, Any]:
    """A bool property."""
    return prop(prop_id, "bool", mode, name, mapping={"0": "off", "1": "on"})


def enum(prop_id: str, labels: list[str], mode: str = "rw", kind: str = "enum") -> dict[str, Any]:
    """An enum property whose keys are 0.. (or the labels' slugs for a string enum)."""
    if kind == "enum":
        mapping = {str(index): label for index, label in enumerate(labels)}
    else:
        mapping = {label.lower().replace(" ", "_"): label for label in labels}
    return prop(prop_id, kind, mode, mapping=mapping)


def number(
    prop_id: str, low: float = 0, high: float = 100, mode: str = "rw", **define: Any
) -> dict[str, Any]:
    """An int property."""
    return prop(prop_id, define.pop("kind", "int"), mode, min=low, max=high, **define)


def mapped(*properties: dict[str, Any], category: str = "", **template: Any) -> DeviceMapping:
    """Parse a DataTemplate and map it."""
    return map_thing_model(
        ThingModel.from_api({"properties": list(properties), **template}), category
    )


def descriptions_of(mapping: DeviceMapping) -> tuple[TencentIoTEntityDescription, ...]:
    """Every description of a mapping, platform by platform."""
    return tuple(description for name in PLATFORMS for description in getattr(mapping, name))


def keys(mapping: DeviceMapping) -> dict[str, list[str]]:
    """Platform → description keys, for the platforms that have any."""
    return {
        name: [description.key for description in getattr(mapping, name)]
        for name in PLATFORMS
        if getattr(mapping, name)
    }


# Units


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("℃", "°C"),
        ("°C", "°C"),
        ("C", "°C"),
        ("centigrade", "°C"),
        ("℉", "°F"),
        ("%", "%"),
        ("\uff05", "%"),
        ("W", "W"),
        ("kW·h", "kWh"),
        ("kWh", "kWh"),
        ("KWH", "kWh"),
        ("V", "V"),
        ("mA", "mA"),
        ("A", "A"),
        ("lux", "lx"),
        ("Lux", "lx"),
        ("lx", "lx"),
        ("µg/m³", "μg/m³"),
        ("μg/m³", "μg/m³"),
        ("ug/m3", "μg/m³"),
        ("ppm", "ppm"),
        ("PPM", "ppm"),
        ("dbm", "dBm"),
        ("s", "s"),
        ("秒", "s"),
        (" min ", "min"),
        ("m", "m"),
        ("gal", "gal"),
        ("次", "次"),
        ("", None),
        ("  ", None),
    ],
)
def test_units(unit: str, expected: str | None) -> None:
    """Known spellings become HA units; unknown units pass through unchanged."""
    assert ha_unit(unit) == expected


# Pass 1: lights

BULB = [
    switch(),
    number("brightness", 1, 100, unit="%"),
    enum("color_mode", ["白光 White", "彩光 Colour", "情景 Scene"]),
    number("color_temp", 2700, 6500, step=100, unit="K"),
    number("hue", 0, 359, unit="°"),
    number("saturation", 0, 100, unit="%"),
    number("value", 0, 100, unit="%"),
]


def test_colour_bulb_is_one_light() -> None:
    """Power, brightness, colour temperature, HSV and color_mode make one light."""
    mapping = mapped(*BULB)
    assert keys(mapping) == {"lights": ["light"]}
    light = mapping.lights[0]
    assert light.name is None
    assert light.supported_color_modes == {ColorMode.COLOR_TEMP, ColorMode.HS}
    assert light.brightness == Scale("brightness", 1, 100)
    assert light.color_value == Scale("value", 1, 100)
    assert light.color_temp == Scale("color_temp", 2700, 6500, step=100)
    assert (light.min_kelvin, light.max_kelvin) == (2700, 6500)
    assert light.hue == Scale("hue", 0, 359)
    assert light.color_mode_id == "color_mode"
    assert light.color_mode_keys == {0: ColorMode.COLOR_TEMP, 1: ColorMode.HS}


@pytest.mark.parametrize(
    ("properties", "category", "modes"),
    [
        ([switch()], "141", {ColorMode.ONOFF}),
        ([switch(), number("brightness")], "", {ColorMode.BRIGHTNESS}),
        (
            [
                switch(),
                prop(
                    "rgb_color",
                    "struct",
                    specs=[
                        {"id": member, "name": member, "dataType": {"type": "int"}}
                        for member in ("R", "G", "B")
                    ],
                ),
            ],
            "",
            {ColorMode.RGB},
        ),
        ([switch(), number("rgb", 0, 0xFFFFFF)], "", {ColorMode.RGB}),
        ([switch(), number("color_temp")], "", {ColorMode.COLOR_TEMP}),
        (
            [switch(), number("hue", 0, 360), number("saturation"), number("brightness")],
            "",
            {ColorMode.HS},
        ),
    ],
)
def test_light_colour_modes(
    properties: list[dict[str, Any]], category: str, modes: set[ColorMode]
) -> None:
    """The colour modes follow the properties (or the category for an on/off light)."""
    mapping = mapped(*properties, category=category)
    assert keys(mapping) == {"lights": ["light"]}
    assert mapping.lights[0].supported_color_modes == modes


def test_light_packed_and_struct_rgb() -> None:
    """An rgb struct names its red, green and blue members; a packed int has none."""
    members = [{"id": m, "name": m, "dataType": {"type": "int"}} for m in ("red", "green", "blue")]
    struct = mapped(switch(), prop("rgb_color", "struct", specs=members)).lights[0]
    assert (struct.rgb_id, struct.rgb_members) == ("rgb_color", ("red", "green", "blue"))
    packed = mapped(switch(), number("rgb_color", 0, 0xFFFFFF)).lights[0]
    assert (packed.rgb_id, packed.rgb_members) == ("rgb_color", None)


def test_light_relative_colour_temperature() -> None:
    """A colour temperature on 0..100 is spread over 2700..6500 K."""
    light = mapped(switch(), number("color_temp", 0, 100)).lights[0]
    assert (light.min_kelvin, light.max_kelvin) == (2700, 6500)
    assert light.color_temp == Scale("color_temp", 0, 100)


def test_not_a_light() -> None:
    """power_switch alone is a switch; an rgb struct without r/g/b members is no colour."""
    plug = mapped(switch())
    assert keys(plug) == {"switches": ["power_switch"]}
    assert plug.switches[0].name is None
    odd = mapped(
        switch(), prop("rgb_color", "struct", specs=[{"id": "x", "dataType": {"type": "int"}}])
    )
    assert keys(odd) == {"sensors": ["rgb_color"], "switches": ["power_switch"]}
    no_saturation = mapped(switch(), number("hue"))
    assert keys(no_saturation) == {"numbers": ["hue"], "switches": ["power_switch"]}


def test_colour_mode_without_meaning_is_a_select() -> None:
    """A color_mode whose labels say neither white nor colour stays a select."""
    mapping = mapped(
        switch(),
        number("color_temp"),
        number("hue"),
        number("saturation"),
        enum("color_mode", ["A", "B"]),
    )
    assert keys(mapping) == {"lights": ["light"], "selects": ["color_mode"]}
    assert mapping.lights[0].color_mode_id is None


# Pass 1: climate

AC = [
    switch(),
    enum("mode", ["自动 Auto", "制冷 Cool", "制热 Heat", "除湿 Dry", "送风 Fan"]),
    enum("fan_speed", ["自动 Auto", "低 Low", "中 Medium", "高 High", "Turbo"]),
    number("temp_set", 16, 30, kind="float", step=0.5, unit="℃"),
    number("temp_current", -20, 60, mode="r", kind="float", unit="℃"),
    number("humidity", 0, 100, mode="r", unit="%"),
    switch("swing"),
    enum("filter_state", ["正常 Normal", "需清洗 Clean me"], mode="r"),
]


def test_air_conditioner_is_one_climate() -> None:
    """Power, mode, fan speed, swing and temperatures make one climate entity."""
    mapping = mapped(*AC)
    assert keys(mapping) == {"climates": ["climate"], "sensors": ["filter_state"]}
    climate = mapping.climates[0]
    assert climate.name is None
    assert climate.hvac_modes == (
        HVACMode.OFF,
        HVACMode.AUTO,
        HVACMode.COOL,
        HVACMode.HEAT,
        HVACMode.DRY,
        HVACMode.FAN_ONLY,
    )
    assert climate.hvac_mode_keys[HVACMode.DRY] == 3
    assert climate.fan_mode_keys == {"auto": 0, "low": 1, "medium": 2, "high": 3, "Turbo": 4}
    assert climate.target == Scale("temp_set", 16, 30, integer=False, step=0.5)
    assert climate.temperature_unit == "°C"
    assert (climate.current_temperature_id, climate.current_humidity_id) == (
        "temp_current",
        "humidity",
    )
    assert climate.swing_id == "swing"
    assert climate.features == (
        ClimateEntityFeature.TARGET_TEMPERATURE
        | ClimateEntityFeature.TURN_ON
        | ClimateEntityFeature.TURN_OFF
        | ClimateEntityFeature.FAN_MODE
        | ClimateEntityFeature.SWING_MODE
    )


def test_thermostat_variants() -> None:
    """Without a mode the thermostat heats; without power there is no OFF; °F is kept."""
    heater = mapped(switch(), number("target_temp", 5, 35, unit="℉")).climates[0]
    assert heater.hvac_modes == (HVACMode.OFF, HVACMode.HEAT)
    assert heater.temperature_unit == "°F"
    assert heater.target is not None
    assert heater.target.step is None
    no_power = mapped(number("temp_set"), enum("mode", ["cool", "heat"])).climates[0]
    assert no_power.hvac_modes == (HVACMode.COOL, HVACMode.HEAT)
    assert no_power.power_id is None
    assert not no_power.features & ClimateEntityFeature.TURN_OFF


def test_target_temperature_alone_is_a_number() -> None:
    """A target temperature without power or an HVAC mode is a number (°C → temperature)."""
    mapping = mapped(number("temp_set", 16, 30, unit="℃"), enum("mode", ["sleep", "eco"]))
    assert keys(mapping) == {"numbers": ["temp_set"], "selects": ["mode"]}
    assert mapping.numbers[0].device_class == NumberDeviceClass.TEMPERATURE


# Pass 1: covers

CURTAIN = [
    enum("control", ["打开 Open", "关闭 Close", "暂停 Stop"]),
    number("percent_control", 0, 100, unit="%"),
    number("position", 0, 100, mode="r", unit="%"),
    switch("motor_reverse"),
]


def test_curtain_is_one_cover() -> None:
    """control, percent_control and position make one curtain."""
    mapping = mapped(*CURTAIN)
    assert keys(mapping) == {"covers": ["cover"], "switches": ["motor_reverse"]}
    cover = mapping.covers[0]
    assert cover.device_class == CoverDeviceClass.CURTAIN
    assert cover.position == Scale("percent_control", 0, 100)
    assert cover.current_position == Scale("position", 0, 100)
    assert cover.command_keys == {"open": 0, "close": 1, "stop": 2}
    assert cover.features == (
        CoverEntityFeature.OPEN
        | CoverEntityFeature.CLOSE
        | CoverEntityFeature.STOP
        | CoverEntityFeature.SET_POSITION
    )


def test_cover_variants() -> None:
    """A control alone, a position alone, `mode` as the command, and a control that is none."""
    control = mapped(enum("mode", ["open", "close"], kind="stringenum")).covers[0]
    assert (control.control_id, control.position) == ("mode", None)
    assert control.command_keys == {"open": "open", "close": "close"}
    assert control.features == CoverEntityFeature.OPEN | CoverEntityFeature.CLOSE
    position = mapped(number("position")).covers[0]
    assert (position.control_id, position.position, position.current_position) == (
        None,
        Scale("position", 0, 100),
        None,
    )
    # A laundry rack goes up and down: opening and closing.
    rack = mapped(enum("control", ["上 Up", "下 Down", "停止 Stop"])).covers[0]
    assert rack.command_keys == {"open": 0, "close": 1, "stop": 2}
    assert keys(mapped(enum("control", ["low", "high"]))) == {"selects": ["control"]}


# Pass 1: fans


def test_purifier_is_one_fan() -> None:
    """power_switch with a numeric speed, a mode and a swing make one fan."""
    mapping = mapped(
        switch(),
        enum("mode", ["自动 Auto", "睡眠 Sleep"]),
        number("fan_level", 1, 5),
        switch("swing"),
        switch("child_lock"),
    )
    assert keys(mapping) == {"fans": ["fan"], "switches": ["child_lock"]}
    fan = mapping.fans[0]
    assert fan.speed == Scale("fan_level", 1, 5)
    assert fan.preset_keys == {"自动 Auto": 0, "睡眠 Sleep": 1}
    assert fan.oscillate_id == "swing"
    assert fan.features == (
        FanEntityFeature.TURN_ON
        | FanEntityFeature.TURN_OFF
        | FanEntityFeature.SET_SPEED
        | FanEntityFeature.OSCILLATE
        | FanEntityFeature.PRESET_MODE
    )


def test_fan_with_enum_speed() -> None:
    """An enum speed is an ordered list of keys (integer keys by value)."""
    speeds = prop("fan_speed", "enum", mapping={"3": "high", "1": "low", "2": "mid"})
    fan = mapped(switch(), speeds).fans[0]
    assert (fan.speed_id, fan.speed_keys, fan.speed) == ("fan_speed", (1, 2, 3), None)
    string_speeds = mapped(switch(), enum("speed", ["Low", "High"], kind="stringenum")).fans[0]
    assert string_speeds.speed_keys == ("low", "high")


# Pass 2: standard ids


def test_metering_plug() -> None:
    """Standard electrical ids get device classes, units and state classes; power is the main switch."""
    mapping = mapped(
        switch(),
        number("current", 0, 16, mode="r", kind="float", unit="mA"),
        number("power", 0, 3680, mode="r", kind="float", unit="W"),
        number("voltage", 0, 300, mode="r", kind="float"),
        number("energy", 0, 999999, mode="r", kind="float", unit="kW·h"),
        number("countdown", 0, 86400, unit="s"),
    )
    assert keys(mapping) == {
        "numbers": ["countdown"],
        "sensors": ["current", "power", "voltage", "energy"],
        "switches": ["power_switch"],
    }
    sensors = {description.key: description for description in mapping.sensors}
    assert sensors["current"].native_unit_of_measurement == "mA"
    assert sensors["current"].device_class == SensorDeviceClass.CURRENT
    assert sensors["voltage"].native_unit_of_measurement == "V"
    assert sensors["energy"].native_unit_of_measurement == "kWh"
    assert sensors["energy"].state_class == SensorStateClass.TOTAL_INCREASING
    assert sensors["power"].translation_key == "power"
    assert mapping.switches[0].name is None
    assert mapping.switches[0].translation_key is None
    assert mapping.numbers[0].device_class == NumberDeviceClass.DURATION


def test_standard_sensor_with_an_odd_unit_keeps_the_unit() -> None:
    """A unit the device class does not accept drops the device class, not the unit."""
    mapping = mapped(
        number("battery", 0, 4200, mode="r", unit="mV"), number("temp", mode="r", unit="度")
    )
    battery, temperature = mapping.sensors
    assert (battery.device_class, battery.native_unit_of_measurement) == (None, "mV")
    assert battery.entity_category == EntityCategory.DIAGNOSTIC
    assert (temperature.device_class, temperature.native_unit_of_measurement) == (None, "度")


def test_signal_is_a_disabled_diagnostic() -> None:
    """Signal strength in dBm: diagnostic and disabled by default."""
    signal = mapped(number("signal", -180, 180, mode="r", unit="dbm")).sensors[0]
    assert signal.device_class == SensorDeviceClass.SIGNAL_STRENGTH
    assert signal.native_unit_of_measurement == "dBm"
    assert signal.entity_category == EntityCategory.DIAGNOSTIC
    assert not signal.entity_registry_enabled_default


def test_diagnostic_values_are_disabled_and_kept_out_of_statistics() -> None:
    """An address, a version or an error code: diagnostic, disabled, no statistics; an id too.

    A measurement keeps its state class and stays enabled.
    """
    mapping = mapped(
        number("wifi_rssi_raw", mode="r"),
        number("fw_version", mode="r"),
        number("error_code", mode="r"),
        prop("ip_addr", "string", "r"),
        number("scene_id", mode="r"),
        number("aqi_level", mode="r"),
    )
    sensors = {d.key: d for d in mapping.sensors}
    for key in ("wifi_rssi_raw", "fw_version", "error_code", "ip_addr"):
        assert sensors[key].entity_category == EntityCategory.DIAGNOSTIC, key
        assert not sensors[key].entity_registry_enabled_default, key
        assert sensors[key].state_class is None, key
    assert sensors["scene_id"].state_class is None
    assert sensors["scene_id"].entity_registry_enabled_default
    assert sensors["aqi_level"].state_class == SensorStateClass.MEASUREMENT
    assert sensors["aqi_level"].entity_category is None
    assert sensors["aqi_level"].entity_registry_enabled_default


def test_sensors_and_the_main_binary_sensor() -> None:
    """Door, motion and smoke ids become binary sensors; one of them alone is the main entity."""
    door = mapped(switch("contact_state", "r"), number("battery", mode="r", unit="%"))
    assert keys(door) == {"binary_sensors": ["contact_state"], "sensors": ["battery"]}
    assert door.binary_sensors[0].device_class == BinarySensorDeviceClass.DOOR
    assert door.binary_sensors[0].name is None
    smoke = mapped(
        enum("smoke_sensor_state", ["normal", "alarm"], mode="r"), switch("motionAlarm_state", "r")
    )
    assert [d.device_class for d in smoke.binary_sensors] == [
        BinarySensorDeviceClass.SMOKE,
        BinarySensorDeviceClass.MOTION,
    ]
    # Two main candidates: both keep their translated names.
    assert [d.translation_key for d in smoke.binary_sensors] == ["smoke", "motion"]
    # Marked writable by the template's author, a door state is still a reading.
    writable = mapped(switch("contact_state"))
    assert keys(writable) == {"binary_sensors": ["contact_state"]}


def test_channel_switches_are_named_by_the_model() -> None:
    """switch_1..n are separate switches named as the model names them."""
    mapping = mapped(
        switch("switch_1", name="Left"),
        switch("switch_2", name="Right"),
        switch("switch3", name="Third"),
    )
    assert [(d.key, d.name, d.translation_key) for d in mapping.switches] == [
        ("switch_1", "Left", "channel"),
        ("switch_2", "Right", "channel"),
        ("switch3", "Third", "channel"),
    ]


def test_duplicate_translation_keys_fall_back_to_model_names() -> None:
    """Two temperature ids on one device: the second is named as the model names it."""
    mapping = mapped(
        number("current_temp", mode="r", unit="℃"),
        number("temperature", mode="r", unit="℃", name="Probe"),
    )
    first, second = mapping.sensors
    assert (first.translation_key, first.name) == ("temperature", UNDEFINED)
    assert (second.translation_key, second.name) == (None, "Probe")


# Pass 3: type fallback


def test_type_fallback() -> None:
    """Rw or r, and bool/enum/number/string/timestamp/struct/array pick their platform."""
    mapping = mapped(
        switch("heater"),
        switch("running", "r"),
        enum("level", ["Low", "High"]),
        enum("play_mode", ["Sequence", "Shuffle"], kind="stringenum"),
        enum("state", ["Idle", "Busy"], mode="r"),
        number("volume", 0, 100, unit="%", step=5),
        number("ratio", mode="rw", kind="float"),
        number("pressure", 0, 2000, mode="r", unit="hPa"),
        prop("display_text", "string", max=32),
        prop("long_text", "string", max=2048),
        prop("mac", "string", "r"),
        prop("alarm_time", "timestamp"),
        prop("last_seen", "timestamp", "r"),
        prop("now_playing", "struct", "r", specs=[{"id": "song", "dataType": {"type": "string"}}]),
        prop("recent", "array", "r", arrayInfo={"type": "string"}),
    )
    assert keys(mapping) == {
        "binary_sensors": ["running"],
        "datetimes": ["alarm_time"],
        "numbers": ["volume", "ratio"],
        "selects": ["level", "play_mode"],
        "sensors": ["state", "pressure", "mac", "last_seen", "now_playing", "recent"],
        "switches": ["heater"],
        "texts": ["display_text", "long_text"],
    }
    selects = {d.key: d for d in mapping.selects}
    assert selects["level"].options == ["Low", "High"]
    assert selects["level"].option_keys == {"Low": 0, "High": 1}
    assert selects["play_mode"].option_keys == {"Sequence": "sequence", "Shuffle": "shuffle"}
    numbers = {d.key: d for d in mapping.numbers}
    assert (numbers["volume"].native_min_value, numbers["volume"].native_max_value) == (0, 100)
    assert (numbers["volume"].native_step, numbers["volume"].native_unit_of_measurement) == (5, "%")
    assert (numbers["ratio"].native_step, numbers["ratio"].native_unit_of_measurement) == (
        None,
        None,
    )
    sensors = {d.key: d for d in mapping.sensors}
    assert sensors["state"].device_class == SensorDeviceClass.ENUM
    assert sensors["state"].options == ["Idle", "Busy"]
    assert sensors["state"].value_fn(1) == "Busy"
    assert sensors["state"].value_fn(7) is None
    assert sensors["pressure"].device_class == SensorDeviceClass.PRESSURE
    assert sensors["pressure"].state_class == SensorStateClass.MEASUREMENT
    assert sensors["mac"].entity_category == EntityCategory.DIAGNOSTIC
    assert sensors["last_seen"].device_class == SensorDeviceClass.TIMESTAMP
    for key in ("now_playing", "recent"):
        assert not sensors[key].entity_registry_enabled_default
        assert sensors[key].attributes_fn is not None
    assert [d.native_max for d in mapping.texts] == [32, 255]
    assert all(d.name == d.key.title() for d in descriptions_of(mapping) if d.key != "long_text")
    # None of them is a setting.
    assert all(d.entity_category is None for d in descriptions_of(mapping) if d.key != "mac")


def test_settings_are_configuration_entities() -> None:
    """Standard setting ids get their own name and icon; other setting ids keep the model's name."""
    mapping = mapped(
        switch("motor_reverse"),
        number("motor_speed", 1, 3),
        number("eq_level", -6, 6),
        enum("indicator_mode", ["Off", "Relay", "On"]),
        switch("indicator_light"),
        switch("permit_join"),
        switch("child_lock"),
        # The fallback pass: a writable property whose id has a setting word.
        enum("backlight_level", ["Low", "High"]),
        number("sensitivity", 1, 5),
        enum("child_lock_mode", ["Off", "On"]),
        # A standard setting id of another type than its row's is a setting by the rule.
        enum("eq", ["Pop", "Rock"]),
        # Not settings: controls, and read-only values.
        switch("heater"),
        switch("reverse_state", "r"),
    )
    settings = {
        d.key: (d.translation_key, d.name)
        for d in descriptions_of(mapping)
        if d.entity_category == EntityCategory.CONFIG
    }
    assert settings == {
        "motor_reverse": ("motor_reverse", UNDEFINED),
        "motor_speed": ("motor_speed", UNDEFINED),
        "eq_level": ("equalizer", UNDEFINED),
        "indicator_mode": ("indicator_mode", UNDEFINED),
        "indicator_light": ("indicator_light", UNDEFINED),
        "permit_join": ("permit_join", UNDEFINED),
        "child_lock": ("child_lock", UNDEFINED),
        "backlight_level": (None, "Backlight_Level"),
        "sensitivity": (None, "Sensitivity"),
        "child_lock_mode": (None, "Child_Lock_Mode"),
        "eq": (None, "Eq"),
    }
    assert keys(mapping)["binary_sensors"] == ["reverse_state"]


def test_a_read_only_standard_setting_id_is_a_sensor() -> None:
    """A standard setting id that cannot be set is shown, not configured."""
    mapping = mapped(switch("child_lock", "r"))
    assert keys(mapping) == {"binary_sensors": ["child_lock"]}
    assert mapping.binary_sensors[0].entity_category is None


@pytest.mark.parametrize(
    ("properties", "product_name", "outlets"),
    [
        # Metering: a plug, whatever its name.
        ([switch(), number("power", mode="r", unit="W")], "", ["power_switch"]),
        ([switch(), number("energy", mode="r", unit="kWh")], "", ["power_switch"]),
        # Named a plug or a power strip: its channels too.
        ([switch()], "智能插座 Mini Plug", ["power_switch"]),
        ([switch("switch_1"), switch("switch_2")], "USB 排插", ["switch_1", "switch_2"]),
        # A wall switch is not an outlet, nor a writable "power" number.
        ([switch("switch_1"), switch("switch_2")], "三路开关面板 Wall Switch", []),
        ([switch(), switch("child_lock")], "Heater", []),
        ([switch(), number("power")], "Heater", []),
    ],
)
def test_outlets(properties: list[dict[str, Any]], product_name: str, outlets: list[str]) -> None:
    """The power and channel switches of a plug or power strip are outlets; nothing else is."""
    mapping = map_thing_model(
        ThingModel.from_api({"properties": properties}), product_name=product_name
    )
    assert [
        d.key for d in mapping.switches if d.device_class == SwitchDeviceClass.OUTLET
    ] == outlets


def test_light_effects_are_the_lights_own() -> None:
    """An effect enum of a light is its effect list, not a select; elsewhere it stays a select."""
    effects = enum("effect", ["Static", "Breath"], kind="stringenum")
    light = mapped(switch(), number("brightness", 1, 100), effects)
    assert keys(light) == {"lights": ["light"]}
    assert light.lights[0].effect_id == "effect"
    assert light.lights[0].effect_keys == {"Static": "static", "Breath": "breath"}
    numbered = mapped(switch(), number("brightness"), enum("light_effect", ["Fade", "Jump"]))
    assert numbered.lights[0].effect_keys == {"Fade": 0, "Jump": 1}
    assert mapped(switch(), number("brightness")).lights[0].effect_id is None
    assert keys(mapped(switch("heater"), effects)) == {
        "selects": ["effect"],
        "switches": ["heater"],
    }


def test_unlabelled_and_duplicate_enum_labels() -> None:
    """Empty labels become the key, repeated labels get the key appended."""
    mapping = mapped(prop("level", "enum", mapping={"0": "", "1": "Same", "2": "Same"}))
    assert mapping.selects[0].option_keys == {"0": 0, "Same": 1, "Same (2)": 2}


# Events and actions


def test_events_and_actions() -> None:
    """Every event is an event entity; actions without input are buttons."""
    mapping = mapped(
        events=[
            {"id": "doorbell_ring", "name": "Ring", "type": "info", "params": []},
            {"id": "key_press", "name": "Key", "type": "alert"},
            {"id": "hardware_fault", "name": "Fault", "type": "fault"},
            {"id": "other", "name": "Other", "type": "weird"},
        ],
        actions=[
            {"id": "reboot", "name": "Reboot", "input": [], "output": []},
            {"id": "blink", "name": "Blink", "input": [{"id": "times", "define": {"type": "int"}}]},
        ],
    )
    assert [(d.key, d.event_types, d.translation_key, d.device_class) for d in mapping.events] == [
        ("doorbell_ring", ["doorbell_ring"], "info", EventDeviceClass.DOORBELL),
        ("key_press", ["key_press"], "alert", EventDeviceClass.BUTTON),
        ("hardware_fault", ["hardware_fault"], "fault", None),
        ("other", ["other"], None, None),
    ]
    assert [(d.key, d.name) for d in mapping.buttons] == [("reboot", "Reboot")]


def test_standard_events_are_named_by_the_translations() -> None:
    """A standard event id is the translation key (entity name and event type name)."""
    mapping = mapped(
        events=[
            {"id": "tamper_alarm", "name": "防拆报警 Tamper alert", "type": "alert"},
            {"id": "sensor_fault", "name": "传感器故障", "type": "fault"},
            {"id": "door_knock", "name": "敲门 Knock", "type": "info"},
        ]
    )
    assert [(d.key, d.translation_key, d.name) for d in mapping.events] == [
        ("tamper_alarm", "tamper_alarm", UNDEFINED),
        ("sensor_fault", "sensor_fault", UNDEFINED),
        ("door_knock", "info", "敲门 Knock"),
    ]


# Robustness


def test_malformed_model_skips_bad_properties() -> None:
    """A missing define or an unknown type skip that property; an odd number only itself."""
    model = ThingModel.from_api(
        {
            "properties": [
                {"id": "no_define", "mode": "rw"},
                prop("weird", "complex"),
                prop("bad_number", "int", min="zero"),
                "not an object",
                switch("child_lock"),
            ]
        }
    )
    assert len(model.problems) == 4
    assert keys(map_thing_model(model)) == {"numbers": ["bad_number"], "switches": ["child_lock"]}
    assert model.problems[2] == "property bad_number: min 'zero' is not a number, ignored"
    assert keys(map_thing_model(ThingModel.from_api("{not json"))) == {}
    assert descriptions_of(map_thing_model(ThingModel())) == ()


# Value helpers


def test_value_helpers() -> None:
    """Sensor values, timestamps, structures and truthiness."""
    assert state_value("x" * 300) == "x" * 255
    assert state_value(True) == "true"
    assert state_value(2.5) == 2.5
    assert state_value({"a": 1}) is None
    assert timestamp_value(1_700_000_000) == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert timestamp_value(1_700_000_000_000) == timestamp_value(1_700_000_000)
    assert timestamp_value(0) is None
    assert timestamp_value(True) is None
    assert timestamp_value("soon") is None
    assert structured_value([1, 2, 3]) == 3
    assert structured_value({"b": 1, "a": "é"}) == '{"a": "é", "b": 1}'
    assert structured_value("x") is None
    assert structured_attributes([1]) == {"items": [1]}
    assert structured_attributes({"a": 1}) == {"a": 1}
    assert structured_attributes(None) == {}
    assert truthy(True) is True
    assert truthy(2) is True
    assert truthy(0) is False
    assert truthy("1") is None


def test_device_mapping_is_cached_per_product() -> None:
    """Each product object is mapped once; the cache stays bounded."""
    template = {"properties": [switch()]}
    product = Product.from_api({"ProductId": "P1", "CategoryId": "141", "DataTemplate": template})
    first = device_mapping(product)
    assert keys(first) == {"lights": ["light"]}
    assert device_mapping(product) is first
    others = [
        Product.from_api({"ProductId": f"X{n}", "DataTemplate": template}) for n in range(300)
    ]
    for other in others:
        device_mapping(other)
    assert device_mapping(product) is not first
    assert device_mapping(product) == first


def test_decode_members() -> None:
    """Event parameters decode as the model says; unknown and undecodable ones stay as sent."""
    event = ThingModel.from_api(
        {
            "events": [
                {
                    "id": "e",
                    "params": [
                        {"id": "on", "define": {"type": "bool"}},
                        {"id": "level", "define": {"type": "int"}},
                    ],
                }
            ]
        }
    ).events["e"]
    assert decode_members(event.params, {"on": "1", "level": "x", "extra": [1]}) == {
        "on": True,
        "level": "x",
        "extra": [1],
    }


def test_energy_by_unit_counts_up() -> None:
    """A read-only kWh value without a standard id is an energy total."""
    sensor = mapped(number("total_kwh", 0, 99999, mode="r", unit="kWh")).sensors[0]
    assert sensor.device_class == SensorDeviceClass.ENERGY
    assert sensor.state_class == SensorStateClass.TOTAL_INCREASING


def test_scale() -> None:
    """Rounding, clamping and moving values between ranges."""
    scale = Scale("x", 1, 100)
    assert scale.rounded(2.6) == 3
    assert scale.clamped(300) == 100
    assert scale.to_range(100, 0, 255) == 255
    assert scale.from_range(0, 0, 255) == 1
    assert Scale("y", 0, 10, integer=False).rounded(1.23456) == 1.235


# Models met in the field


def test_readings_marked_writable_are_readings() -> None:
    """Measurements marked rw are sensors; a setting word wins; a bool needs a standard id."""
    mapping = mapped(
        number("battery_percentage", unit="%"),
        number("systolic_pressure", 1, 500, unit="mmHg"),
        number("pulse", 1, 200, unit="bpm"),
        number("co_value", 0, 1000),
        number("drying_left", 0, 86400, name="烘干剩余时间"),
        number("temp_current_f", -40, 200, unit="°F"),
        number("set_temp", 0, 50, name="温度设置", unit="℃"),
        enum("work_state", ["待机", "加热中"], kind="stringenum"),
        enum("sensor_probe", ["normal", "fault"], kind="stringenum"),
        enum("fault_mode", ["A", "B"], kind="stringenum"),
        enum("play_state", ["暂停 Paused", "播放 Playing"]),
        switch("switch_low_battery"),
        switch("charge_state"),
        switch("lifecycle", name="使用寿命"),
    )
    assert keys(mapping) == {
        "binary_sensors": ["charge_state"],
        # A playback state is no reading: it makes the speaker's media player.
        "media_players": ["media_player"],
        "numbers": ["set_temp"],
        "selects": ["fault_mode"],
        "sensors": [
            "battery_percentage",
            "systolic_pressure",
            "pulse",
            "co_value",
            "drying_left",
            "temp_current_f",
            "work_state",
            "sensor_probe",
        ],
        "switches": ["switch_low_battery", "lifecycle"],
    }
    sensors = {d.key: d for d in mapping.sensors}
    assert sensors["battery_percentage"].device_class == SensorDeviceClass.BATTERY
    assert sensors["temp_current_f"].native_unit_of_measurement == "°F"
    assert mapping.binary_sensors[0].device_class == BinarySensorDeviceClass.BATTERY_CHARGING


@pytest.mark.parametrize(
    ("prop_id", "labels", "on", "off"),
    [
        # Tencent's PIR: "0" is somebody there.
        ("pir_state", {"0": "有人", "1": "无人"}, "0", "1"),
        ("gas_sensor_state", {"alarm": "报警", "normal": "正常"}, "alarm", "normal"),
        ("co_state", {"alarm": "报警", "normal": "正常"}, "alarm", "normal"),
        ("tamper_event", {"0": "未拆卸", "1": "拆卸告警"}, "1", "0"),
        # A battery state of low/middle/high is low or not.
        ("battery_state", {"low": "低", "middle": "中", "high": "高"}, "low", "high"),
        # Options that say nothing: "1" is on.
        ("smoke_state", {"0": "x", "1": "y"}, "1", "0"),
    ],
)
def test_state_enums_are_binary_sensors(
    prop_id: str, labels: dict[str, str], on: str, off: str
) -> None:
    """A state string enum is on for the options that mean it, and a normal one is off."""
    sensor = mapped(prop(prop_id, "stringenum", mapping=labels)).binary_sensors[0]
    assert (sensor.value_fn(on), sensor.value_fn(off), sensor.value_fn(None)) == (True, False, None)


def test_smoke_enum_is_on_but_when_normal() -> None:
    """An int enum with a "normal" option: every other option is on (a muted alarm too)."""
    sensor = mapped(enum("smoke_sensor_state", ["正常 Normal", "报警 Alarm", "静音 Muted"], "r"))
    value_fn = sensor.binary_sensors[0].value_fn
    assert [value_fn(key) for key in (0, 1, 2)] == [False, True, True]
    plain = mapped(enum("smoke_sensor_state", ["a", "b"], "r")).binary_sensors[0].value_fn
    assert (plain(0), plain(1)) == (False, True)


def test_identities_are_disabled_and_kept_out_of_statistics() -> None:
    """Diagnostic identities start disabled; counts of nothing get no statistics, readings do."""
    mapping = mapped(
        prop("ip", "string", "r"),
        prop("firmware_version", "string", "r"),
        number("error_code", 0, 255, mode="r"),
        enum("fault", ["normal", "fault"], mode="r", kind="stringenum"),
        number("uptime", 0, 10**9, mode="r", unit="s"),
        number("boot_count", 0, 1000, mode="r"),
        number("tvoc", 0, 1000, mode="r", unit="ppm"),
        number("aqi", 0, 500, mode="r"),
    )
    sensors = {d.key: d for d in mapping.sensors}
    for key in ("ip", "firmware_version", "error_code", "fault", "uptime"):
        assert sensors[key].entity_category == EntityCategory.DIAGNOSTIC, key
        assert sensors[key].entity_registry_enabled_default is False, key
    for key in ("error_code", "uptime", "boot_count"):
        assert sensors[key].state_class is None, key
    assert sensors["boot_count"].entity_registry_enabled_default
    assert sensors["tvoc"].state_class == SensorStateClass.MEASUREMENT
    # An index without a unit is measured all the same: a graph, not text.
    assert sensors["aqi"].state_class == SensorStateClass.MEASUREMENT


def test_climates_in_words() -> None:
    """Modes in words are HVAC modes or presets; a read-only target stays a sensor.

    A humidifier's "heating evaporation" makes no climate.
    """
    mapping = mapped(
        switch(),
        prop("mode", "stringenum", mapping={"cold": "制冷", "hot": "制热", "eco": "ECO"}),
        number("temp_set", 0, 50, mode="r", unit="°C"),
        number("temp_current", -20, 50, mode="r", unit="°C"),
        number("temp_current_f", -40, 200, mode="r", unit="°F"),
        prop("fan_speed_enum", "stringenum", mapping={"strong": "强力", "high": "高风"}),
    )
    climate = mapping.climates[0]
    assert climate.target is None
    assert not climate.features & ClimateEntityFeature.TARGET_TEMPERATURE
    assert climate.hvac_modes == (HVACMode.OFF, HVACMode.COOL, HVACMode.HEAT)
    assert climate.preset_keys == {"ECO": "eco"}
    assert climate.current_temperature_id == "temp_current"
    assert climate.fan_mode_keys == {"high": "high", "强力": "strong"}
    assert [d.key for d in mapping.sensors] == ["temp_set", "temp_current_f"]

    humidifier = mapped(
        switch(),
        number("set_temp", 0, 50, mode="r", unit="°C"),
        prop("work_mode", "stringenum", mapping={"natural": "自然蒸发", "heating": "加热蒸发"}),
    )
    assert humidifier.climates == ()


def test_heater_by_its_name() -> None:
    """A heater's read-only target: a climate with heat only when the product says heater."""
    properties = [
        switch(),
        number("target_c_temp", 0, 40, mode="r", unit="°C"),
        number("current_c_temp", -20, 50, mode="r", unit="°C"),
        prop("work_mode", "stringenum", mapping={"0": "智能模式", "1": "ECO模式"}),
    ]
    model = ThingModel.from_api({"properties": properties})
    heater = map_thing_model(model, product_name="取暖器 Heater").climates[0]
    assert heater.hvac_modes == (HVACMode.OFF, HVACMode.HEAT)
    assert (heater.preset_id, heater.current_temperature_id) == ("work_mode", "current_c_temp")
    assert map_thing_model(model, product_name="Gadget").climates == ()


def test_water_heaters() -> None:
    """By name or by its water properties; a read-only target is shown all the same."""
    named = map_thing_model(
        ThingModel.from_api({"properties": [switch(), number("temp_set", 30, 75)]}),
        product_name="小厨宝 Kitchen Water Heater",
    ).water_heaters[0]
    assert named.target_writable
    assert named.operation_keys == {}
    by_water = mapped(number("temp_set", 0, 50, mode="r"), number("water_left", mode="r"))
    heater = by_water.water_heaters[0]
    assert (heater.power_id, heater.target_writable) == (None, False)
    assert keys(by_water) == {"sensors": ["water_left"], "water_heaters": ["water_heater"]}
    # An air conditioner with a water tank is still an air conditioner.
    portable_ac = mapped(
        switch(),
        number("temp_set", 16, 30),
        enum("mode", ["制冷 Cool", "制热 Heat"]),
        switch("water_full", "r"),
    )
    assert keys(portable_ac) == {"binary_sensors": ["water_full"], "climates": ["climate"]}


def test_lights_in_the_field() -> None:
    """Own power ids, relative colour temperatures named 冷暖, channels, HSL and text."""
    lamp = mapped(
        switch("switch_led"),
        number("set_temp", 0, 1000, name="冷暖值"),
        prop("colour_data", "string", max=64),
        prop("work_mode", "stringenum", mapping={"white": "白光", "colour": "彩光"}),
    ).lights[0]
    assert lamp.power_id == "switch_led"
    assert lamp.color_temp == Scale("set_temp", 0, 1000)
    assert lamp.color_text_id == "colour_data"
    assert lamp.color_mode_keys == {"white": ColorMode.COLOR_TEMP, "colour": ColorMode.HS}
    rack = mapped(switch(), switch("light_switch"), enum("control", ["上", "下"]))
    assert keys(rack) == {"covers": ["cover"], "lights": ["light"], "switches": ["power_switch"]}
    assert rack.lights[0].supported_color_modes == {ColorMode.ONOFF}
    # A category says light, the readings say otherwise: a fitness band.
    band = mapped(switch(), number("heart_rate", 0, 250, mode="r"), category="141")
    assert keys(band) == {"sensors": ["heart_rate"], "switches": ["power_switch"]}
    plain = mapped(switch(), number("count_down", 0, 86400), category="141")
    assert plain.lights[0].supported_color_modes == {ColorMode.ONOFF}


@pytest.mark.parametrize(
    ("text", "colour", "written"),
    [
        ("#FF0000", (0, 100, 100), "#00FF00"),
        ("00ff00", (120, 100, 100), "00ff00"),
        ("007803e803e8", (120, 100, 100), "007803e803e8"),
        ("120,100,100", (120, 100, 100), "120,100,100"),
        ("240;1000;500", (240, 100, 50), "120;1000;500"),
        ("60 0.5 1", (60, 50, 100), "120 1 1"),
    ],
)
def test_colour_text(text: str, colour: tuple[int, int, int], written: str) -> None:
    """A text colour reads as hue/saturation/value and is written back in its own format."""
    parsed = parse_colour(text)
    assert parsed is not None
    assert (round(parsed.hue), round(parsed.saturation), round(parsed.value)) == colour
    assert format_colour(replace(parsed, hue=120, saturation=100)) == written


def test_colour_text_that_is_none() -> None:
    """Text in no known format, or no text, is no colour; a new colour is hex."""
    assert parse_colour("red") is None
    assert parse_colour(None) is None
    assert format_colour(TextColour(0, 100, 100)) == "#ff0000"


def test_snap_to_the_models_steps() -> None:
    """A value goes out a whole number of steps from the minimum, in the model's unit."""
    assert snap(69.8, 0, 1, integer=True) == 70
    assert snap(22.4, 16, 0.5, integer=False) == 22.5
    assert snap(7.3, 1, 5, integer=True) == 6
    assert snap(1.23456, None, None, integer=False) == 1.235
    assert snap(2.6, None, 0, integer=True) == 3
