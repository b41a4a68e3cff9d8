"""What the entry knows of the home: device states, the entry's runtime data, listener types."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.exceptions import ServiceValidationError

from .api import CloudClient, Device, DeviceEvent, Product, PropertyValue
from .const import DOMAIN, LOGGER

if TYPE_CHECKING:
    from .coordinator import TencentIoTCoordinator
    from .event_log import DeviceEventLog
    from .firmware import TencentIoTFirmwareCoordinator
    from .history import HistoryImporter
    from .mapping.overrides import ProductOverrides
    from .messages import MessageCentre


@dataclass(slots=True)
class DeviceState:
    """What is known of one device: its product, whether it is online, its values."""

    device: Device
    product: Product
    online: bool = False
    values: dict[str, Any] = field(default_factory=dict)
    # When each value was reported (ms): an older report never overwrites a newer one.
    reported_at: dict[str, int] = field(default_factory=dict)
    gateway_key: str | None = None

    @property
    def key(self) -> str:
        """The device's id, "ProductId/DeviceName"."""
        return self.device.key

    @property
    def name(self) -> str:
        """The name the user gave the device in the app."""
        return self.device.alias_name or self.device.device_name

    def apply(self, values: Mapping[str, Any], reported_at: int | None) -> set[str]:
        """Merge reported raw values; return the ids of the values that changed."""
        properties = self.product.thing_model.properties
        changed: set[str] = set()
        for prop_id, raw in values.items():
            if reported_at is not None:
                if self.reported_at.get(prop_id, -1) > reported_at:
                    continue
                self.reported_at[prop_id] = reported_at
            value = raw
            if (prop := properties.get(prop_id)) is not None:
                try:
                    value = prop.decode(raw)
                except ValueError:
                    LOGGER.debug(
                        "%s: ignoring %s=%r that does not fit the model", self.key, prop_id, raw
                    )
                    continue
            if self.values.get(prop_id, _MISSING) != value:
                self.values[prop_id] = value
                changed.add(prop_id)
        return changed

    def apply_data(self, data: Mapping[str, PropertyValue]) -> set[str]:
        """Merge a full AppGetDeviceData read; return the ids of the values that changed."""
        changed: set[str] = set()
        for prop_id, item in data.items():
            changed |= self.apply({prop_id: item.value}, item.last_update)
        return changed

    def encode(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Check values against the thing model and convert them for the cloud."""
        properties = self.product.thing_model.properties
        encoded: dict[str, Any] = {}
        for prop_id, value in values.items():
            placeholders = {"device": self.name, "property": prop_id, "value": str(value)}
            if (prop := properties.get(prop_id)) is None:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="unknown_property",
                    translation_placeholders=placeholders,
                )
            if not prop.writable:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="read_only_property",
                    translation_placeholders=placeholders,
                )
            try:
                encoded[prop_id] = prop.encode(value)
            except ValueError as err:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="invalid_value",
                    translation_placeholders={**placeholders, "reason": str(err)},
                ) from err
        return encoded


_MISSING = object()


def build_states(
    devices: Iterable[Device],
    gateways: Mapping[str, str],
    products: Mapping[str, Product],
    previous: Mapping[str, DeviceState],
    warned: set[str],
) -> dict[str, DeviceState]:
    """The states of these devices, keeping what `previous` knew of their values.

    The problems of a product's thing model are logged once: for the products not yet in
    `warned`, which they are added to.
    """
    states: dict[str, DeviceState] = {}
    for device in devices:
        product = products.get(device.product_id) or Product(device.product_id)
        if product.product_id not in warned:
            warned.add(product.product_id)
            for problem in product.thing_model.problems:
                LOGGER.warning("Thing model of product %s: %s", product.product_id, problem)
        old = previous.get(device.key)
        state = DeviceState(device, product, gateway_key=gateways.get(device.key))
        if old is not None:
            state.online, state.values, state.reported_at = (
                old.online,
                old.values,
                old.reported_at,
            )
        states[device.key] = state
    return states


@dataclass(slots=True)
class TencentIoTRuntimeData:
    """What a loaded entry holds, all of it built by async_setup_entry."""

    client: CloudClient
    coordinator: TencentIoTCoordinator
    # Firmware checks run apart from the home's reads, at their own pace.
    firmware: TencentIoTFirmwareCoordinator
    messages: MessageCentre
    history: HistoryImporter
    events: DeviceEventLog
    # The user's customisation, by ProductId, as read from the options at setup.
    overrides: Mapping[str, ProductOverrides] = field(default_factory=dict)


type TencentIoTConfigEntry = ConfigEntry[TencentIoTRuntimeData]
type DeviceListener = Callable[[], None]
type EventListener = Callable[[DeviceEvent], None]
type NewDevicesListener = Callable[[list[DeviceState]], None]
