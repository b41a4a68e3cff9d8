"""A Quectel home in HA: devices, entities, availability, push, control and permission changes."""

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar, device_registry as dr, entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import DOMAIN, MANUFACTURER
from simulator.quectel import QuectelSimulator
from tests.conftest import add_entry
from tests.platform_common import (
    call_service,
    coordinator_of,
    push_of,
    set_up_entry,
    state,
    wait_for,
    wait_for_state,
)
from tests.quectel_common import (
    CLIMATE,
    GUEST,
    HUB,
    KETTLE_PLUG,
    LAMP,
    POWER_STATION,
    quectel_entry_data,
)

HOME_DEVICES = {POWER_STATION, LAMP, KETTLE_PLUG, HUB, CLIMATE}


def entity(hass: HomeAssistant, domain: str, unique_id: str) -> str:
    """The entity id of this integration's entity with this unique id."""
    found = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    assert found is not None, unique_id
    return found


def device(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> dr.DeviceEntry:
    """The HA device of a cloud device."""
    found = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, key), entry.entry_id)
    assert found is not None, key
    return found


async def test_devices_in_the_registry(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """Every device, named as in the app, its product as model, rooms as areas, firmware, gateway."""
    assert set(coordinator_of(setup_quectel).devices) == HOME_DEVICES
    station = device(hass, setup_quectel, POWER_STATION)
    assert station.name == "Garage power station"
    assert station.manufacturer == MANUFACTURER
    assert station.model == "Power station E300"
    assert station.model_id == "p11ps1"
    assert station.serial_number == "PS0001"
    # The MCU's version when the device has one, else the module's.
    assert station.sw_version == "E300_V1.2.3"
    assert device(hass, setup_quectel, LAMP).sw_version == "QS02A03"
    areas = ar.async_get(hass)
    assert station.area_id == areas.async_get_area_by_name("Living room").id  # type: ignore[union-attr]
    climate = device(hass, setup_quectel, CLIMATE)
    assert climate.area_id == areas.async_get_area_by_name("Bedroom").id  # type: ignore[union-attr]
    assert climate.via_device_id == device(hass, setup_quectel, HUB).id


async def test_entities_show_the_cloud_values(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """TSL properties of every type become entities with `<productKey>/<deviceKey>/<code>` ids."""
    assert state(hass, entity(hass, "sensor", f"{POWER_STATION}/battery_percentage")).state == "87"
    assert state(hass, entity(hass, "switch", f"{POWER_STATION}/ac_switch_hm")).state == STATE_ON
    assert state(hass, entity(hass, "select", f"{POWER_STATION}/ac_charging_power_ios")).state == (
        "600 W"
    )
    # The bulb's power, brightness, colour temperature and RGB colour are one light.
    lamp = state(hass, entity(hass, "light", f"{LAMP}/light"))
    assert lamp.state == STATE_ON
    assert lamp.attributes["brightness"] == 153  # 60 %
    assert lamp.attributes["color_temp_kelvin"] == 4000
    assert state(hass, entity(hass, "text", f"{LAMP}/label")).state == "Desk"
    assert state(hass, entity(hass, "sensor", f"{KETTLE_PLUG}/energy")).state == "12.345"
    assert state(hass, entity(hass, "sensor", f"{CLIMATE}/temperature")).state == "21.5"
    assert state(hass, entity(hass, "event", f"{POWER_STATION}/overheat"))
    # A cloud without firmware upgrades gets no update entities.
    assert not hass.states.async_all("update")


async def test_pushes_update_values_and_availability(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """Reports change states at once; a gateway going offline takes its sub-device along."""
    await wait_for(hass, lambda: coordinator_of(setup_quectel).push_healthy)
    battery = entity(hass, "sensor", f"{POWER_STATION}/battery_percentage")
    await quectel_sim.report(POWER_STATION, {"battery_percentage": 42})
    await wait_for_state(hass, battery, "42")
    temperature = entity(hass, "sensor", f"{CLIMATE}/temperature")
    await quectel_sim.set_online(HUB, False)
    await wait_for_state(hass, temperature, STATE_UNAVAILABLE)
    await quectel_sim.set_online(HUB, True)
    await wait_for_state(hass, temperature, "21.5")


async def test_control_is_confirmed_by_the_report(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """A switch and a light write through batchControlDevice; the pushed report shows them."""
    await wait_for(hass, lambda: coordinator_of(setup_quectel).push_healthy)
    plug = entity(hass, "switch", f"{KETTLE_PLUG}/switch")
    await call_service(hass, "switch.turn_on", plug)
    assert state(hass, plug).state == STATE_ON
    lamp = entity(hass, "light", f"{LAMP}/light")
    await call_service(hass, "light.turn_on", lamp, brightness_pct=25)
    await wait_for(hass, lambda: state(hass, lamp).attributes["brightness"] == 64)
    assert [(c["DeviceId"], c["Data"]) for c in quectel_sim.controls()] == [
        (KETTLE_PLUG, {"switch": True}),
        (LAMP, {"brightness": 25}),
    ]
    # batchControlDevice's body: type 2, the values as JSON text, the device named.
    body = quectel_sim.last_request("batchControlDevice")
    assert body is not None
    assert body["body"] == {
        "type": 2,
        "data": '[{"brightness":25}]',
        "deviceList": [{"productKey": "p11lt1", "deviceKey": "LT0001"}],
    }


async def test_bulb_colour_is_written_as_its_struct(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """An RGB colour goes out as the bulb's colour struct, with its mode switched to colour."""
    await wait_for(hass, lambda: coordinator_of(setup_quectel).push_healthy)
    lamp = entity(hass, "light", f"{LAMP}/light")
    await call_service(hass, "light.turn_on", lamp, rgb_color=[255, 0, 0])
    await wait_for(hass, lambda: state(hass, lamp).attributes["color_mode"] == "rgb")
    assert state(hass, lamp).attributes["rgb_color"] == (255, 0, 0)
    (control,) = quectel_sim.controls()
    assert control["DeviceId"] == LAMP
    assert control["Data"]["colour"] == {"r": 255, "g": 0, "b": 0}
    assert control["Data"]["work_mode"] == 1


async def test_sub_device_control_names_its_gateway(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, quectel_entry: MockConfigEntry
) -> None:
    """A write to a gateway's sub-device names the gateway too."""
    quectel_sim.state.products["p11th1"].tsl["properties"].append(
        {
            "id": 4,
            "code": "report_interval",
            "name": "Report interval",
            "dataType": "INT",
            "subType": "RW",
            "specs": {"min": "10", "max": "3600", "step": "1", "unit": "s"},
        }
    )
    await set_up_entry(hass, quectel_entry)
    interval = entity(hass, "number", f"{CLIMATE}/report_interval")
    await call_service(hass, "number.set_value", interval, value=60)
    body = quectel_sim.last_request("batchControlDevice")
    assert body is not None
    assert body["body"]["deviceList"] == [  # type: ignore[index]
        {
            "productKey": "p11th1",
            "deviceKey": "TH0001",
            "gatewayProductKey": "p11gw1",
            "gatewayDeviceKey": "GW0001",
        }
    ]
    await wait_for_state(hass, interval, "60")


async def test_shared_devices_come_and_go_without_reload(
    hass: HomeAssistant, quectel_sim: QuectelSimulator
) -> None:
    """The guest's home is what is shared with them; a share made or taken back shows at once."""
    entry = add_entry(hass, quectel_entry_data(quectel_sim, uid=GUEST, family_id="account"))
    await set_up_entry(hass, entry)
    coordinator = coordinator_of(entry)
    assert set(coordinator.devices) == {KETTLE_PLUG}
    # The account's list is the home's, shared devices included: it is read once.
    assert quectel_sim.request_counts()["userDeviceList"] == 1
    await wait_for(hass, lambda: coordinator.push_healthy)
    plug = entity(hass, "switch", f"{KETTLE_PLUG}/switch")
    assert state(hass, plug).state == STATE_OFF

    await quectel_sim.share(LAMP, GUEST)
    await wait_for(hass, lambda: LAMP in coordinator.devices)
    await quectel_sim.wait_for_subscription(LAMP)
    lamp = entity(hass, "light", f"{LAMP}/light")
    await quectel_sim.report(LAMP, {"brightness": 33})
    await wait_for(hass, lambda: state(hass, lamp).attributes["brightness"] == 84)

    await quectel_sim.unshare(KETTLE_PLUG, GUEST)
    await wait_for(hass, lambda: KETTLE_PLUG not in coordinator.devices)
    await hass.async_block_till_done()
    assert hass.states.get(plug) is None
    registry = dr.async_get(hass)
    assert registry.async_get_device_by_identifier((DOMAIN, KETTLE_PLUG), entry.entry_id) is None


async def test_devices_bound_and_unbound_live(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """A device bound to the home appears, pushes and is controllable; an unbound one goes."""
    coordinator = coordinator_of(setup_quectel)
    await wait_for(hass, lambda: coordinator.push_healthy)
    new = await quectel_sim.add_device("p11pg1", "PG0002", name="Heater plug")
    await wait_for(hass, lambda: new in coordinator.devices)
    await quectel_sim.wait_for_subscription(new)
    power = entity(hass, "sensor", f"{new}/power")
    await quectel_sim.report(new, {"power": 1500.5})
    await wait_for_state(hass, power, "1500.5")

    await quectel_sim.remove_device(HUB)
    await wait_for(
        hass, lambda: HUB not in coordinator.devices and CLIMATE not in coordinator.devices
    )


async def test_setup_asks_each_thing_once(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, quectel_entry: MockConfigEntry
) -> None:
    """One data read per device (its firmware comes with it), one device list (with the states)."""
    await set_up_entry(hass, quectel_entry)
    await hass.async_block_till_done()
    counts = quectel_sim.request_counts()
    assert counts["getDeviceBusinessAttributes"] == len(HOME_DEVICES)
    assert counts["getFamilyDeviceList"] == 1
    assert counts["productTSL"] == len({key.partition("/")[0] for key in HOME_DEVICES})
    assert device(hass, quectel_entry, POWER_STATION).sw_version == "E300_V1.2.3"
    # The next poll reads the online states afresh.
    await coordinator_of(quectel_entry).async_refresh()
    assert quectel_sim.request_counts()["getFamilyDeviceList"] == 2


async def test_device_shared_with_a_family_account(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """A device another user shares lands in the account's family: its entry shows it, live."""
    coordinator = coordinator_of(setup_quectel)
    await wait_for(hass, lambda: coordinator.push_healthy)
    theirs = await quectel_sim.add_device(
        "p11pg1", "PG0009", name="Neighbour plug", owner=GUEST, fid=""
    )
    await quectel_sim.share(theirs, "C1001")
    await wait_for(hass, lambda: theirs in coordinator.devices)
    assert coordinator.devices[theirs].online
    # The family's list names it: the account's own list is never read.
    assert "userDeviceList" not in quectel_sim.request_counts()
    await quectel_sim.wait_for_subscription(theirs)
    power = entity(hass, "sensor", f"{theirs}/power")
    await quectel_sim.report(theirs, {"power": 99.5})
    await wait_for_state(hass, power, "99.5")
    # Its online state comes from the account's list at the next poll.
    await quectel_sim.set_online(theirs, False)
    await wait_for_state(hass, power, STATE_UNAVAILABLE)
    quectel_sim.state.devices[theirs].online = True
    await coordinator.async_refresh()
    await wait_for_state(hass, power, "99.5")


async def test_every_page_of_a_large_home(hass: HomeAssistant, socket_enabled: None) -> None:
    """A home of more devices than a page holds: every page is read, every device added."""
    async with QuectelSimulator(devices=150) as sim:
        entry = add_entry(hass, quectel_entry_data(sim))
        await set_up_entry(hass, entry)
        coordinator = coordinator_of(entry)
        assert len(coordinator.devices) == len(HOME_DEVICES) + 150
        assert sim.request_counts()["getFamilyDeviceList"] == 2  # pages of 100
        assert coordinator.devices["p11pg1/SIM00149"].online
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_the_clients_use_home_assistants_session(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """Quectel's HTTP client and push channel share Home Assistant's session too."""
    session = async_get_clientsession(hass)
    client = coordinator_of(setup_quectel).client
    assert client._transport._session is session  # type: ignore[attr-defined]
    assert push_of(setup_quectel)._session is session  # type: ignore[attr-defined]
