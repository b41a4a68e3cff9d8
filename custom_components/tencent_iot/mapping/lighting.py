"""The whole-device rule of lights: a power switch with brightness, white and colour.

The colour of a light comes in many shapes in published thing models: hue and saturation,
an rgb_color struct or packed integer, red/green/blue properties of their own, a BLE mesh
HSL array, or text (hex or HSV). The colour temperature is in kelvin or on a relative scale
(0-100, 0-1000 "冷暖值", 0 being warm).
"""

from dataclasses import dataclass
from typing import Final

from homeassistant.components.light.const import ColorMode

from custom_components.tencent_iot.api import (
    ArrayDefine,
    NumberDefine,
    Property,
    StringDefine,
    StructDefine,
)

from .common import (
    POWER_IDS,
    DeviceMatch,
    Properties,
    classify_keys,
    find,
    find_choice,
    find_number,
    find_switch,
    options,
    scale,
    scale_from_one,
)
from .descriptions import Key, Scale, TencentIoTLightEntityDescription
from .readings import looks_like_reading

# Product categories (CategoryId) whose power_switch alone makes a light: 141 is the light
# category in the API reference's own light example.
LIGHT_CATEGORIES: Final[frozenset[str]] = frozenset({"141"})

# Kelvin range assumed for a colour temperature given on a relative scale (0-100, 0-1000).
WARM_KELVIN: Final = 2700
COLD_KELVIN: Final = 6500
# A colour temperature whose maximum is above this is in kelvin.
KELVIN_THRESHOLD: Final = 1000

# Power switches that are a light's own, so that they make a light without anything else
# (a laundry rack's lamp); power_switch makes one only with brightness or colour.
LIGHT_POWER_IDS: Final = ("light_switch", "switch_led", "_mesh_generic_onoff")
LIGHT_BRIGHTNESS_IDS: Final = ("brightness", "bright_value", "_mesh_light_lightness", "lightness")
LIGHT_COLOR_TEMP_IDS: Final = (
    "color_temp",
    "colour_temp",
    "color_temperature",
    "temp_value",
    "_mesh_light_color_temperature",
)
# A number named so is a colour temperature whatever its id (a lamp's "set_temp" 冷暖值).
COLOR_TEMP_NAMES: Final = ("色温", "冷暖")
LIGHT_COLOR_MODE_IDS: Final = ("color_mode", "colour_mode", "light_mode", "work_mode")
LIGHT_RGB_IDS: Final = ("rgb_color", "rgb", "color_rgb")
LIGHT_RGB_STRUCT_IDS: Final = ("colour", "color")
LIGHT_RGB_CHANNEL_IDS: Final = (
    ("red", "r", "color_r", "colour_r"),
    ("green", "g", "color_g", "colour_g"),
    ("blue", "b", "color_b", "colour_b"),
)
LIGHT_HSL_IDS: Final = ("_mesh_light_hsl",)
LIGHT_COLOR_TEXT_IDS: Final = ("color_value", "colour_data", "color_data", "colour_value")
LIGHT_EFFECT_IDS: Final = (
    "effect",
    "light_effect",
    "lighting_effect",
    "effect_mode",
    "scene",
    "scene_data",
    "scene_type",
)
RGB_MEMBERS: Final = (("r", "red"), ("g", "green"), ("b", "blue"))

COLOR_MODE_KEYWORDS: Final = (
    ("white", ("white", "temp", "cct", "白", "色温", "双色")),
    ("color", ("colo", "rgb", "hsv", "hue", "彩")),
)


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
    """The colour properties of a light, in one of the shapes models give them."""

    mode: ColorMode | None = None
    hue: Property | None = None
    saturation: Property | None = None
    value: Property | None = None
    rgb: Property | None = None
    rgb_members: tuple[str, str, str] | None = None
    channels: tuple[Property, Property, Property] | None = None
    hsl: Property | None = None
    text: Property | None = None

    @property
    def used(self) -> list[Property | None]:
        """The properties the colour takes."""
        return [
            self.hue,
            self.saturation,
            self.value,
            self.rgb,
            self.hsl,
            self.text,
            *(self.channels or ()),
        ]


def _rgb_channels(props: Properties) -> tuple[Property, Property, Property] | None:
    red, green, blue = (find_number(props, *ids) for ids in LIGHT_RGB_CHANNEL_IDS)
    if red is None or green is None or blue is None:
        return None
    return red, green, blue


def _light_color(props: Properties) -> _LightColor:
    hue, saturation = find_number(props, "hue"), find_number(props, "saturation")
    if hue is not None and saturation is not None:
        return _LightColor(ColorMode.HS, hue, saturation, find_number(props, "value"))
    # A plain `colour` is an RGB colour only as a struct of red, green and blue.
    rgb = find(props, LIGHT_RGB_IDS, (StructDefine, NumberDefine), writable=True) or find(
        props, LIGHT_RGB_STRUCT_IDS, (StructDefine,), writable=True
    )
    if rgb is not None:
        members = _rgb_members(rgb)
        if members is not None or isinstance(rgb.define, NumberDefine):
            return _LightColor(ColorMode.RGB, rgb=rgb, rgb_members=members)
    if (channels := _rgb_channels(props)) is not None:
        return _LightColor(ColorMode.RGB, channels=channels)
    hsl = find(props, LIGHT_HSL_IDS, (ArrayDefine,), writable=True)
    if (
        hsl is not None
        and isinstance(hsl.define, ArrayDefine)
        and isinstance(hsl.define.item, NumberDefine)
    ):
        return _LightColor(ColorMode.HS, hsl=hsl)
    if (text := find(props, LIGHT_COLOR_TEXT_IDS, (StringDefine,), writable=True)) is not None:
        return _LightColor(ColorMode.HS, text=text)
    return _LightColor()


def _color_temp(props: Properties) -> Property | None:
    if (prop := find_number(props, *LIGHT_COLOR_TEMP_IDS)) is not None:
        return prop
    return next(
        (
            prop
            for prop in props.values()
            if prop.writable
            and isinstance(prop.define, NumberDefine)
            and any(word in prop.name for word in COLOR_TEMP_NAMES)
        ),
        None,
    )


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


def _only_light(props: Properties, power: Property) -> bool:
    """Whether nothing but the power switch says what the device is: no readings at all.

    A category says "light" for a fitness band too; its readings say otherwise.
    """
    return all(
        prop.writable and not looks_like_reading(prop)
        for prop in props.values()
        if prop is not power
    )


def _hsl_scale(prop: Property) -> Scale:
    define = prop.define
    item = define.item if isinstance(define, ArrayDefine) else None
    low = item.min if isinstance(item, NumberDefine) and item.min is not None else 0
    high = item.max if isinstance(item, NumberDefine) and item.max is not None else 65535
    return Scale(prop.id, low, high if high > low else low + 1)


def light_rule(props: Properties, category: str, name: str) -> DeviceMatch | None:
    """A power switch + brightness / colour temperature / colour (/ effect) → one light."""
    own_power = find_switch(props, *LIGHT_POWER_IDS)
    if (power := own_power or find_switch(props, *POWER_IDS)) is None:
        return None
    brightness = find_number(props, *LIGHT_BRIGHTNESS_IDS)
    color_temp = _color_temp(props)
    color = _light_color(props)
    modes = {color.mode} if color.mode is not None else set()
    if color_temp is not None:
        modes.add(ColorMode.COLOR_TEMP)
    if (
        not modes
        and brightness is None
        and own_power is None
        and not (category in LIGHT_CATEGORIES and _only_light(props, power))
    ):
        return None
    if not modes:
        modes.add(ColorMode.BRIGHTNESS if brightness is not None else ColorMode.ONOFF)
    mode_prop, mode_keys = _color_mode_keys(props, modes, color.mode)
    effect = find_choice(props, *LIGHT_EFFECT_IDS)

    temp_scale = scale(color_temp, 0, 100) if color_temp is not None else None
    min_kelvin, max_kelvin = WARM_KELVIN, COLD_KELVIN
    if temp_scale is not None and temp_scale.high > KELVIN_THRESHOLD:
        min_kelvin, max_kelvin = round(temp_scale.low), round(temp_scale.high)

    used = [power, brightness, color_temp, mode_prop, effect, *color.used]
    return DeviceMatch(
        TencentIoTLightEntityDescription(
            key="light",
            name=None,
            power_id=power.id,
            supported_color_modes=frozenset(modes),
            brightness=scale_from_one(brightness),
            color_value=scale_from_one(color.value),
            color_temp=temp_scale,
            min_kelvin=min_kelvin,
            max_kelvin=max_kelvin,
            hue=scale(color.hue, 0, 360) if color.hue is not None else None,
            saturation=scale(color.saturation) if color.saturation is not None else None,
            rgb_id=color.rgb.id if color.rgb is not None else None,
            rgb_members=color.rgb_members,
            rgb_channels=(
                (
                    scale(color.channels[0], 0, 255),
                    scale(color.channels[1], 0, 255),
                    scale(color.channels[2], 0, 255),
                )
                if color.channels is not None
                else None
            ),
            hsl=_hsl_scale(color.hsl) if color.hsl is not None else None,
            color_text_id=color.text.id if color.text is not None else None,
            color_mode_id=mode_prop.id if mode_prop is not None else None,
            color_mode_keys=mode_keys,
            effect_id=effect.id if effect is not None else None,
            effect_keys=options(effect) if effect is not None else {},
        ),
        frozenset(prop.id for prop in used if prop is not None),
    )
