"""Switches that enable or disable the family's cloud automations (added by the switch platform)."""

from dataclasses import replace
from typing import Any, override

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import EntityCategory
from homeassistant.core import callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import TencentIoTConfigEntry
from .entity import TencentIoTFamilyItemEntity, async_setup_family_items


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
        coordinator = self.coordinator
        await coordinator.async_call_cloud(
            coordinator.client.set_automation_enabled(self.item_id, enabled),
            "automation_failed",
            self._attr_name or self.item_id,
        )
        # The list is read again every few minutes; until then keep what the cloud accepted.
        if (current := coordinator.automations.get(self.item_id)) is not None:
            coordinator.automations[self.item_id] = replace(current, status=int(enabled))
        self.async_write_ha_state()
