"""The user's per-product customisation: stored in the entry's options, applied by the mapping.

The options hold, per ProductId, per property id, only the settings the user changed (see
`mapping/overrides.py`). They are read once per setup; what cannot be read, or no longer fits a
product's model, is ignored with one warning each, never a failed setup.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .api import Product
from .const import CONF_OVERRIDES, LOGGER
from .mapping import DeviceMapping, device_mapping
from .mapping.descriptions import TencentIoTEntityDescription
from .mapping.overrides import ProductOverrides, PropertyOverride, product_overrides
from .mapping.report import PLATFORMS
from .models import DeviceState, TencentIoTConfigEntry

_BY_INTEGRATION = er.RegistryEntryDisabler.INTEGRATION
# Entities whose enabling follows the overrides: enabled ones, and those the integration disabled.
_FOLLOWING = (None, _BY_INTEGRATION)


def entry_overrides(options: Mapping[str, Any]) -> dict[str, ProductOverrides]:
    """The overrides of each product (by ProductId); what cannot be read is left out."""
    stored = options.get(CONF_OVERRIDES, {})
    if not isinstance(stored, Mapping):
        LOGGER.warning("The customisation in the options is not readable: %r", stored)
        return {}
    result: dict[str, ProductOverrides] = {}
    for product_id, raw in stored.items():
        overrides, unreadable = product_overrides(raw)
        for problem in unreadable:
            LOGGER.warning("Customisation of product %s ignored: %s", product_id, problem)
        if overrides:
            result[str(product_id)] = overrides
    return result


def stored_overrides(options: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A copy of the stored customisation, to change and store again."""
    stored = options.get(CONF_OVERRIDES, {})
    if not isinstance(stored, Mapping):
        return {}
    return {
        str(product_id): dict(properties)
        for product_id, properties in stored.items()
        if isinstance(properties, Mapping)
    }


def options_overrides(options: Mapping[str, Any], product_id: str) -> ProductOverrides:
    """A product's overrides as these options store them."""
    return product_overrides(stored_overrides(options).get(product_id, {}))[0]


def options_with(
    options: Mapping[str, Any], product_id: str, overrides: Iterable[PropertyOverride]
) -> dict[str, Any]:
    """The options with these overrides set for a product; one that changes nothing is removed."""
    stored = stored_overrides(options)
    properties = stored.setdefault(product_id, {})
    for override in overrides:
        if settings := override.as_options():
            properties[override.property_id] = settings
        else:
            properties.pop(override.property_id, None)
    return _options(options, stored)


def options_without(
    options: Mapping[str, Any], properties: Iterable[tuple[str, str]]
) -> dict[str, Any]:
    """The options without the overrides of these (ProductId, property id) pairs."""
    stored = stored_overrides(options)
    for product_id, property_id in properties:
        stored.get(product_id, {}).pop(property_id, None)
    return _options(options, stored)


def _options(options: Mapping[str, Any], stored: dict[str, dict[str, Any]]) -> dict[str, Any]:
    changed = {**options, CONF_OVERRIDES: {key: value for key, value in stored.items() if value}}
    if not changed[CONF_OVERRIDES]:
        del changed[CONF_OVERRIDES]
    return changed


def product_mapping(entry: TencentIoTConfigEntry, product: Product) -> DeviceMapping:
    """The entity descriptions of a product's devices, with the entry's overrides."""
    return device_mapping(product, entry.runtime_data.overrides.get(product.product_id, ()))


def state_mapping(entry: TencentIoTConfigEntry, state: DeviceState) -> DeviceMapping:
    """The entity descriptions of a device, with the entry's overrides."""
    return product_mapping(entry, state.product)


def description_of(mapping: DeviceMapping, property_id: str) -> TencentIoTEntityDescription | None:
    """The description of the entity that shows a property (None: it has none)."""
    for name in PLATFORMS:
        descriptions: tuple[TencentIoTEntityDescription, ...] = getattr(mapping, name)
        for description in descriptions:
            if property_id in description.property_ids:
                return description
    return None


@callback
def async_warn_ignored_overrides(entry: TencentIoTConfigEntry) -> None:
    """One warning per override a product's model does not take (any longer)."""
    products = {state.product.product_id: state.product for state in _states(entry)}
    for product_id, overrides in entry.runtime_data.overrides.items():
        if (product := products.get(product_id)) is None:
            continue
        for ignored in device_mapping(product, overrides).ignored_overrides:
            LOGGER.warning(
                "Customisation of property %s of product %s (%s) ignored: %s (%s)",
                ignored.property_id,
                product.name,
                product_id,
                ignored.reason,
                ignored.setting,
            )


def _states(entry: TencentIoTConfigEntry) -> Iterable[DeviceState]:
    return entry.runtime_data.coordinator.devices.values()


def mapping_entities(mapping: DeviceMapping) -> dict[tuple[str, str], bool]:
    """(platform, key) -> whether it is enabled by default, of every entity of a mapping."""
    return {
        (platform, description.key): description.entity_registry_enabled_default
        for name, platform in PLATFORMS.items()
        for description in getattr(mapping, name)
    }


@callback
def async_follow_overrides(
    hass: HomeAssistant,
    entry: TencentIoTConfigEntry,
    product: Product,
    after: ProductOverrides,
) -> None:
    """Make the entity registry follow a change of a product's overrides, before the reload.

    An entity whose platform changed, or that is hidden now, leaves the registry (HA keeps its
    settings, should it come back): no orphan of the old platform stays behind. One whose
    "enabled by default" changed is enabled or disabled; what the user disabled stays so.
    """
    before = mapping_entities(product_mapping(entry, product))
    now = mapping_entities(device_mapping(product, after))
    devices = {
        state.key for state in _states(entry) if state.product.product_id == product.product_id
    }
    registry = er.async_get(hass)
    for registry_entry in er.async_entries_for_config_entry(registry, entry.entry_id):
        device_key, _, key = registry_entry.unique_id.rpartition("/")
        entity = (registry_entry.domain, key)
        if device_key not in devices or (enabled := before.get(entity)) is None:
            continue
        if (enabled_now := now.get(entity)) is None:
            registry.async_remove(registry_entry.entity_id)
        elif enabled_now != enabled and registry_entry.disabled_by in _FOLLOWING:
            registry.async_update_entity(
                registry_entry.entity_id, disabled_by=None if enabled_now else _BY_INTEGRATION
            )
