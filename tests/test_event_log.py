"""Device events in the logbook: live ones, and those missed while push was down or HA stopped."""

import itertools

from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.tencent_iot import event_log as event_log_module
from custom_components.tencent_iot.const import (
    DOMAIN,
    EVENT_DEVICE_EVENT,
    EVENT_MESSAGE,
    EVENT_MISSED_DEVICE_EVENT,
)
from custom_components.tencent_iot.diagnostics import async_get_config_entry_diagnostics
from simulator import CloudSimulator

from .logbook_common import logbook_lines, own_lines
from .platform_common import (
    DOOR,
    PLUG,
    SMOKE,
    coordinator_of,
    entity_id,
    set_up_entry,
    state,
    take_push_down,
    wait_for,
)

UNREAD = "sensor.home_unread_messages"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_until_unload: None, enable_custom_integrations: None, fast_push_backoff: None
) -> None:
    """The recorder first (it must exist before `hass`), and push that reconnects quickly."""


@pytest.fixture
async def automation_runs(hass: HomeAssistant, config_entry: MockConfigEntry) -> list[Event]:
    """The entry set up with the logbook and an automation on the door's events; its runs."""
    assert await async_setup_component(hass, "logbook", {})
    await set_up_entry(hass, config_entry)
    tamper = entity_id(hass, "event", DOOR, "tamper_alarm")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "id": "on_tamper",
                    "triggers": [
                        {"trigger": "state", "entity_id": tamper},
                        {"trigger": "event", "event_type": EVENT_DEVICE_EVENT},
                    ],
                    "actions": [{"event": "automation_ran"}],
                }
            ]
        },
    )
    ran: list[Event] = async_capture_events(hass, "automation_ran")
    return ran


async def tamper_alarm_while_push_down(
    hass: HomeAssistant, sim: CloudSimulator, entry: MockConfigEntry
) -> tuple[list[Event], int]:
    """The door's tamper alarm while push is down, until push is back and it is caught up.

    The missed events fired, and when the alarm was posted (UNIX s).
    """
    missed: list[Event] = async_capture_events(hass, EVENT_MISSED_DEVICE_EVENT)
    await take_push_down(hass, sim, entry)
    await sim.raise_event(DOOR, "tamper_alarm")
    posted_at = sim.state.device(DOOR).events[-1].timestamp
    sim.refuse_subscriptions(False)
    await wait_for(hass, lambda: len(missed) == 1)
    return missed, posted_at


async def test_live_event_has_one_logbook_line(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    automation_runs: list[Event],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """An alarm that arrives by push: one line, its event entity's, with nothing beside it.

    The live event still fires for automations; the app's message about the alarm fires too
    (and counts as unread), but neither writes a line, nor does the unread count.
    """
    live = async_capture_events(hass, EVENT_DEVICE_EVENT)
    messages = async_capture_events(hass, EVENT_MESSAGE)
    await sim.wait_for_subscription(DOOR)
    await sim.raise_event(DOOR, "tamper_alarm")
    await wait_for(hass, lambda: len(live) == 1 and len(messages) == 1)
    door = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, DOOR), config_entry.entry_id)
    assert door is not None
    assert live[0].data["device_id"] == door.id
    assert live[0].data["event_id"] == "tamper_alarm"
    assert messages[0].data["device_id"] == door.id
    await wait_for(hass, lambda: len(automation_runs) == 2)  # live events do run automations
    await wait_for(hass, lambda: state(hass, UNREAD).state == "1")

    lines = await logbook_lines(hass, hass_ws_client)
    tamper = entity_id(hass, "event", DOOR, "tamper_alarm")
    (line,) = [line for line in lines if line.get("entity_id") == tamper]
    assert line["attributes"] == {"event_type": "tamper_alarm"}
    assert own_lines(lines) == []
    assert [line for line in lines if line.get("entity_id") == UNREAD] == []


async def test_missed_events_after_a_push_outage(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    automation_runs: list[Event],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Events posted while push was down reach the logbook at their own time, and nothing runs."""
    tamper = entity_id(hass, "event", DOOR, "tamper_alarm")
    before = state(hass, tamper).state
    missed, posted_at = await tamper_alarm_while_push_down(hass, sim, config_entry)

    assert missed[0].time_fired_timestamp == posted_at
    assert missed[0].data["event_id"] == "tamper_alarm"
    assert missed[0].data["type"] == "alert"
    # Not fired as new: neither the event entity nor any automation saw it.
    assert state(hass, tamper).state == before
    assert automation_runs == []
    lines = own_lines(await logbook_lines(hass, hass_ws_client))
    (line,) = [line for line in lines if "afterwards" in line["message"]]
    assert line["when"] == posted_at
    assert line["name"] == coordinator_of(config_entry).devices[DOOR].name
    # Linked to the event entity (its logbook lists it; the line shows its name), so the
    # words do not name the event again; with the icon of an alarm.
    assert line["entity_id"] == tamper
    assert line["message"] == (
        "Reported while Home Assistant was not listening (read from the cloud afterwards)"
    )
    assert line["icon"] == "mdi:alert-outline"


async def test_missed_event_times_in_milliseconds(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """Event history stamped in ms (as Tencent Cloud's samples are) logs at the right time."""
    sim.set_event_history_ms()
    await set_up_entry(hass, config_entry)
    missed, posted_at = await tamper_alarm_while_push_down(hass, sim, config_entry)
    assert missed[0].time_fired_timestamp == posted_at

    # Read again after the next outage: the same event is not logged twice.
    await take_push_down(hass, sim, config_entry)
    reads = sim.request_counts()["AppListEventHistory"]
    sim.refuse_subscriptions(False)
    await wait_for(hass, lambda: sim.request_counts()["AppListEventHistory"] > reads)
    await hass.async_block_till_done()
    assert len(missed) == 1


@pytest.fixture
async def logged_entry(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """The entry set up with the logbook."""
    assert await async_setup_component(hass, "logbook", {})
    await set_up_entry(hass, config_entry)
    return config_entry


async def test_missed_alarm_and_its_message_one_line(
    hass: HomeAssistant,
    sim: CloudSimulator,
    logged_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """An alarm while the entry was unloaded: its missed event's line, not its message's too."""
    config_entry = logged_entry
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await sim.raise_event(SMOKE, "smoke_alert", {"smoke_value": 900, "alarm_level": 2})
    missed = async_capture_events(hass, EVENT_MISSED_DEVICE_EVENT)
    messages = async_capture_events(hass, EVENT_MESSAGE)

    await set_up_entry(hass, config_entry)
    await wait_for(hass, lambda: len(missed) == 1 and len(messages) == 1)
    lines = own_lines(await logbook_lines(hass, hass_ws_client))
    assert [line["entity_id"] for line in lines] == [entity_id(hass, "event", SMOKE, "smoke_alert")]
    assert state(hass, UNREAD).state == "1"


async def test_missed_events_across_a_restart_once(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """Events posted while the entry was unloaded are logged after it loads, once each."""
    assert await async_setup_component(hass, "logbook", {})
    await set_up_entry(hass, config_entry)
    live = async_capture_events(hass, EVENT_DEVICE_EVENT)
    missed = async_capture_events(hass, EVENT_MISSED_DEVICE_EVENT)
    await sim.wait_for_subscription(DOOR)
    await sim.raise_event(DOOR, "tamper_alarm")
    await wait_for(hass, lambda: len(live) == 1)

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    # The same event in the same second is a second event, not the first one again.
    await sim.raise_event(DOOR, "tamper_alarm")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await wait_for(hass, lambda: len(missed) == 1)

    # Push down and back: a second catch-up finds nothing it has not logged.
    await take_push_down(hass, sim, config_entry)
    sim.refuse_subscriptions(False)
    await wait_for(hass, lambda: coordinator_of(config_entry).push_healthy)
    await sim.raise_event(DOOR, "tamper_alarm")
    await wait_for(hass, lambda: len(live) == 2)
    assert len(missed) == 1


@pytest.mark.usefixtures("quick_retries")
async def test_failed_catch_up_is_made_up_at_the_next(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
) -> None:
    """A catch-up the cloud fails logs nothing and loses nothing: the next one logs it once."""
    await set_up_entry(hass, config_entry)
    missed = async_capture_events(hass, EVENT_MISSED_DEVICE_EVENT)
    await take_push_down(hass, sim, config_entry)
    await sim.raise_event(DOOR, "tamper_alarm")
    reads = sim.request_counts().get("AppListEventHistory", 0)
    sim.fail_next(10_000, action="AppListEventHistory")
    sim.refuse_subscriptions(False)
    await wait_for(hass, lambda: sim.request_counts().get("AppListEventHistory", 0) >= reads + 6)
    assert missed == []

    sim.clear_faults()
    await take_push_down(hass, sim, config_entry)
    sim.refuse_subscriptions(False)
    await wait_for(hass, lambda: len(missed) == 1)
    await take_push_down(hass, sim, config_entry)
    sim.refuse_subscriptions(False)
    await wait_for(hass, lambda: coordinator_of(config_entry).push_healthy)
    await hass.async_block_till_done()
    assert len(missed) == 1


async def test_missed_event_of_a_disabled_event_entity(
    hass: HomeAssistant,
    sim: CloudSimulator,
    logged_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Without its event entity, a missed event's line names the event in its words."""
    config_entry = logged_entry
    tamper = entity_id(hass, "event", DOOR, "tamper_alarm")
    er.async_get(hass).async_update_entity(tamper, disabled_by=er.RegistryEntryDisabler.USER)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()

    await tamper_alarm_while_push_down(hass, sim, config_entry)
    (line,) = own_lines(await logbook_lines(hass, hass_ws_client))
    assert line["message"] == (
        "防拆报警 Tamper, reported while Home Assistant was not listening"
        " (read from the cloud afterwards)"
    )
    assert "entity_id" not in line


def event_reads(sim: CloudSimulator, keys: list[str]) -> dict[str, int]:
    """How many pages of each device's events the cloud served."""
    return {key: sim.state.device(key).event_reads for key in keys}


async def push_back_caught_up(
    hass: HomeAssistant, sim: CloudSimulator, entry: MockConfigEntry
) -> None:
    """Push comes back; until the catch-up's first minute (and the reads it set off) is done."""
    coordinator = coordinator_of(entry)
    sim.refuse_subscriptions(False)
    await wait_for(hass, lambda: coordinator.push_healthy)
    await hass.async_block_till_done()
    await entry.runtime_data.events.async_wait_caught_up()
    await hass.async_block_till_done()


async def test_catch_up_reads_devices_in_turn_within_the_budget(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After an outage, a minute's budget of devices' events, in turn, until every one is read.

    A device read in a later minute loses nothing: its event is logged then, at its own time,
    once. (The app's messages about the alarms are left out here, as when they are muted in the
    app: a message reads its device at once, see the next test.)
    """
    monkeypatch.setattr(event_log_module, "EVENT_HISTORY_READS_PER_MINUTE", 1)
    await set_up_entry(hass, config_entry)
    coordinator = coordinator_of(config_entry)
    with_events = [key for key, s in coordinator.devices.items() if s.product.thing_model.events]
    assert len(with_events) == 4
    # A device new to the entry has no past to read: the start sent no request.
    assert event_reads(sim, with_events) == dict.fromkeys(with_events, 0)
    missed = async_capture_events(hass, EVENT_MISSED_DEVICE_EVENT)
    await take_push_down(hass, sim, config_entry)
    await sim.raise_event(DOOR, "tamper_alarm")
    await sim.raise_event(PLUG, "overload", {"power": 3100})
    posted = {key: sim.state.device(key).events[-1].timestamp for key in (DOOR, PLUG)}
    sim.state.messages.clear()

    start = dt_util.utcnow()
    await push_back_caught_up(hass, sim, config_entry)
    reads_by_minute = [event_reads(sim, with_events)]
    logged_by_minute = [len(missed)]
    for minute in range(1, 7):
        async_fire_time_changed(hass, start + minute * event_log_module.CATCH_UP_TICK)
        await hass.async_block_till_done()
        await config_entry.runtime_data.events.async_wait_caught_up()
        reads_by_minute.append(event_reads(sim, with_events))
        logged_by_minute.append(len(missed))

    # One device a minute, each once, none after the last. The turn push coming back set off
    # took the minute's request, so the next tick has none left: no minute holds two.
    assert [sum(reads.values()) for reads in reads_by_minute] == [1, 1, 2, 3, 4, 4, 4]
    assert reads_by_minute[-1] == dict.fromkeys(with_events, 1)
    assert config_entry.runtime_data.events.devices_owed == 0
    # Each alarm is logged in the minute its device is read, at the time it happened.
    assert logged_by_minute == [sum(reads[key] for key in posted) for reads in reads_by_minute]
    assert {event.data["event_id"]: event.time_fired_timestamp for event in missed} == {
        "tamper_alarm": posted[DOOR],
        "overload": posted[PLUG],
    }


async def test_message_reads_its_device_beyond_the_budget(
    hass: HomeAssistant,
    sim: CloudSimulator,
    logged_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """With no allowance left, the app's message about an alarm still reads its device at once.

    The alarm's line then stands for both; the other devices wait for their turn.
    """
    config_entry = logged_entry
    coordinator = coordinator_of(config_entry)
    with_events = [key for key, s in coordinator.devices.items() if s.product.thing_model.events]
    monkeypatch.setattr(event_log_module, "EVENT_HISTORY_READS_PER_MINUTE", 0)
    async_fire_time_changed(hass, dt_util.utcnow() + event_log_module.CATCH_UP_TICK)
    await hass.async_block_till_done()
    missed = async_capture_events(hass, EVENT_MISSED_DEVICE_EVENT)
    messages = async_capture_events(hass, EVENT_MESSAGE)
    await take_push_down(hass, sim, config_entry)
    await sim.raise_event(DOOR, "tamper_alarm")
    before = event_reads(sim, with_events)

    await push_back_caught_up(hass, sim, config_entry)
    await wait_for(hass, lambda: len(messages) == 1)
    assert len(missed) == 1
    reads = event_reads(sim, with_events)
    assert {key: reads[key] - before[key] for key in with_events} == {
        key: int(key == DOOR) for key in with_events
    }
    assert config_entry.runtime_data.events.devices_owed == len(with_events) - 1
    diagnostics = await async_get_config_entry_diagnostics(hass, config_entry)
    assert diagnostics["cloud_traffic"]["event_reads_owed"] == len(with_events) - 1
    lines = own_lines(await logbook_lines(hass, hass_ws_client))
    assert [line["entity_id"] for line in lines] == [entity_id(hass, "event", DOOR, "tamper_alarm")]


async def test_a_device_with_many_events_pays_for_its_further_pages(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A device's events beyond a page are read at once; the next minute has as many fewer.

    So the minutes together keep to the budget, and every event is logged once.
    """
    monkeypatch.setattr(event_log_module, "EVENT_HISTORY_READS_PER_MINUTE", 1)
    await set_up_entry(hass, config_entry)
    coordinator = coordinator_of(config_entry)
    with_events = [key for key, s in coordinator.devices.items() if s.product.thing_model.events]
    missed = async_capture_events(hass, EVENT_MISSED_DEVICE_EVENT)
    await take_push_down(hass, sim, config_entry)
    for _ in range(51):  # a page holds 50
        await sim.raise_event(DOOR, "tamper_alarm")
    sim.state.messages.clear()

    start = dt_util.utcnow()
    await push_back_caught_up(hass, sim, config_entry)
    totals = [sum(event_reads(sim, with_events).values())]
    for minute in range(1, 8):
        async_fire_time_changed(hass, start + minute * event_log_module.CATCH_UP_TICK)
        await hass.async_block_till_done()
        await config_entry.runtime_data.events.async_wait_caught_up()
        totals.append(sum(event_reads(sim, with_events).values()))

    assert event_reads(sim, with_events) == {key: 2 if key == DOOR else 1 for key in with_events}
    per_minute = [totals[0]] + [after - before for before, after in itertools.pairwise(totals)]
    # One device a minute; the door's two pages in one minute, and the minute after it pays
    # for the second (the turn push set off is paid for the same way).
    assert max(per_minute) == 2, per_minute
    assert per_minute[per_minute.index(2) + 1] == 0, per_minute
    assert per_minute[:2] == [1, 0], per_minute
    assert len(missed) == 51
