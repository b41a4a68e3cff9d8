"""Fans: power with a speed (numeric or an ordered enum), oscillation and preset modes."""

from typing import Any, override

from homeassistant.components.fan import FanEntity
from homeassistant.util.percentage import (
    ordered_list_item_to_percentage,
    percentage_to_ordered_list_item,
    percentage_to_ranged_value,
    ranged_value_to_percentage,
)
from homeassistant.util.scaling import int_states_in_range

from .coordinator import TencentIoTCoordinator
from .entity import TencentIoTEntity, device_platform_setup
from .mapping.descriptions import Key, TencentIoTFanEntityDescription, truthy
from .models import DeviceState

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1


class TencentIoTFan(TencentIoTEntity, FanEntity):
    """A fan built from several properties of one device."""

    entity_description: TencentIoTFanEntityDescription

    def __init__(
        self,
        coordinator: TencentIoTCoordinator,
        state: DeviceState,
        description: TencentIoTFanEntityDescription,
    ) -> None:
        """Set features, speed count and preset modes from the model."""
        super().__init__(coordinator, state, description)
        self._attr_supported_features = description.features
        # Preset -> (property, key): the mode's options, then the speed's that are no speed
        # ("auto"), named apart when the mode has the same label.
        self._preset_values: dict[str, tuple[str, Key]] = {}
        if description.preset_id is not None:
            for label, key in description.preset_keys.items():
                self._preset_values[label] = (description.preset_id, key)
        if description.speed_id is not None:
            for label, key in description.speed_presets.items():
                name = label if label not in self._preset_values else f"{label} ({key})"
                self._preset_values[name] = (description.speed_id, key)
        self._attr_preset_modes = list(self._preset_values) or None
        if description.speed_keys:
            self._attr_speed_count = len(description.speed_keys)
        elif (speed := description.speed) is not None:
            self._attr_speed_count = int_states_in_range((speed.low, speed.high))
        self._presets = {value: label for label, value in self._preset_values.items()}

    @property
    @override
    def is_on(self) -> bool | None:
        """Whether the power is on."""
        return truthy(self.values.get(self.entity_description.power_id))

    @property
    @override
    def percentage(self) -> int | None:
        """The speed in percent; 0 while off."""
        description = self.entity_description
        if not self.is_on:
            return 0
        if description.speed_id is not None:
            value = self.values.get(description.speed_id)
            if value not in description.speed_keys:
                return None
            return ordered_list_item_to_percentage(list(description.speed_keys), value)
        speed = description.speed
        if speed is not None and (number := self.number(speed.id)) is not None:
            return ranged_value_to_percentage((speed.low, speed.high), number)
        return None

    @property
    @override
    def preset_mode(self) -> str | None:
        """The mode by the model's label; an "auto" speed first."""
        description = self.entity_description
        for prop_id in (description.speed_id, description.preset_id):
            if prop_id is None:
                continue
            value = self.values.get(prop_id)
            if isinstance(value, int | str) and (label := self._presets.get((prop_id, value))):
                return label
        return None

    @property
    @override
    def oscillating(self) -> bool | None:
        """Whether the fan swings."""
        oscillate_id = self.entity_description.oscillate_id
        return truthy(self.values.get(oscillate_id)) if oscillate_id else None

    def _speed_values(self, percentage: int) -> dict[str, Any]:
        description = self.entity_description
        if description.speed_id is not None:
            key = percentage_to_ordered_list_item(list(description.speed_keys), percentage)
            return {description.speed_id: key}
        if (speed := description.speed) is not None:
            return {
                speed.id: speed.clamped(
                    percentage_to_ranged_value((speed.low, speed.high), percentage)
                )
            }
        return {}

    @override
    async def async_turn_on(
        self,
        percentage: int | None = None,
        preset_mode: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Switch on, at a speed or in a mode if given."""
        description = self.entity_description
        values: dict[str, Any] = {description.power_id: True}
        if percentage:
            values.update(self._speed_values(percentage))
        if preset_mode is not None:
            prop_id, key = self._preset_values[preset_mode]
            values[prop_id] = key
        await self.async_set_changed_values(values)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        await self.async_set_changed_values({self.entity_description.power_id: False})

    @override
    async def async_set_percentage(self, percentage: int) -> None:
        """Set the speed; 0 switches off."""
        if percentage == 0:
            await self.async_turn_off()
            return
        await self.async_set_changed_values(
            {self.entity_description.power_id: True, **self._speed_values(percentage)}
        )

    @override
    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Set the mode (or the speed's "auto")."""
        prop_id, key = self._preset_values[preset_mode]
        await self.async_set_changed_values({prop_id: key})

    @override
    async def async_oscillate(self, oscillating: bool) -> None:
        """Start or stop swinging."""
        await self.async_set_bool(self.entity_description.oscillate_id, oscillating)


async_setup_entry = device_platform_setup(lambda mapping: mapping.fans, TencentIoTFan)
