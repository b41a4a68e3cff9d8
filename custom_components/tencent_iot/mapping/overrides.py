"""Per-product customisation: what a user changes of the entities the rules build.

An override names one property of a product. An entity type other than automatic takes the
property out of the rules and shows it as that type (or not at all: hidden); the other settings
change the description the rules, or the type, built. Like the rest of the mapping this is data
in, descriptions out: the options flow checks input with `problems`, and the mapping leaves out
what no longer fits a product's model and says so in `ignored`.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final, Self

from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.components.number import NumberDeviceClass
from homeassistant.components.number.const import (
    DEFAULT_MAX_VALUE,
    DEFAULT_MIN_VALUE,
    DEVICE_CLASS_UNITS as NUMBER_DEVICE_CLASS_UNITS,
)
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.components.sensor.const import (
    DEVICE_CLASS_STATE_CLASSES,
    DEVICE_CLASS_UNITS as SENSOR_DEVICE_CLASS_UNITS,
    NON_NUMERIC_DEVICE_CLASSES,
)
from homeassistant.components.switch.const import SwitchDeviceClass

from custom_components.tencent_iot.api import (
    ArrayDefine,
    BoolDefine,
    EnumDefine,
    NumberDefine,
    Property,
    StringDefine,
    StringEnumDefine,
    StructDefine,
    ThingModel,
    TimestampDefine,
    is_number,
)

from .descriptions import (
    TencentIoTBinarySensorEntityDescription,
    TencentIoTEntityDescription,
    TencentIoTNumberEntityDescription,
    TencentIoTSensorEntityDescription,
    TencentIoTSwitchEntityDescription,
)
from .properties import fallback
from .units import UNIT_DEVICE_CLASSES


class EntityType(StrEnum):
    """What a property is shown as; automatic leaves it to the rules."""

    AUTOMATIC = "automatic"
    SENSOR = "sensor"
    BINARY_SENSOR = "binary_sensor"
    SWITCH = "switch"
    NUMBER = "number"
    SELECT = "select"
    TEXT = "text"
    HIDDEN = "hidden"


# The keys of one property's override in the entry's options (and the flow's fields).
ENTITY_TYPE: Final = "entity_type"
DEVICE_CLASS: Final = "device_class"
UNIT: Final = "unit"
SCALE: Final = "scale"
PRECISION: Final = "precision"
ENABLED: Final = "enabled"
_SETTINGS: Final = (ENTITY_TYPE, DEVICE_CLASS, UNIT, SCALE, PRECISION, ENABLED)
MAX_PRECISION: Final = 6

# The rule named in the mapping report for a property whose entity type the user chose.
OVERRIDE_RULE: Final = "override"

# Per type of property: the entity types that fit it, and whether each needs it writable.
_FITTING: Final[dict[type, tuple[tuple[EntityType, bool], ...]]] = {
    BoolDefine: ((EntityType.BINARY_SENSOR, False), (EntityType.SWITCH, True)),
    NumberDefine: (
        (EntityType.SENSOR, False),
        (EntityType.BINARY_SENSOR, False),
        (EntityType.NUMBER, True),
    ),
    EnumDefine: (
        (EntityType.SENSOR, False),
        (EntityType.BINARY_SENSOR, False),
        (EntityType.SELECT, True),
    ),
    StringEnumDefine: ((EntityType.SENSOR, False), (EntityType.SELECT, True)),
    StringDefine: ((EntityType.SENSOR, False), (EntityType.TEXT, True)),
    TimestampDefine: ((EntityType.SENSOR, False),),
    StructDefine: ((EntityType.SENSOR, False),),
    ArrayDefine: ((EntityType.SENSOR, False),),
}

# The device classes of each platform that has them, and HA's units per device class.
_DEVICE_CLASSES: Final[dict[type[TencentIoTEntityDescription], type[StrEnum]]] = {
    TencentIoTSensorEntityDescription: SensorDeviceClass,
    TencentIoTNumberEntityDescription: NumberDeviceClass,
    TencentIoTBinarySensorEntityDescription: BinarySensorDeviceClass,
    TencentIoTSwitchEntityDescription: SwitchDeviceClass,
}
_UNITS: Final[dict[type[TencentIoTEntityDescription], Mapping[Any, set[Any]]]] = {
    TencentIoTSensorEntityDescription: SENSOR_DEVICE_CLASS_UNITS,
    TencentIoTNumberEntityDescription: NUMBER_DEVICE_CLASS_UNITS,
}
# Every unit HA knows a device class for: the units the flow suggests.
KNOWN_UNITS: Final = tuple(
    sorted(
        {
            unit
            for table in _UNITS.values()
            for units in table.values()
            for unit in units
            if isinstance(unit, str)
        }
    )
)


def _number(value: object) -> float:
    if isinstance(value, bool) or not is_number(value):
        raise TypeError(f"{value!r} is not a number")
    return float(value)


@dataclass(frozen=True, slots=True)
class PropertyOverride:
    """What the user changed of one property's entity; None leaves a setting as it is."""

    property_id: str
    entity_type: EntityType = EntityType.AUTOMATIC
    device_class: str | None = None
    unit: str | None = None
    scale: float | None = None
    precision: int | None = None
    enabled: bool | None = None

    @classmethod
    def from_options(cls, property_id: str, raw: object) -> Self:
        """Read one property's override as stored; TypeError or ValueError says what is wrong."""
        if not isinstance(raw, Mapping):
            raise TypeError("not an object")
        if unknown := sorted(set(raw) - set(_SETTINGS)):
            raise ValueError(f"unknown settings {unknown}")
        device_class, unit, scale, precision, enabled = (
            raw.get(key) for key in (DEVICE_CLASS, UNIT, SCALE, PRECISION, ENABLED)
        )
        if not isinstance(device_class, str | None) or not isinstance(unit, str | None):
            raise TypeError("device class and unit must be text")
        if scale is not None and _number(scale) == 0:
            raise ValueError("scale factor 0")
        if precision is not None and precision not in range(MAX_PRECISION + 1):
            raise ValueError(f"precision {precision!r} is not 0-{MAX_PRECISION}")
        if not isinstance(enabled, bool | None):
            raise TypeError(f"enabled {enabled!r} is not true or false")
        return cls(
            property_id,
            EntityType(raw.get(ENTITY_TYPE, EntityType.AUTOMATIC)),
            device_class=device_class,
            unit=unit,
            scale=None if scale is None else _number(scale),
            precision=None if precision is None else int(precision),
            enabled=enabled,
        )

    def as_options(self) -> dict[str, Any]:
        """The settings that are not left as they are, as the entry's options store them."""
        settings = {
            ENTITY_TYPE: (
                None if self.entity_type is EntityType.AUTOMATIC else self.entity_type.value
            ),
            DEVICE_CLASS: self.device_class,
            UNIT: self.unit,
            SCALE: self.scale,
            PRECISION: self.precision,
            ENABLED: self.enabled,
        }
        return {key: value for key, value in settings.items() if value is not None}

    @property
    def changes_entity(self) -> bool:
        """Whether it changes the entity beyond its type."""
        return any(
            value is not None
            for value in (self.device_class, self.unit, self.scale, self.precision, self.enabled)
        )


type ProductOverrides = tuple[PropertyOverride, ...]
"""A product's overrides, one per property, ordered by property id: hashable, so cacheable."""


def product_overrides(raw: object) -> tuple[ProductOverrides, list[str]]:
    """A product's overrides as stored (property id -> settings), and what could not be read."""
    if not isinstance(raw, Mapping):
        return (), [f"not an object: {raw!r}"]
    overrides: list[PropertyOverride] = []
    unreadable: list[str] = []
    for property_id, settings in sorted(raw.items()):
        try:
            override = PropertyOverride.from_options(str(property_id), settings)
        except (TypeError, ValueError) as err:
            unreadable.append(f"{property_id}: {err}")
            continue
        if override.as_options():
            overrides.append(override)
    return tuple(overrides), unreadable


def entity_types(prop: Property) -> tuple[EntityType, ...]:
    """The entity types a property can be shown as: automatic, those its type fits, hidden."""
    fitting = [
        entity_type
        for entity_type, needs_writable in _FITTING.get(type(prop.define), ())
        if prop.writable or not needs_writable
    ]
    return (EntityType.AUTOMATIC, *fitting, EntityType.HIDDEN)


def typed_description(
    prop: Property, entity_type: EntityType
) -> TencentIoTEntityDescription | None:
    """The entity of a type the user chose (it fits the property), as the type rules build it."""
    if entity_type is EntityType.HIDDEN:
        return None
    view = prop
    if entity_type is EntityType.SENSOR:
        view = replace(prop, mode="r")
    elif entity_type is EntityType.BINARY_SENSOR:
        view = replace(prop, mode="r", define=BoolDefine())
    description = fallback(view)
    return None if description is None else replace(description, property_ids=frozenset({prop.id}))


def _shows_number(description: TencentIoTEntityDescription, prop: Property) -> bool:
    """A sensor or number of a numeric property: it has a unit and can be scaled."""
    return isinstance(prop.define, NumberDefine) and isinstance(
        description, TencentIoTSensorEntityDescription | TencentIoTNumberEntityDescription
    )


def device_classes(description: TencentIoTEntityDescription, prop: Property) -> tuple[str, ...]:
    """The device classes HA has for the entity; a sensor's only for a numeric property."""
    classes = _DEVICE_CLASSES.get(type(description))
    if classes is None:
        return ()
    if isinstance(description, TencentIoTSensorEntityDescription) and not _shows_number(
        description, prop
    ):
        return ()
    return tuple(
        str(device_class)
        for device_class in classes
        if device_class not in NON_NUMERIC_DEVICE_CLASSES
    )


def allowed_units(description: TencentIoTEntityDescription, device_class: str) -> set[Any] | None:
    """The units HA accepts for the entity's device class; None: any."""
    table = _UNITS.get(type(description))
    return None if table is None else table.get(device_class)


def problems(
    prop: Property, override: PropertyOverride, description: TencentIoTEntityDescription | None
) -> dict[str, str]:
    """Settings of the override that do not fit the entity it changes: field -> error key."""
    if description is None or not override.changes_entity:
        return {}
    if len(description.property_ids) > 1:
        return {"base": "combined_entity"}
    errors: dict[str, str] = {}
    shows_number = _shows_number(description, prop)
    if override.device_class is not None and override.device_class not in device_classes(
        description, prop
    ):
        errors[DEVICE_CLASS] = "device_class_misfit"
    for key, value in ((UNIT, override.unit), (SCALE, override.scale)):
        if value is not None and not shows_number:
            errors[key] = "needs_number_entity"
    if override.precision is not None and not (
        shows_number and isinstance(description, TencentIoTSensorEntityDescription)
    ):
        errors[PRECISION] = "needs_sensor"
    if override.scale == 0:
        errors[SCALE] = "invalid_scale"
    if (
        override.device_class is not None
        and not errors
        and shows_number
        and isinstance(
            description, TencentIoTSensorEntityDescription | TencentIoTNumberEntityDescription
        )
    ):
        units = allowed_units(description, override.device_class)
        if units is not None and _unit(description, override) not in units:
            errors[UNIT] = "unit_misfit"
    return errors


def _unit(
    description: TencentIoTSensorEntityDescription | TencentIoTNumberEntityDescription,
    override: PropertyOverride,
) -> str | None:
    return override.unit if override.unit is not None else description.native_unit_of_measurement


def scaled(value: float, factor: float) -> float:
    """The value times the factor, exact in decimal (235 x 0.1 is 23.5, not 23.500000000000004)."""
    product = Decimal(str(value)) * Decimal(str(factor))
    if isinstance(value, int) and float(factor).is_integer():
        return int(product)
    return float(product)


def unscaled(value: float, factor: float, step: float | None) -> float:
    """A shown value as the property's: rounded to the shown step, then divided by the factor."""
    shown = Decimal(str(value))
    if step:
        quantum = Decimal(str(step))
        shown = (shown / quantum).to_integral_value() * quantum
    return float(shown / Decimal(str(factor)))


@dataclass(frozen=True, slots=True)
class Scaled:
    """A sensor's value function whose numbers are multiplied by a factor."""

    value_fn: Callable[[Any], Any]
    factor: float

    def __call__(self, value: Any) -> Any:
        """The value as the wrapped function shows it, scaled when it is a number."""
        shown = self.value_fn(value)
        return scaled(shown, self.factor) if is_number(shown) else shown


def _class_and_unit(
    description: TencentIoTSensorEntityDescription | TencentIoTNumberEntityDescription,
    override: PropertyOverride,
) -> tuple[Any, str | None]:
    """The device class and unit; a new unit replaces a device class that refuses it.

    As the rules do, a unit that means one device class (°C, W, kWh...) brings it along.
    """
    classes = _DEVICE_CLASSES[type(description)]
    if override.device_class is not None:
        return classes(override.device_class), _unit(description, override)
    device_class: Any = description.device_class
    if (unit := override.unit) is None:
        return device_class, description.native_unit_of_measurement
    if device_class is None or not _accepts(description, device_class, unit):
        derived = UNIT_DEVICE_CLASSES.get(unit)
        device_class = (
            classes(derived) if derived and _accepts(description, derived, unit) else None
        )
    return device_class, unit


def _accepts(description: TencentIoTEntityDescription, device_class: str, unit: str | None) -> bool:
    units = allowed_units(description, device_class)
    return units is None or unit in units


# Device classes of sensors that show no measurement: no statistics for them.
_NOT_MEASURED: Final = frozenset(
    {SensorDeviceClass.ENUM, SensorDeviceClass.TIMESTAMP, SensorDeviceClass.DATE}
)


def _state_class(
    state_class: SensorStateClass | str | None,
    device_class: SensorDeviceClass | None,
    measured: bool,
) -> SensorStateClass | str | None:
    """The sensor's state class, one its (new) device class allows.

    A value the user gives a unit or a device class is measured in something: it gets
    statistics, as the rules give them to readings with a unit.
    """
    if state_class is None and measured and device_class not in _NOT_MEASURED:
        state_class = SensorStateClass.MEASUREMENT
    allowed = DEVICE_CLASS_STATE_CLASSES.get(device_class) if device_class else None
    if state_class is None or allowed is None or state_class in allowed:
        return state_class
    if SensorStateClass.TOTAL_INCREASING in allowed:
        return SensorStateClass.TOTAL_INCREASING
    return min(allowed)


def _sensor_changes(
    description: TencentIoTSensorEntityDescription, override: PropertyOverride
) -> dict[str, Any]:
    device_class, unit = _class_and_unit(description, override)
    changes: dict[str, Any] = {
        "device_class": device_class,
        "native_unit_of_measurement": unit,
        "state_class": _state_class(
            description.state_class,
            device_class,
            measured=override.unit is not None or override.device_class is not None,
        ),
    }
    if override.scale is not None:
        changes["value_fn"] = Scaled(description.value_fn, override.scale)
    if override.precision is not None:
        changes["suggested_display_precision"] = override.precision
    return changes


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _number_changes(
    description: TencentIoTNumberEntityDescription, override: PropertyOverride
) -> dict[str, Any]:
    device_class, unit = _class_and_unit(description, override)
    changes: dict[str, Any] = {"device_class": device_class, "native_unit_of_measurement": unit}
    if (factor := override.scale) is not None:
        low, high = sorted(
            scaled(bound, factor)
            for bound in (
                _or(description.native_min_value, DEFAULT_MIN_VALUE),
                _or(description.native_max_value, DEFAULT_MAX_VALUE),
            )
        )
        step = description.native_step
        changes |= {
            "native_min_value": low,
            "native_max_value": high,
            "native_step": None if step is None else abs(scaled(step, factor)),
            "factor": factor,
        }
    return changes


def customised(
    description: TencentIoTEntityDescription, override: PropertyOverride
) -> TencentIoTEntityDescription:
    """The description with the override's settings (they fit: see `problems`)."""
    changes: dict[str, Any] = {}
    if override.enabled is not None:
        changes["entity_registry_enabled_default"] = override.enabled
    if isinstance(description, TencentIoTSensorEntityDescription):
        changes |= _sensor_changes(description, override)
    elif isinstance(description, TencentIoTNumberEntityDescription):
        changes |= _number_changes(description, override)
    elif override.device_class is not None:
        changes["device_class"] = _DEVICE_CLASSES[type(description)](override.device_class)
    return replace(description, **changes)


@dataclass(frozen=True, slots=True)
class IgnoredOverride:
    """An override (or one of its settings) the product's model no longer takes, and why."""

    property_id: str
    setting: str
    reason: str


@dataclass(slots=True)
class Customisation:
    """A product's overrides checked against its model, while one mapping is built."""

    model: ThingModel
    typed: dict[str, PropertyOverride] = field(default_factory=dict)
    changing: dict[str, PropertyOverride] = field(default_factory=dict)
    ignored: list[IgnoredOverride] = field(default_factory=list)
    # Properties whose entity one of the settings changed.
    applied: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, model: ThingModel, overrides: Iterable[PropertyOverride]) -> Self:
        """Sort the overrides; those of properties the model does not have are ignored."""
        customisation = cls(model)
        for override in overrides:
            prop = model.properties.get(override.property_id)
            if prop is None:
                customisation.ignore(override.property_id, ENTITY_TYPE, "unknown_property")
                continue
            if override.entity_type is not EntityType.AUTOMATIC:
                if override.entity_type not in entity_types(prop):
                    customisation.ignore(prop.id, ENTITY_TYPE, "entity_type_misfit")
                    continue
                customisation.typed[prop.id] = override
            if override.changes_entity:
                customisation.changing[prop.id] = override
        return customisation

    def ignore(self, property_id: str, setting: str, reason: str) -> None:
        """Note an override that is left out."""
        self.ignored.append(IgnoredOverride(property_id, setting, reason))

    def typed_descriptions(self) -> list[TencentIoTEntityDescription]:
        """The entities of the properties whose type the user chose (none for hidden)."""
        built = (
            typed_description(self.model.properties[prop_id], override.entity_type)
            for prop_id, override in self.typed.items()
        )
        return [description for description in built if description is not None]

    def apply(self, description: TencentIoTEntityDescription) -> TencentIoTEntityDescription:
        """The description with its properties' settings, those that still fit it."""
        for prop_id in sorted(description.property_ids & self.changing.keys()):
            override = self.changing[prop_id]
            if errors := problems(self.model.properties[prop_id], override, description):
                for setting, reason in sorted(errors.items()):
                    self.ignore(prop_id, setting, reason)
                continue
            self.applied.add(prop_id)
            description = customised(description, override)
        return description
