"""The repair issue raised while push stays down: polling then carries every change, late."""

from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later

from .const import CONF_WS_URL, DOMAIN, PUSH_DOWN_REPAIR_AFTER
from .models import TencentIoTConfigEntry


class PushDownIssue:
    """Raised when push has been down for PUSH_DOWN_REPAIR_AFTER, cleared when it is back."""

    def __init__(self, hass: HomeAssistant, entry: TencentIoTConfigEntry) -> None:
        """No issue, no timer."""
        self._hass = hass
        self._entry = entry
        self._cancel_timer: CALLBACK_TYPE | None = None

    @property
    def issue_id(self) -> str:
        """The issue's id: one per entry."""
        return f"push_unavailable_{self._entry.entry_id}"

    @callback
    def async_push_down(self) -> None:
        """Push went down: raise the issue unless it comes back in time."""
        if self._cancel_timer is None:
            self._cancel_timer = async_call_later(
                self._hass, PUSH_DOWN_REPAIR_AFTER, self._async_raise
            )

    @callback
    def async_push_up(self) -> None:
        """Push is connected: no issue, and none pending."""
        self.async_cancel()
        ir.async_delete_issue(self._hass, DOMAIN, self.issue_id)

    @callback
    def async_cancel(self) -> None:
        """Forget a pending issue (the entry unloads)."""
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None

    @callback
    def _async_raise(self, _now: Any) -> None:
        self._cancel_timer = None
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self.issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="push_unavailable",
            translation_placeholders={
                "title": self._entry.title,
                "ws_url": self._entry.data[CONF_WS_URL],
            },
        )
