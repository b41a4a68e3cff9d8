"""Scene entities: the family's manual scenes ("one-tap" smart scenes) of the cloud."""

from typing import Any, Final, override

from homeassistant.components.scene import Scene
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import TencentIoTAuthError, TencentIoTCloudError
from .const import DOMAIN
from .coordinator import TencentIoTConfigEntry, TencentIoTCoordinator
from .entity import TencentIoTFamilyItemEntity, async_setup_family_items

PARALLEL_UPDATES = 0

# The reason AppRunScene gives while the scene's previous run is still going.
_SCENE_RUNNING_REASONS: Final = frozenset({"SceneRunInProgress", "SceneIsRunning", "SceneRunning"})


def _is_scene_running(err: TencentIoTCloudError) -> bool:
    return err.reason in _SCENE_RUNNING_REASONS


async def async_run_scene(coordinator: TencentIoTCoordinator, scene_id: str) -> None:
    """Run a scene; a run still in progress and cloud failures become translated errors."""
    scene = coordinator.scenes.get(scene_id)
    name = scene.name if scene is not None and scene.name else scene_id

    async def run() -> None:
        try:
            await coordinator.client.run_scene(scene_id)
        except TencentIoTCloudError as err:
            if isinstance(err, TencentIoTAuthError) or not _is_scene_running(err):
                raise
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="scene_already_running",
                translation_placeholders={"scene": name},
            ) from err

    await coordinator.async_call_cloud(run(), "scene_failed", name)


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
