"""Helpers the tests share: device ids, lookups, waiting for pushes, taking push down."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
import copy
import json
import logging
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity import Entity
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.api import CloudPush
from custom_components.tencent_iot.coordinator import TencentIoTCoordinator
from simulator import CloudSimulator
from simulator.quectel import QuectelSimulator

# Devices of the default home ("我的家 My Home").
BULB = "3JQ8VX2K1M/bulb_7c87ce1a"
BEDSIDE = "3JQ8VX2K1M/bulb_7c87ce2b"
STRIP = "7DW4NLPA2Z/strip_a4cf1290"
CEILING = "K2B7QX9RDL/ceiling_5e21"
BALCONY = "K2B7QX9RDL/ceiling_5e22"  # offline
SWITCH3 = "5GHT2MZQ8N/sw3_b0a7320f"
PLUG = "P8VN3KQ4WT/plug_e8db8411"
AC = "AC6R2TYH0E/ac_34b7da01"
BEDROOM_AC = "AC6R2TYH0E/ac_34b7da02"
CURTAIN = "CT9M4PZ7XE/curtain_90a1"
GATEWAY = "GW5X7N2R4B/gw_c8478c2f"
CLIMATE_SENSOR = "TH4Z8K2QWM/th_00158d0001"
BATHROOM_SWITCH = "SW2K8V6QZ1/sw_00158d0002"
DOOR = "DR3P9X5VKM/door_1c9dc2"
MOTION = "MS8Q2W4NJT/pir_4e11a7"
SMOKE = "SM7K3Z9PXA/smoke_77f0c3"
SPEAKER = "SPK4N7W2QX/spk_d83bbf10"
PURIFIER = "AP2Q6X8MZR/purifier_6b02"

DEFAULT_FIXTURE = Path(__file__).parent.parent / "simulator" / "fixtures" / "default_home.json"

# A device the default home lacks: a water heater (home_with_water_heater).
WATER_HEATER = "WH5T8K3N2P/wh_3a90c1"
WATER_HEATER_PRODUCT: dict[str, Any] = {
    "ProductId": "WH5T8K3N2P",
    "Name": "电热水器 Water Heater",
    "DataTemplate": {
        "version": "1.0",
        "properties": [
            {
                "id": "power_switch",
                "name": "电源开关 Power",
                "mode": "rw",
                "define": {"type": "bool", "mapping": {"0": "关 Off", "1": "开 On"}},
            },
            {
                "id": "mode",
                "name": "模式 Mode",
                "mode": "rw",
                "define": {
                    "type": "stringenum",
                    "mapping": {
                        "standard": "标准 Standard",
                        "eco": "节能 Eco",
                        "boost": "速热 Boost",
                    },
                },
            },
            {
                "id": "temp_set",
                "name": "设定温度 Target temperature",
                "mode": "rw",
                "define": {"type": "int", "min": "30", "max": "75", "step": "1", "unit": "℃"},
            },
            {
                "id": "temp_current",
                "name": "水温 Water temperature",
                "mode": "r",
                "define": {"type": "int", "min": "0", "max": "100", "step": "1", "unit": "℃"},
            },
        ],
    },
}
WATER_HEATER_DEVICE: dict[str, Any] = {
    "ProductId": "WH5T8K3N2P",
    "DeviceName": "wh_3a90c1",
    "AliasName": "浴室热水器 Bathroom Water Heater",
    "Data": {"power_switch": 1, "mode": "eco", "temp_set": 55, "temp_current": 48},
}


async def wait_for(hass: HomeAssistant, condition: Callable[[], bool], seconds: float = 10) -> None:
    """Let HA and the simulator run until `condition` holds."""
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.005)
            await hass.async_block_till_done()


@asynccontextmanager
async def running_simulator(home: dict[str, Any]) -> AsyncIterator[CloudSimulator]:
    """The simulator serving this home on a free loopback port: a module's own `sim` fixture."""
    simulator = CloudSimulator(home, scene_delay_scale=0.01)
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()


def integration_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The warnings the integration logged so far (caplog at WARNING or below)."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING
        and record.name.startswith("custom_components.tencent_iot")
    ]


def coordinator_of(entry: MockConfigEntry) -> TencentIoTCoordinator:
    """The entry's coordinator."""
    coordinator: TencentIoTCoordinator = entry.runtime_data.coordinator
    return coordinator


async def set_up_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the entry up and let it settle, its first firmware check (in the background) too."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for_firmware_check(hass, entry)


async def set_up_while_cloud_down(
    hass: HomeAssistant, sim: CloudSimulator | QuectelSimulator, entry: MockConfigEntry
) -> None:
    """Set the entry up while the cloud answers only errors (until cleared): HA retries later."""
    sim.fail_next(10_000)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def wait_for_firmware_check(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Until the first firmware check, a background task, has ended."""
    firmware = entry.runtime_data.firmware
    await wait_for(hass, lambda: firmware.data is not None or not firmware.last_update_success)


def push_of(entry: MockConfigEntry) -> CloudPush:
    """The entry's push client: push is on."""
    push = coordinator_of(entry).push
    assert push is not None
    return push


async def connected_push(hass: HomeAssistant, entry: MockConfigEntry) -> CloudPush:
    """The entry's push client, once it is connected."""
    push = push_of(entry)
    await wait_for(hass, lambda: push.connected)
    return push


async def deliver_report(
    hass: HomeAssistant,
    sim: CloudSimulator | QuectelSimulator,
    coordinator: TencentIoTCoordinator,
    device: str,
    **values: Any,
) -> None:
    """The device reports these values; until the coordinator holds them all."""
    await sim.report(device, values)
    await wait_for(
        hass,
        lambda: all(
            coordinator.devices[device].values.get(prop) == value for prop, value in values.items()
        ),
    )


async def take_push_down(
    hass: HomeAssistant, sim: CloudSimulator, entry: MockConfigEntry, *, abort: bool = False
) -> CloudPush:
    """Once push is connected: drop it and keep it down (subscriptions refused); its client."""
    push = await connected_push(hass, entry)
    sim.refuse_subscriptions()
    await sim.drop_websockets(abort=abort)
    await wait_for(hass, lambda: not push.connected)
    return push


def count_state_writes(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """From now on, how many times each entity wrote its state, by entity id."""
    written: Counter[str] = Counter()
    write = Entity.async_write_ha_state

    def counting_write(entity: Entity) -> None:
        written[entity.entity_id] += 1
        write(entity)

    monkeypatch.setattr(Entity, "async_write_ha_state", counting_write)
    return written


def entity_id(hass: HomeAssistant, domain: str, device: str, key: str) -> str:
    """The entity id of this integration's entity with unique id "<device>/<key>"."""
    found = er.async_get(hass).async_get_entity_id(domain, "tencent_iot", f"{device}/{key}")
    assert found is not None, f"no {domain} entity for {device}/{key}"
    return found


async def subscribed_entity(
    hass: HomeAssistant, sim: CloudSimulator, domain: str, device: str, key: str
) -> str:
    """The entity id of a device's entity, once push has subscribed the device (reports arrive)."""
    await sim.wait_for_subscription(device)
    return entity_id(hass, domain, device, key)


def state(hass: HomeAssistant, entity: str) -> State:
    """The entity's current state."""
    current = hass.states.get(entity)
    assert current is not None, entity
    return current


async def call_service(hass: HomeAssistant, service: str, entity: str, **data: Any) -> None:
    """Call an entity service ("domain.service") for one entity and wait until it has run."""
    domain, name = service.split(".")
    await hass.services.async_call(domain, name, {"entity_id": entity, **data}, blocking=True)


def controls_of(sim: CloudSimulator, device: str) -> list[Mapping[str, Any]]:
    """The data of every control that reached a device, oldest first."""
    return [
        control["Data"]  # type: ignore[misc]
        for control in sim.controls()
        if control["DeviceId"] == device
    ]


async def wait_for_state(
    hass: HomeAssistant,
    entity: str,
    expected: str | None = None,
    **attributes: Any,
) -> State:
    """Wait until the entity has this state and these attributes (pushed by the simulator)."""

    def matches() -> bool:
        current = hass.states.get(entity)
        return (
            current is not None
            and (expected is None or current.state == expected)
            and all(current.attributes.get(key) == value for key, value in attributes.items())
        )

    try:
        await wait_for(hass, matches)
    except TimeoutError:
        raise AssertionError(f"{entity} is {hass.states.get(entity)}") from None
    return state(hass, entity)


def thing_property(prop_id: str, kind: str, mode: str = "rw", **define: Any) -> dict[str, Any]:
    """A DataTemplate property named after its id ("water_temp" is "Water Temp")."""
    return {
        "id": prop_id,
        "name": prop_id.replace("_", " ").title(),
        "mode": mode,
        "define": {"type": kind, **define},
    }


def home_with(products: list[dict[str, Any]], devices: list[dict[str, Any]]) -> dict[str, Any]:
    """The default home plus these products and devices (in the first family's living room)."""
    home: dict[str, Any] = copy.deepcopy(json.loads(DEFAULT_FIXTURE.read_text(encoding="utf-8")))
    family = home["Families"][0]
    room = family["RoomList"][0]["RoomId"]
    home["Products"].extend(
        {
            "Description": "",
            "CategoryId": 1,
            "ProductType": 0,
            "NetType": "wifi",
            **product,
        }
        for product in products
    )
    home["Devices"].extend(
        {
            "FamilyId": family["FamilyId"],
            "RoomId": room,
            "DeviceType": 0,
            "Online": 1,
            "FwVersion": "1.0.0",
            "IconUrl": "",
            "Data": {},
            **device,
        }
        for device in devices
    )
    return home


def home_with_water_heater() -> dict[str, Any]:
    """The default home plus the water heater."""
    return home_with([WATER_HEATER_PRODUCT], [WATER_HEATER_DEVICE])
