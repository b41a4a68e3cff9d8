"""The cloud refusing requests as too many: one back-off for the entry, a repair if it lasts.

Time moves with HA's test clock (`async_fire_time_changed`): the back-off, the repair delay and
the simulator's "throttled for T seconds" all run on the event loop's timers.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.tencent_iot.api import RateLimit, TencentIoTRateLimitError
from custom_components.tencent_iot.const import DOMAIN
from custom_components.tencent_iot.control import async_set_values
from custom_components.tencent_iot.coordinator import TencentIoTCoordinator
from custom_components.tencent_iot.diagnostics import async_get_config_entry_diagnostics
from simulator import CloudSimulator

from .platform_common import BULB, PLUG, coordinator_of, entity_id, state, wait_for


@pytest.fixture
def platforms() -> list[Platform]:
    """Entries are set up with the switch platform only."""
    return [Platform.SWITCH]


async def turns(count: int = 20) -> None:
    """Let the event loop run `count` times: enough for work that needs no I/O to happen."""
    for _ in range(count):
        await asyncio.sleep(0)


def start(job: Awaitable[object]) -> asyncio.Task[object]:
    """Run a job beside the test, as HA would run a poll or a user's action."""
    return asyncio.ensure_future(job)


async def advance_until(
    hass: HomeAssistant, condition: Callable[[], bool], step: timedelta, limit: int = 60
) -> None:
    """Move HA's clock forward a step at a time until `condition` holds.

    The steps add up: keep them short of the requests' 10 s timeout, which they fire too.
    """
    now = dt_util.utcnow()
    for count in range(1, limit + 1):
        if condition():
            return
        async_fire_time_changed(hass, now + count * step)
        await hass.async_block_till_done()
        await turns()
    assert condition()


def backing_off_for(rate_limit: RateLimit, seconds: float) -> bool:
    """Whether requests are held by a back-off of `seconds`."""
    last = rate_limit.last_throttle
    return rate_limit.backing_off and last is not None and last.backoff == seconds


async def refused_poll(
    hass: HomeAssistant, sim: CloudSimulator, coordinator: TencentIoTCoordinator, **how: Any
) -> asyncio.Task[object]:
    """A poll whose status read the cloud refuses once (`how` as `throttle_next`); once held."""
    sim.throttle_next(1, action="AppGetDeviceStatuses", **how)
    poll = start(coordinator.async_refresh())
    await wait_for(hass, lambda: coordinator.rate_limit.backing_off)
    return poll


async def end_backoff(hass: HomeAssistant, job: asyncio.Task[object], seconds: float = 3) -> None:
    """Move HA's clock past the back-off; until the held job is done."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await wait_for(hass, job.done)


def throttled_coordinator(entry: MockConfigEntry) -> tuple[TencentIoTCoordinator, RateLimit]:
    """The entry's coordinator and the rate limit its client shares."""
    coordinator = coordinator_of(entry)
    assert coordinator.client.rate_limit is coordinator.rate_limit
    return coordinator, coordinator.rate_limit


async def test_every_request_waits_out_the_backoff(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """One refused read holds every request of the entry, a user's control too, until it ends."""
    coordinator, rate_limit = throttled_coordinator(setup_integration)
    reads = rate_limit.requests["AppGetDeviceStatuses"]
    poll = await refused_poll(hass, sim, coordinator)
    assert rate_limit.last_throttle is not None
    assert rate_limit.last_throttle.code == "RequestLimitExceeded"
    assert rate_limit.last_throttle.action == "AppGetDeviceStatuses"
    assert rate_limit.last_throttle.backoff == 2.0

    control = start(async_set_values(coordinator, BULB, {"brightness": 12}))
    await turns()
    assert "AppControlDeviceData" not in rate_limit.requests
    assert rate_limit.requests["AppGetDeviceStatuses"] == reads + 1
    assert not poll.done()
    assert not control.done()

    await end_backoff(hass, poll)
    await wait_for(hass, control.done)
    assert rate_limit.requests["AppGetDeviceStatuses"] == reads + 2
    assert sim.device_state(BULB)["Data"]["brightness"] == 12  # type: ignore[index]
    assert coordinator.last_update_success
    assert not rate_limit.throttled


async def test_backoff_grows_and_resets(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Refusals in a row double the back-off; an answer resets it."""
    coordinator, rate_limit = throttled_coordinator(setup_integration)
    refusals: list[bool] = []
    rate_limit.add_listener(refusals.append)

    sim.reset_request_counts()
    sim.throttle_next(3, action="AppGetDeviceStatuses")
    poll = start(coordinator.async_refresh())
    for expected in (2.0, 4.0, 8.0):
        await wait_for(hass, partial(backing_off_for, rate_limit, expected))
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=expected + 1))
    await wait_for(hass, poll.done)
    # Two retries after the first refusal, then the read gives up: the poll is not a failure
    # of the cloud, its entities stay as they are, and the next poll waits longer.
    assert sim.request_counts()["AppGetDeviceStatuses"] == 3
    assert coordinator.last_update_success
    assert coordinator.update_interval == timedelta(seconds=120)
    assert refusals == [True]

    # Answered again: the next refusal starts from the shortest back-off.
    await coordinator.async_refresh()
    assert refusals == [True, False]
    assert coordinator.update_interval == timedelta(seconds=60)
    poll = await refused_poll(hass, sim, coordinator)
    assert rate_limit.last_throttle is not None
    assert rate_limit.last_throttle.backoff == 2.0
    await end_backoff(hass, poll)


async def test_http_429_and_its_retry_after(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """An HTTP 429 is a refusal too, and its Retry-After sets the back-off."""
    coordinator, rate_limit = throttled_coordinator(setup_integration)
    poll = await refused_poll(hass, sim, coordinator, http_429=True, retry_after="30")
    assert rate_limit.last_throttle is not None
    assert (rate_limit.last_throttle.code, rate_limit.last_throttle.backoff) == ("HTTP 429", 30)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=20))
    await hass.async_block_till_done()
    await turns()
    assert not poll.done()
    await end_backoff(hass, poll, 31)
    assert coordinator.last_update_success


async def test_refused_control_is_a_translated_error(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A control the cloud refuses as one too many is not sent again: the user is told."""
    coordinator, rate_limit = throttled_coordinator(setup_integration)
    sim.throttle_next(1, action="AppControlDeviceData")
    with pytest.raises(HomeAssistantError) as err:
        await async_set_values(coordinator, BULB, {"brightness": 33})
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "rate_limited"
    assert rate_limit.requests["AppControlDeviceData"] == 1
    assert sim.device_state(BULB)["Data"]["brightness"] != 33  # type: ignore[index]
    assert rate_limit.backing_off  # the timer is cancelled when the entry unloads


async def test_lasting_throttle_raises_a_repair_until_it_ends(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Refused for 15 minutes: a repair issue; entities stay available; it goes when it ends."""
    coordinator, rate_limit = throttled_coordinator(setup_integration)
    issue_id = f"rate_limited_{setup_integration.entry_id}"
    switch = entity_id(hass, "switch", PLUG, "power_switch")
    sim.throttle_for(3600)
    poll = start(coordinator.async_refresh())
    await wait_for(hass, lambda: rate_limit.throttled)
    await advance_until(hass, poll.done, timedelta(seconds=30))
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None

    await advance_until(
        hass,
        lambda: ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None,
        timedelta(minutes=1),
    )
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {"title": setup_integration.title}
    assert rate_limit.throttled
    assert state(hass, switch).state != STATE_UNAVAILABLE

    sim.clear_faults()
    await advance_until(
        hass,
        lambda: ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None,
        timedelta(minutes=1),
    )
    assert not rate_limit.throttled


async def test_diagnostics_show_requests_and_the_last_throttle(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Requests by action and in all, the last refusal, and the poll's pace."""
    coordinator, rate_limit = throttled_coordinator(setup_integration)
    diagnostics = await async_get_config_entry_diagnostics(hass, setup_integration)
    traffic = diagnostics["cloud_traffic"]
    assert traffic["last_throttle"] is None
    assert traffic["throttled"] is False
    assert traffic["requests"]["by_action"]["AppGetDeviceData"] == len(coordinator.devices) - 1
    assert traffic["requests"]["total"] == sum(traffic["requests"]["by_action"].values())
    assert traffic["poll_interval_seconds"] == 60

    sim.throttle_next(
        1, action="AppGetDeviceStatuses", code="RequestLimitExceeded.UinLimitExceeded"
    )
    poll = start(coordinator.async_refresh())
    await wait_for(hass, lambda: rate_limit.backing_off)
    traffic = (await async_get_config_entry_diagnostics(hass, setup_integration))["cloud_traffic"]
    last = traffic["last_throttle"]
    assert last["code"] == "RequestLimitExceeded.UinLimitExceeded"
    assert last["action"] == "AppGetDeviceStatuses"
    assert last["backoff_seconds"] == 2.0
    assert dt_util.parse_datetime(last["at"]) is not None
    assert traffic["throttled"] is True
    await end_backoff(hass, poll)


async def test_refused_lists_keep_the_scenes(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A scene list refused as one too many is no empty list: the scenes stay."""
    coordinator, rate_limit = throttled_coordinator(setup_integration)
    scenes = dict(coordinator.scenes)
    assert scenes
    sim.throttle_next(3, action="AppGetSceneList")
    read = start(coordinator.async_read_lists())
    await advance_until(hass, read.done, timedelta(seconds=1))
    assert isinstance(read.exception(), TencentIoTRateLimitError)
    assert coordinator.scenes == scenes
    assert rate_limit.throttled


async def test_refused_firmware_check_keeps_the_firmware(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A firmware check refused as one too many ends the round; no device loses its firmware."""
    firmware = setup_integration.runtime_data.firmware
    found = dict(firmware.data or {})
    assert found
    sim.throttle_next(3, action="AppCheckFirmwareUpdate")
    check = start(firmware.async_check_due(dt_util.utcnow() + timedelta(days=1)))
    await advance_until(hass, check.done, timedelta(seconds=1))
    assert not firmware.last_update_success
    assert firmware.data == found
    assert sim.request_counts()["AppCheckFirmwareUpdate"] == len(found) + 3
