"""Water heaters: power, operation modes (the model's), target and current temperature."""

from typing import Any, override

from homeassistant.components.water_heater import WaterHeaterEntity
from homeassistant.const import ATTR_TEMPERATURE, STATE_OFF, STATE_ON

from .coordinator import TencentIoTCoordinator
from .entity import TencentIoTEntity, device_platform_setup, labels_by_key
from .mapping.descriptions import TencentIoTWaterHeaterEntityDescription, truthy
from .models import DeviceState

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1


class TencentIoTWaterHeater(TencentIoTEntity, WaterHeaterEntity):
    """A water heater; "off" is its power switch, the other operations its modes."""

    entity_description: TencentIoTWaterHeaterEntityDescription

    def __init__(
        self,
        coordinator: TencentIoTCoordinator,
        state: DeviceState,
        description: TencentIoTWaterHeaterEntityDescription,
    ) -> None:
        """Set the features, operations and the temperature range from the model."""
        super().__init__(coordinator, state, description)
        self._attr_supported_features = description.features
        self._attr_temperature_unit = description.temperature_unit
        if (target := description.target) is not None:
            self._attr_min_temp = target.low
            self._attr_max_temp = target.high
            self._attr_target_temperature_step = target.step
        operations = list(description.operation_keys)
        if description.power_id is not None:
            operations.insert(0, STATE_OFF)
        self._attr_operation_list = operations or None
        self._operations = labels_by_key(description.operation_keys)

    def _power(self) -> bool | None:
        power_id = self.entity_description.power_id
        return truthy(self.values.get(power_id)) if power_id is not None else True

    @property
    @override
    def current_operation(self) -> str | None:
        """Off while the power is off, else the mode (the model's label), or on."""
        if not (power := self._power()):
            return None if power is None else STATE_OFF
        if (mode_id := self.entity_description.mode_id) is None:
            return STATE_ON
        return self.label(mode_id, self._operations)

    @property
    @override
    def current_temperature(self) -> float | None:
        """The water's temperature."""
        return self.number(self.entity_description.current_temperature_id)

    @property
    @override
    def target_temperature(self) -> float | None:
        """The temperature to heat to (shown even when the model does not let it be set)."""
        return self.scaled(self.entity_description.target)

    @override
    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the temperature to heat to."""
        target = self.entity_description.target
        if (temperature := kwargs.get(ATTR_TEMPERATURE)) is not None and target is not None:
            await self.async_set_changed_values({target.id: target.clamped(temperature)})

    @override
    async def async_set_operation_mode(self, operation_mode: str) -> None:
        """Switch off, or on in a mode."""
        description = self.entity_description
        values: dict[str, Any] = {}
        if description.power_id is not None:
            values[description.power_id] = operation_mode != STATE_OFF
        if operation_mode in description.operation_keys and description.mode_id is not None:
            values[description.mode_id] = description.operation_keys[operation_mode]
        await self.async_set_changed_values(values)

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch the power on."""
        await self.async_set_bool(self.entity_description.power_id, True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the power off."""
        await self.async_set_bool(self.entity_description.power_id, False)


async_setup_entry = device_platform_setup(
    lambda mapping: mapping.water_heaters, TencentIoTWaterHeater
)
