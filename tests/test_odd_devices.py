"""Devices whose thing models take the less common paths of the mapping.

The default home plus: a lamp with a relative colour temperature and a packed RGB integer and no
color_mode, a fan with an enum speed and a swing, a Fahrenheit heater without modes, a curtain
with commands only, one with a position only, and a sensor with odd units, types and a
malformed property.
"""

from collections.abc import AsyncGenerator
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator

from .platform_common import (
    call_service,
    controls_of,
    entity_id,
    home_with,
    running_simulator,
    state,
    subscribed_entity,
    thing_property as _prop,
    wait_for,
    wait_for_state,
)

LAMP = "ODDLAMP001/lamp_1"
HS_LAMP = "ODDLAMP002/lamp_2"
MODE_AC = "ODDAC00001/ac_1"
FAN = "ODDFAN0001/fan_1"
HEATER = "ODDHEAT001/heater_1"
COMMAND_CURTAIN = "ODDCURT001/curtain_1"
POSITION_CURTAIN = "ODDCURT002/curtain_2"
ODD_SENSOR = "ODDSENS001/sensor_1"


POWER = _prop("power_switch", "bool", mapping={"0": "off", "1": "on"})

PRODUCTS: list[dict[str, Any]] = [
    {
        "ProductId": "ODDLAMP001",
        "Name": "Odd lamp",
        "DataTemplate": {
            "properties": [
                POWER,
                _prop("color_temp", "int", min="0", max="100", step="1"),
                _prop("rgb_color", "int", min="0", max="16777215", step="1"),
            ]
        },
    },
    {
        "ProductId": "ODDLAMP002",
        "Name": "Percent hue lamp",
        "DataTemplate": {
            "properties": [
                POWER,
                _prop("hue", "int", min="0", max="100"),
                _prop("saturation", "int", min="0", max="100"),
            ]
        },
    },
    {
        "ProductId": "ODDAC00001",
        "Name": "AC without power",
        "DataTemplate": {
            "properties": [
                _prop(
                    "mode", "stringenum", mapping={"cool": "Cool", "heat": "Heat", "sleep": "Sleep"}
                ),
                _prop("temp_set", "int", min="16", max="30", unit="℃"),
                _prop("fan_speed", "stringenum", mapping={"low": "Low", "turbo": "Turbo"}),
            ]
        },
    },
    {
        "ProductId": "ODDFAN0001",
        "Name": "Odd fan",
        "DataTemplate": {
            "properties": [
                POWER,
                _prop("fan_speed", "enum", mapping={"1": "Low", "2": "Mid", "3": "High"}),
                _prop("swing", "bool", mapping={"0": "off", "1": "on"}),
            ]
        },
    },
    {
        "ProductId": "ODDHEAT001",
        "Name": "Odd heater",
        "DataTemplate": {
            "properties": [
                POWER,
                _prop("target_temp", "int", min="40", max="90", step="1", unit="℉"),
                _prop("current_temp", "float", "r", min="0", max="120", unit="℉"),
            ]
        },
    },
    {
        "ProductId": "ODDCURT001",
        "Name": "Command curtain",
        "DataTemplate": {
            "properties": [
                _prop(
                    "control",
                    "stringenum",
                    mapping={"open": "Open", "close": "Close", "stop": "Stop"},
                )
            ]
        },
    },
    {
        "ProductId": "ODDCURT002",
        "Name": "Position curtain",
        "DataTemplate": {"properties": [_prop("position", "int", min="0", max="100", unit="%")]},
    },
    {
        "ProductId": "ODDSENS001",
        "Name": "Odd sensor",
        "DataTemplate": {
            "properties": [
                _prop("battery", "int", "r", min="0", max="4200", unit="mV"),
                _prop("counter", "int", "r", min="0", max="1000", unit="次"),
                _prop("gas_sensor_state", "bool", "r", mapping={"0": "normal", "1": "gas"}),
                _prop("updated", "timestamp", "r"),
                _prop("note", "string", "r", min="0", max="2048"),
                {"id": "broken", "name": "Broken", "mode": "r"},
                _prop("weird", "complex", "r"),
            ],
            "events": [
                {
                    "id": "doorbell",
                    "name": "Doorbell",
                    "type": "info",
                    "params": [
                        {
                            "id": "kind",
                            "name": "Kind",
                            "define": {"type": "enum", "mapping": {"0": "single", "1": "double"}},
                        },
                        {
                            "id": "count",
                            "name": "Count",
                            "define": {"type": "int", "min": "0", "max": "10"},
                        },
                    ],
                }
            ],
            "actions": [{"id": "reboot", "name": "Reboot", "input": [], "output": []}],
        },
    },
]

DEVICES: list[dict[str, Any]] = [
    {
        "ProductId": "ODDLAMP001",
        "DeviceName": "lamp_1",
        "AliasName": "Odd Lamp",
        "Data": {"power_switch": 1, "color_temp": 50, "rgb_color": 0xFF8000},
    },
    {
        "ProductId": "ODDLAMP002",
        "DeviceName": "lamp_2",
        "AliasName": "HS Lamp",
        "Data": {"power_switch": 0, "hue": 50, "saturation": 100},
    },
    {
        "ProductId": "ODDAC00001",
        "DeviceName": "ac_1",
        "AliasName": "Mode AC",
        "Data": {"mode": "cool", "temp_set": 24, "fan_speed": "turbo"},
    },
    {
        "ProductId": "ODDFAN0001",
        "DeviceName": "fan_1",
        "AliasName": "Odd Fan",
        "Data": {"power_switch": 1, "fan_speed": 2, "swing": 0},
    },
    {
        "ProductId": "ODDHEAT001",
        "DeviceName": "heater_1",
        "AliasName": "Odd Heater",
        "Data": {"power_switch": 1, "target_temp": 68, "current_temp": 59},
    },
    {
        "ProductId": "ODDCURT001",
        "DeviceName": "curtain_1",
        "AliasName": "Command Curtain",
        "Data": {"control": "close"},
    },
    {
        "ProductId": "ODDCURT002",
        "DeviceName": "curtain_2",
        "AliasName": "Position Curtain",
        "Data": {"position": 40},
    },
    {
        "ProductId": "ODDSENS001",
        "DeviceName": "sensor_1",
        "AliasName": "Odd Sensor",
        "Data": {
            "battery": 3000,
            "counter": 7,
            "gas_sensor_state": 0,
            "updated": 1_700_000_000_000,
            "note": "n" * 300,
        },
    },
]


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncGenerator[CloudSimulator]:
    """The default home plus the odd devices."""
    async with running_simulator(home_with(PRODUCTS, DEVICES)) as simulator:
        yield simulator


async def test_lamp_with_packed_rgb_and_relative_colour_temperature(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """0-100 spreads over 2700-6500 K; without color_mode the last mode asked is shown."""
    lamp = await subscribed_entity(hass, sim, "light", LAMP, "light")
    current = state(hass, lamp)
    assert current.attributes["supported_color_modes"] == ["color_temp", "rgb"]
    assert current.attributes["color_mode"] == "color_temp"
    assert current.attributes["color_temp_kelvin"] == 4600
    assert current.attributes["brightness"] is None

    await call_service(hass, "light.turn_on", lamp, rgb_color=(0, 0, 255))
    assert controls_of(sim, LAMP)[-1] == {"rgb_color": 255}
    await wait_for_state(hass, lamp, color_mode="rgb", rgb_color=(0, 0, 255))

    await call_service(hass, "light.turn_on", lamp, color_temp_kelvin=2700)
    assert controls_of(sim, LAMP)[-1] == {"color_temp": 0}
    await wait_for_state(hass, lamp, color_mode="color_temp", color_temp_kelvin=2700)


async def test_lamp_with_a_percent_hue(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A hue on 0-100 is spread over 0-360 degrees; a lamp without brightness has none."""
    lamp = await subscribed_entity(hass, sim, "light", HS_LAMP, "light")
    assert state(hass, lamp).state == "off"
    await call_service(hass, "light.turn_on", lamp, hs_color=(90, 40))
    assert controls_of(sim, HS_LAMP)[-1] == {"power_switch": 1, "hue": 25, "saturation": 40}
    await wait_for_state(hass, lamp, "on", color_mode="hs", hs_color=(90.0, 40.0), brightness=None)


async def test_air_conditioner_without_power(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Without a power switch the modes are the mode's own; fan modes keep unknown labels."""
    climate = await subscribed_entity(hass, sim, "climate", MODE_AC, "climate")
    current = state(hass, climate)
    assert current.state == "cool"
    assert current.attributes["hvac_modes"] == ["cool", "heat"]
    assert current.attributes["fan_modes"] == ["low", "Turbo"]
    assert current.attributes["fan_mode"] == "Turbo"
    assert current.attributes["temperature"] == 24

    await call_service(hass, "climate.set_hvac_mode", climate, hvac_mode="heat")
    assert controls_of(sim, MODE_AC)[-1] == {"mode": "heat"}
    await wait_for_state(hass, climate, "heat")
    # A mode that is no HVAC mode is a preset; without "auto" the HVAC mode is unknown then.
    assert current.attributes["preset_modes"] == ["Sleep"]
    await sim.report(MODE_AC, {"mode": "sleep"})
    await wait_for_state(hass, climate, "unknown", preset_mode="Sleep")
    await call_service(hass, "climate.set_fan_mode", climate, fan_mode="low")
    assert controls_of(sim, MODE_AC)[-1] == {"fan_speed": "low"}


async def test_fan_with_enum_speed_and_swing(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """An enum speed is an ordered list; the swing is oscillation."""
    fan = await subscribed_entity(hass, sim, "fan", FAN, "fan")
    assert state(hass, fan).attributes["percentage"] == 66
    assert state(hass, fan).attributes["oscillating"] is False

    await call_service(hass, "fan.set_percentage", fan, percentage=100)
    assert controls_of(sim, FAN)[-1] == {"fan_speed": 3}
    await wait_for_state(hass, fan, percentage=100)

    await call_service(hass, "fan.oscillate", fan, oscillating=True)
    assert controls_of(sim, FAN)[-1] == {"swing": 1}
    await wait_for_state(hass, fan, oscillating=True)


async def test_fahrenheit_heater(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Power and a °F target make a heater; HA shows °C and sends °F."""
    heater = await subscribed_entity(hass, sim, "climate", HEATER, "climate")
    current = state(hass, heater)
    assert current.state == "heat"
    assert current.attributes["hvac_modes"] == ["off", "heat"]
    assert current.attributes["temperature"] == 20
    assert current.attributes["current_temperature"] == 15

    await call_service(hass, "climate.set_temperature", heater, temperature=25)
    assert controls_of(sim, HEATER)[-1] == {"target_temp": 77}
    await wait_for_state(hass, heater, temperature=25)

    await call_service(hass, "climate.set_hvac_mode", heater, hvac_mode="off")
    assert controls_of(sim, HEATER)[-1] == {"power_switch": 0}
    await wait_for_state(hass, heater, "off")
    await call_service(hass, "climate.turn_on", heater)
    await wait_for_state(hass, heater, "heat")


async def test_curtain_with_commands_only(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Without a position the state is assumed from the last command."""
    cover = await subscribed_entity(hass, sim, "cover", COMMAND_CURTAIN, "cover")
    assert state(hass, cover).state == "closed"
    assert state(hass, cover).attributes["assumed_state"] is True

    await call_service(hass, "cover.open_cover", cover)
    assert controls_of(sim, COMMAND_CURTAIN)[-1] == {"control": "open"}
    await wait_for_state(hass, cover, "open")
    await call_service(hass, "cover.stop_cover", cover)
    assert controls_of(sim, COMMAND_CURTAIN)[-1] == {"control": "stop"}
    await wait_for_state(hass, cover, "unknown")


async def test_curtain_with_a_position_only(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Without commands, open and close move to 100 and 0."""
    cover = await subscribed_entity(hass, sim, "cover", POSITION_CURTAIN, "cover")
    assert state(hass, cover).attributes["current_position"] == 40

    await call_service(hass, "cover.close_cover", cover)
    assert controls_of(sim, POSITION_CURTAIN)[-1] == {"position": 0}
    await wait_for_state(hass, cover, "closed")
    await call_service(hass, "cover.open_cover", cover)
    assert controls_of(sim, POSITION_CURTAIN)[-1] == {"position": 100}
    await wait_for_state(hass, cover, "open", current_position=100)


async def test_odd_sensor(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Odd units pass through, a malformed property is skipped, events decode their parameters."""
    registry = er.async_get(hass)
    battery = state(hass, entity_id(hass, "sensor", ODD_SENSOR, "battery"))
    assert (battery.state, battery.attributes["unit_of_measurement"]) == ("3000", "mV")
    assert "device_class" not in battery.attributes
    assert (
        state(hass, entity_id(hass, "sensor", ODD_SENSOR, "counter")).attributes[
            "unit_of_measurement"
        ]
        == "次"
    )
    assert (
        state(hass, entity_id(hass, "sensor", ODD_SENSOR, "updated")).state
        == "2023-11-14T22:13:20+00:00"
    )
    assert state(hass, entity_id(hass, "sensor", ODD_SENSOR, "note")).state == "n" * 255
    gas = state(hass, entity_id(hass, "binary_sensor", ODD_SENSOR, "gas_sensor_state"))
    assert (gas.state, gas.attributes["device_class"]) == ("off", "gas")
    for key in ("broken", "weird"):
        assert registry.async_get_entity_id("sensor", "tencent_iot", f"{ODD_SENSOR}/{key}") is None

    doorbell = entity_id(hass, "event", ODD_SENSOR, "doorbell")
    assert state(hass, doorbell).attributes["device_class"] == "doorbell"
    await sim.wait_for_subscription(ODD_SENSOR)
    await sim.raise_event(ODD_SENSOR, "doorbell", {"kind": 1, "count": 2})
    await wait_for(hass, lambda: state(hass, doorbell).state != "unknown")
    assert state(hass, doorbell).attributes["kind"] == 1
    assert state(hass, doorbell).attributes["count"] == 2

    await call_service(hass, "button.press", entity_id(hass, "button", ODD_SENSOR, "reboot"))
    assert sim.controls()[-1]["Source"] == "action:reboot"
