"""Automation switches, against the cloud simulator."""

from homeassistant.components.switch.const import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_FRIENDLY_NAME,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    EntityCategory,
    Platform,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import DOMAIN
from simulator import CloudSimulator
from simulator.model import Automation

from .platform_common import call_service, coordinator_of, entity_id, state, wait_for

DOOR_LIGHT = "a_1fc2893e091da77be047f9d73e91fd9e"  # enabled
CURTAINS = "a_c7c3169c21f1d92e9577871831d067c8"  # disabled


@pytest.fixture
def platforms() -> list[Platform]:
    """Entries are set up with the switch platform only."""
    return [Platform.SWITCH]


def automation_entity_id(hass: HomeAssistant, automation_id: str) -> str | None:
    """The entity id of an automation's switch, if it has one."""
    return er.async_get(hass).async_get_entity_id(
        SWITCH_DOMAIN, DOMAIN, f"automation/{automation_id}"
    )


def automation_state(hass: HomeAssistant, automation_id: str) -> State:
    """The state of an automation's switch."""
    return state(hass, entity_id(hass, SWITCH_DOMAIN, "automation", automation_id))


def cloud_status(sim: CloudSimulator, automation_id: str) -> object:
    """Whether the cloud runs the automation (Status 0/1)."""
    return sim.state.automations[automation_id].body["Status"]


async def switch(hass: HomeAssistant, automation_id: str, service: str) -> None:
    """Turn an automation's switch on or off."""
    entity = entity_id(hass, SWITCH_DOMAIN, "automation", automation_id)
    await call_service(hass, f"{SWITCH_DOMAIN}.{service}", entity)


async def test_automation_switches(hass: HomeAssistant, setup_integration: MockConfigEntry) -> None:
    """One configuration switch per automation, named like it, on when it is enabled."""
    door = automation_state(hass, DOOR_LIGHT)
    assert door.state == STATE_ON
    assert door.attributes[ATTR_FRIENDLY_NAME] == "Home 开门亮灯 Door opens, light on"
    curtains = automation_state(hass, CURTAINS)
    assert curtains.state == STATE_OFF
    assert curtains.attributes[ATTR_FRIENDLY_NAME] == "Home 工作日开窗帘 Weekday curtains"
    entry = er.async_get(hass).async_get(door.entity_id)
    assert entry is not None
    assert entry.entity_category is EntityCategory.CONFIG
    assert entry.translation_key == "automation"


async def test_toggle(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Switching changes the automation's status in the cloud at once."""
    await switch(hass, DOOR_LIGHT, SERVICE_TURN_OFF)
    assert cloud_status(sim, DOOR_LIGHT) == 0
    assert automation_state(hass, DOOR_LIGHT).state == STATE_OFF

    sim.reset_request_counts()
    await switch(hass, CURTAINS, SERVICE_TURN_ON)
    assert cloud_status(sim, CURTAINS) == 1
    assert automation_state(hass, CURTAINS).state == STATE_ON
    assert sim.request_counts()["AppModifyAutomationStatus"] == 1


async def test_toggle_fails(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A refused change is a translated error, and the switch keeps its state."""
    sim.fail_next(action="AppModifyAutomationStatus")
    with pytest.raises(HomeAssistantError) as err:
        await switch(hass, DOOR_LIGHT, SERVICE_TURN_OFF)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "automation_failed"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["target"] == "开门亮灯 Door opens, light on"
    assert cloud_status(sim, DOOR_LIGHT) == 1
    assert automation_state(hass, DOOR_LIGHT).state == STATE_ON


async def test_automations_follow_the_cloud(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """New, renamed, switched and deleted automations follow when the lists are read again."""
    coordinator = coordinator_of(setup_integration)
    family_id = setup_integration.data["family_id"]
    sim.state.automations["a_new"] = Automation(
        "a_new", family_id, {"Name": "", "Icon": "", "Status": 1}
    )
    sim.state.automations[CURTAINS].body["Name"] = "窗帘 Curtains"
    sim.state.automations[CURTAINS].body["Status"] = 1  # switched on in the app
    removed = sim.state.automations.pop(DOOR_LIGHT)
    door = automation_entity_id(hass, DOOR_LIGHT)
    assert door is not None

    coordinator.async_schedule_list_refresh()
    await wait_for(hass, lambda: automation_entity_id(hass, "a_new") is not None)
    await wait_for(hass, lambda: hass.states.get(door) is None)

    new = automation_state(hass, "a_new")
    assert new.state == STATE_ON
    assert new.attributes[ATTR_FRIENDLY_NAME] == "Home a_new"  # unnamed: its id
    curtains = automation_state(hass, CURTAINS)
    assert curtains.state == STATE_ON
    assert curtains.attributes[ATTR_FRIENDLY_NAME] == "Home 窗帘 Curtains"
    assert automation_entity_id(hass, DOOR_LIGHT) is None

    sim.state.automations[DOOR_LIGHT] = removed
    coordinator.async_schedule_list_refresh()
    await wait_for(hass, lambda: automation_entity_id(hass, DOOR_LIGHT) is not None)
    assert automation_state(hass, DOOR_LIGHT).state == STATE_ON
