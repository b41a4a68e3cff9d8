"""Device triggers: a device's events and a button's presses in the automation editor."""

from collections.abc import AsyncGenerator
import json
from pathlib import Path
from typing import Any

from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.components.device_automation.exceptions import (
    InvalidDeviceAutomationConfig,
)
from homeassistant.const import Platform
from homeassistant.core import Event, HomeAssistant, ServiceCall, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_device_automations,
    async_mock_service,
)

from custom_components.tencent_iot import device_trigger
from custom_components.tencent_iot.const import (
    DOMAIN,
    EVENT_DEVICE_EVENT,
    EVENT_MISSED_DEVICE_EVENT,
)
from custom_components.tencent_iot.device_trigger import PRESS_KINDS, TYPE_EVENT, TYPE_PRESS
from custom_components.tencent_iot.mapping.properties import STANDARD_EVENTS
from simulator import CloudSimulator

from .platform_common import SMOKE, home_with, take_push_down, wait_for

BUTTON = "BTN8K2Q4ZX/button_1"
TRANSLATIONS = Path(__file__).parent.parent / "custom_components" / DOMAIN / "translations"

BUTTON_PRODUCT: dict[str, Any] = {
    "ProductId": "BTN8K2Q4ZX",
    "Name": "无线按键 Wireless Button",
    "DataTemplate": {
        "properties": [],
        "events": [
            {
                "id": "click",
                "name": "按键 Button",
                "type": "info",
                "params": [
                    {
                        "id": "type",
                        "name": "Press",
                        "define": {
                            "type": "enum",
                            "mapping": {"0": "单击 Single", "1": "双击 Double", "2": "长按 Long"},
                        },
                    }
                ],
            },
            {
                "id": "knob",
                "name": "旋钮 Knob",
                "type": "info",
                "params": [
                    {
                        "id": "key_type",
                        "name": "Turn",
                        "define": {
                            "type": "stringenum",
                            "mapping": {"left": "左转 Left", "hold": "按住 Hold"},
                        },
                    }
                ],
            },
        ],
    },
}


@pytest.fixture
def platforms() -> list[Platform]:
    """The events are what the triggers are about."""
    return [Platform.EVENT]


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncGenerator[CloudSimulator]:
    """The default home plus a wireless button."""
    home = home_with(
        [BUTTON_PRODUCT],
        [{"ProductId": "BTN8K2Q4ZX", "DeviceName": "button_1", "AliasName": "Hall Button"}],
    )
    simulator = CloudSimulator(home, scene_delay_scale=0.01, motor_tick=None)
    await simulator.start()
    yield simulator
    await simulator.stop()


def device_id(hass: HomeAssistant, key: str) -> str:
    """The Home Assistant device of a cloud device."""
    [entry] = hass.config_entries.async_entries(DOMAIN)
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, key), entry.entry_id)
    assert device is not None
    return device.id


def event_entity(hass: HomeAssistant, key: str, event_id: str) -> str:
    """The registry id of a device's event entity."""
    registry = er.async_get(hass)
    entity_id = registry.async_get_entity_id("event", DOMAIN, f"{key}/{event_id}")
    assert entity_id is not None
    entry = registry.async_get(entity_id)
    assert entry is not None
    return entry.id


def trigger(
    hass: HomeAssistant, key: str, event_id: str, trigger_type: str, subtype: str | None = None
) -> dict[str, Any]:
    """A device trigger as the automation editor lists it."""
    config = {
        "platform": "device",
        "domain": DOMAIN,
        "device_id": device_id(hass, key),
        "entity_id": event_entity(hass, key, event_id),
        "type": trigger_type,
    }
    if subtype is not None:
        config["subtype"] = subtype
    return config


async def listed(hass: HomeAssistant, key: str) -> list[dict[str, Any]]:
    """The triggers the editor offers for a device, without HA's own metadata."""
    found = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, device_id(hass, key)
    )
    return [{k: v for k, v in item.items() if k != "metadata"} for item in found]


async def automate(hass: HomeAssistant, trigger_config: dict[str, Any]) -> list[ServiceCall]:
    """An automation on the trigger; the calls of its action."""
    calls: list[ServiceCall] = async_mock_service(hass, "test", "automation")
    trigger_config = dict(trigger_config)
    trigger_config["trigger"] = trigger_config.pop("platform")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": [trigger_config],
                "actions": {
                    "action": "test.automation",
                    "data": {
                        "event": "{{ trigger.event.data.event_id }}",
                        "params": "{{ trigger.event.data.params }}",
                        "description": "{{ trigger.description }}",
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()
    return calls


def recorder(hass: HomeAssistant, event_type: str) -> list[Event]:
    """The bus events of a type from now on."""
    seen: list[Event] = []

    @callback
    def record(event: Event) -> None:
        seen.append(event)

    hass.bus.async_listen(event_type, record)
    return seen


async def test_smoke_alarm_triggers(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """The smoke alarm's two events: standard ids, named by the translations."""
    assert await listed(hass, SMOKE) == [
        trigger(hass, SMOKE, "smoke_alert", "smoke_alert"),
        trigger(hass, SMOKE, "sensor_fault", "sensor_fault"),
    ]


async def test_button_triggers(hass: HomeAssistant, setup_integration: MockConfigEntry) -> None:
    """Any press, and each kind of press the model enumerates; an unknown kind as its key."""
    assert await listed(hass, BUTTON) == [
        trigger(hass, BUTTON, "click", TYPE_EVENT),
        trigger(hass, BUTTON, "click", TYPE_PRESS, "single"),
        trigger(hass, BUTTON, "click", TYPE_PRESS, "double"),
        trigger(hass, BUTTON, "click", TYPE_PRESS, "long"),
        trigger(hass, BUTTON, "knob", TYPE_EVENT),
        trigger(hass, BUTTON, "knob", TYPE_PRESS, "left"),
        trigger(hass, BUTTON, "knob", TYPE_PRESS, "long"),
    ]


async def test_a_device_without_events_has_none(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """A bulb posts no events: no triggers of this integration."""
    assert await listed(hass, "3JQ8VX2K1M/bulb_7c87ce1a") == []


async def test_automation_runs_on_a_live_event(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The smoke alarm goes off: the automation runs with the event's data."""
    calls = await automate(hass, trigger(hass, SMOKE, "smoke_alert", "smoke_alert"))
    await sim.wait_for_subscription(SMOKE)
    await sim.raise_event(SMOKE, "sensor_fault", {"error_code": 3, "fault_desc": "dust"})
    await sim.raise_event(SMOKE, "smoke_alert", {"smoke_value": 420, "alarm_level": 2})
    await wait_for(hass, lambda: len(calls) == 1)
    assert calls[0].data["event"] == "smoke_alert"
    assert calls[0].data["params"] == {"smoke_value": 420, "alarm_level": 2}
    assert calls[0].data["description"] == "烟雾报警 Smoke alarm event"


async def test_kind_of_press(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A double-press trigger runs on double presses only; any-press on each."""
    double = await automate(hass, trigger(hass, BUTTON, "click", TYPE_PRESS, "double"))
    live = recorder(hass, EVENT_DEVICE_EVENT)
    await sim.wait_for_subscription(BUTTON)
    # Without its press parameter a press is of no kind.
    await sim.raise_event(BUTTON, "click")
    for press in (0, 2, 1):
        await sim.raise_event(BUTTON, "click", {"type": press})
    await wait_for(hass, lambda: len(live) == 4)
    await hass.async_block_till_done()
    assert [call.data["params"] for call in double] == [{"type": 1}]


async def test_any_press_and_a_kind_by_its_key(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The any-press trigger runs on each press; a kind the words do not know is its key."""
    any_press = await automate(hass, trigger(hass, BUTTON, "knob", TYPE_EVENT))
    await sim.wait_for_subscription(BUTTON)
    await sim.raise_event(BUTTON, "knob", {"key_type": "left"})
    await sim.raise_event(BUTTON, "knob", {"key_type": "hold"})
    await sim.raise_event(BUTTON, "click", {"type": 0})
    await wait_for(hass, lambda: len(any_press) == 2)
    assert [call.data["params"] for call in any_press] == [
        {"key_type": "left"},
        {"key_type": "hold"},
    ]


async def test_missed_events_run_no_automation(
    hass: HomeAssistant,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    fast_push_backoff: None,
) -> None:
    """An event read back after push was down reaches the logbook, not the automation."""
    calls = await automate(hass, trigger(hass, SMOKE, "smoke_alert", "smoke_alert"))
    missed = recorder(hass, EVENT_MISSED_DEVICE_EVENT)
    await take_push_down(hass, sim, setup_integration)
    await sim.raise_event(SMOKE, "smoke_alert", {"smoke_value": 300, "alarm_level": 1})
    sim.clear_faults()
    await wait_for(hass, lambda: len(missed) == 1)
    await hass.async_block_till_done()
    assert calls == []


async def test_invalid_triggers(hass: HomeAssistant, setup_integration: MockConfigEntry) -> None:
    """A type, kind or event the device's model does not have is refused, translated."""
    smoke = trigger(hass, SMOKE, "smoke_alert", "smoke_alert")
    for config, device, named in (
        (
            trigger(hass, SMOKE, "smoke_alert", TYPE_EVENT),
            "Kitchen Smoke Alarm",
            "smoke_alert event",
        ),
        (trigger(hass, SMOKE, "sensor_fault", TYPE_PRESS, "double"), "Smoke", "press double"),
        (trigger(hass, BUTTON, "click", TYPE_PRESS, "triple"), "Hall Button", "click press triple"),
        ({**smoke, "entity_id": "event.nowhere"}, "Kitchen Smoke Alarm", "smoke_alert"),
    ):
        with pytest.raises(InvalidDeviceAutomationConfig) as err:
            await device_trigger.async_validate_trigger_config(hass, config)
        assert err.value.translation_key == "invalid_trigger"
        placeholders = err.value.translation_placeholders
        assert placeholders is not None
        assert device in placeholders["device"]
        assert placeholders["trigger"].endswith(named)
    good = trigger(hass, BUTTON, "click", TYPE_PRESS, "long")
    assert await device_trigger.async_validate_trigger_config(hass, good) == good


async def test_while_the_entry_is_not_loaded(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """Unloaded, nothing is listed, and a stored trigger is kept as it is."""
    config = trigger(hass, BUTTON, "click", TYPE_PRESS, "single")
    assert await hass.config_entries.async_unload(setup_integration.entry_id)
    assert await listed(hass, BUTTON) == []
    assert await device_trigger.async_validate_trigger_config(hass, config) == config


async def test_a_trigger_whose_event_entity_is_gone(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """Its event entity (or its device) deleted: not listed, and attaching says so, translated."""
    config = trigger(hass, SMOKE, "smoke_alert", "smoke_alert")
    registry = er.async_get(hass)
    entry = registry.async_get(config["entity_id"])
    assert entry is not None
    registry.async_remove(entry.entity_id)
    assert await listed(hass, SMOKE) == [trigger(hass, SMOKE, "sensor_fault", "sensor_fault")]
    no_device = {**trigger(hass, SMOKE, "sensor_fault", "sensor_fault"), "device_id": "gone"}
    for stale in (config, no_device):
        with pytest.raises(InvalidDeviceAutomationConfig) as err:
            await device_trigger.async_attach_trigger(
                hass,
                stale,
                lambda *args: None,
                {"trigger_data": {}},  # type: ignore[typeddict-item]
            )
        assert err.value.translation_key == "unknown_trigger_event"


@pytest.mark.parametrize("path", sorted(TRANSLATIONS.glob("*.json")), ids=lambda path: path.name)
def test_every_trigger_is_translated(path: Path) -> None:
    """Each trigger type and kind of press the integration lists has a name in each language."""
    strings = json.loads(path.read_text(encoding="utf-8"))["device_automation"]
    assert set(strings["trigger_type"]) == {*STANDARD_EVENTS, TYPE_EVENT, TYPE_PRESS}
    assert set(strings["trigger_subtype"]) == {kind for kind, _ in PRESS_KINDS}
    assert "{entity_name}" in strings["trigger_type"][TYPE_EVENT]
    assert "{subtype}" in strings["trigger_type"][TYPE_PRESS]
