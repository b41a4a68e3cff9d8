"""What users ask of the cloud: property values, scenes, automations."""

from collections.abc import Mapping
from dataclasses import replace

from homeassistant.exceptions import HomeAssistantError

from .api import TencentIoTSceneRunningError
from .const import DOMAIN
from .coordinator import TencentIoTCoordinator


async def async_set_values(
    coordinator: TencentIoTCoordinator, key: str, values: Mapping[str, object]
) -> None:
    """Send property values to a device; push (or one read without push) confirms them."""
    state = coordinator.device_state(key)
    encoded = state.encode(values)
    await coordinator.async_call_cloud(
        coordinator.client.control_device(state.device, encoded),
        "control_failed",
        state.name,
    )
    if not coordinator.push_healthy:
        data = await coordinator.async_call_cloud(
            coordinator.client.get_device_data(state.device),
            "control_failed",
            state.name,
        )
        if changed := state.apply_data(data):
            coordinator.listeners.device_changed(key, changed)


async def async_run_scene(coordinator: TencentIoTCoordinator, scene_id: str) -> None:
    """Run a scene; a run still in progress and cloud failures become translated errors."""
    scene = coordinator.scenes.get(scene_id)
    name = scene.name if scene is not None and scene.name else scene_id

    async def run() -> None:
        try:
            await coordinator.client.run_scene(scene_id)
        except TencentIoTSceneRunningError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="scene_already_running",
                translation_placeholders={"scene": name},
            ) from err

    await coordinator.async_call_cloud(run(), "scene_failed", name)


async def async_set_automation_enabled(
    coordinator: TencentIoTCoordinator, automation_id: str, enabled: bool, name: str
) -> None:
    """Enable or disable a cloud automation."""
    await coordinator.async_call_cloud(
        coordinator.client.set_automation_enabled(automation_id, enabled), "automation_failed", name
    )
    # The list is read again every few minutes; until then keep what the cloud accepted.
    if (current := coordinator.automations.get(automation_id)) is not None:
        coordinator.automations[automation_id] = replace(current, status=int(enabled))
