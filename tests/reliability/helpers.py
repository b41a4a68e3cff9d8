"""What every fault scenario checks at its end: HA shows what the cloud holds, nothing leaks."""

import asyncio
from collections.abc import Iterable
import json
import logging
import math
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.update_coordinator import UpdateFailed
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import CONF_FAMILY_ID, CONF_USER_ID
from custom_components.tencent_iot.coordinator import TencentIoTCoordinator
from custom_components.tencent_iot.diagnostics import async_get_config_entry_diagnostics
from simulator import CloudSimulator
from simulator.quectel import QuectelSimulator
from simulator.quectel.model import Device as QuectelDevice
from tests.platform_common import coordinator_of, wait_for

type Simulator = CloudSimulator | QuectelSimulator

# Log messages that mean an error escaped its handler.
_UNHANDLED = ("Traceback", "Unhandled", "Error doing job", "Exception in", "never retrieved")
# Errors the scenarios cause on purpose: a refresh failing while the cloud is down, or because
# the password changed.
_EXPECTED_ERRORS = (
    "Error fetching tencent_iot",
    "Authentication failed while fetching tencent_iot",
)


async def wait_push_healthy(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Until the push channel is connected and subscribed."""
    coordinator = coordinator_of(entry)
    await wait_for(hass, lambda: coordinator.push_healthy)


async def push_healthy_coordinator(
    hass: HomeAssistant, entry: MockConfigEntry
) -> TencentIoTCoordinator:
    """The entry's coordinator, once its push channel is connected and subscribed."""
    await wait_push_healthy(hass, entry)
    return coordinator_of(entry)


def secrets_of(sim: Simulator) -> set[str]:
    """The app's secret, every user's password and every token the simulator issued."""
    app_secret = sim.app_secret if isinstance(sim, CloudSimulator) else sim.user_domain_secret
    return {
        app_secret,
        *(user.password for user in sim.state.users.values()),
        *sim.state.issued_tokens,
    }


def _handled_trace(record: logging.LogRecord) -> bool:
    """HA's own debug trace of a failure it handles: a setup to retry, a failed refresh."""
    return (
        "/homeassistant/" in record.pathname
        and record.levelno == logging.DEBUG
        and record.exc_info is not None
        and isinstance(
            record.exc_info[1], ConfigEntryAuthFailed | ConfigEntryNotReady | UpdateFailed
        )
    )


def unexpected_records(records: Iterable[logging.LogRecord]) -> list[logging.LogRecord]:
    """Records with a traceback, an unhandled error, or an error no scenario causes."""
    found: list[logging.LogRecord] = []
    for record in records:
        message = record.getMessage()
        if _handled_trace(record) or (
            # The loop's debug tracing, e.g. a connection reset seen by a socket transport:
            # the network misbehaving, as the scenarios make it. Its errors are ERROR records.
            record.name == "asyncio" and record.levelno < logging.WARNING
        ):
            continue
        if (
            record.exc_info is not None
            or record.exc_text
            or any(marker in message for marker in _UNHANDLED)
            or (record.levelno >= logging.ERROR and not message.startswith(_EXPECTED_ERRORS))
        ):
            found.append(record)
    return found


def _same(value: Any, cloud: Any) -> bool:
    if isinstance(cloud, float) or isinstance(value, float):
        return isinstance(value, int | float) and math.isclose(value, cloud, abs_tol=1e-9)
    return bool(value == cloud)


def cloud_device_ids(sim: Simulator, entry: MockConfigEntry) -> set[str]:
    """The devices of the entry's family, as the cloud has them."""
    if isinstance(sim, CloudSimulator):
        return set(sim.state.families[entry.data[CONF_FAMILY_ID]].device_ids)
    return {key for key, device in sim.state.devices.items() if _in_home(sim, entry, device)}


def _in_home(sim: QuectelSimulator, entry: MockConfigEntry, device: QuectelDevice) -> bool:
    """Whether a Quectel device is in the entry's family (or the account's own and shared)."""
    uid: str = entry.data[CONF_USER_ID]
    family_id: str = entry.data[CONF_FAMILY_ID]
    if not sim.state.can_see(uid, device):
        return False
    if family_id != "account":
        return device.fid == family_id
    top = sim.state.devices.get(device.gateway or "", device)
    return top.owner == uid or uid in top.shares


def cloud_device_state(sim: Simulator, key: str) -> tuple[bool, dict[str, Any]]:
    """Whether the cloud has the device online, and its values."""
    cloud = sim.device_state(key)
    data = cloud["Data"] if isinstance(sim, CloudSimulator) else cloud["Values"]
    assert isinstance(data, dict)
    return bool(cloud["Online"]), data


def assert_coordinator_matches_cloud(sim: Simulator, entry: MockConfigEntry) -> None:
    """The coordinator knows exactly the family's devices, with the cloud's status and values.

    Values are compared for online devices: an offline device's data is not read (its entities
    are unavailable), and it is read when the device comes online.
    """
    coordinator = coordinator_of(entry)
    known, cloud_ids = set(coordinator.devices), cloud_device_ids(sim, entry)
    assert known == cloud_ids, (
        f"only in HA: {known - cloud_ids}, only in the cloud: {cloud_ids - known}"
    )
    for key, state in coordinator.devices.items():
        cloud_online, data = cloud_device_state(sim, key)
        assert state.online == cloud_online, key
        if not state.online:
            continue
        wrong = {
            prop: (state.values.get(prop), value)
            for prop, value in data.items()
            if not _same(state.values.get(prop), value)
        }
        assert not wrong, f"{key}: HA != cloud: {wrong}"


def _expected_entity_state(domain: str, prop: str, data: dict[str, Any]) -> str | None:
    """The state an entity must show for the cloud's data, where that is unambiguous."""
    if domain == "switch" and prop in data:
        return "on" if data[prop] else "off"
    if domain == "light" and "power_switch" in data:
        return "on" if data["power_switch"] else "off"
    return None


def assert_entities_match_cloud(
    hass: HomeAssistant, sim: Simulator, entry: MockConfigEntry
) -> None:
    """Every device entity is available exactly when its device is online, and shows its data."""
    coordinator = coordinator_of(entry)
    registry = er.async_get(hass)
    checked = 0
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        parts = entity.unique_id.split("/", 2)
        key = "/".join(parts[:2])
        if len(parts) < 3 or key not in coordinator.devices or entity.disabled_by is not None:
            continue
        assert key in cloud_device_ids(sim, entry), f"{entity.entity_id} of a removed device"
        current = hass.states.get(entity.entity_id)
        assert current is not None, entity.entity_id
        cloud_online, data = cloud_device_state(sim, key)
        online = cloud_online and coordinator.last_update_success
        available = current.state != STATE_UNAVAILABLE
        if entity.domain == "update":
            # Also needs its firmware to be known: only "offline -> unavailable" is certain.
            assert online or not available, entity.entity_id
        else:
            assert available == online, f"{entity.entity_id}: {current.state}, online={online}"
        if available and (expected := _expected_entity_state(entity.domain, parts[2], data)):
            assert current.state == expected, f"{entity.entity_id}: {current.state} != {expected}"
        checked += 1
    assert checked, "no entity was checked"


async def assert_diagnostics_clean(
    hass: HomeAssistant, sim: Simulator, entry: MockConfigEntry
) -> None:
    """The diagnostics dump holds none of the secrets."""
    dump = json.dumps(await async_get_config_entry_diagnostics(hass, entry), default=str)
    leaked = [secret for secret in secrets_of(sim) if secret in dump]
    assert not leaked, "secret in diagnostics"


async def assert_end_state(
    hass: HomeAssistant,
    sim: Simulator,
    entry: MockConfigEntry,
    *,
    unload: bool = True,
    within: float = 5.0,
) -> None:
    """HA comes to equal the cloud (coordinator and states); diagnostics are clean; unload.

    Background work (a catch-up read after a reconnect, a device-list read) may still be
    running: the comparison is repeated until it holds or `within` seconds have passed. No
    poll runs meanwhile, so only what the integration already started can make it hold.
    """
    assert entry.state is ConfigEntryState.LOADED
    deadline = hass.loop.time() + within
    while True:
        await hass.async_block_till_done()
        try:
            assert_coordinator_matches_cloud(sim, entry)
            assert_entities_match_cloud(hass, sim, entry)
            break
        except AssertionError:
            if hass.loop.time() > deadline:
                raise
            await asyncio.sleep(0.02)
    await assert_diagnostics_clean(hass, sim, entry)
    if unload:
        # Unloading is part of the scenario: its log records are checked too.
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
