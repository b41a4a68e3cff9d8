"""Renames and room moves made in the app reach HA's device registry at the next list read."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar, device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import CONF_FOLLOW_ROOMS, DOMAIN
from simulator import CloudSimulator

from .platform_common import BULB, CEILING, coordinator_of, set_up_entry

LIVING_ROOM = "客厅 Living Room"
BEDROOM_ID = "r_cff8b1fe936268ff7a363b5dc5f5fdf6"  # 主卧 Master Bedroom
BEDROOM = "主卧 Master Bedroom"


def device(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> dr.DeviceEntry:
    """The HA device of a cloud device."""
    found = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, key), entry.entry_id)
    assert found is not None, key
    return found


def area_name(hass: HomeAssistant, device_entry: dr.DeviceEntry) -> str | None:
    """The name of the device's area."""
    area = ar.async_get(hass).async_get_area(device_entry.area_id or "")
    return area.name if area is not None else None


async def test_renamed_in_the_app(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The app's new name replaces the old one; a name given in HA stays what HA shows."""
    registry = dr.async_get(hass)
    ceiling = device(hass, setup_integration, CEILING)
    registry.async_update_device(ceiling.id, name_by_user="Desk light")
    sim.rename_device(BULB, "沙发灯 Sofa Lamp")
    sim.rename_device(CEILING, "书桌灯 Desk Lamp")

    await coordinator_of(setup_integration).async_read_lists()

    assert device(hass, setup_integration, BULB).name == "沙发灯 Sofa Lamp"
    ceiling = device(hass, setup_integration, CEILING)
    assert (ceiling.name, ceiling.name_by_user) == ("书桌灯 Desk Lamp", "Desk light")


async def test_room_moves_only_suggest_by_default(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Without the option, a device moved in the app stays in its HA area."""
    assert area_name(hass, device(hass, setup_integration, BULB)) == LIVING_ROOM
    sim.move_device(BULB, BEDROOM_ID)
    await coordinator_of(setup_integration).async_read_lists()
    assert area_name(hass, device(hass, setup_integration, BULB)) == LIVING_ROOM


async def test_following_the_app_rooms(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """With the option, a device follows its room: to the area of that name, made if needed."""
    hass.config_entries.async_update_entry(config_entry, options={CONF_FOLLOW_ROOMS: True})
    await set_up_entry(hass, config_entry)
    sim.move_device(BULB, BEDROOM_ID)
    await coordinator_of(config_entry).async_read_lists()
    assert area_name(hass, device(hass, config_entry, BULB)) == BEDROOM

    # A room renamed in the app is an area of the new name; the default room moves nobody.
    sim.state.families[coordinator_of(config_entry).family_id].rooms[BEDROOM_ID].name = "卧室"
    sim.move_device(CEILING, "0")
    await coordinator_of(config_entry).async_read_lists()
    assert area_name(hass, device(hass, config_entry, BULB)) == "卧室"
    assert area_name(hass, device(hass, config_entry, CEILING)) == "书房 Study"
