"""Passes 2 and 3: one entity per property, from standard ids first, then from the type.

A reading marked writable is shown as a reading (see `readings.py`). Also the entities of
thing-model events and actions.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
import re
from typing import Any, Final, cast

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.event import EventDeviceClass
from homeassistant.components.number import NumberDeviceClass
from homeassistant.components.number.const import DEVICE_CLASS_UNITS as NUMBER_DEVICE_CLASS_UNITS
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.components.sensor.const import (
    DEVICE_CLASS_STATE_CLASSES,
    DEVICE_CLASS_UNITS as SENSOR_DEVICE_CLASS_UNITS,
)
from homeassistant.const import (
    LIGHT_LUX,
    MAX_LENGTH_STATE_STATE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfDensity,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfRatio,
    UnitOfTemperature,
)
from homeassistant.helpers.typing import UNDEFINED, UndefinedType

from custom_components.tencent_iot.api import (
    Action,
    ArrayDefine,
    BoolDefine,
    EnumDefine,
    Event,
    NumberDefine,
    Property,
    StringDefine,
    StringEnumDefine,
    StructDefine,
    ThingModel,
    TimestampDefine,
)

from .common import POWER_IDS, options
from .descriptions import (
    TencentIoTBinarySensorEntityDescription,
    TencentIoTButtonEntityDescription,
    TencentIoTDateTimeEntityDescription,
    TencentIoTEntityDescription,
    TencentIoTEventEntityDescription,
    TencentIoTNumberEntityDescription,
    TencentIoTSelectEntityDescription,
    TencentIoTSensorEntityDescription,
    TencentIoTSwitchEntityDescription,
    TencentIoTTextEntityDescription,
    structured_attributes,
    structured_value,
    timestamp_value,
)
from .icons import icon_key_for
from .readings import looks_like_reading, state_value_fn
from .units import UNIT_DEVICE_CLASSES, ha_unit

type PropertyRule = Callable[[Property], TencentIoTEntityDescription | None]


def _by_ids[D](table: Iterable[tuple[tuple[str, ...], D]]) -> dict[str, D]:
    return {prop_id: template for ids, template in table for prop_id in ids}


# Pass 2 templates. A template's key is replaced by the property id; its unit is the
# default when the model gives none.
STANDARD_SENSORS: Final = _by_ids(
    [
        (
            ("current_temp", "temp_current", "temperature", "indoor_temp", "room_temp", "temp"),
            TencentIoTSensorEntityDescription(
                key="temperature",
                translation_key="temperature",
                device_class=SensorDeviceClass.TEMPERATURE,
                native_unit_of_measurement=UnitOfTemperature.CELSIUS,
                state_class=SensorStateClass.MEASUREMENT,
            ),
        ),
        (
            ("current_humidity", "humidity", "humidity_current"),
            TencentIoTSensorEntityDescription(
                key="humidity",
                translation_key="humidity",
                device_class=SensorDeviceClass.HUMIDITY,
                native_unit_of_measurement=UnitOfRatio.PERCENTAGE,
                state_class=SensorStateClass.MEASUREMENT,
            ),
        ),
        (
            (
                "battery",
                "battery_percentage",
                "battery_level",
                "battery_value",
                "battery_percent",
                # Tencent's blood pressure meter and BLE mesh standard ids.
                "battery_percent_age",
                "_mesh_generic_power_percent",
            ),
            TencentIoTSensorEntityDescription(
                key="battery",
                translation_key="battery",
                device_class=SensorDeviceClass.BATTERY,
                native_unit_of_measurement=UnitOfRatio.PERCENTAGE,
                state_class=SensorStateClass.MEASUREMENT,
                entity_category=EntityCategory.DIAGNOSTIC,
            ),
        ),
        (
            ("power", "cur_power", "current_power", "active_power"),
            TencentIoTSensorEntityDescription(
                key="power",
                translation_key="power",
                device_class=SensorDeviceClass.POWER,
                native_unit_of_measurement=UnitOfPower.WATT,
                state_class=SensorStateClass.MEASUREMENT,
            ),
        ),
        (
            ("voltage", "cur_voltage", "current_voltage"),
            TencentIoTSensorEntityDescription(
                key="voltage",
                translation_key="voltage",
                device_class=SensorDeviceClass.VOLTAGE,
                native_unit_of_measurement=UnitOfElectricPotential.VOLT,
                state_class=SensorStateClass.MEASUREMENT,
            ),
        ),
        (
            ("current", "cur_current", "electric_current"),
            TencentIoTSensorEntityDescription(
                key="current",
                translation_key="current",
                device_class=SensorDeviceClass.CURRENT,
                native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
                state_class=SensorStateClass.MEASUREMENT,
            ),
        ),
        (
            ("energy", "electricity", "total_energy", "add_ele", "power_consumption"),
            TencentIoTSensorEntityDescription(
                key="energy",
                translation_key="energy",
                device_class=SensorDeviceClass.ENERGY,
                native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
                state_class=SensorStateClass.TOTAL_INCREASING,
            ),
        ),
        (
            ("pm25", "pm2_5", "pm25_value"),
            TencentIoTSensorEntityDescription(
                key="pm25",
                translation_key="pm25",
                device_class=SensorDeviceClass.PM25,
                native_unit_of_measurement=UnitOfDensity.MICROGRAMS_PER_CUBIC_METER,
                state_class=SensorStateClass.MEASUREMENT,
            ),
        ),
        (
            ("pm10", "pm10_value"),
            TencentIoTSensorEntityDescription(
                key="pm10",
                translation_key="pm10",
                device_class=SensorDeviceClass.PM10,
                native_unit_of_measurement=UnitOfDensity.MICROGRAMS_PER_CUBIC_METER,
                state_class=SensorStateClass.MEASUREMENT,
            ),
        ),
        (
            ("co2", "co2_value"),
            TencentIoTSensorEntityDescription(
                key="co2",
                translation_key="co2",
                device_class=SensorDeviceClass.CO2,
                native_unit_of_measurement=UnitOfRatio.PARTS_PER_MILLION,
                state_class=SensorStateClass.MEASUREMENT,
            ),
        ),
        (
            ("illumination", "illuminance", "lux", "light_intensity"),
            TencentIoTSensorEntityDescription(
                key="illuminance",
                translation_key="illuminance",
                device_class=SensorDeviceClass.ILLUMINANCE,
                native_unit_of_measurement=LIGHT_LUX,
                state_class=SensorStateClass.MEASUREMENT,
            ),
        ),
        (
            ("signal", "rssi", "signal_strength", "wifi_signal"),
            TencentIoTSensorEntityDescription(
                key="signal_strength",
                translation_key="signal_strength",
                device_class=SensorDeviceClass.SIGNAL_STRENGTH,
                native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
                state_class=SensorStateClass.MEASUREMENT,
                entity_category=EntityCategory.DIAGNOSTIC,
                entity_registry_enabled_default=False,
            ),
        ),
    ]
)

STANDARD_BINARY_SENSORS: Final = _by_ids(
    [
        (
            (
                "contact_state",
                "door_state",
                "doorcontact_state",
                "doorsensor_state",
                "door_contact",
                "contact",
            ),
            TencentIoTBinarySensorEntityDescription(
                key="contact",
                translation_key="contact",
                device_class=BinarySensorDeviceClass.DOOR,
            ),
        ),
        (
            ("motionAlarm_state", "motion_state", "motion_alarm", "pir_state", "motion"),
            TencentIoTBinarySensorEntityDescription(
                key="motion",
                translation_key="motion",
                device_class=BinarySensorDeviceClass.MOTION,
            ),
        ),
        (
            ("smoke_sensor_state", "smoke_state", "smoke_alarm", "smoke"),
            TencentIoTBinarySensorEntityDescription(
                key="smoke",
                translation_key="smoke",
                device_class=BinarySensorDeviceClass.SMOKE,
            ),
        ),
        (
            ("water_leak", "watersensor_state", "water_leak_state", "flood_state", "leak_state"),
            TencentIoTBinarySensorEntityDescription(
                key="moisture",
                translation_key="moisture",
                device_class=BinarySensorDeviceClass.MOISTURE,
            ),
        ),
        (
            ("gas_sensor_state", "gas_state", "gas_alarm"),
            TencentIoTBinarySensorEntityDescription(
                key="gas",
                translation_key="gas",
                device_class=BinarySensorDeviceClass.GAS,
            ),
        ),
        (
            ("co_state", "co_alarm", "co_sensor_state"),
            TencentIoTBinarySensorEntityDescription(
                key="carbon_monoxide",
                translation_key="carbon_monoxide",
                device_class=BinarySensorDeviceClass.CO,
            ),
        ),
        (
            ("charge_state", "charging_state", "charging"),
            TencentIoTBinarySensorEntityDescription(
                key="battery_charging",
                translation_key="battery_charging",
                device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
                entity_category=EntityCategory.DIAGNOSTIC,
            ),
        ),
        (
            ("battery_low", "low_battery", "battery_state", "low_power"),
            TencentIoTBinarySensorEntityDescription(
                key="battery_low",
                translation_key="battery_low",
                device_class=BinarySensorDeviceClass.BATTERY,
                entity_category=EntityCategory.DIAGNOSTIC,
            ),
        ),
        (
            ("tamper_alarm", "tamper", "tamper_state", "tamper_event"),
            TencentIoTBinarySensorEntityDescription(
                key="tamper",
                translation_key="tamper",
                device_class=BinarySensorDeviceClass.TAMPER,
                entity_category=EntityCategory.DIAGNOSTIC,
            ),
        ),
    ]
)

# Standard ids of states that are readings even when marked writable: a sensor by their type.
STANDARD_READINGS: Final = frozenset({"work_state", "filter_state", "running_state", "air_quality"})

STANDARD_SWITCHES: Final = dict.fromkeys(
    POWER_IDS, TencentIoTSwitchEntityDescription(key="power", translation_key="power")
)
# switch_1 … switch_n: one switch per channel, named as the model names it.
CHANNEL_SWITCH: Final = re.compile(r"switch_?\d+")
CHANNEL_SWITCH_TEMPLATE: Final = TencentIoTSwitchEntityDescription(
    key="channel", translation_key="channel"
)

# Settings made once when the device is installed: configuration entities with their own
# names and icons. A row applies only when the type makes the entity of its platform.
STANDARD_SETTINGS: Final[dict[str, tuple[type[TencentIoTEntityDescription], str]]] = _by_ids(
    [
        (
            ("motor_reverse", "reverse", "motor_direction"),
            (TencentIoTSwitchEntityDescription, "motor_reverse"),
        ),
        (("motor_speed",), (TencentIoTNumberEntityDescription, "motor_speed")),
        (("eq_level", "eq", "equalizer"), (TencentIoTNumberEntityDescription, "equalizer")),
        (
            ("indicator_mode", "led_mode", "indicator_status"),
            (TencentIoTSelectEntityDescription, "indicator_mode"),
        ),
        (
            ("indicator_light", "indicator", "indicator_switch", "led_switch"),
            (TencentIoTSwitchEntityDescription, "indicator_light"),
        ),
        (("permit_join", "allow_join"), (TencentIoTSwitchEntityDescription, "permit_join")),
        (("child_lock", "childlock"), (TencentIoTSwitchEntityDescription, "child_lock")),
    ]
)
# The fallback pass's rule for the rest: a writable property whose id has one of these words.
SETTING_ID: Final = re.compile(
    r"(^|_)(reverse|reversed|direction|indicator|backlight|child_?lock|permit_join|eq|"
    r"equalizer|calibration|sensitivity|motor)(_|$)",
    re.IGNORECASE,
)

# A plug's or a power strip's switches are outlets: its product is named so, or it meters.
PLUG_NAME: Final = re.compile(r"插座|排插|plug|socket|outlet", re.IGNORECASE)
METERING_IDS: Final = frozenset(
    prop_id
    for prop_id, template in STANDARD_SENSORS.items()
    if template.device_class
    in {SensorDeviceClass.POWER, SensorDeviceClass.ENERGY, SensorDeviceClass.CURRENT}
)
OUTLET_TRANSLATION_KEYS: Final = frozenset({"power", "channel"})

# Entities that are the whole point of a device: when a device has exactly one of them and
# nothing built from several properties, it takes the device's name.
MAIN_TRANSLATION_KEYS: Final[dict[type[TencentIoTEntityDescription], frozenset[str]]] = {
    TencentIoTSwitchEntityDescription: frozenset({"power"}),
    TencentIoTBinarySensorEntityDescription: frozenset(
        {"contact", "motion", "smoke", "moisture", "gas", "carbon_monoxide"}
    ),
}

# Read-only values about the device rather than what it does.
DIAGNOSTIC_ID: Final = re.compile(
    r"(^|_)(version|ver|firmware|fw|mac|ip|ssid|bssid|rssi|signal|wifi|severip|nmacs|sn|"
    r"serial|error|err|fault|uptime|zigbee)(_|$|code)",
    re.IGNORECASE,
)
# Numbers that name or count something rather than measure it (an id, a code, how many
# boots): no long-term statistics of them.
UNMEASURED_ID: Final = re.compile(r"(^|_)(id|code|seq|count|counter|times)(_|$)", re.IGNORECASE)

EVENT_TRANSLATION_KEYS: Final = frozenset({"info", "alert", "fault"})
# Events whose id is its own translation key: the translations name the entity and, under
# state_attributes.event_type, the event type, so the frontend shows no raw id. The model's
# names of other events vary by product and cannot be translations.
STANDARD_EVENTS: Final = frozenset(
    {"tamper_alarm", "low_battery", "smoke_alert", "overload", "sensor_fault"}
)
EVENT_DEVICE_CLASSES: Final[tuple[tuple[re.Pattern[str], EventDeviceClass], ...]] = (
    (re.compile(r"doorbell|ring", re.IGNORECASE), EventDeviceClass.DOORBELL),
    (re.compile(r"button|key_?press|click", re.IGNORECASE), EventDeviceClass.BUTTON),
)


def _fitting[C: str](
    device_class: C | None,
    unit: str | None,
    units: Mapping[C, set[Any]],
) -> C | None:
    """The device class, if it accepts the unit."""
    if device_class is None:
        return None
    allowed = units.get(device_class)
    return device_class if allowed is None or unit in allowed else None


def _state_class(prop: Property, device_class: SensorDeviceClass | None) -> SensorStateClass | None:
    """A measurement, or a total for a device class that only counts up (energy).

    Statistics are kept only for readings: an identity (a version, an error code) or a number
    that names or counts something (an id, a code, how many boots) gets none. A reading without a unit (an air quality
    index, a level) is still a measurement: without a state class, Home Assistant would draw it
    as text instead of a graph.
    """
    if _diagnostic(prop) or UNMEASURED_ID.search(prop.id):
        return None
    allowed = DEVICE_CLASS_STATE_CLASSES.get(device_class) if device_class else None
    if allowed is None or SensorStateClass.MEASUREMENT in allowed:
        return SensorStateClass.MEASUREMENT
    return SensorStateClass.TOTAL_INCREASING


def _diagnostic(prop: Property) -> EntityCategory | None:
    if not prop.writable and DIAGNOSTIC_ID.search(prop.id):
        return EntityCategory.DIAGNOSTIC
    return None


def _sensor_category(prop: Property) -> dict[str, Any]:
    """A diagnostic reading (firmware, address, error code) is disabled until asked for."""
    if (category := _diagnostic(prop)) is None:
        return {}
    return {"entity_category": category, "entity_registry_enabled_default": False}


def _unit(prop: Property) -> str | None:
    define = prop.define
    return ha_unit(define.unit) if isinstance(define, NumberDefine) else None


# Pass 2: standard ids.


def standard_sensor(prop: Property) -> TencentIoTEntityDescription | None:
    """A number with a standard id (writable or not): device class, unit, state class."""
    template = STANDARD_SENSORS.get(prop.id)
    if template is None or not isinstance(prop.define, NumberDefine):
        return None
    unit = _unit(prop) or template.native_unit_of_measurement
    return replace(
        template,
        key=prop.id,
        native_unit_of_measurement=unit,
        device_class=_fitting(template.device_class, unit, SENSOR_DEVICE_CLASS_UNITS),
    )


def standard_binary_sensor(prop: Property) -> TencentIoTEntityDescription | None:
    """A bool, enum or string enum with a standard id (writable or not).

    An enum is on for its options that mean an alarm, a presence, an opening (else when not 0).
    """
    template = STANDARD_BINARY_SENSORS.get(prop.id)
    if template is None or not isinstance(prop.define, BoolDefine | EnumDefine | StringEnumDefine):
        return None
    if (value_fn := state_value_fn(prop)) is not None:
        return replace(template, key=prop.id, value_fn=value_fn)
    return replace(template, key=prop.id)


def reading(prop: Property) -> TencentIoTEntityDescription | None:
    """A writable property that is a reading: the entity of its read-only counterpart."""
    if not prop.writable or not (prop.id in STANDARD_READINGS or looks_like_reading(prop)):
        return None
    return fallback(replace(prop, mode="r"))


def standard_switch(prop: Property) -> TencentIoTEntityDescription | None:
    """power_switch, and switch_1 … switch_n named by the model."""
    if not prop.writable or not isinstance(prop.define, BoolDefine):
        return None
    if (template := STANDARD_SWITCHES.get(prop.id)) is not None:
        return replace(template, key=prop.id)
    if CHANNEL_SWITCH.fullmatch(prop.id):
        return replace(CHANNEL_SWITCH_TEMPLATE, key=prop.id, name=prop.name)
    return None


# Pass 3: the type decides.


def _switch(prop: Property) -> TencentIoTEntityDescription:
    return TencentIoTSwitchEntityDescription(key=prop.id, name=prop.name)


def _binary_sensor(prop: Property) -> TencentIoTEntityDescription:
    return TencentIoTBinarySensorEntityDescription(
        key=prop.id, name=prop.name, entity_category=_diagnostic(prop)
    )


def _select(prop: Property) -> TencentIoTEntityDescription:
    option_keys = options(prop)
    return TencentIoTSelectEntityDescription(
        key=prop.id, name=prop.name, options=list(option_keys), option_keys=option_keys
    )


def _enum_sensor(prop: Property) -> TencentIoTEntityDescription:
    labels = {key: label for label, key in options(prop).items()}
    return TencentIoTSensorEntityDescription(
        key=prop.id,
        name=prop.name,
        device_class=SensorDeviceClass.ENUM,
        options=list(labels.values()),
        value_fn=labels.get,
        **_sensor_category(prop),
    )


def _number(prop: Property) -> TencentIoTEntityDescription:
    define = cast(NumberDefine, prop.define)  # the fallback table guarantees it
    unit = _unit(prop)
    device_class = UNIT_DEVICE_CLASSES.get(unit or "")
    return TencentIoTNumberEntityDescription(
        key=prop.id,
        name=prop.name,
        native_min_value=define.min if define.min is not None else 0,
        native_max_value=define.max if define.max is not None else 100,
        native_step=define.step or (1 if define.kind == "int" else None),
        integer=define.kind == "int",
        native_unit_of_measurement=unit,
        device_class=_fitting(
            NumberDeviceClass(device_class) if device_class else None,
            unit,
            NUMBER_DEVICE_CLASS_UNITS,
        ),
    )


def _sensor(prop: Property) -> TencentIoTEntityDescription:
    unit = _unit(prop)
    device_class = UNIT_DEVICE_CLASSES.get(unit or "")
    fitting = _fitting(
        SensorDeviceClass(device_class) if device_class else None,
        unit,
        SENSOR_DEVICE_CLASS_UNITS,
    )
    return TencentIoTSensorEntityDescription(
        key=prop.id,
        name=prop.name,
        native_unit_of_measurement=unit,
        device_class=fitting,
        state_class=_state_class(prop, fitting),
        **_sensor_category(prop),
    )


def _text(prop: Property) -> TencentIoTEntityDescription:
    define = prop.define
    high = define.max_length if isinstance(define, StringDefine) else None
    return TencentIoTTextEntityDescription(
        key=prop.id,
        name=prop.name,
        # A device may report a value shorter than the model's minimum: never enforce it.
        native_min=0,
        native_max=min(high, MAX_LENGTH_STATE_STATE) if high else MAX_LENGTH_STATE_STATE,
    )


def _string_sensor(prop: Property) -> TencentIoTEntityDescription:
    return TencentIoTSensorEntityDescription(key=prop.id, name=prop.name, **_sensor_category(prop))


def _timestamp_sensor(prop: Property) -> TencentIoTEntityDescription:
    return TencentIoTSensorEntityDescription(
        key=prop.id,
        name=prop.name,
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=timestamp_value,
        **_sensor_category(prop),
    )


def _datetime(prop: Property) -> TencentIoTEntityDescription:
    return TencentIoTDateTimeEntityDescription(key=prop.id, name=prop.name)


def _structured_sensor(prop: Property) -> TencentIoTEntityDescription:
    return TencentIoTSensorEntityDescription(
        key=prop.id,
        name=prop.name,
        value_fn=structured_value,
        attributes_fn=structured_attributes,
        entity_registry_enabled_default=False,
        entity_category=_diagnostic(prop),
    )


# Entities that set a value, and so can be settings; sensors cannot be configuration entities.
SETTABLE: Final = (
    TencentIoTSwitchEntityDescription,
    TencentIoTNumberEntityDescription,
    TencentIoTSelectEntityDescription,
    TencentIoTTextEntityDescription,
    TencentIoTDateTimeEntityDescription,
)

# (define class, writable) -> builder.
FALLBACK: Final[dict[tuple[type, bool], Callable[[Property], TencentIoTEntityDescription]]] = {
    (BoolDefine, True): _switch,
    (BoolDefine, False): _binary_sensor,
    (EnumDefine, True): _select,
    (EnumDefine, False): _enum_sensor,
    (StringEnumDefine, True): _select,
    (StringEnumDefine, False): _enum_sensor,
    (NumberDefine, True): _number,
    (NumberDefine, False): _sensor,
    (StringDefine, True): _text,
    (StringDefine, False): _string_sensor,
    (TimestampDefine, True): _datetime,
    (TimestampDefine, False): _timestamp_sensor,
    (StructDefine, True): _structured_sensor,
    (StructDefine, False): _structured_sensor,
    (ArrayDefine, True): _structured_sensor,
    (ArrayDefine, False): _structured_sensor,
}


# Device classes the frontend shows no icon of their own for: an id word may give one.
_ICONLESS_CLASSES: Final = frozenset({None, SensorDeviceClass.ENUM})


def fallback(prop: Property) -> TencentIoTEntityDescription | None:
    """The entity the property's type and mode call for; a setting's is a configuration entity."""
    builder = FALLBACK.get((type(prop.define), prop.writable))
    if builder is None:
        return None
    description = builder(prop)
    if description.device_class in _ICONLESS_CLASSES and (icon_key := icon_key_for(prop.id)):
        description = replace(description, translation_key=icon_key)
    if isinstance(description, SETTABLE) and SETTING_ID.search(prop.id):
        return replace(description, entity_category=EntityCategory.CONFIG)
    return description


def standard_setting(prop: Property) -> TencentIoTEntityDescription | None:
    """A setting with a standard id: a configuration entity with its own name and icon."""
    row = STANDARD_SETTINGS.get(prop.id)
    if row is None or (description := fallback(prop)) is None:
        return None
    platform, translation_key = row
    if not isinstance(description, platform):
        return None
    return replace(
        description,
        translation_key=translation_key,
        name=UNDEFINED,
        entity_category=EntityCategory.CONFIG,
    )


# Tried in this order for each property that no whole-device rule took.
PROPERTY_RULES: Final[tuple[PropertyRule, ...]] = (
    standard_sensor,
    standard_binary_sensor,
    reading,
    standard_switch,
    standard_setting,
    fallback,
)


def is_outlet(model: ThingModel, product_name: str) -> bool:
    """Whether the device's power switches switch sockets: it meters electricity, or says so."""
    return bool(PLUG_NAME.search(product_name)) or any(
        prop_id in METERING_IDS and not prop.writable for prop_id, prop in model.properties.items()
    )


def event_description(event: Event) -> TencentIoTEventEntityDescription:
    """An event entity whose one event type is the event's id.

    A standard event is named by the translations, its event type too. Any other event is
    named as the model names it, and its icon follows the event's type (info, alert, fault).
    """
    device_class = next(
        (cls for pattern, cls in EVENT_DEVICE_CLASSES if pattern.search(event.id)), None
    )
    if event.id in STANDARD_EVENTS:
        translation_key: str | None = event.id
        name: str | UndefinedType = UNDEFINED
    else:
        translation_key = event.type if event.type in EVENT_TRANSLATION_KEYS else None
        name = event.name
    return TencentIoTEventEntityDescription(
        key=event.id,
        name=name,
        translation_key=translation_key,
        device_class=device_class,
        event_types=[event.id],
        event=event,
    )


def action_description(action: Action) -> TencentIoTButtonEntityDescription | None:
    """A button for an action without input parameters."""
    if action.input:
        return None
    return TencentIoTButtonEntityDescription(
        key=action.id, name=action.name, translation_key="action"
    )
