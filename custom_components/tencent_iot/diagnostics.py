"""Diagnostics for config entries and devices, with secrets and the account redacted."""

from dataclasses import asdict
from time import monotonic
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .const import (
    CONF_ACCESS_TOKEN,
    CONF_ACCOUNT,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    CONF_PASSWORD,
    CONF_REFRESH_TOKEN,
    CONF_USER_DOMAIN,
    CONF_USER_DOMAIN_SECRET,
    CONF_USER_ID,
    DOMAIN,
    POLL_INTERVAL,
)
from .customise import state_mapping
from .models import DeviceState, TencentIoTConfigEntry

# The user id and the AppKey (a Quectel app's user domain) identify the account and the app: a
# dump attached to a public issue must not lead back to either.
TO_REDACT = {
    CONF_APP_SECRET,
    CONF_PASSWORD,
    CONF_ACCESS_TOKEN,
    CONF_ACCOUNT,
    CONF_USER_ID,
    CONF_APP_KEY,
    CONF_USER_DOMAIN,
    CONF_USER_DOMAIN_SECRET,
    CONF_REFRESH_TOKEN,
}


def _mapping(
    hass: HomeAssistant, entry: TencentIoTConfigEntry, state: DeviceState
) -> dict[str, Any]:
    """The user's overrides of the device's product, and what became of each property, and why."""
    mapping = state_mapping(entry, state)
    registry = er.async_get(hass)
    overrides = entry.runtime_data.overrides.get(state.product.product_id, ())
    return {
        "overrides": {override.property_id: override.as_options() for override in overrides},
        "ignored_overrides": [asdict(ignored) for ignored in mapping.ignored_overrides],
        "mapping": {
            decision.property_id: {
                "entity_id": decision.platform
                and registry.async_get_entity_id(
                    decision.platform, DOMAIN, f"{state.key}/{decision.key}"
                ),
                "platform": decision.platform,
                "key": decision.key,
                "rule": decision.rule,
                "customised": decision.customised,
            }
            for decision in mapping.decisions
        },
    }


def _device(
    hass: HomeAssistant, entry: TencentIoTConfigEntry, state: DeviceState
) -> dict[str, Any]:
    model = state.product.thing_model
    return {
        "device": asdict(state.device),
        "gateway": state.gateway_key,
        "online": state.online,
        "product": {
            "product_id": state.product.product_id,
            "name": state.product.name,
            "category_id": state.product.category_id,
        },
        "thing_model": {
            "properties": {
                prop.id: {"mode": prop.mode, "define": repr(prop.define)}
                for prop in model.properties.values()
            },
            "events": sorted(model.events),
            "actions": sorted(model.actions),
            "problems": list(model.problems),
        },
        "values": dict(state.values),
        **_mapping(hass, entry, state),
    }


def _push(entry: TencentIoTConfigEntry) -> dict[str, Any]:
    push = entry.runtime_data.coordinator.push
    if push is None:
        return {"enabled": False}
    return {
        "enabled": True,
        # Tencent's SDK's path, or the doc's when that one was refused.
        "url": push.ws_url,
        "connected": push.connected,
        # The client keeps a monotonic clock reading, which means nothing outside this process.
        "seconds_since_last_message": (
            None if push.last_message_at is None else round(monotonic() - push.last_message_at, 1)
        ),
        "reconnect_count": push.reconnect_count,
    }


def _cloud_traffic(entry: TencentIoTConfigEntry) -> dict[str, Any]:
    """Requests sent since the entry started, the cloud's last refusal as too many, polling."""
    coordinator = entry.runtime_data.coordinator
    rate_limit = coordinator.rate_limit
    last = rate_limit.last_throttle
    return {
        "requests": {
            "total": rate_limit.total,
            "by_action": dict(sorted(rate_limit.requests.items())),
        },
        "throttled": rate_limit.throttled,
        "last_throttle": None
        if last is None
        else {
            "at": last.at.isoformat(),
            "code": last.code,
            "action": last.action,
            "backoff_seconds": last.backoff,
        },
        # Longer than POLL_INTERVAL after failed polls.
        "poll_interval_seconds": (coordinator.update_interval or POLL_INTERVAL).total_seconds(),
        "data_reads_owed": coordinator.data_reads_owed,
        "event_reads_owed": entry.runtime_data.events.devices_owed,
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: TencentIoTConfigEntry
) -> dict[str, Any]:
    """The entry (redacted), push health and every device's model and last data."""
    coordinator = entry.runtime_data.coordinator
    return {
        "entry": {
            "data": async_redact_data(entry.data, TO_REDACT),
            "options": dict(entry.options),
        },
        "push": _push(entry),
        "cloud_traffic": _cloud_traffic(entry),
        "last_update_success": coordinator.last_update_success,
        "rooms": {room.room_id: room.name for room in coordinator.rooms.values()},
        "scenes": {scene.scene_id: scene.name for scene in coordinator.scenes.values()},
        "automations": {
            item.automation_id: {"name": item.name, "enabled": item.enabled}
            for item in coordinator.automations.values()
        },
        "devices": {key: _device(hass, entry, state) for key, state in coordinator.devices.items()},
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: TencentIoTConfigEntry, device: dr.DeviceEntry
) -> dict[str, Any]:
    """One device's model and last data, with the entry (redacted) and push health."""
    coordinator = entry.runtime_data.coordinator
    key = next(key for domain, key in device.identifiers if domain == DOMAIN)
    return {
        "entry": {"data": async_redact_data(entry.data, TO_REDACT)},
        "push": _push(entry),
        "device": (
            _device(hass, entry, coordinator.devices[key]) if key in coordinator.devices else None
        ),
    }
