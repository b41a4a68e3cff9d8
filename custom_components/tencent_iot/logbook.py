"""Logbook lines for the integration's events: device events (live and missed) and messages.

The events carry the HA device id, so the logbook of a device lists them too.
"""

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_DEVICE_EVENT, EVENT_MESSAGE, EVENT_MISSED_DEVICE_EVENT

# Words for a device event's type.
_EVENT_KINDS = {"alert": "an alarm", "fault": "a fault", "info": "an event"}


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, Any]]], None],
) -> None:
    """Describe the integration's events in words."""

    @callback
    def describe_device_event(event: Event) -> dict[str, Any]:
        data = event.data
        kind = _EVENT_KINDS.get(data.get("type", ""), "an event")
        message = f"reported {kind}: {data['event_name']}"
        if event.event_type == EVENT_MISSED_DEVICE_EVENT:
            message += " (read from the cloud afterwards)"
        return {
            LOGBOOK_ENTRY_NAME: data["device_name"],
            LOGBOOK_ENTRY_MESSAGE: message,
        }

    @callback
    def describe_message(event: Event) -> dict[str, Any]:
        data = event.data
        text = ": ".join(part for part in (data.get("title"), data.get("content")) if part)
        return {
            LOGBOOK_ENTRY_NAME: "Tencent IoT Explorer",
            LOGBOOK_ENTRY_MESSAGE: f"sent a {data['category']} message: {text}",
        }

    async_describe_event(DOMAIN, EVENT_DEVICE_EVENT, describe_device_event)
    async_describe_event(DOMAIN, EVENT_MISSED_DEVICE_EVENT, describe_device_event)
    async_describe_event(DOMAIN, EVENT_MESSAGE, describe_message)
