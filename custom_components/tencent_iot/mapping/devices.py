"""Pass 1: whole-device rules that combine several properties into one entity.

Each rule looks at the properties no earlier rule took and returns the description of
one light, climate, cover or fan with the property ids it used, or None.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from homeassistant.components.climate.const import (
    FAN_AUTO,
    FAN_HIGH,
    FAN_LOW,
    FAN_MEDIUM,
    ClimateEntityFeature,
    HVACMode,
)
from homeassistant.components.cover import CoverDeviceClass, CoverEntityFeature
from homeassistant.components.fan.const import FanEntityFeature
from homeassistant.components.light.const import ColorMode
from homeassistant.const import UnitOfTemperature

from custom_components.tencent_iot.api import NumberDefine, Property, StructDefine

from .common import (
    Properties,
    classify,
    classify_keys,
    find,
    find_choice,
    find_number,
    find_switch,
    options,
    scale,
)
from .descriptions import (
    Key,
    Scale,
    TencentIoTClimateEntityDescription,
    TencentIoTCoverEntityDescription,
    TencentIoTEntityDescription,
    TencentIoTFanEntityDescription,
    TencentIoTLightEntityDescription,
)
from .speaker import speaker_rule
from .units import ha_unit

# Product categories (CategoryId) whose power_switch alone makes a light or a fan.
# 141 is the light category in the API reference's own light example.
LIGHT_CATEGORIES: Final[frozenset[str]] = frozenset({"141"})
FAN_CATEGORIES: Final[frozenset[str]] = frozenset()

# Kelvin range assumed for a colour temperature given on a relative scale (0-100).
WARM_KELVIN: Final = 2700
COLD_KELVIN: Final = 6500
# A colour temperature whose maximum is above this is in kelvin.
KELVIN_THRESHOLD: Final = 1000

POWER_IDS: Final = ("power_switch",)
LIGHT_BRIGHTNESS_IDS: Final = ("brightness", "bright_value")
LIGHT_COLOR_TEMP_IDS: Final = ("color_temp", "colour_temp", "color_temperature")
LIGHT_COLOR_MODE_IDS: Final = ("color_mode", "colour_mode", "light_mode")
LIGHT_RGB_IDS: Final = ("rgb_color", "rgb", "color_rgb")
LIGHT_EFFECT_IDS: Final = ("effect", "light_effect", "lighting_effect", "effect_mode")
RGB_MEMBERS: Final = (("r", "red"), ("g", "green"), ("b", "blue"))

CLIMATE_TARGET_IDS: Final = (
    "temp_set",
    "target_temp",
    "set_temp",
    "target_temperature",
    "temp_target",
)
CLIMATE_CURRENT_IDS: Final = (
    "temp_current",
    "current_temp",
    "indoor_temp",
    "room_temp",
    "temperature",
)
CLIMATE_HUMIDITY_IDS: Final = ("current_humidity", "humidity")
CLIMATE_MODE_IDS: Final = ("mode", "work_mode", "ac_mode")
CLIMATE_FAN_IDS: Final = ("fan_speed", "fan_speed_enum", "wind_speed", "fan_mode")
CLIMATE_SWING_IDS: Final = ("swing", "swing_switch", "wind_swing")

COVER_POSITION_IDS: Final = (
    "percent_control",
    "position",
    "curtain_position",
    "target_position",
    "percent",
)
COVER_CURRENT_IDS: Final = ("current_position", "percent_state", "position", "curtain_position")
COVER_CONTROL_IDS: Final = (
    "control",
    "motor_control",
    "curtain_control",
    "curtain_switch",
    "mode",
)

FAN_SPEED_IDS: Final = ("fan_speed", "fan_speed_enum", "wind_speed", "speed", "gear", "fan_level")
FAN_OSCILLATE_IDS: Final = (
    "swing",
    "oscillation",
    "shake",
    "shake_head",
    "head_shake",
    "swing_switch",
)
FAN_PRESET_IDS: Final = ("mode", "fan_mode", "work_mode", "wind_mode")

# Label keywords (matched case-insensitively, first row wins).
HVAC_KEYWORDS: Final[Sequence[tuple[HVACMode, tuple[str, ...]]]] = (
    (HVACMode.COOL, ("cool", "制冷", "冷")),
    (HVACMode.HEAT, ("heat", "制热", "加热", "热", "暖")),
    (HVACMode.DRY, ("dry", "dehumid", "除湿", "抽湿", "干燥")),
    (HVACMode.FAN_ONLY, ("fan", "wind", "vent", "送风", "通风")),
    (HVACMode.AUTO, ("auto", "自动", "智能")),
)
FAN_MODE_KEYWORDS: Final[Sequence[tuple[str, tuple[str, ...]]]] = (
    (FAN_AUTO, ("auto", "自动")),
    (FAN_LOW, ("low", "低", "小")),
    (FAN_MEDIUM, ("medium", "mid", "中")),
    (FAN_HIGH, ("high", "strong", "高", "大", "强")),
)
COVER_KEYWORDS: Final[Sequence[tuple[str, tuple[str, ...]]]] = (
    ("stop", ("stop", "pause", "停", "暂停")),
    ("open", ("open", "打开", "开")),
    ("close", ("close", "关", "合")),
)
COLOR_MODE_KEYWORDS: Final[Sequence[tuple[str, tuple[str, ...]]]] = (
    ("white", ("white", "temp", "cct", "白", "色温")),
    ("color", ("colo", "rgb", "hsv", "hue", "彩")),
)


@dataclass(frozen=True, slots=True)
class DeviceMatch:
    """What a whole-device rule built, and the property ids it took."""

    description: TencentIoTEntityDescription
    used: frozenset[str]


type DeviceRule = Callable[[Properties, str], DeviceMatch | None]


def _rgb_members(prop: Property) -> tuple[str, str, str] | None:
    """The member ids of red, green and blue of an rgb struct."""
    if not isinstance(prop.define, StructDefine):
        return None
    ids = {member.id.casefold(): member.id for member in prop.define.members}
    found = [next((ids[name] for name in names if name in ids), None) for names in RGB_MEMBERS]
    red, green, blue = found
    if red is None or green is None or blue is None:
        return None
    return red, green, blue


@dataclass(frozen=True, slots=True)
class _LightColor:
    """The colour properties of a light: hue/saturation(/value), or rgb_color."""

    hue: Property | None = None
    saturation: Property | None = None
    value: Property | None = None
    rgb: Property | None = None
    rgb_members: tuple[str, str, str] | None = None

    @property
    def mode(self) -> ColorMode | None:
        if self.hue is not None:
            return ColorMode.HS
        return ColorMode.RGB if self.rgb is not None else None


def _light_color(props: Properties) -> _LightColor:
    hue, saturation = find_number(props, "hue"), find_number(props, "saturation")
    if hue is not None and saturation is not None:
        return _LightColor(hue, saturation, find_number(props, "value"))
    if (rgb := find(props, LIGHT_RGB_IDS, (StructDefine, NumberDefine), writable=True)) is None:
        return _LightColor()
    members = _rgb_members(rgb)
    if members is None and not isinstance(rgb.define, NumberDefine):
        return _LightColor()
    return _LightColor(rgb=rgb, rgb_members=members)


def _color_mode_keys(
    props: Properties, modes: set[ColorMode], color_mode: ColorMode | None
) -> tuple[Property | None, dict[Key, ColorMode]]:
    """The color_mode property of a light with white and colour, and what each key means."""
    if len(modes) < 2 or (prop := find_choice(props, *LIGHT_COLOR_MODE_IDS)) is None:
        return None, {}
    meanings = {"white": ColorMode.COLOR_TEMP, "color": color_mode}
    keys = {
        key: mode
        for meaning, key in classify_keys(prop, COLOR_MODE_KEYWORDS).items()
        if (mode := meanings[meaning]) is not None
    }
    return (prop, keys) if keys else (None, {})


def light_rule(props: Properties, category: str) -> DeviceMatch | None:
    """power_switch + brightness / colour temperature / colour (/ effect) → one light."""
    if (power := find_switch(props, *POWER_IDS)) is None:
        return None
    brightness = find_number(props, *LIGHT_BRIGHTNESS_IDS)
    color_temp = find_number(props, *LIGHT_COLOR_TEMP_IDS)
    color = _light_color(props)
    modes = {mode for mode in (color.mode,) if mode is not None}
    if color_temp is not None:
        modes.add(ColorMode.COLOR_TEMP)
    if not modes and brightness is None and category not in LIGHT_CATEGORIES:
        return None
    if not modes:
        modes.add(ColorMode.BRIGHTNESS if brightness is not None else ColorMode.ONOFF)
    mode_prop, mode_keys = _color_mode_keys(props, modes, color.mode)
    effect = find_choice(props, *LIGHT_EFFECT_IDS)

    temp_scale = scale(color_temp, 0, 100) if color_temp is not None else None
    min_kelvin, max_kelvin = WARM_KELVIN, COLD_KELVIN
    if temp_scale is not None and temp_scale.high > KELVIN_THRESHOLD:
        min_kelvin, max_kelvin = round(temp_scale.low), round(temp_scale.high)

    used = [power, brightness, color_temp, mode_prop, color.hue, color.saturation]
    used += [color.value, color.rgb, effect]
    return DeviceMatch(
        TencentIoTLightEntityDescription(
            key="light",
            name=None,
            power_id=power.id,
            supported_color_modes=frozenset(modes),
            brightness=_brightness_scale(brightness),
            color_value=_brightness_scale(color.value),
            color_temp=temp_scale,
            min_kelvin=min_kelvin,
            max_kelvin=max_kelvin,
            hue=scale(color.hue, 0, 360) if color.hue is not None else None,
            saturation=scale(color.saturation) if color.saturation is not None else None,
            rgb_id=color.rgb.id if color.rgb is not None else None,
            rgb_members=color.rgb_members,
            color_mode_id=mode_prop.id if mode_prop is not None else None,
            color_mode_keys=mode_keys,
            effect_id=effect.id if effect is not None else None,
            effect_keys=options(effect) if effect is not None else {},
        ),
        frozenset(prop.id for prop in used if prop is not None),
    )


def _brightness_scale(prop: Property | None) -> Scale | None:
    if prop is None:
        return None
    result = scale(prop, 1, 100)
    # 0 is "off" for HA's brightness: the lowest brightness is at least 1.
    return Scale(result.id, max(result.low, 1), max(result.high, 2), result.integer)


def climate_rule(props: Properties, category: str) -> DeviceMatch | None:
    """A target temperature with a power switch or an HVAC mode → one climate."""
    if (target := find_number(props, *CLIMATE_TARGET_IDS)) is None:
        return None
    power = find_switch(props, *POWER_IDS)
    mode = find_choice(props, *CLIMATE_MODE_IDS)
    hvac_keys = classify_keys(mode, HVAC_KEYWORDS) if mode is not None else {}
    if not hvac_keys:
        mode = None
    if power is None and mode is None:
        return None
    current = find_number(props, *CLIMATE_CURRENT_IDS, writable=None)
    humidity = find_number(props, *CLIMATE_HUMIDITY_IDS, writable=False)
    fan = find_choice(props, *CLIMATE_FAN_IDS)
    swing = find_switch(props, *CLIMATE_SWING_IDS)
    fan_keys: dict[str, Key] = {}
    if fan is not None:
        for label, key in options(fan).items():
            fan_keys.setdefault(classify(label, FAN_MODE_KEYWORDS) or label, key)

    hvac_modes = [HVACMode.OFF] if power is not None else []
    hvac_modes += list(hvac_keys) if hvac_keys else [HVACMode.HEAT]
    features = ClimateEntityFeature.TARGET_TEMPERATURE
    if power is not None:
        features |= ClimateEntityFeature.TURN_ON | ClimateEntityFeature.TURN_OFF
    if fan is not None:
        features |= ClimateEntityFeature.FAN_MODE
    if swing is not None:
        features |= ClimateEntityFeature.SWING_MODE
    define = target.define
    step = define.step if isinstance(define, NumberDefine) and define.step else None
    unit = UnitOfTemperature.CELSIUS
    if isinstance(define, NumberDefine) and ha_unit(define.unit) == UnitOfTemperature.FAHRENHEIT:
        unit = UnitOfTemperature.FAHRENHEIT
    used = [target, power, mode, current, humidity, fan, swing]
    return DeviceMatch(
        TencentIoTClimateEntityDescription(
            key="climate",
            name=None,
            power_id=power.id if power is not None else None,
            target=scale(target, 16, 30),
            target_step=step,
            current_temperature_id=current.id if current is not None else None,
            current_humidity_id=humidity.id if humidity is not None else None,
            temperature_unit=unit,
            mode_id=mode.id if mode is not None else None,
            hvac_mode_keys=hvac_keys,
            hvac_modes=tuple(hvac_modes),
            fan_id=fan.id if fan is not None else None,
            fan_mode_keys=fan_keys,
            swing_id=swing.id if swing is not None else None,
            features=features,
        ),
        frozenset(prop.id for prop in used if prop is not None),
    )


def cover_rule(props: Properties, category: str) -> DeviceMatch | None:
    """A position to set and/or an open/close(/stop) command → one curtain."""
    position = find_number(props, *COVER_POSITION_IDS)
    control = None
    commands: dict[str, Key] = {}
    for prop_id in COVER_CONTROL_IDS:
        if (candidate := find_choice(props, prop_id)) is None:
            continue
        commands = classify_keys(candidate, COVER_KEYWORDS)
        if "open" in commands and "close" in commands:
            control = candidate
            break
    if control is None:
        commands = {}
    current = next(
        (
            prop
            for prop_id in COVER_CURRENT_IDS
            if (prop := find_number(props, prop_id, writable=False)) is not None
        ),
        None,
    )
    if position is None and control is None:
        return None
    features = CoverEntityFeature.OPEN | CoverEntityFeature.CLOSE
    if position is not None:
        features |= CoverEntityFeature.SET_POSITION
    if "stop" in commands:
        features |= CoverEntityFeature.STOP
    used = [position, control, current]
    return DeviceMatch(
        TencentIoTCoverEntityDescription(
            key="cover",
            name=None,
            device_class=CoverDeviceClass.CURTAIN,
            position=scale(position) if position is not None else None,
            current_position=scale(current) if current is not None else None,
            control_id=control.id if control is not None else None,
            command_keys=commands,
            features=features,
        ),
        frozenset(prop.id for prop in used if prop is not None),
    )


def fan_rule(props: Properties, category: str) -> DeviceMatch | None:
    """power_switch + a speed (or a fan category) → one fan."""
    if (power := find_switch(props, *POWER_IDS)) is None:
        return None
    speed_choice = find_choice(props, *FAN_SPEED_IDS)
    speed_number = find_number(props, *FAN_SPEED_IDS) if speed_choice is None else None
    if speed_choice is None and speed_number is None and category not in FAN_CATEGORIES:
        return None
    oscillate = find_switch(props, *FAN_OSCILLATE_IDS)
    preset = find_choice(props, *(i for i in FAN_PRESET_IDS if i not in FAN_SPEED_IDS))
    features = FanEntityFeature.TURN_ON | FanEntityFeature.TURN_OFF
    if speed_choice is not None or speed_number is not None:
        features |= FanEntityFeature.SET_SPEED
    if oscillate is not None:
        features |= FanEntityFeature.OSCILLATE
    if preset is not None:
        features |= FanEntityFeature.PRESET_MODE
    speed_keys: tuple[Key, ...] = ()
    if speed_choice is not None:
        speed_keys = tuple(sorted(options(speed_choice).values(), key=_key_order))
    used = [power, speed_choice, speed_number, oscillate, preset]
    return DeviceMatch(
        TencentIoTFanEntityDescription(
            key="fan",
            name=None,
            power_id=power.id,
            speed=_brightness_scale(speed_number),
            speed_id=speed_choice.id if speed_choice is not None else None,
            speed_keys=speed_keys,
            oscillate_id=oscillate.id if oscillate is not None else None,
            preset_id=preset.id if preset is not None else None,
            preset_keys=options(preset) if preset is not None else {},
            features=features,
        ),
        frozenset(prop.id for prop in used if prop is not None),
    )


def _key_order(key: Key) -> tuple[int, int | str]:
    # Integer keys by value; string keys keep the model's order (sorted is stable).
    return (0, key) if isinstance(key, int) else (1, 0)


# Tried in this order; each sees only the properties the earlier ones left.
DEVICE_RULES: Final = (light_rule, climate_rule, cover_rule, fan_rule, speaker_rule)
