"""Pass 1: whole-device rules that combine several properties into one entity.

Each rule looks at the properties no earlier rule took (with the product's category and name)
and returns the description of one light, water heater, climate, cover or fan with the
property ids it used, or None. Lights are in `lighting.py`, climates and water heaters in
`heating.py`; curtains and fans here.
"""

from collections.abc import Sequence
from typing import Final

from homeassistant.components.cover import CoverDeviceClass, CoverEntityFeature
from homeassistant.components.fan.const import FanEntityFeature

from .common import (
    POWER_IDS,
    DeviceMatch,
    DeviceRule,
    Properties,
    classify,
    classify_keys,
    find_choice,
    find_number,
    find_switch,
    options,
    scale,
    scale_from_one,
)
from .descriptions import Key, TencentIoTCoverEntityDescription, TencentIoTFanEntityDescription
from .heating import climate_rule, water_heater_rule
from .lighting import light_rule
from .speaker import speaker_rule

# Product categories (CategoryId) whose power_switch alone makes a fan.
FAN_CATEGORIES: Final[frozenset[str]] = frozenset()


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

FAN_SPEED_IDS: Final = (
    "fan_speed",
    "fan_speed_enum",
    "wind_speed",
    "windspeed",
    "speed",
    "gear",
    "fan_level",
    "Wind",
)
FAN_OSCILLATE_IDS: Final = (
    "swing",
    "oscillation",
    "shake",
    "shake_head",
    "head_shake",
    "swing_switch",
)
FAN_PRESET_IDS: Final = ("mode", "fan_mode", "work_mode", "working_mode", "wind_mode")

# Label keywords (matched case-insensitively, first row wins).
COVER_KEYWORDS: Final[Sequence[tuple[str, tuple[str, ...]]]] = (
    ("stop", ("stop", "pause", "停", "暂停")),
    ("open", ("open", "打开", "开", "up", "上")),
    ("close", ("close", "关", "合", "down", "下")),
)
# Options of a fan's speed that are no speed: they are presets.
FAN_SPEED_PRESET_KEYWORDS: Final[Sequence[tuple[bool, tuple[str, ...]]]] = (
    (True, ("auto", "自动", "智能", "smart", "natural", "自然", "sleep", "睡眠")),
)


def cover_rule(props: Properties, category: str, name: str) -> DeviceMatch | None:
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


def fan_rule(props: Properties, category: str, name: str) -> DeviceMatch | None:
    """power_switch + a speed (or a fan category) → one fan."""
    if (power := find_switch(props, *POWER_IDS)) is None:
        return None
    speed_choice = find_choice(props, *FAN_SPEED_IDS)
    speed_number = find_number(props, *FAN_SPEED_IDS) if speed_choice is None else None
    if speed_choice is None and speed_number is None and category not in FAN_CATEGORIES:
        return None
    oscillate = find_switch(props, *FAN_OSCILLATE_IDS)
    preset = find_choice(props, *(i for i in FAN_PRESET_IDS if i not in FAN_SPEED_IDS))
    speed_keys: tuple[Key, ...] = ()
    speed_presets: dict[str, Key] = {}
    if speed_choice is not None:
        speeds: list[Key] = []
        for label, key in options(speed_choice).items():
            if classify(label, FAN_SPEED_PRESET_KEYWORDS):
                speed_presets[label] = key
            else:
                speeds.append(key)
        speed_keys = tuple(sorted(speeds, key=_key_order))
    features = FanEntityFeature.TURN_ON | FanEntityFeature.TURN_OFF
    if speed_keys or speed_number is not None:
        features |= FanEntityFeature.SET_SPEED
    if oscillate is not None:
        features |= FanEntityFeature.OSCILLATE
    if preset is not None or speed_presets:
        features |= FanEntityFeature.PRESET_MODE
    used = [power, speed_choice, speed_number, oscillate, preset]
    return DeviceMatch(
        TencentIoTFanEntityDescription(
            key="fan",
            name=None,
            power_id=power.id,
            speed=scale_from_one(speed_number),
            speed_id=speed_choice.id if speed_choice is not None else None,
            speed_keys=speed_keys,
            speed_presets=speed_presets,
            oscillate_id=oscillate.id if oscillate is not None else None,
            preset_id=preset.id if preset is not None else None,
            preset_keys=options(preset) if preset is not None else {},
            features=features,
        ),
        frozenset(prop.id for prop in used if prop is not None),
    )


def _key_order(key: Key) -> tuple[int, float]:
    """Keys by their number (an int, or a string of digits "0"-"5"); others keep their order."""
    text = str(key)
    try:
        return (0, float(text))
    except ValueError:
        return (1, 0)


# Tried in this order; each sees only the properties the earlier ones left.
DEVICE_RULES: Final[tuple[DeviceRule, ...]] = (
    light_rule,
    water_heater_rule,
    climate_rule,
    cover_rule,
    fan_rule,
    speaker_rule,
)
