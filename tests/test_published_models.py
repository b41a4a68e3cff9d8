"""Thing models that Tencent and device makers published, each set up as a user would.

One row a model (`fixtures/published/`, sources in its `manifest.json`). Each model is the one
product of a home with one device, set up against the simulator. Then:

- the setup is clean: no warning but the model's own expected problems, logged once;
- every property is visible: an entity of its own, or a part of the composite entity;
- the composite entity a user expects is there (light, climate, water heater, cover, fan), and
  its writes reach the device with the values the row gives (the simulator checks each write
  against the model);
- the writable properties that are readings are sensors or binary sensors, every other
  writable property is controlled through its entity: a write per entity reaches the device;
- read-only properties are never controls.
"""

from collections.abc import AsyncGenerator, Mapping
import copy
from dataclasses import dataclass, field
import json
import logging
import math
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.mapping import device_mapping
from simulator import CloudSimulator

from .platform_common import (
    DEFAULT_FIXTURE,
    call_service,
    controls_of,
    coordinator_of,
    integration_warnings,
    running_simulator,
    set_up_entry,
    state,
    wait_for,
    wait_for_state,
)

PUBLISHED = Path(__file__).parent / "fixtures" / "published"
MANIFEST = json.loads((PUBLISHED / "manifest.json").read_text(encoding="utf-8"))
PRODUCT = "PUBLISHED0"
DEVICE = f"{PRODUCT}/dev_1"

# Entities that show a reading, and entities that set one property.
READING_DOMAINS = frozenset({"sensor", "binary_sensor"})
CONTROL_DOMAINS = frozenset({"switch", "number", "select", "text", "datetime"})
# Entities not built from properties.
OTHER_DOMAINS = frozenset({"update", "event", "button"})


@dataclass(frozen=True, slots=True)
class Write:
    """A service call on a composite entity, the control it must send, the state it shows."""

    service: str
    data: Mapping[str, Any]
    control: Mapping[str, Any]
    state: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Published:
    """A published model and what a user sees of it."""

    file: str
    # The product's name in the cloud (the templates carry none), and its category.
    name: str
    # Composite entity domain -> the properties it shows.
    composite: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Writable properties that are readings.
    readings: frozenset[str] = frozenset()
    writes: tuple[Write, ...] = ()
    # Problems the model has: logged once, the property kept.
    problems: tuple[str, ...] = ()

    @property
    def template(self) -> dict[str, Any]:
        """The model as published."""
        template: dict[str, Any] = json.loads((PUBLISHED / self.file).read_text(encoding="utf-8"))
        return template


def ids(*names: str) -> frozenset[str]:
    """A set of property ids."""
    return frozenset(names)


MODELS = [
    Published(
        "freepanels_air_conditioner.json",
        "空调 Air Conditioner",
        composite={
            "climate": ids(
                "power_switch",
                "mode",
                "temp_current",
                "humidity_current",
                "humidity_set",
                "fan_speed_enum",
                "switch_vertical",
                "switch_horizontal",
            )
        },
        readings=ids("temp_current_f"),
        writes=(
            Write("climate.set_hvac_mode", {"hvac_mode": "cool"}, {"power_switch": 1}, "cool"),
            Write("climate.set_hvac_mode", {"hvac_mode": "dry"}, {"mode": "arefaction"}, "dry"),
            Write(
                "climate.set_preset_mode",
                {"preset_mode": "ECO"},
                {"mode": "eco"},
                "auto",
                {"preset_mode": "ECO"},
            ),
            Write(
                "climate.set_fan_mode",
                {"fan_mode": "medium"},
                {"fan_speed_enum": "middle"},
                attributes={"fan_mode": "medium"},
            ),
            Write(
                "climate.set_swing_horizontal_mode",
                {"swing_horizontal_mode": "on"},
                {"switch_horizontal": 1},
                attributes={"swing_horizontal_mode": "on"},
            ),
            Write(
                "climate.set_humidity",
                {"humidity": 55},
                {"humidity_set": 55},
                attributes={"humidity": 55},
            ),
        ),
    ),
    Published(
        "freepanels_alarm_host.json",
        "报警主机 Alarm Host",
        readings=ids(
            "battery_state",
            "tamper_alarm",
            "charge_state",
            "tamper_event",
            "sensor_probe",
            "battery_percentage",
        ),
        problems=(
            "property woke_mode: mapping keys 'disarmed', 'arm', 'home', 'sos', 'work', 'play' "
            "are not integers, ignored",
        ),
    ),
    Published(
        "freepanels_blood_pressure_meter.json",
        "血压仪 Blood Pressure Meter",
        readings=ids("battery_percent_age", "systolic_pressure", "disatolic_pressure", "pulse"),
    ),
    Published("freepanels_body_scales.json", "体脂秤 Body Scale", readings=ids("heart_rate")),
    Published(
        "freepanels_body_sensor.json",
        "人体传感器 Body Sensor",
        readings=ids(
            "doorsensor_state",
            "fault_event",
            "pir_state",
            "battery_state",
            "tamper_event",
            "battery_percentage",
        ),
    ),
    Published(
        "freepanels_colour_light_strip.json",
        "彩光灯带 Colour Light Strip",
        composite={
            "light": ids("power_switch", "brightness", "color_temp", "rgb_color", "scene_type")
        },
        writes=(
            Write(
                "light.turn_on",
                {"rgb_color": (255, 0, 0)},
                {"power_switch": 1, "rgb_color": {"red": 255, "green": 0, "blue": 0}},
                "on",
                {"color_mode": "rgb", "rgb_color": (255, 0, 0)},
            ),
            Write(
                "light.turn_on",
                {"color_temp_kelvin": 3000},
                {"color_temp": 3000},
                attributes={"color_mode": "color_temp", "color_temp_kelvin": 3000},
            ),
            Write("light.turn_on", {"effect": "阅读"}, {"scene_type": 5}, "on", {"effect": "阅读"}),
        ),
    ),
    Published(
        "freepanels_curtain_v3.json",
        "电动窗帘 Curtain",
        composite={"cover": ids("mode", "position")},
        writes=(
            Write("cover.set_cover_position", {"position": 30}, {"position": 30}, "open"),
            Write("cover.close_cover", {}, {"mode": 1}),
            Write("cover.stop_cover", {}, {"mode": 2}),
        ),
    ),
    Published(
        "freepanels_dimmer_switch.json",
        "调光开关 Dimmer Switch",
        composite={"light": ids("power_switch", "bright_value")},
        writes=(
            Write(
                "light.turn_on",
                {"brightness": 255},
                {"power_switch": 1, "bright_value": 100},
                "on",
                {"brightness": 255},
            ),
        ),
    ),
    Published(
        "freepanels_electric_fan_v3.json",
        "电风扇 Electric Fan",
        composite={"fan": ids("power_switch", "wind_speed", "working_mode")},
        writes=(
            Write(
                "fan.set_percentage",
                {"percentage": 50},
                {"power_switch": 1, "wind_speed": 50},
                "on",
                {"percentage": 50},
            ),
            Write(
                "fan.set_preset_mode",
                {"preset_mode": "左右摇头"},
                {"working_mode": 1},
                attributes={"preset_mode": "左右摇头"},
            ),
        ),
    ),
    Published(
        "freepanels_fan.json",
        "风扇 Fan",
        composite={"fan": ids("power_switch", "swing", "mode", "windspeed")},
        writes=(
            Write(
                "fan.turn_on",
                {"percentage": 100},
                {"power_switch": 1, "windspeed": "5"},
                "on",
                {"percentage": 100},
            ),
            # The speed's "auto" is a preset, beside the mode's.
            Write(
                "fan.set_preset_mode",
                {"preset_mode": "自动"},
                {"windspeed": "0"},
                attributes={"preset_mode": "自动"},
            ),
            Write(
                "fan.set_preset_mode",
                {"preset_mode": "睡眠风"},
                {"mode": "2"},
                attributes={"preset_mode": "自动"},
            ),
            Write(
                "fan.oscillate", {"oscillating": True}, {"swing": 1}, "on", {"oscillating": True}
            ),
        ),
    ),
    Published(
        "freepanels_fresh_air_fan.json",
        "新风机 Fresh Air Ventilator",
        composite={"fan": ids("power_switch", "windspeed", "mode")},
        readings=ids("air_quality", "temperature"),
        writes=(
            Write(
                "fan.set_percentage",
                {"percentage": 40},
                {"power_switch": 1, "windspeed": "2"},
                "on",
                {"percentage": 40},
            ),
            # The mode has an "auto" too: the speed's is named apart.
            Write("fan.set_preset_mode", {"preset_mode": "自动 (0)"}, {"windspeed": "0"}),
        ),
    ),
    Published(
        "freepanels_gas_alarm.json",
        "燃气报警器 Gas Alarm",
        readings=ids(
            "tamper_alarm",
            "gas_sensor_state",
            "checking_result",
            "Device_fault",
            "battery_state",
            "co_state",
            "gas_sensor_value",
            "battery_percentage",
            "co_value",
        ),
    ),
    Published(
        "freepanels_heater.json",
        "取暖器 Heater",
        composite={"climate": ids("power_switch", "current_c_temp", "swing", "work_mode")},
        readings=ids("work_state"),
        writes=(
            Write("climate.turn_on", {}, {"power_switch": 1}, "heat"),
            Write(
                "climate.set_preset_mode",
                {"preset_mode": "ECO模式"},
                {"work_mode": "2"},
                "heat",
                {"preset_mode": "ECO模式"},
            ),
            Write("climate.set_swing_mode", {"swing_mode": "on"}, {"swing": 1}),
            Write("climate.set_hvac_mode", {"hvac_mode": "off"}, {"power_switch": 0}, "off"),
        ),
    ),
    # No humidifier platform here: its switches, selects and sensors.
    Published("freepanels_humidifier.json", "加湿器 Humidifier"),
    Published(
        "freepanels_laundry_rack.json",
        "晾衣架 Laundry Rack",
        composite={"cover": ids("control", "position"), "light": ids("light_switch")},
        readings=ids("disinfect_left", "drying_left", "air_dry_left"),
        writes=(
            Write("cover.close_cover", {}, {"control": "down"}),
            Write("cover.open_cover", {}, {"control": "up"}),
            Write("light.turn_on", {}, {"light_switch": 1}, "on"),
        ),
    ),
    Published(
        "freepanels_metering_plug.json",
        "电量统计插座 Metering Plug",
        readings=ids("current", "voltage"),
    ),
    Published(
        "freepanels_rgb_light_strip_v4.json",
        "RGB灯带 RGB Light Strip",
        composite={
            "light": ids(
                "power_switch", "brightness", "color_temp", "color_mode", "rgb_color", "scene_type"
            )
        },
        writes=(
            Write(
                "light.turn_on",
                {"rgb_color": (0, 0, 255)},
                {
                    "power_switch": 1,
                    "rgb_color": {"red": 0, "green": 0, "blue": 255},
                    "color_mode": 2,
                },
                "on",
                {"color_mode": "rgb", "rgb_color": (0, 0, 255)},
            ),
            # Its modes: single colour, two colours (white), colour.
            Write(
                "light.turn_on",
                {"color_temp_kelvin": 4000},
                {"color_temp": 4000, "color_mode": 1},
                attributes={"color_mode": "color_temp", "color_temp_kelvin": 4000},
            ),
        ),
    ),
    Published(
        "freepanels_smoke_alarm.json",
        "烟雾报警器 Smoke Alarm",
        readings=ids("tamper_alarm", "battery_state", "smoke_sensor_value", "battery_percentage"),
    ),
    Published(
        "freepanels_table_lamp_v4.json",
        "台灯 Table Lamp",
        composite={"light": ids("power_switch", "brightness", "color_temp")},
        writes=(
            # A relative colour temperature: 0 is warm, 1000 cold.
            Write(
                "light.turn_on",
                {"color_temp_kelvin": 6500},
                {"power_switch": 1, "color_temp": 1000},
                "on",
                {"color_temp_kelvin": 6500},
            ),
        ),
    ),
    Published(
        "freepanels_thermostat.json",
        "温控器 Thermostat",
        composite={"climate": ids("power_switch", "spray_mode", "current_temp")},
        writes=(
            Write(
                "climate.set_hvac_mode",
                {"hvac_mode": "heat"},
                {"power_switch": 1, "spray_mode": "hot"},
                "heat",
            ),
            Write(
                "climate.set_preset_mode",
                {"preset_mode": "节能"},
                {"spray_mode": "energy"},
                "auto",
                {"preset_mode": "节能"},
            ),
        ),
    ),
    Published(
        "freepanels_three_streetlights.json",
        "三路灯 Three-way Light",
        composite={"light": ids("power_switch", "brightness", "scene", "color_value")},
        writes=(
            # Colour as text: an empty one is written as hex.
            Write(
                "light.turn_on",
                {"hs_color": (0, 100)},
                {"power_switch": 1, "color_value": "#ff0000"},
                "on",
                {"hs_color": (0.0, 100.0)},
            ),
            Write("light.turn_on", {"effect": "阅读"}, {"scene": "1"}, "on", {"effect": "阅读"}),
        ),
    ),
    Published(
        "freepanels_water_heater.json",
        "热水器 Water Heater",
        composite={"water_heater": ids("power_switch", "mode", "temp_current", "temp_set")},
        readings=ids("work_state", "water_quality"),
        writes=(
            Write(
                "water_heater.set_operation_mode",
                {"operation_mode": "ECO模式"},
                {"power_switch": 1, "mode": "eco"},
                "ECO模式",
            ),
            Write("water_heater.turn_off", {}, {"power_switch": 0}, "off"),
        ),
    ),
    Published(
        "freepanels_white_lamp.json",
        "双色冷暖灯 White Lamp",
        composite={
            "light": ids(
                "switch_led", "bright_value", "temp_value", "work_mode", "colour_data", "scene_data"
            )
        },
        writes=(
            Write(
                "light.turn_on",
                {"color_temp_kelvin": 6500},
                {"switch_led": 1, "temp_value": 1000},
                "on",
                {"color_mode": "color_temp", "color_temp_kelvin": 6500},
            ),
            Write(
                "light.turn_on",
                {"hs_color": (120, 100)},
                {"colour_data": "#00ff00", "work_mode": "colour"},
                "on",
                {"color_mode": "hs", "hs_color": (120.0, 100.0)},
            ),
        ),
    ),
    Published(
        "freepanels_white_light.json",
        "白光灯 White Light",
        composite={"light": ids("power_switch", "brightness", "scene")},
        writes=(
            Write(
                "light.turn_on",
                {"brightness": 255},
                {"power_switch": 1, "brightness": 100},
                "on",
                {"brightness": 255},
            ),
        ),
    ),
    Published(
        "mesh_sdk_light.json",
        "Mesh 灯 Mesh Light",
        composite={
            "light": ids(
                "_mesh_generic_onoff",
                "_mesh_light_color_temperature",
                "_mesh_light_lightness",
                "_mesh_light_hsl",
            )
        },
        writes=(
            # [lightness, hue, saturation] on 0-65535: half lightness is the pure colour.
            Write(
                "light.turn_on",
                {"hs_color": (240, 100)},
                {"_mesh_generic_onoff": 1, "_mesh_light_hsl": [32768, 43690, 65535]},
                "on",
                {"color_mode": "hs", "hs_color": (240.0, 100.0)},
            ),
            Write(
                "light.turn_on",
                {"color_temp_kelvin": 3000},
                {"_mesh_light_color_temperature": 3000},
                attributes={"color_mode": "color_temp", "color_temp_kelvin": 3000},
            ),
            Write(
                "light.turn_on",
                {"brightness": 255},
                {"_mesh_light_lightness": 65535},
                attributes={"brightness": 255},
            ),
        ),
    ),
    Published(
        "sdk_c_example_light.json",
        "智能灯 Smart Light",
        composite={"light": ids("power_switch", "brightness")},
        writes=(
            Write(
                "light.turn_on",
                {"brightness": 255},
                {"power_switch": 1, "brightness": 100},
                "on",
                {"brightness": 255},
            ),
        ),
        problems=("action blink: member period: step 'undefined' is not a number, ignored",),
    ),
]


def test_every_published_model_has_a_row() -> None:
    """The table covers the manifest, model for model."""
    assert sorted(model.file for model in MODELS) == sorted(
        entry["file"] for entry in MANIFEST["models"]
    )


def home_of(model: Published) -> dict[str, Any]:
    """The default home's app, users and families, with the model's product as its one device."""
    home: dict[str, Any] = copy.deepcopy(json.loads(DEFAULT_FIXTURE.read_text(encoding="utf-8")))
    family = home["Families"][0]
    profile = model.template.get("profile") or {}
    home["Products"] = [
        {
            "ProductId": PRODUCT,
            "Name": model.name,
            "Description": "",
            "CategoryId": int(profile.get("CategoryId", 0)),
            "ProductType": 0,
            "NetType": "wifi",
            "DataTemplate": model.template,
        }
    ]
    home["Devices"] = [
        {
            "ProductId": PRODUCT,
            "DeviceName": DEVICE.split("/")[1],
            "AliasName": model.name,
            "FamilyId": family["FamilyId"],
            "RoomId": family["RoomList"][0]["RoomId"],
            "DeviceType": 0,
            "Online": 1,
            "FwVersion": "1.0.0",
            "IconUrl": "",
            "Data": {},
        }
    ]
    home["Scenes"], home["Automations"], home["Timers"] = [], [], []
    return home


@pytest.fixture(params=MODELS, ids=[model.file.removesuffix(".json") for model in MODELS])
def model(request: pytest.FixtureRequest) -> Published:
    """One published model."""
    published: Published = request.param
    return published


@pytest.fixture
async def sim(socket_enabled: None, model: Published) -> AsyncGenerator[CloudSimulator]:
    """A home with the model's one device."""
    async with running_simulator(home_of(model)) as simulator:
        yield simulator


async def write_through(hass: HomeAssistant, sim: CloudSimulator, domain: str, entity: str) -> None:
    """Change a simple control's value as a user would."""
    current = state(hass, entity)
    if domain == "switch":
        await call_service(hass, f"switch.turn_{'off' if current.state == 'on' else 'on'}", entity)
    elif domain == "select":
        options = current.attributes["options"]
        option = options[1] if current.state == options[0] and len(options) > 1 else options[0]
        await call_service(hass, "select.select_option", entity, option=option)
    elif domain == "number":
        # A whole number in the unit shown: 1 °C above the minimum of a °F setting is 1.8 °F.
        low, high = current.attributes["min"], current.attributes["max"]
        value = math.floor(low) + 1 if math.floor(low) + 1 <= high else high
        await call_service(hass, "number.set_value", entity, value=value)
    else:
        assert domain == "text", entity
        await call_service(hass, "text.set_value", entity, value="ok")


async def test_published_model(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    model: Published,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The model sets up cleanly, shows every property, and every control reaches the device."""
    caplog.set_level(logging.WARNING)
    await set_up_entry(hass, config_entry)
    expected_warnings = [
        f"Thing model of product {PRODUCT}: {problem}" for problem in model.problems
    ]
    assert integration_warnings(caplog) == expected_warnings

    registry = er.async_get(hass)
    entities = {
        entry.unique_id.removeprefix(f"{DEVICE}/"): entry
        for entry in er.async_entries_for_config_entry(registry, config_entry.entry_id)
        if entry.unique_id.startswith(f"{DEVICE}/") and entry.domain not in OTHER_DOMAINS
    }
    properties = coordinator_of(config_entry).devices[DEVICE].product.thing_model.properties
    mapping = device_mapping(coordinator_of(config_entry).devices[DEVICE].product)

    # The composite entities a user expects, and the properties they show.
    composites = {
        description.key: description.property_ids
        for field_name in ("lights", "climates", "covers", "fans", "water_heaters")
        for description in getattr(mapping, field_name)
    }
    assert composites == model.composite
    for domain in model.composite:
        assert entities[domain].domain == domain
    shown = {prop for props in composites.values() for prop in props}

    # Every other property has an entity of its own: a reading, or a control of a writable one.
    assert set(entities) - set(composites) == set(properties) - shown
    for prop_id, prop in properties.items():
        if prop_id in shown:
            continue
        domain = entities[prop_id].domain
        is_structured = prop.define.kind in ("struct", "array")
        if not prop.writable or prop_id in model.readings or is_structured:
            assert domain in READING_DOMAINS, (prop_id, domain)
        else:
            assert domain in CONTROL_DOMAINS, (prop_id, domain)
    assert model.readings <= {p for p, prop in properties.items() if prop.writable}

    await sim.wait_for_subscription(DEVICE)
    for write in model.writes:
        domain = write.service.split(".")[0]
        entity = entities[domain].entity_id
        await call_service(hass, write.service, entity, **write.data)
        assert controls_of(sim, DEVICE)[-1] == write.control, write
        await wait_for_state(hass, entity, write.state, **write.attributes)

    for prop_id, entry in entities.items():
        if entry.domain not in CONTROL_DOMAINS or entry.disabled_by is not None:
            continue
        await write_through(hass, sim, entry.domain, entry.entity_id)
        assert prop_id in controls_of(sim, DEVICE)[-1], prop_id

    # Problems are logged once a product: a second device of it adds none.
    if model.problems:
        await sim.add_device(PRODUCT, "dev_2")
        await wait_for(hass, lambda: f"{PRODUCT}/dev_2" in coordinator_of(config_entry).devices)
    assert integration_warnings(caplog) == expected_warnings
