"""What users ask of the cloud: property values, actions, scenes, automations."""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import ActionResult, TencentIoTSceneRunningError
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


async def async_call_action(
    coordinator: TencentIoTCoordinator, key: str, action_id: str, values: Mapping[str, Any]
) -> ActionResult:
    """Call a thing-model action of a device with its input, checked against the model first."""
    state = coordinator.device_state(key)
    placeholders = {"action": action_id, "device": state.name}
    if (action := state.product.thing_model.actions.get(action_id)) is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_action",
            translation_placeholders=placeholders,
        )
    try:
        params = action.encode_input(values)
    except ValueError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_action_input",
            translation_placeholders={**placeholders, "reason": str(err)},
        ) from err
    return await coordinator.async_call_cloud(
        coordinator.client.call_action(state.device, action_id, params),
        "action_failed",
        state.name,
    )


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
