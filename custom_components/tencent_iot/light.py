"""Lights: a power switch with brightness, colour temperature (kelvin), colour and effects."""

from dataclasses import replace
from typing import Any, override

from homeassistant.components.light import LightEntity
from homeassistant.components.light.const import (
    ATTR_BRIGHTNESS,
    ATTR_COLOR_TEMP_KELVIN,
    ATTR_EFFECT,
    ATTR_HS_COLOR,
    ATTR_RGB_COLOR,
    ColorMode,
    LightEntityFeature,
)
from homeassistant.util.color import brightness_to_value, value_to_brightness

from .coordinator import TencentIoTCoordinator
from .entity import TencentIoTEntity, device_platform_setup, labels_by_key
from .mapping.colour_text import TextColour, format_colour, parse_colour
from .mapping.descriptions import Scale, TencentIoTLightEntityDescription, truthy
from .models import DeviceState

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1

_COLOR_MODES = (ColorMode.HS, ColorMode.RGB)


def _hue_degrees(scale: Scale, value: float) -> float:
    """A hue of 0..359 (or 0..360) is already in degrees; other ranges are scaled."""
    if scale.low == 0 and scale.high in (359, 360):
        return value
    return scale.to_range(value, 0, 360)


def _hue_value(scale: Scale, degrees: float) -> int | float:
    if scale.low == 0 and scale.high in (359, 360):
        return scale.clamped(degrees % 360)
    return scale.from_range(degrees, 0, 360)


class TencentIoTLight(TencentIoTEntity, LightEntity):
    """A light built from several properties of one device."""

    entity_description: TencentIoTLightEntityDescription

    def __init__(
        self,
        coordinator: TencentIoTCoordinator,
        state: DeviceState,
        description: TencentIoTLightEntityDescription,
    ) -> None:
        """Set the colour modes and the kelvin range from the model."""
        super().__init__(coordinator, state, description)
        self._attr_supported_color_modes = set(description.supported_color_modes)
        self._attr_min_color_temp_kelvin = description.min_kelvin
        self._attr_max_color_temp_kelvin = description.max_kelvin
        self._effects = labels_by_key(description.effect_keys)
        if description.effect_id is not None:
            self._attr_supported_features = LightEntityFeature.EFFECT
            self._attr_effect_list = list(description.effect_keys)
        # Without a color_mode property, the mode last asked for is the best guess.
        self._last_mode = next(
            (mode for mode in (ColorMode.COLOR_TEMP, *_COLOR_MODES) if mode in self._modes),
            next(iter(description.supported_color_modes)),
        )

    @property
    def _modes(self) -> frozenset[ColorMode]:
        return self.entity_description.supported_color_modes

    @property
    @override
    def is_on(self) -> bool | None:
        """Whether power_switch is on."""
        return truthy(self.values.get(self.entity_description.power_id))

    @property
    @override
    def color_mode(self) -> ColorMode:
        """The mode the light shows: from color_mode when the model has one."""
        description = self.entity_description
        if len(self._modes) == 1:
            return next(iter(self._modes))
        if description.color_mode_id is not None:
            key = self.values.get(description.color_mode_id)
            if isinstance(key, int | str) and (mode := description.color_mode_keys.get(key)):
                return mode
        return self._last_mode

    def _brightness_scale(self, mode: ColorMode) -> Scale | None:
        """HSV `value` is the brightness of a colour; `brightness` otherwise."""
        description = self.entity_description
        if mode in _COLOR_MODES and description.color_value is not None:
            return description.color_value
        return description.brightness or description.color_value

    @property
    @override
    def brightness(self) -> int | None:
        """The brightness, 1..255."""
        scale = self._brightness_scale(self.color_mode)
        if (value := self.scaled(scale)) is None or scale is None:
            return None
        return value_to_brightness((scale.low, scale.high), value)

    @property
    @override
    def effect(self) -> str | None:
        """The effect the light shows (None for a key the model does not list)."""
        return self.label(self.entity_description.effect_id, self._effects)

    @property
    @override
    def color_temp_kelvin(self) -> int | None:
        """The colour temperature in kelvin."""
        description = self.entity_description
        scale = description.color_temp
        if (value := self.scaled(scale)) is None or scale is None:
            return None
        return round(scale.to_range(value, description.min_kelvin, description.max_kelvin))

    @property
    @override
    def hs_color(self) -> tuple[float, float] | None:
        """Hue (0-360) and saturation (0-100), from hue/saturation, HSL or text."""
        description = self.entity_description
        if description.hsl is not None:
            return self._hsl_color(description.hsl)
        if description.color_text_id is not None:
            if (colour := parse_colour(self.values.get(description.color_text_id))) is None:
                return None
            return round(colour.hue, 1), round(colour.saturation, 1)
        hue, saturation = self.scaled(description.hue), self.scaled(description.saturation)
        if hue is None or saturation is None or not description.hue or not description.saturation:
            return None
        return (
            round(_hue_degrees(description.hue, hue), 1),
            round(description.saturation.to_range(saturation, 0, 100), 1),
        )

    def _hsl_items(self, hsl: Scale) -> list[float] | None:
        value = self.values.get(hsl.id)
        if isinstance(value, list) and len(value) == 3 and all(isinstance(i, int) for i in value):
            return [float(item) for item in value]
        return None

    def _hsl_color(self, hsl: Scale) -> tuple[float, float] | None:
        """[lightness, hue, saturation] of a BLE mesh light as hue and saturation."""
        if (items := self._hsl_items(hsl)) is None:
            return None
        return round(hsl.to_range(items[1], 0, 360), 1), round(hsl.to_range(items[2], 0, 100), 1)

    @property
    @override
    def rgb_color(self) -> tuple[int, int, int] | None:
        """Red, green and blue (0-255): a struct, a packed 0xRRGGBB or three properties."""
        description = self.entity_description
        if description.rgb_channels is not None:
            return self._channels_color(description.rgb_channels)
        if description.rgb_id is None:
            return None
        value = self.values.get(description.rgb_id)
        if description.rgb_members is not None and isinstance(value, dict):
            try:
                red, green, blue = (int(value[member]) for member in description.rgb_members)
            except KeyError, TypeError, ValueError:
                return None
            return red, green, blue
        if isinstance(value, int) and not isinstance(value, bool):
            return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF
        return None

    def _channels_color(self, channels: tuple[Scale, Scale, Scale]) -> tuple[int, int, int] | None:
        """Red, green and blue from three properties of their own."""
        parts: list[int] = []
        for scale in channels:
            if (value := self.scaled(scale)) is None:
                return None
            parts.append(round(scale.to_range(value, 0, 255)))
        red, green, blue = parts
        return red, green, blue

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Send power, colour and brightness; only the ids whose value changes."""
        description = self.entity_description
        values: dict[str, Any] = {description.power_id: True}
        mode = self._color_values(kwargs, values)
        # HSV's value and `brightness` are two properties: a new mode whose brightness is
        # another property than the one shown keeps the brightness shown.
        shown = self._brightness_scale(self.color_mode)
        carried = None
        if mode is not None and self._brightness_scale(mode) != shown:
            carried = self.brightness
        if mode is not None:
            self._last_mode = mode
            if description.color_mode_id is not None:
                for key, key_mode in description.color_mode_keys.items():
                    if key_mode == mode:
                        values[description.color_mode_id] = key
                        break
        if (effect := kwargs.get(ATTR_EFFECT)) is not None and description.effect_id is not None:
            # Not one of the labels: sent as it is, so the model accepts a key or refuses it.
            values[description.effect_id] = description.effect_keys.get(effect, effect)
        if (brightness := kwargs.get(ATTR_BRIGHTNESS, carried)) is not None and (
            scale := self._brightness_scale(mode or self.color_mode)
        ) is not None:
            values[scale.id] = scale.clamped(
                brightness_to_value((scale.low, scale.high), brightness)
            )
        await self.async_set_changed_values(values, {description.power_id: True})

    def _color_values(self, kwargs: dict[str, Any], values: dict[str, Any]) -> ColorMode | None:
        """Add the values for a colour temperature or colour; return the mode it means."""
        description = self.entity_description
        if (kelvin := kwargs.get(ATTR_COLOR_TEMP_KELVIN)) is not None and description.color_temp:
            if description.max_kelvin > description.min_kelvin:
                values[description.color_temp.id] = description.color_temp.from_range(
                    kelvin, description.min_kelvin, description.max_kelvin
                )
            return ColorMode.COLOR_TEMP
        if (hs_color := kwargs.get(ATTR_HS_COLOR)) is not None and ColorMode.HS in self._modes:
            hue, saturation = hs_color
            values.update(self._hs_values(hue, saturation))
            return ColorMode.HS
        if (rgb := kwargs.get(ATTR_RGB_COLOR)) is not None and ColorMode.RGB in self._modes:
            values.update(self._rgb_values(*(int(part) for part in rgb)))
            return ColorMode.RGB
        return None

    def _hs_values(self, hue: float, saturation: float) -> dict[str, Any]:
        """A hue and saturation in the model's shape: two numbers, an HSL array or text."""
        description = self.entity_description
        if (hsl := description.hsl) is not None:
            items = self._hsl_items(hsl)
            # Mesh HSL: half lightness is the pure colour; a reported one is kept.
            lightness = items[0] if items is not None else (hsl.low + hsl.high) / 2
            return {
                hsl.id: [
                    hsl.clamped(lightness),
                    hsl.from_range(hue, 0, 360),
                    hsl.from_range(saturation, 0, 100),
                ]
            }
        if description.color_text_id is not None:
            current = parse_colour(self.values.get(description.color_text_id))
            colour = (
                replace(current, hue=hue, saturation=saturation)
                if current is not None
                else TextColour(hue, saturation, 100)
            )
            return {description.color_text_id: format_colour(colour)}
        if description.hue is None or description.saturation is None:
            return {}
        return {
            description.hue.id: _hue_value(description.hue, hue),
            description.saturation.id: description.saturation.from_range(saturation, 0, 100),
        }

    def _rgb_values(self, red: int, green: int, blue: int) -> dict[str, Any]:
        """Red, green and blue in the model's shape: three numbers, a struct or a packed int."""
        description = self.entity_description
        if description.rgb_channels is not None:
            return {
                scale.id: scale.from_range(part, 0, 255)
                for scale, part in zip(description.rgb_channels, (red, green, blue), strict=True)
            }
        if description.rgb_id is None:
            return {}
        return {
            description.rgb_id: (
                dict(zip(description.rgb_members, (red, green, blue), strict=True))
                if description.rgb_members is not None
                else (red << 16) | (green << 8) | blue
            )
        }

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the power off."""
        await self.async_set_values({self.entity_description.power_id: False})


async_setup_entry = device_platform_setup(lambda mapping: mapping.lights, TencentIoTLight)
