"""Unit strings of thing models and what they mean in Home Assistant."""

from typing import Final

from homeassistant.const import (
    LIGHT_LUX,
    REVOLUTIONS_PER_MINUTE,
    SIGNAL_STRENGTH_DECIBELS,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    UnitOfDensity,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfFrequency,
    UnitOfPower,
    UnitOfPressure,
    UnitOfRatio,
    UnitOfTemperature,
    UnitOfTime,
    UnitOfVolume,
)

# Spellings seen in thing models, matched exactly first and then case-insensitively.
# "m" stays metres (HA's own spelling), so minutes are only recognised spelled out.
UNITS: Final[dict[str, str]] = {
    # temperature
    "℃": UnitOfTemperature.CELSIUS,
    "°C": UnitOfTemperature.CELSIUS,
    "ºC": UnitOfTemperature.CELSIUS,
    "C": UnitOfTemperature.CELSIUS,
    "celsius": UnitOfTemperature.CELSIUS,
    "centigrade": UnitOfTemperature.CELSIUS,
    "摄氏度": UnitOfTemperature.CELSIUS,
    "℉": UnitOfTemperature.FAHRENHEIT,
    "°F": UnitOfTemperature.FAHRENHEIT,
    "ºF": UnitOfTemperature.FAHRENHEIT,
    "F": UnitOfTemperature.FAHRENHEIT,
    "fahrenheit": UnitOfTemperature.FAHRENHEIT,
    "K": UnitOfTemperature.KELVIN,
    "kelvin": UnitOfTemperature.KELVIN,
    # ratios
    "%": UnitOfRatio.PERCENTAGE,
    "\uff05": UnitOfRatio.PERCENTAGE,  # fullwidth percent sign
    "percent": UnitOfRatio.PERCENTAGE,
    "%RH": UnitOfRatio.PERCENTAGE,
    "RH": UnitOfRatio.PERCENTAGE,
    "ppm": UnitOfRatio.PARTS_PER_MILLION,
    "ppb": UnitOfRatio.PARTS_PER_BILLION,
    # electricity
    "W": UnitOfPower.WATT,
    "瓦": UnitOfPower.WATT,
    "kW": UnitOfPower.KILO_WATT,
    "千瓦": UnitOfPower.KILO_WATT,
    "Wh": UnitOfEnergy.WATT_HOUR,
    "W·h": UnitOfEnergy.WATT_HOUR,
    "kWh": UnitOfEnergy.KILO_WATT_HOUR,
    "kW·h": UnitOfEnergy.KILO_WATT_HOUR,
    "kW.h": UnitOfEnergy.KILO_WATT_HOUR,
    "kW*h": UnitOfEnergy.KILO_WATT_HOUR,
    "kW h": UnitOfEnergy.KILO_WATT_HOUR,
    "kW-h": UnitOfEnergy.KILO_WATT_HOUR,
    "千瓦时": UnitOfEnergy.KILO_WATT_HOUR,
    "V": UnitOfElectricPotential.VOLT,
    "伏": UnitOfElectricPotential.VOLT,
    "mV": UnitOfElectricPotential.MILLIVOLT,
    "A": UnitOfElectricCurrent.AMPERE,
    "安": UnitOfElectricCurrent.AMPERE,
    "mA": UnitOfElectricCurrent.MILLIAMPERE,
    "Hz": UnitOfFrequency.HERTZ,
    # light, air
    "lux": LIGHT_LUX,
    "lx": LIGHT_LUX,
    "勒克斯": LIGHT_LUX,
    "µg/m³": UnitOfDensity.MICROGRAMS_PER_CUBIC_METER,
    "μg/m³": UnitOfDensity.MICROGRAMS_PER_CUBIC_METER,
    "µg/m3": UnitOfDensity.MICROGRAMS_PER_CUBIC_METER,
    "μg/m3": UnitOfDensity.MICROGRAMS_PER_CUBIC_METER,
    "ug/m³": UnitOfDensity.MICROGRAMS_PER_CUBIC_METER,
    "ug/m3": UnitOfDensity.MICROGRAMS_PER_CUBIC_METER,
    "ug/m^3": UnitOfDensity.MICROGRAMS_PER_CUBIC_METER,
    "微克/立方米": UnitOfDensity.MICROGRAMS_PER_CUBIC_METER,
    "mg/m³": UnitOfDensity.MILLIGRAMS_PER_CUBIC_METER,
    "mg/m3": UnitOfDensity.MILLIGRAMS_PER_CUBIC_METER,
    "Pa": UnitOfPressure.PA,
    "hPa": UnitOfPressure.HPA,
    "kPa": UnitOfPressure.KPA,
    # signal
    "dBm": SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    "dB": SIGNAL_STRENGTH_DECIBELS,
    # time
    "ms": UnitOfTime.MILLISECONDS,
    "s": UnitOfTime.SECONDS,
    "sec": UnitOfTime.SECONDS,
    "second": UnitOfTime.SECONDS,
    "seconds": UnitOfTime.SECONDS,
    "秒": UnitOfTime.SECONDS,
    "minute": UnitOfTime.MINUTES,
    "minutes": UnitOfTime.MINUTES,
    "min": UnitOfTime.MINUTES,
    "分钟": UnitOfTime.MINUTES,
    "h": UnitOfTime.HOURS,
    "hour": UnitOfTime.HOURS,
    "hours": UnitOfTime.HOURS,
    "小时": UnitOfTime.HOURS,
    "day": UnitOfTime.DAYS,
    "days": UnitOfTime.DAYS,
    "天": UnitOfTime.DAYS,
    # other
    "L": UnitOfVolume.LITERS,
    "升": UnitOfVolume.LITERS,
    "m³": UnitOfVolume.CUBIC_METERS,
    "m3": UnitOfVolume.CUBIC_METERS,
    "rpm": REVOLUTIONS_PER_MINUTE,
    "r/min": REVOLUTIONS_PER_MINUTE,
}

_FOLDED: Final[dict[str, str]] = {}
for _spelling, _unit in UNITS.items():
    # The exact spelling wins over a case-insensitive one ("mA" is not "MA").
    _FOLDED.setdefault(_spelling.casefold(), _unit)


def ha_unit(unit: str) -> str | None:
    """The HA unit for a thing-model unit; unknown units pass through, "" is None."""
    text = unit.strip()
    if not text:
        return None
    if (known := UNITS.get(text)) is not None:
        return known
    return _FOLDED.get(text.casefold(), text)


# Device classes that follow from a unit alone (shared by sensor and number).
# Percent is left out: it can be a humidity, a battery, a position or a brightness.
UNIT_DEVICE_CLASSES: Final[dict[str, str]] = {
    UnitOfTemperature.CELSIUS: "temperature",
    UnitOfTemperature.FAHRENHEIT: "temperature",
    UnitOfPower.WATT: "power",
    UnitOfPower.KILO_WATT: "power",
    UnitOfEnergy.WATT_HOUR: "energy",
    UnitOfEnergy.KILO_WATT_HOUR: "energy",
    UnitOfElectricPotential.VOLT: "voltage",
    UnitOfElectricPotential.MILLIVOLT: "voltage",
    UnitOfElectricCurrent.AMPERE: "current",
    UnitOfElectricCurrent.MILLIAMPERE: "current",
    UnitOfFrequency.HERTZ: "frequency",
    LIGHT_LUX: "illuminance",
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT: "signal_strength",
    UnitOfPressure.PA: "pressure",
    UnitOfPressure.HPA: "pressure",
    UnitOfPressure.KPA: "pressure",
    UnitOfTime.SECONDS: "duration",
    UnitOfTime.MINUTES: "duration",
    UnitOfTime.HOURS: "duration",
    UnitOfTime.DAYS: "duration",
}
