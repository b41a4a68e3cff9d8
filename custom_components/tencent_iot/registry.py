"""Keeping HA's device and entity registries in step with the family's devices and lists."""

from collections.abc import Iterable, Mapping, Set
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)

from .api import Room
from .const import CONF_FOLLOW_ROOMS, DOMAIN, MANUFACTURER
from .customise import mapping_entities, state_mapping
from .mapping.report import PLATFORMS
from .models import DeviceState, TencentIoTConfigEntry

# The platforms whose entities the mapping builds (not the firmware updates, not the home's).
_MAPPED_DOMAINS = frozenset(str(platform) for platform in PLATFORMS.values())


@callback
def async_register_devices(
    hass: HomeAssistant,
    entry: TencentIoTConfigEntry,
    states: Iterable[DeviceState],
    rooms: Mapping[str, Room],
) -> None:
    """Create or update the HA devices; gateways first so sub-devices can point to them."""
    registry = dr.async_get(hass)
    entry_id = entry.entry_id
    follow_rooms = bool(entry.options.get(CONF_FOLLOW_ROOMS, False))
    for state in sorted(states, key=lambda s: s.gateway_key is not None):
        via: str | None = None
        if state.gateway_key and (
            gateway := registry.async_get_device_by_identifier(
                (DOMAIN, state.gateway_key), entry_id
            )
        ):
            via = gateway.id
        extra: dict[str, Any] = {}
        if registry.async_get_device_by_identifier((DOMAIN, state.key), entry_id) is None and (
            room := rooms.get(state.device.room_id)
        ):
            # Only a new device gets the room as its area: never move one the user placed
            # (unless the user asked to follow the app's rooms, below).
            extra["suggested_area"] = room.name
        # The app's name, at every read: a name the user gave in HA (name_by_user) wins.
        device = registry.async_get_or_create(
            config_entry_id=entry_id,
            identifiers={(DOMAIN, state.key)},
            name=state.name,
            manufacturer=MANUFACTURER,
            model=state.product.name or None,
            model_id=state.product.product_id,
            serial_number=state.device.device_name,
            via_device_id=via,
            **extra,
        )
        if follow_rooms and (room := rooms.get(state.device.room_id)) is not None and room.name:
            area = ar.async_get(hass).async_get_or_create(room.name)
            if device.area_id != area.id:
                registry.async_update_device(device.id, area_id=area.id)


@callback
def async_release_device(hass: HomeAssistant, entry: TencentIoTConfigEntry, key: str) -> None:
    """Take a device the family no longer has off the entry."""
    registry = dr.async_get(hass)
    if device := registry.async_get_device_by_identifier((DOMAIN, key), entry.entry_id):
        registry.async_update_device(device.id, remove_config_entry_id=entry.entry_id)


@callback
def async_release_stale_devices(
    hass: HomeAssistant, entry: TencentIoTConfigEntry, keys: Set[str]
) -> None:
    """Take the entry's HA devices whose identifier is not among `keys` off the entry."""
    registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        own = {key for domain, key in device.identifiers if domain == DOMAIN}
        if own and own.isdisjoint(keys):
            registry.async_update_device(device.id, remove_config_entry_id=entry.entry_id)


@callback
def async_remove_item_entities(hass: HomeAssistant, kind: str, ids: Iterable[str]) -> None:
    """Remove the entities of scenes or automations ("scene"/"automation") the cloud deleted."""
    registry = er.async_get(hass)
    for item_id in ids:
        for platform in ("scene", "switch"):
            if entity_id := registry.async_get_entity_id(platform, DOMAIN, f"{kind}/{item_id}"):
                registry.async_remove(entity_id)


@callback
def async_remove_unprovided_entities(
    hass: HomeAssistant, entry: TencentIoTConfigEntry, states: Iterable[DeviceState]
) -> None:
    """Remove the entities of these devices that their mapping no longer builds.

    A new version may show a property otherwise (a speaker's volume number is part of its
    media player now): the old entity would stay behind as an orphan, "no longer provided".
    HA keeps the settings of a removed entity, should it come back. A device whose product
    has no thing model (it could not be read) keeps its entities.
    """
    provided = {
        state.key: set(mapping_entities(state_mapping(entry, state)))
        for state in states
        if state.product.thing_model.properties
        or state.product.thing_model.events
        or state.product.thing_model.actions
    }
    registry = er.async_get(hass)
    for registry_entry in er.async_entries_for_config_entry(registry, entry.entry_id):
        device_key, _, key = registry_entry.unique_id.rpartition("/")
        if (
            registry_entry.domain in _MAPPED_DOMAINS
            and (entities := provided.get(device_key)) is not None
            and (registry_entry.domain, key) not in entities
        ):
            registry.async_remove(registry_entry.entity_id)
