"""The app's message centre, and the home's own device."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.tencent_iot.const import DOMAIN, EVENT_MESSAGE
from simulator import CloudSimulator

from .platform_common import SMOKE, coordinator_of, set_up_entry, state, wait_for

UNREAD = "sensor.home_unread_messages"


async def test_messages_fire_once_across_a_restart(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """A device alarm's message fires once with its device; a notice left meanwhile after."""
    fired = async_capture_events(hass, EVENT_MESSAGE)
    await set_up_entry(hass, config_entry)
    assert state(hass, UNREAD).state == "0"
    await sim.wait_for_subscription(SMOKE)

    await sim.raise_event(SMOKE, "smoke_alert", {"smoke_value": 900, "alarm_level": 2})
    await wait_for(hass, lambda: len(fired) == 1)
    smoke = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, SMOKE), config_entry.entry_id
    )
    assert smoke is not None
    (message,) = [
        m
        for m in sim.state.messages
        if m.device is sim.state.device(SMOKE) and m.user_id == sim.demo_user.user_id
    ]
    assert fired[0].data == {
        "config_entry_id": config_entry.entry_id,
        "message_id": message.msg_id,
        "category": "device",
        "type": message.msg_type,
        "title": message.title,
        "content": message.content,
        "device_id": smoke.id,
        "time": fired[0].data["time"],
    }
    assert fired[0].data["time"].startswith("20")
    await wait_for(hass, lambda: state(hass, UNREAD).state == "1")

    # A restart: the alarm's message is not fired again; the notice left meanwhile is.
    family = sim.state.families[coordinator_of(config_entry).family_id]
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    sim.state.notify(family, category=3, msg_type=300, title="Maintenance", content="Tonight")
    await set_up_entry(hass, config_entry)
    await wait_for(hass, lambda: len(fired) == 2)
    assert fired[1].data["category"] == "notice"
    assert fired[1].data["title"] == "Maintenance"
    assert fired[1].data["device_id"] is None
    await wait_for(hass, lambda: state(hass, UNREAD).state == "1")

    # Read again at the next list refresh: nothing new, nothing fired.
    await coordinator_of(config_entry).async_read_lists()
    await hass.async_block_till_done()
    assert len(fired) == 2


async def test_scenes_and_automations_under_the_home(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """One service device per entry, named after the home, holds scenes, automations, messages."""
    coordinator = coordinator_of(setup_integration)
    home = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, coordinator.home_key), setup_integration.entry_id
    )
    assert home is not None
    assert home.entry_type is DeviceEntryType.SERVICE
    assert home.name == "Home"
    entities = er.async_entries_for_device(er.async_get(hass), home.id)
    unique_ids = {entity.unique_id for entity in entities}
    assert {f"scene/{scene_id}" for scene_id in coordinator.scenes} <= unique_ids
    assert {f"automation/{item}" for item in coordinator.automations} <= unique_ids
    assert f"{coordinator.home_key}/unread_messages" in unique_ids
    assert coordinator.scenes
    assert coordinator.automations
    # It stays across a reload (it is not a cloud device that left the home).
    assert await hass.config_entries.async_reload(setup_integration.entry_id)
    await hass.async_block_till_done()
    assert dr.async_get(hass).async_get(home.id) is not None
    assert coordinator_of(setup_integration).has_device(home)


@pytest.mark.usefixtures("quick_retries")
async def test_failed_read_is_made_up_later(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
) -> None:
    """A message the failing cloud withheld fires at the next read, once."""
    fired = async_capture_events(hass, EVENT_MESSAGE)
    await set_up_entry(hass, config_entry)
    await sim.wait_for_subscription(SMOKE)
    reads = sim.request_counts().get("AppGetMessages", 0)
    sim.fail_next(10_000, action="AppGetMessages")
    await sim.raise_event(SMOKE, "smoke_alert", {"smoke_value": 900, "alarm_level": 2})
    await wait_for(hass, lambda: sim.request_counts().get("AppGetMessages", 0) >= reads + 2)
    assert fired == []

    sim.clear_faults()
    coordinator = coordinator_of(config_entry)
    await coordinator.async_read_lists()
    await wait_for(hass, lambda: len(fired) == 1)
    await coordinator.async_read_lists()
    await hass.async_block_till_done()
    assert len(fired) == 1
    assert state(hass, UNREAD).state == "1"
