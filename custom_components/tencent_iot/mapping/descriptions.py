"""Entity descriptions the mapping builds: one frozen dataclass per platform.

Every description's `key` is the thing-model id it shows (a property, event or action),
or the platform name for an entity built from several properties. Values arrive decoded
by the coordinator: bools as bool, enum keys as int, string-enum keys as str.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
import json
from typing import Any, Final

from homeassistant.components.binary_sensor import BinarySensorEntityDescription
from homeassistant.components.button import ButtonEntityDescription
from homeassistant.components.climate import ClimateEntityDescription
from homeassistant.components.climate.const import ClimateEntityFeature, HVACMode
from homeassistant.components.cover import CoverEntityDescription, CoverEntityFeature
from homeassistant.components.datetime import DateTimeEntityDescription
from homeassistant.components.event import EventEntityDescription
from homeassistant.components.fan import FanEntityDescription
from homeassistant.components.fan.const import FanEntityFeature
from homeassistant.components.light import LightEntityDescription
from homeassistant.components.light.const import ColorMode
from homeassistant.components.media_player import MediaPlayerEntityDescription
from homeassistant.components.media_player.const import MediaPlayerEntityFeature, MediaPlayerState
from homeassistant.components.number import NumberEntityDescription
from homeassistant.components.select import SelectEntityDescription
from homeassistant.components.sensor import SensorEntityDescription
from homeassistant.components.switch import SwitchEntityDescription
from homeassistant.components.text import TextEntityDescription
from homeassistant.components.water_heater import WaterHeaterEntityDescription
from homeassistant.components.water_heater.const import WaterHeaterEntityFeature
from homeassistant.const import MAX_LENGTH_STATE_STATE
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from custom_components.tencent_iot.api import Event, Member, is_number

type Key = int | str
"""An enum (int) or string-enum (str) key of the thing model."""

# Timestamps above this are milliseconds (it is 1973 in milliseconds, 5138 in seconds).
_MS_THRESHOLD: Final = 100_000_000_000


def state_value(value: Any) -> StateType:
    """A decoded value as a sensor state; long text is cut to what a state can hold."""
    if isinstance(value, str):
        return value[:MAX_LENGTH_STATE_STATE]
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    return None


def timestamp_value(value: Any) -> datetime | None:
    """A UNIX timestamp (s or ms) as an aware datetime; 0 means never."""
    if not is_number(value) or value <= 0:
        return None
    seconds = value / 1000 if value >= _MS_THRESHOLD else value
    return dt_util.utc_from_timestamp(seconds)


def timestamp_to_send(moment: datetime, current: Any) -> int:
    """A datetime as a UNIX timestamp in the unit the device uses: ms if its value is in ms."""
    seconds = moment.timestamp()
    in_ms = timestamp_value(current) is not None and current >= _MS_THRESHOLD
    return round(seconds * 1000) if in_ms else round(seconds)


def structured_value(value: Any) -> StateType:
    """A struct as short JSON text, an array as its length."""
    if isinstance(value, list):
        return len(value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)[:MAX_LENGTH_STATE_STATE]
    return None


def structured_attributes(value: Any) -> dict[str, Any]:
    """A struct's members, or an array's items, as state attributes."""
    if isinstance(value, list):
        return {"items": value}
    if isinstance(value, Mapping):
        return dict(value)
    return {}


def decode_members(members: Iterable[Member], params: Mapping[str, Any]) -> dict[str, Any]:
    """Event parameters decoded as the model defines them; unknown or odd ones as sent."""
    known = {member.id: member for member in members}
    result: dict[str, Any] = {}
    for key, raw in params.items():
        value = raw
        if (member := known.get(key)) is not None:
            try:
                value = member.define.decode(raw)
            except ValueError:
                value = raw
        result[str(key)] = value
    return result


def snap(value: float, low: float | None, step: float | None, integer: bool) -> int | float:
    """A value on the model's grid: a whole number of steps from its minimum, in its own unit.

    A Fahrenheit setting shown in Celsius comes back as 68.9 °F: the device takes 69.
    """
    digits = 3
    if step is not None and step > 0:
        base = low or 0
        value = base + round((value - base) / step) * step
        digits = max(digits, -int(Decimal(str(step)).as_tuple().exponent))
    return round(value) if integer else round(value, digits)


def truthy(value: Any) -> bool | None:
    """A bool, or an enum/number that is active when not 0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return None


@dataclass(frozen=True, kw_only=True)
class TencentIoTEntityDescription(EntityDescription):
    """What every description of a device's entity carries: the properties its state shows.

    The mapping fills them from its match; a push changing none of them (nor the device's
    availability) leaves the entity's state as it is.
    """

    property_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class TencentIoTSensorEntityDescription(SensorEntityDescription, TencentIoTEntityDescription):
    """A sensor showing one property."""

    value_fn: Callable[[Any], StateType | datetime] = state_value
    attributes_fn: Callable[[Any], dict[str, Any]] | None = None


@dataclass(frozen=True, kw_only=True)
class TencentIoTBinarySensorEntityDescription(
    BinarySensorEntityDescription, TencentIoTEntityDescription
):
    """A binary sensor showing one bool (or enum) property."""

    value_fn: Callable[[Any], bool | None] = truthy


@dataclass(frozen=True, kw_only=True)
class TencentIoTSwitchEntityDescription(SwitchEntityDescription, TencentIoTEntityDescription):
    """A switch setting one bool property."""


@dataclass(frozen=True, kw_only=True)
class TencentIoTNumberEntityDescription(NumberEntityDescription, TencentIoTEntityDescription):
    """A number setting one int or float property; `integer` for an int property."""

    integer: bool = False

    # The number shown is the property's value times this (a user's scale factor).
    factor: float = 1


@dataclass(frozen=True, kw_only=True)
class TencentIoTSelectEntityDescription(SelectEntityDescription, TencentIoTEntityDescription):
    """A select setting one enum property; `option_keys` maps each option to its key."""

    option_keys: Mapping[str, Key] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class TencentIoTTextEntityDescription(TextEntityDescription, TencentIoTEntityDescription):
    """A text entity setting one string property."""


@dataclass(frozen=True, kw_only=True)
class TencentIoTDateTimeEntityDescription(DateTimeEntityDescription, TencentIoTEntityDescription):
    """A date and time setting one writable timestamp property."""


@dataclass(frozen=True, kw_only=True)
class TencentIoTEventEntityDescription(EventEntityDescription, TencentIoTEntityDescription):
    """An event entity for one thing-model event."""

    event: Event


@dataclass(frozen=True, kw_only=True)
class TencentIoTButtonEntityDescription(ButtonEntityDescription, TencentIoTEntityDescription):
    """A button calling one thing-model action that takes no input."""


@dataclass(frozen=True, slots=True)
class Scale:
    """A numeric property and its range in the model."""

    id: str
    low: float
    high: float
    integer: bool = True
    step: float | None = None

    def rounded(self, value: float) -> int | float:
        """A value to send, on the model's steps (the range is checked on sending)."""
        return snap(value, self.low, self.step, self.integer)

    def clamped(self, value: float) -> int | float:
        """A converted value to send: within the range, rounded for an int property."""
        return self.rounded(min(max(value, self.low), self.high))

    def to_range(self, value: float, low: float, high: float) -> float:
        """A model value moved linearly onto low..high."""
        return low + (value - self.low) * (high - low) / (self.high - self.low)

    def from_range(self, value: float, low: float, high: float) -> int | float:
        """A value on low..high moved linearly onto the model's range, clamped."""
        return self.clamped(self.low + (value - low) * (self.high - self.low) / (high - low))


@dataclass(frozen=True, kw_only=True)
class TencentIoTLightEntityDescription(LightEntityDescription, TencentIoTEntityDescription):
    """A light from power_switch plus brightness, colour temperature and colour properties."""

    power_id: str
    supported_color_modes: frozenset[ColorMode]
    brightness: Scale | None = None
    # HSV `value`: the brightness while the light shows a colour.
    color_value: Scale | None = None
    color_temp: Scale | None = None
    min_kelvin: int = 2700
    max_kelvin: int = 6500
    hue: Scale | None = None
    saturation: Scale | None = None
    rgb_id: str | None = None
    # Member ids of red, green and blue when rgb_color is a struct; empty for a packed int.
    rgb_members: tuple[str, str, str] | None = None
    # Red, green and blue as three properties of their own.
    rgb_channels: tuple[Scale, Scale, Scale] | None = None
    # An array [lightness, hue, saturation] (BLE mesh HSL), each item on this scale.
    hsl: Scale | None = None
    # A colour as text (hex, HSV): written back in the format the device reports.
    color_text_id: str | None = None
    color_mode_id: str | None = None
    # color_mode key -> the HA colour mode it means (white or colour).
    color_mode_keys: Mapping[Key, ColorMode] = field(default_factory=dict)
    effect_id: str | None = None
    # Effect (the model's label) -> its key.
    effect_keys: Mapping[str, Key] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class TencentIoTClimateEntityDescription(ClimateEntityDescription, TencentIoTEntityDescription):
    """An air conditioner or thermostat."""

    power_id: str | None = None
    # None when the model's target temperature is read-only (it is a sensor of its own then).
    target: Scale | None = None
    current_temperature_id: str | None = None
    current_humidity_id: str | None = None
    target_humidity: Scale | None = None
    temperature_unit: str
    mode_id: str | None = None
    # HVAC mode -> mode key; OFF is the power switch, not a key.
    hvac_mode_keys: Mapping[HVACMode, Key] = field(default_factory=dict)
    hvac_modes: tuple[HVACMode, ...]
    # Presets (the model's labels) -> key: the modes of mode_id that are no HVAC mode, or
    # the options of a property of their own.
    preset_id: str | None = None
    preset_keys: Mapping[str, Key] = field(default_factory=dict)
    fan_id: str | None = None
    fan_mode_keys: Mapping[str, Key] = field(default_factory=dict)
    # Bools: swing modes "off" and "on" (vertical, and horizontal).
    swing_id: str | None = None
    swing_horizontal_id: str | None = None
    features: ClimateEntityFeature


@dataclass(frozen=True, kw_only=True)
class TencentIoTCoverEntityDescription(CoverEntityDescription, TencentIoTEntityDescription):
    """A curtain: a position to set and/or an open/close/stop command."""

    position: Scale | None = None
    current_position: Scale | None = None
    control_id: str | None = None
    # "open", "close", "stop" -> control key
    command_keys: Mapping[str, Key] = field(default_factory=dict)
    features: CoverEntityFeature


@dataclass(frozen=True, kw_only=True)
class TencentIoTFanEntityDescription(FanEntityDescription, TencentIoTEntityDescription):
    """A fan: power, speed (numeric or ordered enum), oscillation and preset modes."""

    power_id: str
    speed: Scale | None = None
    speed_id: str | None = None
    speed_keys: tuple[Key, ...] = ()
    # Options of the speed that are no speed ("auto"): presets, label -> key.
    speed_presets: Mapping[str, Key] = field(default_factory=dict)
    oscillate_id: str | None = None
    preset_id: str | None = None
    preset_keys: Mapping[str, Key] = field(default_factory=dict)
    features: FanEntityFeature


@dataclass(frozen=True, kw_only=True)
class TencentIoTMediaPlayerEntityDescription(
    MediaPlayerEntityDescription, TencentIoTEntityDescription
):
    """A speaker: playback state, volume, what it plays, play modes and the actions it calls."""

    state_id: str
    # The playback states the state property has -> their keys (playing, paused, maybe idle).
    state_keys: Mapping[MediaPlayerState, Key]
    power_id: str | None = None
    volume: Scale | None = None
    mute_id: str | None = None
    now_playing_id: str | None = None
    # What a member of the now-playing struct means ("title", "artist", "album", "duration",
    # "position", "cover") -> its member id.
    now_playing_members: Mapping[str, str] = field(default_factory=dict)
    play_mode_id: str | None = None
    # "sequence", "shuffle", "one" (repeat one), "all" (repeat all) -> the play mode's key.
    play_mode_keys: Mapping[str, Key] = field(default_factory=dict)
    # Thing-model actions the player calls: "next", "previous", and "play_song" with the id
    # of its song input; `action_ids` are all actions it stands for (no button of their own).
    actions: Mapping[str, str] = field(default_factory=dict)
    song_input_id: str | None = None
    action_ids: frozenset[str] = frozenset()
    features: MediaPlayerEntityFeature


@dataclass(frozen=True, kw_only=True)
class TencentIoTWaterHeaterEntityDescription(
    WaterHeaterEntityDescription, TencentIoTEntityDescription
):
    """A water heater: power, operation modes, target and current temperature."""

    power_id: str | None = None
    target: Scale | None = None
    # Whether the target can be set (a read-only one is shown all the same).
    target_writable: bool = False
    current_temperature_id: str | None = None
    temperature_unit: str
    mode_id: str | None = None
    # Operation (the model's label) -> mode key.
    operation_keys: Mapping[str, Key] = field(default_factory=dict)
    features: WaterHeaterEntityFeature
