"""Setting up, unloading and removing an entry; devices in the registry."""

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
)
from homeassistant.loader import async_get_custom_components
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.tencent_iot.const import (
    CONF_ACCESS_TOKEN,
    CONF_FAMILY_ID,
    CONF_HISTORY_DAYS,
    CONF_USE_PUSH,
    CONF_USER_ID,
    DOMAIN,
    POLL_INTERVAL,
)
from simulator import CloudSimulator

from .conftest import entry_data
from .platform_common import BULB, GATEWAY, set_up_entry

SUB_SENSOR = "TH4Z8K2QWM/th_00158d0001"


async def test_integration_is_found(hass: HomeAssistant) -> None:
    """HA finds this custom integration with its brand assets."""
    integrations = await async_get_custom_components(hass)
    assert DOMAIN in integrations
    assert integrations[DOMAIN].has_branding


async def test_setup_reads_home_and_stores_token(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Every device of the family is read, and the login's token is kept in the entry."""
    entry = setup_integration
    assert entry.state is ConfigEntryState.LOADED
    coordinator = entry.runtime_data.coordinator
    family = sim.state.families[coordinator.family_id]
    assert set(coordinator.devices) == set(family.device_ids)
    assert entry.data[CONF_ACCESS_TOKEN]
    bulb = coordinator.devices[BULB]
    assert bulb.online
    assert bulb.values == {
        key: coordinator.devices[BULB].product.thing_model.properties[key].decode(value)
        for key, value in sim.device_state(BULB)["Data"].items()  # type: ignore[attr-defined]
    }


async def test_devices_areas_and_gateway(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """One HA device per cloud device, in its room's area, sub-devices via their gateway."""
    registry = dr.async_get(hass)
    entry_id = setup_integration.entry_id
    devices = dr.async_entries_for_config_entry(registry, entry_id)
    # And the home's own device.
    assert len(devices) == len(setup_integration.runtime_data.coordinator.devices) + 1
    bulb = registry.async_get_device_by_identifier((DOMAIN, BULB), entry_id)
    assert bulb is not None
    cloud_bulb = sim.state.device(BULB)
    assert bulb.name == cloud_bulb.alias
    assert bulb.model_id == cloud_bulb.product.product_id
    assert bulb.model == cloud_bulb.product.name
    area = ar.async_get(hass).async_get_area(bulb.area_id or "")
    room = sim.state.families[cloud_bulb.family_id].rooms[cloud_bulb.room_id]
    assert area is not None
    assert area.name == room.name
    gateway = registry.async_get_device_by_identifier((DOMAIN, GATEWAY), entry_id)
    sub = registry.async_get_device_by_identifier((DOMAIN, SUB_SENSOR), entry_id)
    assert gateway is not None
    assert sub is not None
    assert sub.via_device_id == gateway.id


async def test_user_area_is_kept_on_reload(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """A device the user moved to another area stays there after a reload."""
    registry = dr.async_get(hass)
    bulb = registry.async_get_device_by_identifier((DOMAIN, BULB), setup_integration.entry_id)
    assert bulb is not None
    garage = ar.async_get(hass).async_create("Garage")
    registry.async_update_device(bulb.id, area_id=garage.id)
    assert await hass.config_entries.async_reload(setup_integration.entry_id)
    await hass.async_block_till_done()
    moved = registry.async_get(bulb.id)
    assert moved is not None
    assert moved.area_id == garage.id


async def test_unload_closes_push(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Unloading closes the WebSocket."""
    await sim.wait_for_subscription()
    assert sim.connections()
    assert await hass.config_entries.async_unload(setup_integration.entry_id)
    await hass.async_block_till_done()
    assert setup_integration.state is ConfigEntryState.NOT_LOADED
    for _ in range(100):
        if not sim.connections():
            break
        await hass.async_block_till_done()
        await sim.hub.close_all()
    assert not sim.connections()


async def test_remove_entry_logs_out(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Deleting the entry logs out of the cloud."""
    token = setup_integration.data[CONF_ACCESS_TOKEN]
    assert token in sim.state.sessions
    await hass.config_entries.async_remove(setup_integration.entry_id)
    await hass.async_block_till_done()
    assert token not in sim.state.sessions


async def test_remove_entry_with_cloud_down(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Logging out is best effort: a cloud error does not block removal."""
    sim.fail_next(10)
    await hass.config_entries.async_remove(setup_integration.entry_id)
    await hass.async_block_till_done()
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_remove_config_entry_device(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
) -> None:
    """A device still in the cloud cannot be removed by hand; one gone from it can."""
    assert await async_setup_component(hass, "config", {})
    registry = dr.async_get(hass)
    entry_id = setup_integration.entry_id
    bulb = registry.async_get_device_by_identifier((DOMAIN, BULB), entry_id)
    assert bulb is not None
    stale = registry.async_get_or_create(
        config_entry_id=entry_id, identifiers={(DOMAIN, "GONE000000/old")}
    )
    client = await hass_ws_client(hass)

    async def remove(device_id: str) -> bool:
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": entry_id,
                "device_id": device_id,
            }
        )
        response = await client.receive_json()
        return bool(response["success"])

    assert not await remove(bulb.id)
    assert await remove(stale.id)
    assert registry.async_get(stale.id) is None


async def test_migration_drops_the_poll_interval(hass: HomeAssistant, sim: CloudSimulator) -> None:
    """An entry of version 1.1 loses its poll interval option and becomes 1.2; the rest stays."""
    data = entry_data(sim)
    entry = MockConfigEntry(
        domain=DOMAIN,
        data=data,
        options={"poll_interval": 300, CONF_USE_PUSH: False, CONF_HISTORY_DAYS: 3},
        unique_id=f"{data[CONF_USER_ID]}/{data[CONF_FAMILY_ID]}",
        version=1,
        minor_version=1,
    )
    entry.add_to_hass(hass)
    await set_up_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 2)
    assert entry.options == {CONF_USE_PUSH: False, CONF_HISTORY_DAYS: 3}
    assert entry.runtime_data.coordinator.update_interval == POLL_INTERVAL
