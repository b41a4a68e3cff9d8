"""Date and time entities: writable timestamps, set through the cloud."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import DOMAIN
from simulator import CloudSimulator

from .platform_common import (
    SPEAKER,
    call_service,
    controls_of,
    entity_id,
    state,
    subscribed_entity,
    wait_for_state,
)


async def test_alarm_time(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The speaker's alarm is a date and time to set, not a read-only timestamp sensor."""
    alarm = entity_id(hass, "datetime", SPEAKER, "alarm_time")
    assert er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{SPEAKER}/alarm_time") is None
    await sim.wait_for_subscription(SPEAKER)
    assert state(hass, alarm).state == "2026-01-01T00:00:00+00:00"

    # HA reads a time without a zone in its own zone (US/Pacific in tests): 07:30 is 15:30 UTC.
    await call_service(hass, "datetime.set_value", alarm, datetime="2026-03-02 07:30:00")
    assert controls_of(sim, SPEAKER)[-1] == {"alarm_time": 1772465400}
    await wait_for_state(hass, alarm, "2026-03-02T15:30:00+00:00")

    # 0 is "never set".
    await sim.report(SPEAKER, {"alarm_time": 0})
    await wait_for_state(hass, alarm, "unknown")


async def test_alarm_time_in_milliseconds(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A device that counts in milliseconds gets milliseconds back."""
    alarm = await subscribed_entity(hass, sim, "datetime", SPEAKER, "alarm_time")
    await sim.report(SPEAKER, {"alarm_time": 1767225660000})
    await wait_for_state(hass, alarm, "2026-01-01T00:01:00+00:00")
    await call_service(hass, "datetime.set_value", alarm, datetime="2026-01-01 00:02:00+00:00")
    assert controls_of(sim, SPEAKER)[-1] == {"alarm_time": 1767225720000}
    await wait_for_state(hass, alarm, "2026-01-01T00:02:00+00:00")
