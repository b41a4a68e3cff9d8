"""Climate: air conditioners, thermostats and heaters built from power, modes and temperatures."""

from typing import Any, override

from homeassistant.components.climate import ClimateEntity
from homeassistant.components.climate.const import (
    ATTR_HVAC_MODE,
    SWING_HORIZONTAL_OFF,
    SWING_HORIZONTAL_ON,
    SWING_OFF,
    SWING_ON,
    HVACMode,
)
from homeassistant.const import ATTR_TEMPERATURE

from .coordinator import TencentIoTCoordinator
from .entity import TencentIoTEntity, device_platform_setup, labels_by_key
from .mapping.descriptions import TencentIoTClimateEntityDescription, truthy
from .models import DeviceState

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1


class TencentIoTClimate(TencentIoTEntity, ClimateEntity):
    """An air conditioner or thermostat."""

    entity_description: TencentIoTClimateEntityDescription

    def __init__(
        self,
        coordinator: TencentIoTCoordinator,
        state: DeviceState,
        description: TencentIoTClimateEntityDescription,
    ) -> None:
        """Set modes, features and the temperature range from the model."""
        super().__init__(coordinator, state, description)
        self._attr_hvac_modes = list(description.hvac_modes)
        self._attr_supported_features = description.features
        self._attr_temperature_unit = description.temperature_unit
        self._attr_fan_modes = list(description.fan_mode_keys) or None
        self._attr_preset_modes = list(description.preset_keys) or None
        if description.swing_id is not None:
            self._attr_swing_modes = [SWING_OFF, SWING_ON]
        if description.swing_horizontal_id is not None:
            self._attr_swing_horizontal_modes = [SWING_HORIZONTAL_OFF, SWING_HORIZONTAL_ON]
        if (target := description.target) is not None:
            self._attr_target_temperature_step = target.step
            self._attr_min_temp = target.low
            self._attr_max_temp = target.high
        if (humidity := description.target_humidity) is not None:
            self._attr_min_humidity = humidity.low
            self._attr_max_humidity = humidity.high
        self._hvac_modes = labels_by_key(description.hvac_mode_keys)
        self._presets = labels_by_key(description.preset_keys)
        self._fan_modes = labels_by_key(description.fan_mode_keys)

    @property
    def _on_mode(self) -> HVACMode:
        """The mode that stands for "on" when the model has no mode property."""
        return next(mode for mode in self.entity_description.hvac_modes if mode != HVACMode.OFF)

    @property
    @override
    def hvac_mode(self) -> HVACMode | None:
        """OFF while the power is off, else the mode the device reports."""
        description = self.entity_description
        if description.power_id is not None:
            power = truthy(self.values.get(description.power_id))
            if power is None:
                return None
            if not power:
                return HVACMode.OFF
        if description.mode_id is None:
            return self._on_mode
        return self._mode_of(self.values.get(description.mode_id))

    def _mode_of(self, key: Any) -> HVACMode | None:
        """The HVAC mode of a mode key; in a preset (ECO, sleep) auto, when the model has it."""
        if not isinstance(key, int | str):
            return None
        if (mode := self._hvac_modes.get(key)) is not None:
            return mode
        if key in self._presets and HVACMode.AUTO in self.entity_description.hvac_modes:
            return HVACMode.AUTO
        return None

    @property
    @override
    def preset_mode(self) -> str | None:
        """The preset (the model's label), while the device is in one."""
        return self.label(self.entity_description.preset_id, self._presets)

    @property
    @override
    def current_temperature(self) -> float | None:
        """The room temperature."""
        return self.number(self.entity_description.current_temperature_id)

    @property
    @override
    def current_humidity(self) -> float | None:
        """The room humidity."""
        return self.number(self.entity_description.current_humidity_id)

    @property
    @override
    def target_temperature(self) -> float | None:
        """The temperature to reach."""
        return self.scaled(self.entity_description.target)

    @property
    @override
    def target_humidity(self) -> float | None:
        """The humidity to reach."""
        return self.scaled(self.entity_description.target_humidity)

    @property
    @override
    def fan_mode(self) -> str | None:
        """The fan speed."""
        return self.label(self.entity_description.fan_id, self._fan_modes)

    @property
    @override
    def swing_mode(self) -> str | None:
        """Whether the air swings: "on" or "off"."""
        return self.on_off(self.entity_description.swing_id, SWING_ON, SWING_OFF)

    @property
    @override
    def swing_horizontal_mode(self) -> str | None:
        """Whether the air swings from side to side: "on" or "off"."""
        return self.on_off(
            self.entity_description.swing_horizontal_id, SWING_HORIZONTAL_ON, SWING_HORIZONTAL_OFF
        )

    def _mode_values(self, hvac_mode: HVACMode) -> dict[str, Any]:
        description = self.entity_description
        if hvac_mode == HVACMode.OFF:
            return {description.power_id: False} if description.power_id else {}
        values: dict[str, Any] = {}
        if description.power_id is not None:
            values[description.power_id] = True
        if description.mode_id is not None and hvac_mode in description.hvac_mode_keys:
            values[description.mode_id] = description.hvac_mode_keys[hvac_mode]
        return values

    @override
    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Switch off, or on in the given mode."""
        await self.async_set_changed_values(self._mode_values(hvac_mode))

    @override
    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the target temperature (and the mode, if given)."""
        values: dict[str, Any] = {}
        if (hvac_mode := kwargs.get(ATTR_HVAC_MODE)) is not None:
            values.update(self._mode_values(hvac_mode))
        target = self.entity_description.target
        if (temperature := kwargs.get(ATTR_TEMPERATURE)) is not None and target is not None:
            values[target.id] = target.clamped(temperature)
        if values:
            await self.async_set_changed_values(values)

    @override
    async def async_set_humidity(self, humidity: int) -> None:
        """Set the humidity to reach."""
        if (target := self.entity_description.target_humidity) is not None:
            await self.async_set_changed_values({target.id: target.clamped(humidity)})

    @override
    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Switch to a preset (on, if the power is off)."""
        description = self.entity_description
        if description.preset_id is None:
            return
        values: dict[str, Any] = {description.preset_id: description.preset_keys[preset_mode]}
        if description.power_id is not None:
            values[description.power_id] = True
        await self.async_set_changed_values(values)

    @override
    async def async_set_fan_mode(self, fan_mode: str) -> None:
        """Set the fan speed."""
        fan_id = self.entity_description.fan_id
        if fan_id is not None:
            await self.async_set_changed_values(
                {fan_id: self.entity_description.fan_mode_keys[fan_mode]}
            )

    @override
    async def async_set_swing_mode(self, swing_mode: str) -> None:
        """Start or stop the swing."""
        await self.async_set_bool(self.entity_description.swing_id, swing_mode == SWING_ON)

    @override
    async def async_set_swing_horizontal_mode(self, swing_horizontal_mode: str) -> None:
        """Start or stop the side-to-side swing."""
        await self.async_set_bool(
            self.entity_description.swing_horizontal_id,
            swing_horizontal_mode == SWING_HORIZONTAL_ON,
        )

    @override
    async def async_turn_on(self) -> None:
        """Switch the power on (in the last mode)."""
        await self.async_set_bool(self.entity_description.power_id, True)

    @override
    async def async_turn_off(self) -> None:
        """Switch the power off."""
        await self.async_set_bool(self.entity_description.power_id, False)


async_setup_entry = device_platform_setup(lambda mapping: mapping.climates, TencentIoTClimate)
