"""Colours that lights keep as text, read and written back in the device's own format.

Seen in published thing models (a "color_value" or "colour_data" string): hex "#RRGGBB",
twelve hex digits "HHHHSSSSVVVV" (hue 0-360, saturation and value 0-1000), or numbers
"h,s,v". A device whose text is empty or unknown gets hex, the most common.
"""

from dataclasses import dataclass
from enum import StrEnum
import re
from typing import Final

from homeassistant.util import color as color_util


class ColourFormat(StrEnum):
    """How a device writes its colour."""

    HEX = "hex"
    HSV_HEX = "hsv_hex"
    HSV_NUMBERS = "hsv_numbers"


@dataclass(frozen=True, slots=True)
class TextColour:
    """A colour read from text: hue 0-360, saturation and value 0-100, and how it was written."""

    hue: float
    saturation: float
    value: float
    format: ColourFormat = ColourFormat.HEX
    # The scale of saturation and value in the text (100 or 1000, or 1 for fractions).
    scale: float = 100
    hash_sign: bool = True
    upper: bool = False
    separator: str = ","


_HEX: Final = re.compile(r"(#?)([0-9a-fA-F]{6})")
_HSV_HEX: Final = re.compile(r"[0-9a-fA-F]{12}")
_NUMBERS: Final = re.compile(r"\s*(-?[\d.]+)\s*([,;\s])\s*(-?[\d.]+)\s*\2\s*(-?[\d.]+)\s*")


def parse_colour(text: object) -> TextColour | None:
    """The colour a text holds, or None when it is none of the known formats."""
    if not isinstance(text, str):
        return None
    if match := _HEX.fullmatch(text.strip()):
        rgb = bytes.fromhex(match[2])
        hue, saturation = color_util.color_RGB_to_hs(*rgb)
        return TextColour(
            hue,
            saturation,
            max(rgb) / 255 * 100,
            hash_sign=bool(match[1]),
            upper=match[2] != match[2].lower(),
        )
    if _HSV_HEX.fullmatch(text.strip()):
        hue_key, saturation_key, value_key = (int(text.strip()[i : i + 4], 16) for i in (0, 4, 8))
        return TextColour(
            hue_key % 360, saturation_key / 10, value_key / 10, ColourFormat.HSV_HEX, 1000
        )
    if match := _NUMBERS.fullmatch(text):
        hue_number, saturation_number, value_number = (float(match[i]) for i in (1, 3, 4))
        top = max(saturation_number, value_number)
        scale = 1.0 if top <= 1 else 100.0 if top <= 100 else 1000.0
        return TextColour(
            hue_number % 360,
            saturation_number / scale * 100,
            value_number / scale * 100,
            ColourFormat.HSV_NUMBERS,
            scale,
            separator=match[2] if match[2].strip() else " ",
        )
    return None


def format_colour(colour: TextColour) -> str:
    """The colour as text, in the format it carries."""
    if colour.format is ColourFormat.HSV_HEX:
        parts = (round(colour.hue) % 360, round(colour.saturation * 10), round(colour.value * 10))
        return "".join(f"{part:04x}" for part in parts)
    if colour.format is ColourFormat.HSV_NUMBERS:
        factor = colour.scale / 100
        parts_text = [
            str(round(colour.hue)),
            _number(colour.saturation * factor, colour.scale),
            _number(colour.value * factor, colour.scale),
        ]
        return colour.separator.join(parts_text)
    red, green, blue = color_util.color_hsv_to_RGB(colour.hue, colour.saturation, colour.value)
    digits = f"{red:02x}{green:02x}{blue:02x}"
    return ("#" if colour.hash_sign else "") + (digits.upper() if colour.upper else digits)


def _number(value: float, scale: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if scale == 1 else str(round(value))
