"""Switches that enable or disable the family's cloud automations (added by the switch platform)."""

from typing import Any, override

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import EntityCategory
from homeassistant.core import callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .control import async_set_automation_enabled
from .entity import TencentIoTFamilyItemEntity, async_setup_family_items
from .models import TencentIoTConfigEntry


@callback
def async_setup_automation_switches(
    entry: TencentIoTConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add a switch per cloud automation, and those that appear later.

    Called from the switch platform's async_setup_entry.
    """
    async_setup_family_items(entry, TencentIoTAutomationSwitch, async_add_entities)


class TencentIoTAutomationSwitch(TencentIoTFamilyItemEntity, SwitchEntity):
    """Whether a cloud automation runs (AppModifyAutomationStatus)."""

    kind = "automation"
    _attr_entity_category = EntityCategory.CONFIG
    _attr_translation_key = "automation"

    @property
    @override
    def is_on(self) -> bool | None:
        """Whether the automation is enabled."""
        automation = self.coordinator.automations.get(self.item_id)
        return automation.enabled if automation is not None else None

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Enable the automation."""
        await self._async_set_enabled(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Disable the automation."""
        await self._async_set_enabled(False)

    async def _async_set_enabled(self, enabled: bool) -> None:
        await async_set_automation_enabled(
            self.coordinator, self.item_id, enabled, self._attr_name or self.item_id
        )
        self.async_write_ha_state()
