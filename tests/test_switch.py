"""Switches: property switches, control round trips and cloud errors."""

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import DOMAIN
from simulator import CloudSimulator

from .platform_common import (
    PLUG,
    SWITCH3,
    call_service,
    controls_of,
    entity_id,
    state,
    subscribed_entity,
    wait_for_state,
)


async def test_channel_switches(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Each channel of a 3-gang switch is its own switch."""
    await sim.wait_for_subscription(SWITCH3)
    channels = [entity_id(hass, "switch", SWITCH3, f"switch_{n}") for n in (1, 2, 3)]
    assert [state(hass, channel).state for channel in channels] == ["on", "off", "on"]
    assert state(hass, channels[1]).name == "客厅三路开关 Living Room Switch 开关2 Switch 2"

    await call_service(hass, "switch.turn_on", channels[1])
    assert controls_of(sim, SWITCH3)[-1] == {"switch_2": 1}
    await wait_for_state(hass, channels[1], "on")

    await call_service(hass, "switch.turn_off", channels[0])
    assert controls_of(sim, SWITCH3)[-1] == {"switch_1": 0}
    await wait_for_state(hass, channels[0], "off")


async def test_plug_and_cloud_errors(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The plug's main switch; a cloud failure is a HomeAssistantError, not a state change."""
    plug = await subscribed_entity(hass, sim, "switch", PLUG, "power_switch")
    assert state(hass, plug).state == "on"
    sim.fail_next(action="AppControlDeviceData")
    with pytest.raises(HomeAssistantError) as failure:
        await call_service(hass, "switch.turn_off", plug)
    assert not isinstance(failure.value, ServiceValidationError)
    assert failure.value.translation_key == "control_failed"
    assert state(hass, plug).state == "on"

    await call_service(hass, "switch.turn_off", plug)
    assert controls_of(sim, PLUG)[-1] == {"power_switch": 0}
    await wait_for_state(hass, plug, "off")


async def test_device_switches(hass: HomeAssistant, setup_integration: MockConfigEntry) -> None:
    """A device's switch properties are its switches, in the thing model's order."""
    registry = er.async_get(hass)
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, SWITCH3), setup_integration.entry_id
    )
    assert device is not None
    entities = er.async_entries_for_device(registry, device.id)
    assert [entry.unique_id for entry in entities if entry.domain == "switch"] == [
        f"{SWITCH3}/switch_1",
        f"{SWITCH3}/switch_2",
        f"{SWITCH3}/switch_3",
    ]
