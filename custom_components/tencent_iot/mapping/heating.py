"""Whole-device rules of air conditioners, thermostats, heaters and water heaters.

A climate needs a target temperature with a power switch or a mode that names HVAC modes (in
Chinese or English: 制冷/cold/cool, 制热/hot/warm/heat, 除湿/dry, 送风/wind/fan, 自动/auto).
A model may say its target is read-only: the climate is built all the same (its modes and
fan still work) and the target stays a sensor of its own. A heater (by its product name) is a
climate with heat only; a water heater (by its name or its water properties) is a water heater.
"""

from collections.abc import Sequence
import re
from typing import Final

from homeassistant.components.climate.const import (
    FAN_AUTO,
    FAN_HIGH,
    FAN_LOW,
    FAN_MEDIUM,
    ClimateEntityFeature,
    HVACMode,
)
from homeassistant.components.water_heater.const import WaterHeaterEntityFeature
from homeassistant.const import UnitOfTemperature

from custom_components.tencent_iot.api import NumberDefine, Property

from .common import (
    POWER_IDS,
    DeviceMatch,
    Properties,
    classify,
    classify_keys,
    find_choice,
    find_number,
    find_switch,
    id_words,
    options,
    scale,
)
from .descriptions import (
    Key,
    TencentIoTClimateEntityDescription,
    TencentIoTWaterHeaterEntityDescription,
)
from .units import ha_unit

# Target temperatures, writable or not; a writable one wins.
TARGET_IDS: Final = (
    "temp_set",
    "target_temp",
    "set_temp",
    "target_temperature",
    "temp_target",
    "target_c_temp",
    "set_temperature",
)
# Ids that are a target only beside HVAC modes (elsewhere they are readings).
MODE_TARGET_IDS: Final = ("Temperature", "temperature")
CURRENT_IDS: Final = (
    "temp_current",
    "current_temp",
    "current_c_temp",
    "indoor_temp",
    "room_temp",
    "temperature",
)
CURRENT_HUMIDITY_IDS: Final = ("current_humidity", "humidity_current", "humidity")
TARGET_HUMIDITY_IDS: Final = ("humidity_set", "target_humidity", "set_humidity")
MODE_IDS: Final = ("mode", "work_mode", "ac_mode", "spray_mode", "Mode", "run_mode")
PRESET_IDS: Final = ("work_mode", "mode", "preset", "preset_mode")
FAN_IDS: Final = (
    "fan_speed",
    "fan_speed_enum",
    "wind_speed",
    "windspeed",
    "fan_mode",
    "Wind",
    "wind",
    "fan_level",
)
SWING_IDS: Final = ("swing", "swing_switch", "wind_swing", "switch_vertical", "swing_vertical")
SWING_HORIZONTAL_IDS: Final = ("switch_horizontal", "swing_horizontal")
WATER_HEATER_MODE_IDS: Final = ("mode", "work_mode", "heat_mode")

# Products named so are heaters or water heaters (the names of Tencent's categories, and
# what makers call them).
HEATER_NAME: Final = re.compile(r"取暖|暖风|电暖|油汀|加热器|heater|radiator", re.IGNORECASE)
WATER_HEATER_NAME: Final = re.compile(r"热水器|water.?heater|boiler", re.IGNORECASE)
WATER_WORDS: Final = frozenset({"water", "tank"})

# Label keywords (matched case-insensitively, first row wins).
HVAC_KEYWORDS: Final[Sequence[tuple[HVACMode, tuple[str, ...]]]] = (
    (HVACMode.COOL, ("cool", "cold", "制冷", "冷")),
    (HVACMode.HEAT, ("heat", "hot", "warm", "制热", "加热", "热", "暖")),
    (HVACMode.DRY, ("dry", "dehumid", "arefaction", "除湿", "抽湿", "干燥")),
    (HVACMode.FAN_ONLY, ("fan", "wind", "vent", "送风", "通风", "出风")),
    (HVACMode.AUTO, ("auto", "自动", "智能")),
)
FAN_MODE_KEYS: Final = {
    "auto": FAN_AUTO,
    "low": FAN_LOW,
    "mid": FAN_MEDIUM,
    "middle": FAN_MEDIUM,
    "medium": FAN_MEDIUM,
    "high": FAN_HIGH,
}
FAN_MODE_KEYWORDS: Final[Sequence[tuple[str, tuple[str, ...]]]] = (
    (FAN_AUTO, ("auto", "自动")),
    (FAN_LOW, ("low", "低", "小")),
    (FAN_MEDIUM, ("medium", "mid", "中")),
    (FAN_HIGH, ("high", "strong", "高", "大", "强")),
)


def _target(props: Properties) -> Property | None:
    """The target temperature: a writable one first, else a read-only one."""
    return find_number(props, *TARGET_IDS) or find_number(props, *TARGET_IDS, writable=None)


def _unit(prop: Property | None) -> str:
    define = prop.define if prop is not None else None
    if isinstance(define, NumberDefine) and ha_unit(define.unit) == UnitOfTemperature.FAHRENHEIT:
        return UnitOfTemperature.FAHRENHEIT
    return UnitOfTemperature.CELSIUS


def _current(props: Properties, unit: str) -> Property | None:
    """The room temperature, in the unit of the target (a °F twin is a sensor of its own)."""
    for prop_id in CURRENT_IDS:
        prop = find_number(props, prop_id, writable=None)
        if prop is not None and (not _has_unit(prop) or _unit(prop) == unit):
            return prop
    return None


def _has_unit(prop: Property) -> bool:
    return isinstance(prop.define, NumberDefine) and bool(prop.define.unit.strip())


def _hvac_mode(props: Properties) -> tuple[Property | None, dict[HVACMode, Key]]:
    """The mode property that cools or heats, and the key of each HVAC mode it names.

    It names two HVAC modes at least: a humidifier's "heating evaporation" is no HVAC mode. A
    mode that neither cools nor heats (auto, sleep, ECO) is a set of presets instead.
    """
    for prop_id in MODE_IDS:
        if (prop := find_choice(props, prop_id)) is None:
            continue
        keys = classify_keys(prop, HVAC_KEYWORDS)
        if len(keys) > 1 and (HVACMode.COOL in keys or HVACMode.HEAT in keys):
            return prop, keys
    return None, {}


def _fan_modes(prop: Property) -> dict[str, Key]:
    """Fan mode -> key: HA's own names where the key or label says one, else the label."""
    result: dict[str, Key] = {}
    labelled = options(prop)
    for key in labelled.values():
        if (mode := FAN_MODE_KEYS.get(str(key).casefold())) is not None:
            result.setdefault(mode, key)
    for label, key in labelled.items():
        if key in result.values():
            continue
        mode = classify(label, FAN_MODE_KEYWORDS)
        result.setdefault(mode if mode is not None and mode not in result else label, key)
    return result


def _presets(
    props: Properties, mode: Property | None, hvac_keys: dict[HVACMode, Key]
) -> tuple[Property | None, dict[str, Key]]:
    """Presets: the modes that are no HVAC mode, or another property's options."""
    if mode is not None:
        taken = set(hvac_keys.values())
        return mode, {label: key for label, key in options(mode).items() if key not in taken}
    for prop_id in PRESET_IDS:
        if (prop := find_choice(props, prop_id)) is not None:
            return prop, options(prop)
    return None, {}


def climate_rule(props: Properties, category: str, name: str) -> DeviceMatch | None:
    """A target temperature with a power switch or HVAC modes (or a heater) → one climate."""
    power = find_switch(props, *POWER_IDS)
    mode, hvac_keys = _hvac_mode(props)
    target = _target(props)
    if target is None and mode is not None:
        target = find_number(props, *MODE_TARGET_IDS)
    if target is None:
        return None
    if target.writable:
        if power is None and mode is None:
            return None
    elif mode is None and not (power is not None and HEATER_NAME.search(name)):
        return None
    unit = _unit(target)
    settable = target if target.writable else None
    current = _current(props, unit)
    humidity = find_number(props, *CURRENT_HUMIDITY_IDS, writable=None)
    target_humidity = find_number(props, *TARGET_HUMIDITY_IDS)
    fan = find_choice(props, *FAN_IDS)
    swing = find_switch(props, *SWING_IDS)
    swing_horizontal = find_switch(props, *SWING_HORIZONTAL_IDS)
    preset, preset_keys = _presets(props, mode, hvac_keys)
    if not preset_keys:
        preset = None

    hvac_modes = [HVACMode.OFF] if power is not None else []
    hvac_modes += list(hvac_keys) if hvac_keys else [HVACMode.HEAT]
    features = ClimateEntityFeature(0)
    for present, feature in (
        (settable, ClimateEntityFeature.TARGET_TEMPERATURE),
        (power, ClimateEntityFeature.TURN_ON | ClimateEntityFeature.TURN_OFF),
        (fan, ClimateEntityFeature.FAN_MODE),
        (swing, ClimateEntityFeature.SWING_MODE),
        (swing_horizontal, ClimateEntityFeature.SWING_HORIZONTAL_MODE),
        (preset, ClimateEntityFeature.PRESET_MODE),
        (target_humidity, ClimateEntityFeature.TARGET_HUMIDITY),
    ):
        if present is not None:
            features |= feature
    used = [settable, power, mode, preset, current, humidity, target_humidity, fan, swing]
    used.append(swing_horizontal)
    return DeviceMatch(
        TencentIoTClimateEntityDescription(
            key="climate",
            name=None,
            power_id=power.id if power is not None else None,
            target=scale(settable, 16, 30) if settable is not None else None,
            current_temperature_id=current.id if current is not None else None,
            current_humidity_id=humidity.id if humidity is not None else None,
            target_humidity=scale(target_humidity) if target_humidity is not None else None,
            temperature_unit=unit,
            mode_id=mode.id if mode is not None else None,
            hvac_mode_keys=hvac_keys,
            hvac_modes=tuple(hvac_modes),
            preset_id=preset.id if preset is not None else None,
            preset_keys=preset_keys,
            fan_id=fan.id if fan is not None else None,
            fan_mode_keys=_fan_modes(fan) if fan is not None else {},
            swing_id=swing.id if swing is not None else None,
            swing_horizontal_id=swing_horizontal.id if swing_horizontal is not None else None,
            features=features,
        ),
        frozenset(prop.id for prop in used if prop is not None),
    )


def _is_water_heater(props: Properties, name: str) -> bool:
    """Named so, or with water properties and no HVAC modes (an AC's tank is no boiler)."""
    if WATER_HEATER_NAME.search(name):
        return True
    return (
        any(id_words(prop_id) & WATER_WORDS for prop_id in props) and _hvac_mode(props)[0] is None
    )


def water_heater_rule(props: Properties, category: str, name: str) -> DeviceMatch | None:
    """A target temperature of a water heater (by name or water properties) → one water heater."""
    if (target := _target(props)) is None or not _is_water_heater(props, name):
        return None
    power = find_switch(props, *POWER_IDS)
    mode = find_choice(props, *WATER_HEATER_MODE_IDS)
    unit = _unit(target)
    current = _current(props, unit)
    features = WaterHeaterEntityFeature(0)
    if target.writable:
        features |= WaterHeaterEntityFeature.TARGET_TEMPERATURE
    if mode is not None:
        features |= WaterHeaterEntityFeature.OPERATION_MODE
    if power is not None:
        features |= WaterHeaterEntityFeature.ON_OFF
    used = [target, power, mode, current]
    return DeviceMatch(
        TencentIoTWaterHeaterEntityDescription(
            key="water_heater",
            name=None,
            power_id=power.id if power is not None else None,
            target=scale(target, 30, 75),
            target_writable=target.writable,
            current_temperature_id=current.id if current is not None else None,
            temperature_unit=unit,
            mode_id=mode.id if mode is not None else None,
            operation_keys=options(mode) if mode is not None else {},
            features=features,
        ),
        frozenset(prop.id for prop in used if prop is not None),
    )
