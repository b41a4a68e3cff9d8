"""Buttons: thing-model actions without input."""

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator

from .platform_common import SMOKE, call_service, entity_id, state


async def test_press_calls_the_action(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Pressing calls the action on the device; a cloud failure is a HomeAssistantError."""
    mute = entity_id(hass, "button", SMOKE, "mute_alarm")
    assert state(hass, mute).name == "厨房烟雾报警器 Kitchen Smoke Alarm 消音 Mute alarm"

    await call_service(hass, "button.press", mute)
    sources = [(c["DeviceId"], c["Source"]) for c in sim.controls()]
    assert sources[-1] == (SMOKE, "action:mute_alarm")
    assert state(hass, mute).state != "unknown"

    sim.fail_next(action="AppCallDeviceActionSync")
    with pytest.raises(HomeAssistantError):
        await call_service(hass, "button.press", mute)
