"""Scene entities: the family's manual scenes ("one-tap" smart scenes) of the cloud."""

from typing import Any, override

from homeassistant.components.scene import Scene

from .control import async_run_scene
from .entity import TencentIoTFamilyItemEntity, family_items_platform_setup

# Running a scene writes to the cloud: one at a time, like the other platforms that write.
PARALLEL_UPDATES = 1


class TencentIoTScene(TencentIoTFamilyItemEntity, Scene):
    """A manual scene of the family; activating it runs it in the cloud (AppRunScene)."""

    kind = "scene"

    @override
    async def async_activate(self, **kwargs: Any) -> None:
        """Run the scene."""
        await async_run_scene(self.coordinator, self.item_id)


async_setup_entry = family_items_platform_setup(TencentIoTScene)
