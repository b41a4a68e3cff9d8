"""Firmware update entities, against the cloud simulator."""

from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial
from unittest.mock import patch

from homeassistant.components.update.const import (
    ATTR_IN_PROGRESS,
    ATTR_INSTALLED_VERSION,
    ATTR_LATEST_VERSION,
    ATTR_UPDATE_PERCENTAGE,
    DATA_COMPONENT,
    DOMAIN as UPDATE_DOMAIN,
    SERVICE_INSTALL,
)
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import (
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    EntityCategory,
    Platform,
)
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, State, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.tencent_iot import firmware as tencent_firmware, update as tencent_update
from custom_components.tencent_iot.const import CONF_FAMILY_ID, DOMAIN
from custom_components.tencent_iot.firmware import TencentIoTFirmwareCoordinator
from simulator import CloudSimulator

from .platform_common import call_service, entity_id, set_up_entry, state, wait_for

BULB = "3JQ8VX2K1M/bulb_7c87ce1a"  # 1.2.0, the product offers 1.3.0
LAMP = "3JQ8VX2K1M/bulb_7c87ce2b"  # 1.3.0, up to date
STRIP = "7DW4NLPA2Z/strip_a4cf1290"
SPEAKER = "SPK4N7W2QX/spk_d83bbf10"  # 3.1.7, the product offers 3.2.0
BALCONY = "K2B7QX9RDL/ceiling_5e22"  # offline


@pytest.fixture(autouse=True)
def fast_progress() -> Iterator[None]:
    """Read upgrade progress without waiting between reads."""
    with patch.object(tencent_update, "PROGRESS_INTERVAL", 0):
        yield


@pytest.fixture
def platforms() -> list[Platform]:
    """Entries are set up with the update platform only."""
    return [Platform.UPDATE]


def update_entity_id(hass: HomeAssistant, key: str) -> str | None:
    """The entity id of a device's firmware update entity, if it has one."""
    return er.async_get(hass).async_get_entity_id(UPDATE_DOMAIN, DOMAIN, f"{key}/firmware")


def update_state(hass: HomeAssistant, key: str) -> State:
    """The state of a device's firmware update entity."""
    return state(hass, entity_id(hass, UPDATE_DOMAIN, key, "firmware"))


async def install(hass: HomeAssistant, key: str) -> None:
    """Install the offered firmware."""
    entity = entity_id(hass, UPDATE_DOMAIN, key, "firmware")
    await call_service(hass, f"{UPDATE_DOMAIN}.{SERVICE_INSTALL}", entity)


def track(
    hass: HomeAssistant, key: str, action: Callable[[State], None] | None = None
) -> list[State]:
    """Record the states an update entity goes through (and react to each, if asked)."""
    seen: list[State] = []

    @callback
    def changed(event: Event[EventStateChangedData]) -> None:
        if (state := event.data["new_state"]) is not None:
            seen.append(state)
            if action is not None:
                action(state)

    async_track_state_change_event(hass, str(update_entity_id(hass, key)), changed)
    return seen


def has_found(firmware: TencentIoTFirmwareCoordinator, count: int) -> bool:
    """Whether the firmware checks have published the firmware of `count` devices."""
    return len(firmware.data or {}) >= count


def check_count(sim: CloudSimulator) -> int:
    """How often the cloud was asked for firmware since the counts were reset."""
    return sim.request_counts().get("AppCheckFirmwareUpdate", 0)


async def test_update_entities(hass: HomeAssistant, setup_integration: MockConfigEntry) -> None:
    """Installed and latest versions come from AppCheckFirmwareUpdate."""
    bulb = update_state(hass, BULB)
    assert bulb.state == STATE_ON
    assert bulb.attributes[ATTR_INSTALLED_VERSION] == "1.2.0"
    assert bulb.attributes[ATTR_LATEST_VERSION] == "1.3.0"
    assert bulb.attributes[ATTR_IN_PROGRESS] is False
    assert bulb.attributes["friendly_name"] == "客厅彩灯 Living Room Bulb Firmware"
    lamp = update_state(hass, LAMP)
    assert lamp.state == STATE_OFF
    assert lamp.attributes[ATTR_INSTALLED_VERSION] == "1.3.0"
    assert lamp.attributes[ATTR_LATEST_VERSION] == "1.3.0"
    speaker = update_state(hass, SPEAKER)
    assert (speaker.state, speaker.attributes[ATTR_LATEST_VERSION]) == (STATE_ON, "3.2.0")
    assert update_state(hass, BALCONY).state == STATE_UNAVAILABLE
    entry = er.async_get(hass).async_get(str(update_entity_id(hass, BULB)))
    assert entry is not None
    assert entry.entity_category is EntityCategory.CONFIG


async def test_device_without_firmware(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """A device that never reported a firmware version gets no update entity."""
    sim.state.device(STRIP).fw_version = ""
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await wait_for(hass, lambda: update_entity_id(hass, BULB) is not None)
    assert update_entity_id(hass, STRIP) is None


async def test_install(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Installing publishes the upgrade, shows its progress and ends on the new version."""
    seen = track(hass, BULB)
    sim.reset_request_counts()
    await install(hass, BULB)
    counts = sim.request_counts()
    assert counts["AppPublishFirmwareUpdateMessage"] == 1
    assert counts["AppDescribeFirmwareUpdateStatus"] == 5
    assert sim.device_state(BULB)["FwVersion"] == "1.3.0"

    progress = [
        s.attributes[ATTR_UPDATE_PERCENTAGE] for s in seen if s.attributes[ATTR_IN_PROGRESS]
    ]
    assert progress == [None, 25, 50, 75, 100]
    final = update_state(hass, BULB)
    assert final.state == STATE_OFF
    assert final.attributes[ATTR_INSTALLED_VERSION] == "1.3.0"
    assert final.attributes[ATTR_LATEST_VERSION] == "1.3.0"
    assert final.attributes[ATTR_IN_PROGRESS] is False
    assert final.attributes[ATTR_UPDATE_PERCENTAGE] is None


def device_entry(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> dr.DeviceEntry:
    """The device registry's entry of a cloud device."""
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, key), entry.entry_id)
    assert device is not None
    return device


async def test_device_info(hass: HomeAssistant, setup_integration: MockConfigEntry) -> None:
    """Every device names the platform as manufacturer, its product as model, and its firmware."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), setup_integration.entry_id)
    assert len(devices) == 18
    assert {device.manufacturer for device in devices} == {"Tencent IoT Explorer"}
    assert all(device.model and device.model_id and device.sw_version for device in devices)
    bulb = device_entry(hass, setup_integration, BULB)
    assert (bulb.model, bulb.model_id, bulb.sw_version) == (
        "彩光球泡灯 Color Bulb A60",
        "3JQ8VX2K1M",
        "1.2.0",
    )
    assert device_entry(hass, setup_integration, SPEAKER).sw_version == "3.1.7"


async def test_device_info_follows_the_firmware(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """An upgrade, and a version the next check finds, change the device's firmware version."""
    await install(hass, BULB)
    assert device_entry(hass, setup_integration, BULB).sw_version == "1.3.0"

    sim.state.device(STRIP).fw_version = "2.0.1"
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(days=1, minutes=3))
    await wait_for(hass, lambda: device_entry(hass, setup_integration, STRIP).sw_version == "2.0.1")
    assert device_entry(hass, setup_integration, BULB).sw_version == "1.3.0"


async def test_install_fails(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The device reports a failed upgrade: a translated error, and the old version stays."""

    def fail_when_started(state: State) -> None:
        if state.attributes[ATTR_IN_PROGRESS] and sim.device_state(SPEAKER)["Ota"] is not None:
            sim.advance_ota(SPEAKER, status=5)

    track(hass, SPEAKER, fail_when_started)
    with pytest.raises(HomeAssistantError) as err:
        await install(hass, SPEAKER)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "firmware_update_failed"
    assert err.value.translation_placeholders == {
        "target": "客厅音箱 Living Room Speaker",
        "error": "upgrade failed",
    }
    current = update_state(hass, SPEAKER)
    assert current.state == STATE_ON
    assert current.attributes[ATTR_INSTALLED_VERSION] == "3.1.7"
    assert current.attributes[ATTR_IN_PROGRESS] is False
    assert sim.device_state(SPEAKER)["FwVersion"] == "3.1.7"


async def test_install_times_out(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """An upgrade that does not finish in time is reported as such."""
    with (
        patch.object(tencent_update, "INSTALL_TIMEOUT", 0),
        pytest.raises(HomeAssistantError) as err,
    ):
        await install(hass, BULB)
    assert err.value.translation_key == "firmware_update_timeout"
    assert err.value.translation_placeholders == {
        "target": "客厅彩灯 Living Room Bulb",
        "minutes": "0",
    }
    assert update_state(hass, BULB).attributes[ATTR_IN_PROGRESS] is False


async def test_install_refused(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The cloud refuses the upgrade (the device went offline unnoticed): nothing starts."""
    sim.state.device(BULB).online = False
    with pytest.raises(HomeAssistantError) as err:
        await install(hass, BULB)
    assert err.value.translation_key == "firmware_update_failed"
    assert err.value.translation_placeholders is not None
    assert "DeviceOffline" in err.value.translation_placeholders["error"]
    assert sim.device_state(BULB)["Ota"] is None
    assert update_state(hass, BULB).attributes[ATTR_IN_PROGRESS] is False


async def test_checked_at_most_once_a_day(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A device's firmware is checked again a day later, not before."""
    sim.state.products["3JQ8VX2K1M"].firmware = "1.4.0"
    sim.reset_request_counts()
    now = dt_util.utcnow()
    async_fire_time_changed(hass, now + timedelta(hours=23, minutes=50))
    await hass.async_block_till_done()
    assert check_count(sim) == 0
    assert update_state(hass, LAMP).state == STATE_OFF

    async_fire_time_changed(hass, now + timedelta(days=1, minutes=3))
    await wait_for(hass, lambda: update_state(hass, LAMP).state == STATE_ON)
    assert check_count(sim) == len(setup_integration.runtime_data.coordinator.devices)
    lamp = update_state(hass, LAMP)
    assert lamp.attributes[ATTR_LATEST_VERSION] == "1.4.0"
    assert update_state(hass, BULB).attributes[ATTR_LATEST_VERSION] == "1.4.0"


async def test_failed_check_is_retried(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When the first check fails, the entities come with the next one."""
    sim.fail_next(100, action="AppCheckFirmwareUpdate")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await wait_for(hass, lambda: "Error requesting tencent_iot firmware data" in caplog.text)
    assert hass.states.async_entity_ids(UPDATE_DOMAIN) == []
    sim.clear_faults()
    async_fire_time_changed(hass, dt_util.utcnow() + tencent_firmware.FIRMWARE_CHECK_TICK)
    await wait_for(hass, lambda: update_entity_id(hass, BULB) is not None)
    assert update_state(hass, BULB).state == STATE_ON


async def test_device_losing_its_firmware(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A device the cloud refuses to check, a day later, loses its firmware."""
    sim.state.device(STRIP).family_id = ""  # no longer the user's: NoPermission
    entity = hass.data[DATA_COMPONENT].get_entity(str(update_entity_id(hass, BULB)))
    assert isinstance(entity, tencent_update.TencentIoTUpdateEntity)
    await entity.firmware.async_check_due(dt_util.utcnow() + timedelta(days=1))
    await hass.async_block_till_done()
    assert entity.firmware.last_update_success
    assert STRIP not in entity.firmware.data
    assert update_state(hass, STRIP).state == STATE_UNAVAILABLE
    assert update_state(hass, BULB).state == STATE_ON


async def test_rejected_sign_in_starts_reauth(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A check the cloud refuses for the account starts re-authentication."""
    sim.expire_tokens(revoke=True)
    sim.set_password("changed-elsewhere")
    entity = hass.data[DATA_COMPONENT].get_entity(str(update_entity_id(hass, BULB)))
    assert isinstance(entity, tencent_update.TencentIoTUpdateEntity)
    await entity.firmware.async_check_due(dt_util.utcnow() + timedelta(days=1))
    await hass.async_block_till_done()
    assert not entity.firmware.last_update_success
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_new_device(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A device bound later is checked at once and gets its update entity."""
    sim.reset_request_counts()
    await sim.add_device("SPK4N7W2QX", "spk_new01", alias="Kitchen Speaker")
    await wait_for(hass, lambda: update_entity_id(hass, "SPK4N7W2QX/spk_new01") is not None)
    await hass.async_block_till_done()
    current = update_state(hass, "SPK4N7W2QX/spk_new01")
    assert current.attributes[ATTR_INSTALLED_VERSION] == "1.0.0"
    assert current.attributes[ATTR_LATEST_VERSION] == "3.2.0"
    assert check_count(sim) == 1


async def test_new_device_check_fails(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """When checking a new device fails, its entity comes with the next full check."""
    coordinator = setup_integration.runtime_data.coordinator
    sim.reset_request_counts()
    sim.fail_next(3, action="AppCheckFirmwareUpdate")
    await sim.add_device("SPK4N7W2QX", "spk_new02")
    await wait_for(hass, lambda: "SPK4N7W2QX/spk_new02" in coordinator.devices)
    await wait_for(hass, lambda: check_count(sim) >= 3)
    await hass.async_block_till_done()
    assert update_entity_id(hass, "SPK4N7W2QX/spk_new02") is None
    async_fire_time_changed(hass, dt_util.utcnow() + tencent_firmware.FIRMWARE_CHECK_TICK)
    await wait_for(hass, lambda: update_entity_id(hass, "SPK4N7W2QX/spk_new02") is not None)
    assert update_state(hass, "SPK4N7W2QX/spk_new02").state == STATE_ON


async def test_removed_device(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The entity of an unbound device goes; it comes back when the device is bound again."""
    assert update_entity_id(hass, LAMP) is not None
    await sim.remove_device(LAMP)
    await wait_for(hass, lambda: update_entity_id(hass, LAMP) is None)
    assert hass.states.async_entity_ids(UPDATE_DOMAIN)

    await sim.add_device("3JQ8VX2K1M", "bulb_7c87ce2b", alias="床头灯 Bedside Lamp")
    await wait_for(hass, lambda: update_entity_id(hass, LAMP) is not None)


async def test_large_home_is_checked_at_a_pace(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """A few devices every couple of minutes, each once; unloading stops the checks."""
    sim.reset_request_counts()
    devices = len(sim.state.families[config_entry.data[CONF_FAMILY_ID]].device_ids)
    counts = []
    with patch.object(tencent_firmware, "FIRMWARE_CHECKS_PER_TICK", 5):
        await set_up_entry(hass, config_entry)
        firmware = config_entry.runtime_data.firmware
        counts.append(check_count(sim))
        assert len(hass.states.async_entity_ids(UPDATE_DOMAIN)) < devices
        start = dt_util.utcnow()
        for tick in range(1, 4):
            expected = min(5 * (tick + 1), devices)
            async_fire_time_changed(hass, start + tick * tencent_firmware.FIRMWARE_CHECK_TICK)
            # Until the tick has published what it found: a tick firing while one still
            # runs is skipped. Every device of the default home has firmware.
            await wait_for(hass, partial(has_found, firmware, expected))
            counts.append(check_count(sim))
    assert counts == [5, 10, 15, devices]
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    async_fire_time_changed(hass, start + timedelta(days=2))
    await hass.async_block_till_done()
    assert check_count(sim) == devices


async def test_restart_starts_from_the_remembered_firmware(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """After a restart the entities are there at once, from the last checks; none is repeated."""
    entry = setup_integration
    start = dt_util.utcnow()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    sim.reset_request_counts()

    assert await hass.config_entries.async_setup(entry.entry_id)
    bulb = update_state(hass, BULB)
    assert (bulb.state, bulb.attributes[ATTR_LATEST_VERSION]) == (STATE_ON, "1.3.0")
    assert update_state(hass, LAMP).attributes[ATTR_INSTALLED_VERSION] == "1.3.0"
    await hass.async_block_till_done()
    assert check_count(sim) == 0
    assert update_entity_id(hass, STRIP) is not None

    # A day after the last checks, they are due again.
    async_fire_time_changed(hass, start + timedelta(days=1, minutes=3))
    await wait_for(hass, lambda: check_count(sim) == len(entry.runtime_data.coordinator.devices))
