"""Quectel's 4026 ("too many requests") backs the whole entry off, as Tencent's refusals do."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import DOMAIN
from custom_components.tencent_iot.control import async_set_values
from simulator.quectel import QuectelSimulator
from tests.platform_common import wait_for
from tests.quectel_common import LAMP
from tests.test_throttling import end_backoff, start, throttled_coordinator, turns

# The online states of a Quectel home come with its device list.
STATUSES = "getFamilyDeviceList"


@pytest.fixture
def platforms() -> list[Platform]:
    """Entries are set up with the switch platform only."""
    return [Platform.SWITCH]


async def test_4026_holds_every_request_until_the_backoff_ends(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """One refused read holds the entry's requests, a user's control too; then both go."""
    coordinator, rate_limit = throttled_coordinator(setup_quectel)
    quectel_sim.rate_limit_next(1, action=STATUSES)
    poll = start(coordinator.async_refresh())
    await wait_for(hass, lambda: rate_limit.backing_off)
    assert rate_limit.last_throttle is not None
    assert (rate_limit.last_throttle.code, rate_limit.last_throttle.action) == ("4026", STATUSES)
    assert rate_limit.last_throttle.backoff == 2.0

    control = start(async_set_values(coordinator, LAMP, {"brightness": 12}))
    await turns()
    assert "batchControlDevice" not in rate_limit.requests
    assert not poll.done()
    await end_backoff(hass, poll)
    await wait_for(hass, control.done)
    assert quectel_sim.device_state(LAMP)["Values"]["brightness"] == 12  # type: ignore[index]
    assert coordinator.last_update_success
    assert not rate_limit.throttled


async def test_refused_control_is_not_sent_again(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, setup_quectel: MockConfigEntry
) -> None:
    """A write refused with 4026 is a translated error, sent once."""
    coordinator, rate_limit = throttled_coordinator(setup_quectel)
    quectel_sim.rate_limit_next(1, action="batchControlDevice")
    with pytest.raises(HomeAssistantError) as err:
        await async_set_values(coordinator, LAMP, {"brightness": 33})
    assert (err.value.translation_domain, err.value.translation_key) == (DOMAIN, "rate_limited")
    assert rate_limit.requests["batchControlDevice"] == 1
    assert quectel_sim.controls() == []
    assert rate_limit.backing_off  # the timer is cancelled when the entry unloads
