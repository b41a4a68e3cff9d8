"""The saved copy of the home, for a start while the cloud is down."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .api import Device, Product, Room
from .api.quectel import TSL_KEY, saved_product
from .const import DOMAIN
from .models import DeviceState

STORAGE_VERSION = 1


@dataclass(frozen=True, slots=True)
class SavedHome:
    """The home as it was last read: rooms, devices, each sub-device's gateway, products."""

    rooms: dict[str, Room]
    devices: list[Device]
    gateways: dict[str, str]
    products: dict[str, Product]


class HomeStore:
    """Keeps the rooms, devices and thing models of an entry, not their values."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """The entry's own file."""
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}")

    @callback
    def async_save(self, rooms: Mapping[str, Room], devices: Mapping[str, DeviceState]) -> None:
        """Save the home soon (saves close together are written once)."""
        self._store.async_delay_save(partial(_snapshot, rooms, devices), 1)

    async def async_load(self) -> SavedHome | None:
        """The saved home, or None when none was saved."""
        if not (saved := await self._store.async_load()):
            return None
        products = {
            product_id: _saved_product(product_id, template)
            for product_id, template in saved.get("products", {}).items()
        }
        return SavedHome(
            rooms={room["room_id"]: Room(**room) for room in saved.get("rooms", [])},
            devices=[Device(**item["device"]) for item in saved.get("devices", [])],
            gateways={
                item["device"]["product_id"] + "/" + item["device"]["device_name"]: item["gateway"]
                for item in saved.get("devices", [])
                if item.get("gateway")
            },
            products=products,
        )


def _saved_product(product_id: str, template: dict[str, Any]) -> Product:
    """A product as saved: a Quectel TSL, or a Tencent DataTemplate."""
    name = template.get("_name", "")
    if (tsl := template.get(TSL_KEY)) is not None:
        return saved_product(product_id, name, tsl)
    return Product.from_api({"ProductId": product_id, "Name": name, "DataTemplate": template})


def _snapshot(rooms: Mapping[str, Room], devices: Mapping[str, DeviceState]) -> dict[str, Any]:
    return {
        "rooms": [asdict(room) for room in rooms.values()],
        "devices": [
            {"device": asdict(state.device), "gateway": state.gateway_key}
            for state in devices.values()
        ],
        "products": {
            state.product.product_id: state.product.data_template | {"_name": state.product.name}
            for state in devices.values()
        },
    }
