"""The app's message centre, and the home's own device."""

from datetime import UTC, datetime
from typing import Any

from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.tencent_iot import background
from custom_components.tencent_iot.const import CONF_HISTORY_DAYS, DOMAIN, EVENT_MESSAGE
from custom_components.tencent_iot.messages import line_text
from simulator import CloudSimulator

from .logbook_common import logbook_lines, own_lines
from .platform_common import SMOKE, coordinator_of, set_up_entry, state, wait_for

UNREAD = "sensor.home_unread_messages"
MARK_READ = "button.home_mark_messages_as_read"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_until_unload: None, enable_custom_integrations: None
) -> None:
    """The recorder first (it must exist before `hass`): the logbook reads from it."""


async def test_messages_fire_once_across_a_restart(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """A device alarm's message fires once with its device; a notice left meanwhile after."""
    fired = async_capture_events(hass, EVENT_MESSAGE)
    await set_up_entry(hass, config_entry)
    assert state(hass, UNREAD).state == "0"
    await sim.wait_for_subscription(SMOKE)

    await sim.raise_event(SMOKE, "smoke_alert", {"smoke_value": 900, "alarm_level": 2})
    await wait_for(hass, lambda: len(fired) == 1)
    smoke = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, SMOKE), config_entry.entry_id
    )
    assert smoke is not None
    (message,) = [
        m
        for m in sim.state.messages
        if m.device is sim.state.device(SMOKE) and m.user_id == sim.demo_user.user_id
    ]
    assert fired[0].data == {
        "config_entry_id": config_entry.entry_id,
        "message_id": message.msg_id,
        "category": "device",
        "type": message.msg_type,
        "title": message.title,
        "content": message.content,
        "device_id": smoke.id,
        "time": fired[0].data["time"],
    }
    assert fired[0].data["time"].startswith("20")
    await wait_for(hass, lambda: state(hass, UNREAD).state == "1")

    # A restart: the alarm's message is not fired again; the notice left meanwhile is.
    family = sim.state.families[coordinator_of(config_entry).family_id]
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    sim.state.notify(family, category=3, msg_type=300, title="Maintenance", content="Tonight")
    await set_up_entry(hass, config_entry)
    await wait_for(hass, lambda: len(fired) == 2)
    assert fired[1].data["category"] == "notice"
    assert fired[1].data["title"] == "Maintenance"
    assert fired[1].data["device_id"] is None
    # Both are unread: the count is kept across the restart.
    await wait_for(hass, lambda: state(hass, UNREAD).state == "2")

    # Read again at the next list refresh: nothing new, nothing fired.
    await coordinator_of(config_entry).async_read_lists()
    await hass.async_block_till_done()
    assert len(fired) == 2


async def test_scenes_and_automations_under_the_home(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """One service device per entry, named after the home, holds scenes, automations, messages."""
    coordinator = coordinator_of(setup_integration)
    home = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, coordinator.home_key), setup_integration.entry_id
    )
    assert home is not None
    assert home.entry_type is DeviceEntryType.SERVICE
    assert home.name == "Home"
    entities = er.async_entries_for_device(er.async_get(hass), home.id)
    unique_ids = {entity.unique_id for entity in entities}
    assert {f"scene/{scene_id}" for scene_id in coordinator.scenes} <= unique_ids
    assert {f"automation/{item}" for item in coordinator.automations} <= unique_ids
    assert f"{coordinator.home_key}/unread_messages" in unique_ids
    assert coordinator.scenes
    assert coordinator.automations
    # It stays across a reload (it is not a cloud device that left the home).
    assert await hass.config_entries.async_reload(setup_integration.entry_id)
    await hass.async_block_till_done()
    assert dr.async_get(hass).async_get(home.id) is not None
    assert coordinator_of(setup_integration).has_device(home)


@pytest.mark.usefixtures("quick_retries")
async def test_failed_read_is_made_up_later(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
) -> None:
    """A message the failing cloud withheld fires at the next read, once."""
    fired = async_capture_events(hass, EVENT_MESSAGE)
    await set_up_entry(hass, config_entry)
    await sim.wait_for_subscription(SMOKE)
    reads = sim.request_counts().get("AppGetMessages", 0)
    sim.fail_next(10_000, action="AppGetMessages")
    await sim.raise_event(SMOKE, "smoke_alert", {"smoke_value": 900, "alarm_level": 2})
    await wait_for(hass, lambda: sim.request_counts().get("AppGetMessages", 0) >= reads + 2)
    assert fired == []

    sim.clear_faults()
    coordinator = coordinator_of(config_entry)
    await coordinator.async_read_lists()
    await wait_for(hass, lambda: len(fired) == 1)
    await coordinator.async_read_lists()
    await hass.async_block_till_done()
    assert len(fired) == 1
    assert state(hass, UNREAD).state == "1"


async def test_unread_until_marked_read(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """Unread counts every message since they were marked read, across reloads and restarts.

    2 before a restart and 3 after make 5, still 5 after a reload (saving the options); the
    home's button marks them read, and that is kept too.
    """
    await set_up_entry(hass, config_entry)
    sim.leave_messages(3, "Notice", "One", count=2)
    await coordinator_of(config_entry).async_read_lists()
    await wait_for(hass, lambda: state(hass, UNREAD).state == "2")
    assert state(hass, UNREAD).attributes["unit_of_measurement"] == "messages"

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    sim.leave_messages(2, "Home", "Two", count=3)
    await set_up_entry(hass, config_entry)
    await wait_for(hass, lambda: state(hass, UNREAD).state == "5")
    hass.config_entries.async_update_entry(config_entry, options={CONF_HISTORY_DAYS: 0})
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, UNREAD).state == "5"

    await hass.services.async_call("button", "press", {"entity_id": MARK_READ}, blocking=True)
    assert state(hass, UNREAD).state == "0"
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, UNREAD).state == "0"
    home = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, coordinator_of(config_entry).home_key), config_entry.entry_id
    )
    assert home is not None
    mark_read = er.async_get(hass).async_get(MARK_READ)
    assert mark_read is not None
    assert mark_read.device_id == home.id


async def test_every_new_message_across_pages(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """250 messages, many within one millisecond, fire once each over pages of 100."""
    fired = async_capture_events(hass, EVENT_MESSAGE)
    await set_up_entry(hass, config_entry)
    sim.leave_messages(2, "Visitor", "At the door", count=250)
    stamps = {m.timestamp for m in sim.state.messages if m.user_id == sim.demo_user.user_id}
    assert len(stamps) < 250
    await coordinator_of(config_entry).async_read_lists()
    await wait_for(hass, lambda: len(fired) == 250)
    await hass.async_block_till_done()
    # Paged by MsgID and MsgTimestamp: paging by the timestamp alone would skip the messages
    # of a millisecond that a page boundary splits.
    assert len({event.data["message_id"] for event in fired}) == 250
    assert state(hass, UNREAD).state == "250"

    await coordinator_of(config_entry).async_read_lists()
    await hass.async_block_till_done()
    assert len(fired) == 250


@pytest.fixture
async def fired(hass: HomeAssistant, config_entry: MockConfigEntry) -> list[Event]:
    """The entry set up with the logbook; the messages it fires from then on."""
    assert await async_setup_component(hass, "logbook", {})
    messages: list[Event] = async_capture_events(hass, EVENT_MESSAGE)
    await set_up_entry(hass, config_entry)
    return messages


async def test_messages_keep_their_own_time(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    fired: list[Event],
) -> None:
    """A message read after a restart is stamped with its time, in its data and its line."""
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    sim.leave_messages(3, "Maintenance", "Tonight from 22:00")
    sent = sim.state.messages[-1].timestamp / 1000

    await set_up_entry(hass, config_entry)
    await wait_for(hass, lambda: len(fired) == 1)
    assert fired[0].time_fired_timestamp == sent
    assert fired[0].data["time"] == datetime.fromtimestamp(sent, UTC).isoformat()
    (line,) = own_lines(await logbook_lines(hass, hass_ws_client))
    assert line["when"] == sent
    assert line["name"] == "Home"
    assert line["message"] == "Maintenance: Tonight from 22:00"
    assert line["icon"] == "mdi:bullhorn-outline"


async def test_device_message_line_names_the_device_once(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    fired: list[Event],
) -> None:
    """A device's message that no event of it explains: one line, named by the device only."""
    name = coordinator_of(config_entry).devices[SMOKE].name
    sim.leave_messages(1, "Maintenance due", f"{name}: replace the battery", device_id=SMOKE)
    await coordinator_of(config_entry).async_read_lists()
    await wait_for(hass, lambda: len(fired) == 1)

    (line,) = own_lines(await logbook_lines(hass, hass_ws_client))
    assert line["name"] == name
    assert line["message"] == "Maintenance due: replace the battery"
    assert line["icon"] == "mdi:message-alert-outline"
    smoke = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, SMOKE), config_entry.entry_id
    )
    assert smoke is not None
    assert fired[0].data["device_id"] == smoke.id


async def test_saved_late_and_at_unload(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The message and event stores are written some time after a change, and at unload."""
    monkeypatch.setattr(background, "SAVE_DELAY", 3600.0)
    await set_up_entry(hass, config_entry)
    await sim.wait_for_subscription(SMOKE)
    await sim.raise_event(SMOKE, "smoke_alert", {"smoke_value": 900, "alarm_level": 2})
    await wait_for(hass, lambda: state(hass, UNREAD).state == "1")
    messages = f"{DOMAIN}.{config_entry.entry_id}.messages"
    events = f"{DOMAIN}.{config_entry.entry_id}.events"
    assert messages not in hass_storage
    assert events not in hass_storage

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert hass_storage[messages]["data"]["unread"] == 1
    assert SMOKE in hass_storage[events]["data"]


@pytest.mark.parametrize(
    ("title", "content", "line"),
    [
        ("Smoke alarm", "Kitchen: Smoke alarm", "Smoke alarm"),
        ("烟雾报警", "Kitchen\uff1a烟雾报警", "烟雾报警"),  # a Chinese colon
        ("Device offline", "", "Device offline"),
        ("", "Kitchen: back online", "back online"),
        ("Kitchen: filter", "Replace it", "filter: Replace it"),
        ("Notice", "Tonight", "Notice: Tonight"),
    ],
)
def test_line_text_says_nothing_twice(title: str, content: str, line: str) -> None:
    """A message's line drops the name it starts with and a title the content repeats."""
    assert line_text(title, content, "Kitchen") == line
