"""What a Quectel device keeps: messages, property history and past events."""

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.tencent_iot.const import (
    DOMAIN,
    EVENT_DEVICE_EVENT,
    EVENT_MESSAGE,
    EVENT_MISSED_DEVICE_EVENT,
)
from simulator.quectel import QuectelSimulator
from tests.logbook_common import logbook_lines, own_lines
from tests.platform_common import set_up_entry, state, wait_for
from tests.quectel_common import KETTLE_PLUG, POWER_STATION, bring_push_back, take_push_down
from tests.test_history import hourly, import_round

from .test_home import entity

UNREAD = "sensor.my_home_unread_messages"
MARK_READ = "button.my_home_mark_messages_as_read"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_until_unload: None, enable_custom_integrations: None, fast_push_backoff: None
) -> None:
    """The recorder first (it must exist before `hass`), and push that reconnects quickly."""


async def test_messages_fire_once_and_count(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, quectel_entry: MockConfigEntry
) -> None:
    """An alarm's message fires `tencent_iot_message` with its device; old ones are not news."""
    fired = async_capture_events(hass, EVENT_MESSAGE)
    await set_up_entry(hass, quectel_entry)
    assert state(hass, UNREAD).state == "0"
    await quectel_sim.wait_for_subscription(POWER_STATION)
    await quectel_sim.raise_event(POWER_STATION, "low_battery", {"battery_percentage": 9})
    await wait_for(hass, lambda: len(fired) == 1)
    station = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, POWER_STATION), quectel_entry.entry_id
    )
    assert station is not None
    message = quectel_sim.state.messages[-1]
    assert fired[0].data == {
        "config_entry_id": quectel_entry.entry_id,
        "message_id": message["id"],
        "category": "device",
        "type": 2,
        "title": "Low battery",
        "content": "Garage power station: Low battery",
        "device_id": station.id,
        "time": fired[0].data["time"],
    }
    await wait_for(hass, lambda: state(hass, UNREAD).state == "1")
    # A notice left while HA was stopped is fired after the restart; the alarm is not again.
    assert await hass.config_entries.async_unload(quectel_entry.entry_id)
    quectel_sim.cloud.add_message("C1001", first_label=1, msg_type=4, title="Notice", content="Hi")
    await set_up_entry(hass, quectel_entry)
    await wait_for(hass, lambda: len(fired) == 2)
    assert fired[1].data["category"] == "notice"
    assert fired[1].data["device_id"] is None


async def test_marking_read_marks_the_cloud_too(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, quectel_entry: MockConfigEntry
) -> None:
    """Quectel keeps a read state: the button marks every message read there, or nothing."""
    await set_up_entry(hass, quectel_entry)
    await quectel_sim.wait_for_subscription(POWER_STATION)
    await quectel_sim.raise_event(POWER_STATION, "low_battery", {"battery_percentage": 9})
    await wait_for(hass, lambda: state(hass, UNREAD).state == "1")
    unread = [m for m in quectel_sim.state.messages if not m["isRead"]]
    assert unread

    quectel_sim.error_next(5041, action="readMsg", msg="No permission")
    with pytest.raises(HomeAssistantError) as refused:
        await hass.services.async_call("button", "press", {"entity_id": MARK_READ}, blocking=True)
    assert refused.value.translation_key == "mark_read_failed"
    assert state(hass, UNREAD).state == "1"
    assert not any(m["isRead"] for m in unread)

    await hass.services.async_call("button", "press", {"entity_id": MARK_READ}, blocking=True)
    assert state(hass, UNREAD).state == "0"
    assert all(m["isRead"] for m in quectel_sim.state.messages)


async def test_live_and_missed_events(
    hass: HomeAssistant,
    quectel_sim: QuectelSimulator,
    quectel_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A pushed event fires at once; one raised while push was down reaches the logbook."""
    assert await async_setup_component(hass, "logbook", {})
    await set_up_entry(hass, quectel_entry)
    live = async_capture_events(hass, EVENT_DEVICE_EVENT)
    missed = async_capture_events(hass, EVENT_MISSED_DEVICE_EVENT)
    await quectel_sim.wait_for_subscription(POWER_STATION)
    overheat = entity(hass, "event", f"{POWER_STATION}/overheat")
    await quectel_sim.raise_event(POWER_STATION, "overheat", {"temperature": 71.5})
    await wait_for(hass, lambda: len(live) == 1)
    assert live[0].data["event_id"] == "overheat"
    assert live[0].data["type"] == "fault"
    assert live[0].data["params"] == {"temperature": 71.5}
    assert state(hass, overheat).attributes["event_type"] == "overheat"

    await take_push_down(hass, quectel_sim, quectel_entry)
    await quectel_sim.raise_event(POWER_STATION, "low_battery", {"battery_percentage": 8})
    raised_at = quectel_sim.state.devices[POWER_STATION].events[-1]["createTimeTs"]
    await bring_push_back(hass, quectel_sim, quectel_entry)
    await wait_for(hass, lambda: len(missed) == 1)
    assert missed[0].data["event_id"] == "low_battery"
    assert missed[0].data["type"] == "alert"
    assert missed[0].time_fired_timestamp == raised_at // 1000
    # Only the integration's own lines carry a message (state-change lines do not).
    lines = own_lines(await logbook_lines(hass, hass_ws_client))
    (line,) = [line for line in lines if "afterwards" in line["message"]]
    assert line["when"] == raised_at // 1000
    assert len(live) == 1


async def test_property_history_into_statistics(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, quectel_entry: MockConfigEntry
) -> None:
    """The plug's power and energy of the last days become the sensors' hourly statistics."""
    now = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
    hours = [now - timedelta(hours=hours) for hours in range(48, 0, -1)]
    quectel_sim.add_history(
        KETTLE_PLUG,
        "energy",
        [
            (int((hour + timedelta(minutes=30)).timestamp() * 1000), 10 + i)
            for i, hour in enumerate(hours)
        ],
    )
    quectel_sim.add_history(
        KETTLE_PLUG,
        "power",
        [
            (int((hour + timedelta(minutes=m)).timestamp() * 1000), 100.0 + m)
            for hour in hours
            for m in (10, 40)
        ],
    )
    await set_up_entry(hass, quectel_entry)
    await import_round(hass, quectel_entry)
    energy = await hourly(hass, entity(hass, "sensor", f"{KETTLE_PLUG}/energy"))
    assert [row["state"] for row in energy] == [10 + i for i in range(48)]
    sums: list[Any] = [row["sum"] for row in energy]
    assert sums[-1] - sums[0] == 47
    power = await hourly(hass, entity(hass, "sensor", f"{KETTLE_PLUG}/power"))
    assert len(power) == 48
    assert {row["mean"] for row in power} == {125.0}
