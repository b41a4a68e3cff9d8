"""Device triggers: each thing-model event of a device, and each kind of a button's presses.

A trigger names the event by its event entity, so the automation editor can show the entity's
name for an event the translations do not know (the model names it). A button event whose
press parameter (`type`, `key_type`, `click`) enumerates its presses has a trigger per kind of
press besides the one for any press. Triggers fire on the live device event only
(`tencent_iot_device_event`): an event read back after an outage is history, not news.
"""

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.device_automation.exceptions import (
    InvalidDeviceAutomationConfig,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_ENTITY_ID,
    CONF_PLATFORM,
    CONF_TYPE,
    Platform,
)
from homeassistant.core import CALLBACK_TYPE, Event, HassJob, HomeAssistant, callback
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import probatio

from .api import EnumDefine, Event as ThingEvent, StringEnumDefine
from .const import DOMAIN, EVENT_DEVICE_EVENT
from .mapping.common import classify
from .mapping.properties import STANDARD_EVENTS
from .models import DeviceState, TencentIoTConfigEntry

CONF_SUBTYPE: Final = "subtype"
# Trigger types besides the standard event ids: any other event, and one kind of press.
TYPE_EVENT: Final = "event"
TYPE_PRESS: Final = "press"

# An event parameter with one of these ids, enumerating its values, tells the kinds of press.
PRESS_PARAMS: Final = ("type", "key_type", "click")
# Kind of press -> words of its label (or key); "double click" is a double, not a single.
PRESS_KINDS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("double", ("double", "双击", "雙擊")),
    ("triple", ("triple", "三击", "三擊")),
    ("long", ("long", "hold", "长按", "長按")),
    ("single", ("single", "short", "click", "press", "单击", "單擊", "短按")),
)

TRIGGER_SCHEMA: Final = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {
        probatio.Required(CONF_ENTITY_ID): cv.entity_id_or_uuid,
        probatio.Required(CONF_TYPE): cv.string,
        probatio.Optional(CONF_SUBTYPE): cv.string,
    }
)

type Choices = EnumDefine | StringEnumDefine


def press_param(event: ThingEvent) -> tuple[str, Choices] | None:
    """The parameter (id, define) whose enumerated values are the event's kinds of press."""
    for member in event.params:
        if member.id in PRESS_PARAMS and isinstance(member.define, EnumDefine | StringEnumDefine):
            return member.id, member.define
    return None


def press_kind(define: Choices, key: int | str) -> str:
    """The kind of press a value stands for: by its label, its key, or the key itself."""
    labels: Mapping[Any, str] = define.mapping
    return classify(labels.get(key, ""), PRESS_KINDS) or classify(str(key), PRESS_KINDS) or str(key)


def event_triggers(event: ThingEvent) -> list[tuple[str, str | None]]:
    """(type, subtype) of the triggers of one event: the event, then each kind of press."""
    triggers: list[tuple[str, str | None]] = [
        (event.id if event.id in STANDARD_EVENTS else TYPE_EVENT, None)
    ]
    if (param := press_param(event)) is not None:
        define = param[1]
        kinds = dict.fromkeys(press_kind(define, key) for key in define.mapping)
        triggers.extend((TYPE_PRESS, kind) for kind in kinds)
    return triggers


def _device_key(hass: HomeAssistant, device_id: str) -> str | None:
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return None
    return next((key for domain, key in device.identifiers if domain == DOMAIN), None)


def _loaded_state(hass: HomeAssistant, entry_id: str | None, key: str) -> DeviceState | None:
    """The device's state in its entry, while the entry is loaded."""
    entry: TencentIoTConfigEntry | None = (
        hass.config_entries.async_get_entry(entry_id) if entry_id else None
    )
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        return None
    return entry.runtime_data.coordinator.devices.get(key)


def _device_state(hass: HomeAssistant, device_id: str) -> DeviceState | None:
    device = dr.async_get(hass).async_get(device_id)
    key = _device_key(hass, device_id)
    if device is None or key is None:
        return None
    return _loaded_state(hass, device.config_entry_id, key)


def _event_id(hass: HomeAssistant, entity_id: str) -> str | None:
    """The thing-model event an event entity of this integration shows."""
    entry = er.async_get(hass).async_get(entity_id)
    if entry is None or entry.platform != DOMAIN or entry.domain != Platform.EVENT:
        return None
    return entry.unique_id.rpartition("/")[2]


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """The triggers of a device's events (none while its entry is not loaded)."""
    state = _device_state(hass, device_id)
    if state is None:
        return []
    registry = er.async_get(hass)
    triggers: list[dict[str, Any]] = []
    for event in state.product.thing_model.events.values():
        entity_id = registry.async_get_entity_id(Platform.EVENT, DOMAIN, f"{state.key}/{event.id}")
        if (entry := registry.async_get(entity_id) if entity_id else None) is None:
            continue
        for trigger_type, subtype in event_triggers(event):
            trigger = {
                CONF_PLATFORM: "device",
                CONF_DOMAIN: DOMAIN,
                CONF_DEVICE_ID: device_id,
                CONF_ENTITY_ID: entry.id,
                CONF_TYPE: trigger_type,
            }
            if subtype is not None:
                trigger[CONF_SUBTYPE] = subtype
            triggers.append(trigger)
    return triggers


async def async_validate_trigger_config(hass: HomeAssistant, config: ConfigType) -> ConfigType:
    """Check the trigger against the device's model, when its entry is loaded."""
    config = TRIGGER_SCHEMA(config)
    state = _device_state(hass, config[CONF_DEVICE_ID])
    if state is None:
        return config
    event_id = _event_id(hass, config[CONF_ENTITY_ID])
    event = state.product.thing_model.events.get(event_id or "")
    trigger = (config[CONF_TYPE], config.get(CONF_SUBTYPE))
    if event is None or trigger not in event_triggers(event):
        raise InvalidDeviceAutomationConfig(
            translation_domain=DOMAIN,
            translation_key="invalid_trigger",
            translation_placeholders={
                "device": state.name,
                "trigger": " ".join(part for part in (event_id, *trigger) if part),
            },
        )
    return config


def _press_of(hass: HomeAssistant, data: Mapping[str, Any], key: str) -> str | None:
    """The kind of press a live event's parameters tell, read through the device's model."""
    state = _loaded_state(hass, data.get("config_entry_id"), key)
    event = state.product.thing_model.events.get(data["event_id"]) if state else None
    param = press_param(event) if event is not None else None
    if param is None or (raw := data.get("params", {}).get(param[0])) is None:
        return None
    define = param[1]
    try:
        return press_kind(define, define.decode(raw))
    except ValueError:
        return None


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Run the action on each live event of the device that fits the trigger."""
    device_id: str = config[CONF_DEVICE_ID]
    event_id = _event_id(hass, config[CONF_ENTITY_ID])
    key = _device_key(hass, device_id)
    if event_id is None or key is None:
        raise InvalidDeviceAutomationConfig(
            translation_domain=DOMAIN,
            translation_key="unknown_trigger_event",
            translation_placeholders={"entity": config[CONF_ENTITY_ID]},
        )
    subtype: str | None = config.get(CONF_SUBTYPE)
    job = HassJob(action, f"device trigger {trigger_info}")

    @callback
    def matches(data: Mapping[str, Any]) -> bool:
        if data.get("device_id") != device_id or data.get("event_id") != event_id:
            return False
        return subtype is None or _press_of(hass, data, key) == subtype

    @callback
    def fire(event: Event) -> None:
        hass.async_run_hass_job(
            job,
            {
                "trigger": {
                    **trigger_info["trigger_data"],
                    CONF_PLATFORM: "device",
                    CONF_DOMAIN: DOMAIN,
                    CONF_DEVICE_ID: device_id,
                    CONF_ENTITY_ID: config[CONF_ENTITY_ID],
                    CONF_TYPE: config[CONF_TYPE],
                    CONF_SUBTYPE: subtype,
                    "event": event,
                    "description": f"{event.data.get('event_name', event_id)} event",
                }
            },
            event.context,
        )

    return hass.bus.async_listen(EVENT_DEVICE_EVENT, fire, event_filter=matches)
