"""Event entities: thing-model events posted by devices."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import DOMAIN
from simulator import CloudSimulator

from .platform_common import CLIMATE_SENSOR, DOOR, PLUG, SMOKE, entity_id, state, wait_for


async def test_events_carry_their_parameters(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """An event fires its entity only, with the parameters as event data."""
    overload = entity_id(hass, "event", PLUG, "overload")
    smoke_alert = entity_id(hass, "event", SMOKE, "smoke_alert")
    sensor_fault = entity_id(hass, "event", SMOKE, "sensor_fault")
    tamper = entity_id(hass, "event", DOOR, "tamper_alarm")
    assert state(hass, overload).attributes["event_types"] == ["overload"]
    await sim.wait_for_subscription(SMOKE)

    await sim.raise_event(PLUG, "overload", {"power": 3700.5})
    await wait_for(hass, lambda: state(hass, overload).state != "unknown")
    assert state(hass, overload).attributes["event_type"] == "overload"
    assert state(hass, overload).attributes["power"] == 3700.5

    await sim.raise_event(SMOKE, "smoke_alert", {"smoke_value": 850, "alarm_level": 2})
    await wait_for(hass, lambda: state(hass, smoke_alert).state != "unknown")
    assert state(hass, smoke_alert).attributes["smoke_value"] == 850
    assert state(hass, sensor_fault).state == "unknown"

    await sim.raise_event(DOOR, "tamper_alarm")
    await wait_for(hass, lambda: state(hass, tamper).state != "unknown")
    assert state(hass, tamper).attributes["event_type"] == "tamper_alarm"


@pytest.mark.parametrize(
    ("language", "tamper_alarm", "low_battery"),
    [
        ("en", "Tampering detected", "Battery running low"),
        ("zh-Hans", "检测到拆卸", "电量即将耗尽"),
    ],
)
async def test_event_type_names(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    language: str,
    tamper_alarm: str,
    low_battery: str,
) -> None:
    """Standard events name what happened, not the entity again, as the frontend looks them up.

    The logbook line of an event is the entity's name with the event type's name.
    """
    translations = await async_get_translations(hass, language, "entity", [DOMAIN])
    prefix = f"component.{DOMAIN}.entity.event"

    def type_names(entity: str) -> list[str | None]:
        entry = er.async_get(hass).async_get(entity)
        assert entry is not None
        return [
            translations.get(
                f"{prefix}.{entry.translation_key}.state_attributes.event_type.state.{event_type}"
            )
            for event_type in state(hass, entity).attributes["event_types"]
        ]

    assert type_names(entity_id(hass, "event", DOOR, "tamper_alarm")) == [tamper_alarm]
    assert type_names(entity_id(hass, "event", CLIMATE_SENSOR, "low_battery")) == [low_battery]
    # Every event of the home is a standard one, so every event type has a name, and it is
    # not the entity's name again.
    for entity in hass.states.async_entity_ids("event"):
        entry = er.async_get(hass).async_get(entity)
        assert entry is not None
        name = translations[f"{prefix}.{entry.translation_key}.name"]
        assert None not in type_names(entity), entity
        assert name not in type_names(entity), entity
