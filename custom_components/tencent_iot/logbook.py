"""Logbook lines of the integration's own: device events read afterwards, and messages.

One line per happening, each with an icon. A live device event has no line of its own here: the
state change of its event entity is its line, which the frontend words in the user's language.
The unread count has a unit, which keeps its changes out of the logbook. The app's message
about a device event that has its line is not given one (`messages.py`).

Home Assistant lets an integration describe an event only as plain text (no translation key
reaches the frontend), so the words the integration adds come from its translations in the
language of the Home Assistant server; a message's own words are the cloud's. The events carry
the HA device id (and the event entity's id), so the logbooks of the device and the entity
list them too.
"""

from collections.abc import Callable
from typing import Any, Final

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.translation import async_get_cached_translations

from .const import DOMAIN, EVENT_MESSAGE_LOGGED, EVENT_MISSED_DEVICE_EVENT

# A device event's icon by its type (info, alert, fault), as its event entity's.
EVENT_ICONS: Final = {
    "alert": "mdi:alert-outline",
    "fault": "mdi:alert-octagon-outline",
    "info": "mdi:information-outline",
}
# A message's icon by its category.
MESSAGE_ICONS: Final = {
    "device": "mdi:message-alert-outline",
    "home": "mdi:home-outline",
    "notice": "mdi:bullhorn-outline",
}


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, Any]]], None],
) -> None:
    """Describe the integration's events in words."""

    def phrase(key: str, **placeholders: str) -> str:
        """A phrase of the translations, in the server's language."""
        phrases = async_get_cached_translations(hass, hass.config.language, "common", DOMAIN)
        text = phrases.get(f"component.{DOMAIN}.common.{key}", key)
        for name, value in placeholders.items():
            text = text.replace(f"{{{name}}}", value)
        return text

    @callback
    def describe_missed_event(event: Event) -> dict[str, Any]:
        data = event.data
        described = {
            LOGBOOK_ENTRY_NAME: data["device_name"],
            LOGBOOK_ENTRY_ICON: EVENT_ICONS.get(data.get("type", ""), EVENT_ICONS["info"]),
        }
        if (entity_id := data.get("entity_id")) and hass.states.get(entity_id):
            # The line shows the event entity's name (the event's) with its device.
            described[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
            described[LOGBOOK_ENTRY_MESSAGE] = phrase("logbook_missed_event")
        else:
            described[LOGBOOK_ENTRY_MESSAGE] = phrase(
                "logbook_missed_named_event", event=data["event_name"]
            )
        return described

    @callback
    def describe_message(event: Event) -> dict[str, Any]:
        data = event.data
        return {
            LOGBOOK_ENTRY_NAME: data["name"],
            LOGBOOK_ENTRY_MESSAGE: data["message"],
            LOGBOOK_ENTRY_ICON: MESSAGE_ICONS.get(data["category"], MESSAGE_ICONS["notice"]),
        }

    async_describe_event(DOMAIN, EVENT_MISSED_DEVICE_EVENT, describe_missed_event)
    async_describe_event(DOMAIN, EVENT_MESSAGE_LOGGED, describe_message)
