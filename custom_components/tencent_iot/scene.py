"""Scene entities: the family's manual scenes ("one-tap" smart scenes) of the cloud."""

from typing import Any, override

from homeassistant.components.scene import Scene
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .control import async_run_scene
from .entity import TencentIoTFamilyItemEntity, async_setup_family_items
from .models import TencentIoTConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TencentIoTConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a scene entity per cloud scene, and those that appear later."""
    async_setup_family_items(entry, TencentIoTScene, async_add_entities)


class TencentIoTScene(TencentIoTFamilyItemEntity, Scene):
    """A manual scene of the family; activating it runs it in the cloud (AppRunScene)."""

    kind = "scene"

    @override
    async def async_activate(self, **kwargs: Any) -> None:
        """Run the scene."""
        await async_run_scene(self.coordinator, self.item_id)
