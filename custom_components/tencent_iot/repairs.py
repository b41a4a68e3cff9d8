"""Repair issues raised when a cloud problem lasts: push down, or requests refused as too many."""

from datetime import timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later

from .const import CONF_WS_URL, DOMAIN, PUSH_DOWN_REPAIR_AFTER, THROTTLED_REPAIR_AFTER
from .models import TencentIoTConfigEntry


class LastingProblemIssue:
    """An issue raised when a problem has lasted `after`, and deleted when the problem ends."""

    translation_key: str
    after: timedelta

    def __init__(self, hass: HomeAssistant, entry: TencentIoTConfigEntry) -> None:
        """No issue, no timer."""
        self._hass = hass
        self._entry = entry
        self._cancel_timer: CALLBACK_TYPE | None = None

    @property
    def issue_id(self) -> str:
        """The issue's id: one per entry."""
        return f"{self.translation_key}_{self._entry.entry_id}"

    @callback
    def async_problem(self) -> None:
        """The problem began: raise the issue unless it ends in time."""
        if self._cancel_timer is None:
            self._cancel_timer = async_call_later(self._hass, self.after, self._async_raise)

    @callback
    def async_solved(self) -> None:
        """The problem is over: no issue, and none pending."""
        self.async_cancel()
        ir.async_delete_issue(self._hass, DOMAIN, self.issue_id)

    @callback
    def async_cancel(self) -> None:
        """Forget a pending issue (the entry unloads)."""
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None

    def placeholders(self) -> dict[str, str]:
        """What the issue's text names."""
        return {"title": self._entry.title}

    @callback
    def _async_raise(self, _now: Any) -> None:
        self._cancel_timer = None
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self.issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=self.translation_key,
            translation_placeholders=self.placeholders(),
        )


class PushDownIssue(LastingProblemIssue):
    """Push down for PUSH_DOWN_REPAIR_AFTER: polling then carries every change, late."""

    translation_key = "push_unavailable"
    after = PUSH_DOWN_REPAIR_AFTER

    def placeholders(self) -> dict[str, str]:
        """The entry and its WebSocket URL, the usual culprit."""
        return {**super().placeholders(), "ws_url": self._entry.data[CONF_WS_URL]}


class ThrottledIssue(LastingProblemIssue):
    """The cloud refusing requests as too many for THROTTLED_REPAIR_AFTER: data arrives late."""

    translation_key = "rate_limited"
    after = THROTTLED_REPAIR_AFTER

    @callback
    def async_throttled(self, throttled: bool) -> None:
        """Follow the entry's rate limit: refused since now, or answered again."""
        if throttled:
            self.async_problem()
        else:
            self.async_solved()
