"""Shapes of thing models met in the field that no published fixture has, end to end.

The default home plus: an old-format lamp (no profile) with light_switch and red, green and
blue properties; a lamp whose colour is HSV text; an air conditioner with a float
`Temperature`, cold/warm/dry modes and a `Wind` speed; a whole-degree °F setting; a sloppy
model (a step "s", a bool mapping keyed by words, a duplicated id); a fitness band that
declares the light category; a water heater without modes.
"""

from collections.abc import AsyncGenerator
import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator

from .platform_common import (
    call_service,
    controls_of,
    coordinator_of,
    entity_id,
    home_with,
    integration_warnings,
    running_simulator,
    set_up_entry,
    state,
    subscribed_entity,
    wait_for,
    wait_for_state,
)

CHANNEL_LAMP = "SHAPELAMP1/lamp_rgb"
TEXT_LAMP = "SHAPELAMP2/lamp_hsv"
WORD_AC = "SHAPEAC001/ac_words"
FAHRENHEIT = "SHAPETHRM1/thermo_f"
SLOPPY = "SHAPESLOP1/sloppy"
BAND = "SHAPEBAND1/band"
KITCHEN_HEATER = "SHAPEWH001/kitchen"


def _prop(prop_id: str, kind: str, mode: str = "rw", **define: Any) -> dict[str, Any]:
    return {"id": prop_id, "name": prop_id, "mode": mode, "define": {"type": kind, **define}}


def _channel(prop_id: str) -> dict[str, Any]:
    return _prop(prop_id, "int", min="0", max="255", step="1")


def _product(
    product_id: str, name: str, *properties: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "ProductId": product_id,
        "Name": name,
        "DataTemplate": {"properties": list(properties)},
        **extra,
    }


ON_OFF = {"0": "关", "1": "开"}
PRODUCTS: list[dict[str, Any]] = [
    # The old template format: no version, no profile.
    _product(
        "SHAPELAMP1",
        "RGB lamp",
        _prop("light_switch", "bool", mapping=ON_OFF),
        _prop("brightness", "int", min="0", max="100", step="1", unit="%"),
        _channel("red"),
        _channel("green"),
        _channel("blue"),
    ),
    _product(
        "SHAPELAMP2",
        "HSV lamp",
        _prop("power_switch", "bool", mapping=ON_OFF),
        _prop("color_value", "string", min="0", max="64"),
    ),
    _product(
        "SHAPEAC001",
        "Word AC",
        _prop("Temperature", "float", min="16", max="36", step="0.5", unit="℃"),
        _prop("mode", "stringenum", mapping={"cold": "cold", "warm": "warm", "dry": "dry"}),
        _prop("Wind", "enum", mapping={"0": "low", "1": "mid", "2": "high"}),
    ),
    _product(
        "SHAPETHRM1",
        "Fahrenheit thermostat",
        _prop("temp_limit_f", "int", min="0", max="100", step="1", unit="°F"),
    ),
    _product(
        "SHAPESLOP1",
        "Sloppy speaker",
        _prop("volume", "int", min="0", max="10", step="s"),
        _prop("arm_mode", "bool", mapping={"disarmed": "撤防", "arm": "布防"}),
        _prop("volume", "string", min="0", max="8"),
    ),
    _product(
        "SHAPEBAND1",
        "Fitness band",
        _prop("power_switch", "bool", mapping=ON_OFF),
        _prop("step_count", "int", "r", min="0", max="100000", unit="步"),
        _prop("heart_rate", "int", "r", min="0", max="250", unit="bpm"),
        CategoryId=141,
    ),
    _product(
        "SHAPEWH001",
        "小厨宝 Kitchen Water Heater",
        _prop("power_switch", "bool", mapping=ON_OFF),
        _prop("temp_set", "int", min="30", max="75", step="1", unit="℃"),
        _prop("temp_current", "int", "r", min="0", max="100", unit="℃"),
    ),
]

DEVICES: list[dict[str, Any]] = [
    {"ProductId": "SHAPELAMP1", "DeviceName": "lamp_rgb", "AliasName": "RGB Lamp"},
    {
        "ProductId": "SHAPELAMP2",
        "DeviceName": "lamp_hsv",
        "AliasName": "HSV Lamp",
        # Hue 120, saturation and value 1000 of 1000.
        "Data": {"power_switch": 1, "color_value": "007803e803e8"},
    },
    {
        "ProductId": "SHAPEAC001",
        "DeviceName": "ac_words",
        "AliasName": "Word AC",
        "Data": {"Temperature": 26, "mode": "cold", "Wind": 1},
    },
    {"ProductId": "SHAPETHRM1", "DeviceName": "thermo_f", "AliasName": "F Thermostat"},
    {"ProductId": "SHAPESLOP1", "DeviceName": "sloppy", "AliasName": "Sloppy"},
    {"ProductId": "SHAPEBAND1", "DeviceName": "band", "AliasName": "Band"},
    {
        "ProductId": "SHAPEWH001",
        "DeviceName": "kitchen",
        "AliasName": "Kitchen Heater",
        "Data": {"power_switch": 1, "temp_set": 50},
    },
]


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncGenerator[CloudSimulator]:
    """The default home plus the devices above."""
    async with running_simulator(home_with(PRODUCTS, DEVICES)) as simulator:
        yield simulator


async def test_old_format_lamp_with_colour_channels(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """light_switch and red/green/blue properties make one RGB light; a colour writes all three."""
    lamp = await subscribed_entity(hass, sim, "light", CHANNEL_LAMP, "light")
    assert state(hass, lamp).attributes["supported_color_modes"] == ["rgb"]
    await call_service(hass, "light.turn_on", lamp, rgb_color=(255, 128, 64))
    assert controls_of(sim, CHANNEL_LAMP)[-1] == {
        "light_switch": 1,
        "red": 255,
        "green": 128,
        "blue": 64,
    }
    await wait_for_state(hass, lamp, "on", rgb_color=(255, 128, 64))


async def test_lamp_with_a_colour_as_text(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """An HSV text colour is read, and written back in the same twelve hex digits."""
    lamp = await subscribed_entity(hass, sim, "light", TEXT_LAMP, "light")
    assert state(hass, lamp).attributes["hs_color"] == (120.0, 100.0)
    await call_service(hass, "light.turn_on", lamp, hs_color=(240, 50))
    assert controls_of(sim, TEXT_LAMP)[-1] == {"color_value": "00f001f403e8"}
    await wait_for_state(hass, lamp, "on", hs_color=(240.0, 50.0))
    # Text in no format it knows is no colour, and the light stays on.
    await sim.report(TEXT_LAMP, {"color_value": "red"})
    await wait_for_state(hass, lamp, "on", hs_color=None)


async def test_air_conditioner_in_plain_words(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A float `Temperature` beside cold/warm/dry modes is the target; `Wind` the fan speed."""
    climate = await subscribed_entity(hass, sim, "climate", WORD_AC, "climate")
    current = state(hass, climate)
    assert current.state == "cool"
    assert current.attributes["hvac_modes"] == ["cool", "heat", "dry"]
    assert current.attributes["fan_modes"] == ["low", "medium", "high"]
    assert current.attributes["target_temp_step"] == 0.5

    await call_service(hass, "climate.set_temperature", climate, temperature=22.5, hvac_mode="heat")
    assert controls_of(sim, WORD_AC)[-1] == {"mode": "warm", "Temperature": 22.5}
    await wait_for_state(hass, climate, "heat", temperature=22.5)
    await call_service(hass, "climate.set_fan_mode", climate, fan_mode="high")
    assert controls_of(sim, WORD_AC)[-1] == {"Wind": 2}


async def test_fahrenheit_setting_takes_whole_degrees(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """On a metric install 21 °C is 69.8 °F: the device gets 70, its step."""
    number = await subscribed_entity(hass, sim, "number", FAHRENHEIT, "temp_limit_f")
    assert state(hass, number).attributes["unit_of_measurement"] == "°C"
    await call_service(hass, "number.set_value", number, value=21)
    assert controls_of(sim, FAHRENHEIT)[-1] == {"temp_limit_f": 70}
    # Shown in whole degrees, as the step says.
    await wait_for_state(hass, number, "21.0")


async def test_sloppy_model_keeps_its_properties(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bad step, a worded bool mapping and a duplicated id drop only themselves, said once."""
    caplog.set_level(logging.WARNING)
    await set_up_entry(hass, config_entry)
    volume = await subscribed_entity(hass, sim, "number", SLOPPY, "volume")
    arm = entity_id(hass, "switch", SLOPPY, "arm_mode")
    # The first `volume` counts, for the simulator too: a number without a step.
    assert state(hass, volume).attributes["step"] == 1
    await call_service(hass, "number.set_value", volume, value=7)
    assert controls_of(sim, SLOPPY)[-1] == {"volume": 7}
    await call_service(hass, "switch.turn_on", arm)
    assert controls_of(sim, SLOPPY)[-1] == {"arm_mode": 1}

    expected = [
        "Thing model of product SHAPESLOP1: property volume: step 's' is not a number, ignored",
        "Thing model of product SHAPESLOP1: property arm_mode: mapping keys 'disarmed', 'arm' "
        "are not integers, ignored",
        "Thing model of product SHAPESLOP1: property volume: duplicate id, the first one is kept",
    ]
    assert integration_warnings(caplog) == expected
    # A second device of the product, found when the lists are read, logs nothing again.
    await sim.add_device("SHAPESLOP1", "sloppy_2")
    await wait_for(hass, lambda: "SHAPESLOP1/sloppy_2" in coordinator_of(config_entry).devices)
    await coordinator_of(config_entry).async_read_lists()
    assert integration_warnings(caplog) == expected


async def test_fitness_band_in_the_light_category_is_no_light(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A category that says "light" does not make one of a device with readings."""
    registry = er.async_get(hass)
    assert registry.async_get_entity_id("light", "tencent_iot", f"{BAND}/light") is None
    assert entity_id(hass, "switch", BAND, "power_switch")
    assert (
        state(hass, entity_id(hass, "sensor", BAND, "heart_rate")).attributes["unit_of_measurement"]
        == "bpm"
    )


async def test_water_heater_without_modes(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A water heater by its name: on or off, and its target."""
    heater = await subscribed_entity(hass, sim, "water_heater", KITCHEN_HEATER, "water_heater")
    assert state(hass, heater).state == "on"
    assert state(hass, heater).attributes["temperature"] == 50
    await call_service(hass, "water_heater.turn_off", heater)
    assert controls_of(sim, KITCHEN_HEATER)[-1] == {"power_switch": 0}
    await wait_for_state(hass, heater, "off")
