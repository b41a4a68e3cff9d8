"""The base entity every platform builds on."""

from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from functools import partial
from typing import Any, ClassVar, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Automation, Scene, is_number
from .const import DOMAIN
from .control import async_set_values
from .coordinator import TencentIoTCoordinator
from .customise import state_mapping
from .home import home_device_info
from .mapping import DeviceMapping
from .mapping.descriptions import Key, Scale, TencentIoTEntityDescription, truthy
from .models import DeviceState, TencentIoTConfigEntry


def labels_by_key[T](keys: Mapping[T, Key]) -> dict[Key, T]:
    """What each key stands for, from a description's label-to-key mapping."""
    return {key: label for label, key in keys.items()}


class TencentIoTEntity(CoordinatorEntity[TencentIoTCoordinator]):
    """An entity of one cloud device, updated by polls and by that device's pushes."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: TencentIoTCoordinator,
        state: DeviceState,
        description: EntityDescription,
    ) -> None:
        """Bind the entity to its device and to one key of it."""
        super().__init__(coordinator)
        self.entity_description = description
        self.device_key = state.key
        self._attr_unique_id = f"{state.key}/{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, state.key)})

    @property
    def device_state(self) -> DeviceState:
        """The device's current state in the coordinator."""
        return self.coordinator.devices[self.device_key]

    @property
    def values(self) -> Mapping[str, Any]:
        """The device's current property values."""
        return self.device_state.values

    @property
    def shown_properties(self) -> frozenset[str]:
        """The properties this entity's state shows (none for HA's own descriptions).

        A push changing other properties of the device does not rewrite this entity's state:
        with many entities per device, rewriting all of them would cost most of the time a
        push takes.
        """
        description = self.entity_description
        if isinstance(description, TencentIoTEntityDescription):
            return description.property_ids
        return frozenset()

    @property
    @override
    def available(self) -> bool:
        """Available while the cloud answers and the device is online."""
        state = self.coordinator.devices.get(self.device_key)
        return super().available and state is not None and state.online

    @override
    async def async_added_to_hass(self) -> None:
        """Also follow this device's pushes."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.listeners.async_add_device_listener(
                self.device_key, self._handle_coordinator_update, self.shown_properties
            )
        )

    def number(self, prop_id: str | None) -> float | None:
        """A property's value when it is a number (a bool is not one)."""
        value = self.values.get(prop_id) if prop_id is not None else None
        return value if is_number(value) else None

    def scaled(self, scale: Scale | None) -> float | None:
        """The value of a scale's property, when it is a number."""
        return self.number(scale.id) if scale is not None else None

    def on_off[T](self, prop_id: str | None, on: T, off: T) -> T | None:
        """`on` or `off` as a bool property is; None when unknown."""
        value = truthy(self.values.get(prop_id)) if prop_id is not None else None
        if value is None:
            return None
        return on if value else off

    def label[T](self, prop_id: str | None, labels: Mapping[Key, T]) -> T | None:
        """What a property's enum key stands for (None for a key `labels` does not list)."""
        value = self.values.get(prop_id) if prop_id is not None else None
        return labels.get(value) if isinstance(value, int | str) else None

    async def async_set_values(self, values: Mapping[str, Any]) -> None:
        """Send property values to the device."""
        await async_set_values(self.coordinator, self.device_key, values)

    async def async_set_changed_values(
        self, values: Mapping[str, Any], unchanged: Mapping[str, Any] | None = None
    ) -> None:
        """Send the values the device does not have yet; when it has all, `unchanged` (or all)."""
        changed = {key: value for key, value in values.items() if self.values.get(key) != value}
        await self.async_set_values(changed or (values if unchanged is None else unchanged))

    async def async_set_bool(self, prop_id: str | None, on: bool) -> None:
        """Set a bool of a composite entity (its power, a swing), when the model has it."""
        if prop_id is not None:
            await self.async_set_changed_values({prop_id: on})


class TencentIoTFamilyItemEntity(CoordinatorEntity[TencentIoTCoordinator]):
    """An entity of a family-wide cloud item (a scene or an automation), named by the cloud."""

    _attr_has_entity_name = True
    # "scene" or "automation": the unique id prefix and the coordinator's list it lives in.
    kind: ClassVar[str]

    def __init__(self, coordinator: TencentIoTCoordinator, item_id: str) -> None:
        """Bind the entity to one item."""
        super().__init__(coordinator)
        self.item_id = item_id
        self._attr_unique_id = f"{self.kind}/{item_id}"
        self._attr_name = self._item_name()
        self._attr_device_info = home_device_info(coordinator)

    @classmethod
    def items(cls, coordinator: TencentIoTCoordinator) -> Mapping[str, Scene | Automation]:
        """The coordinator's current items of this kind."""
        return coordinator.scenes if cls.kind == "scene" else coordinator.automations

    def _item_name(self) -> str:
        item = self.items(self.coordinator).get(self.item_id)
        return (item.name if item is not None else "") or self.item_id

    @property
    @override
    def available(self) -> bool:
        """Available while the cloud answers and the item exists."""
        return super().available and self.item_id in self.items(self.coordinator)

    @override
    async def async_added_to_hass(self) -> None:
        """Follow renames and changes, which arrive with the lists."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.listeners.async_add_lists_listener(self._handle_lists_update)
        )

    @callback
    def _handle_lists_update(self) -> None:
        self._attr_name = self._item_name()
        self.async_write_ha_state()


@callback
def async_setup_family_items(
    entry: TencentIoTConfigEntry,
    entity_class: type[TencentIoTFamilyItemEntity],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an entity per item of the class's kind, and for those that appear later."""
    coordinator = entry.runtime_data.coordinator
    added: set[str] = set()

    @callback
    def add_new_items() -> None:
        entities: list[TencentIoTFamilyItemEntity] = []
        for item_id in entity_class.items(coordinator):
            if item_id in added:
                continue
            entity = entity_class(coordinator, item_id)
            added.add(item_id)
            # A deleted item's entity is removed with its registry entry; forget it then.
            entity.async_on_remove(partial(added.discard, item_id))
            entities.append(entity)
        if entities:
            async_add_entities(entities)

    add_new_items()
    entry.async_on_unload(coordinator.listeners.async_add_lists_listener(add_new_items))


type EntityFactory[D, E] = Callable[[TencentIoTCoordinator, DeviceState, D], E]
# A platform module's `async_setup_entry`.
type PlatformSetup = Callable[
    [HomeAssistant, TencentIoTConfigEntry, AddConfigEntryEntitiesCallback],
    Coroutine[Any, Any, None],
]
# Adds some of a platform's entities, now and as they appear.
type AddEntities = Callable[[TencentIoTConfigEntry, AddConfigEntryEntitiesCallback], None]


def device_entities[D: EntityDescription, E: Entity](
    entry: TencentIoTConfigEntry,
    states: Iterable[DeviceState],
    descriptions: Callable[[DeviceMapping], Sequence[D]],
    entity: EntityFactory[D, E],
) -> list[E]:
    """One entity per description of a platform, for each of the devices."""
    coordinator = entry.runtime_data.coordinator
    return [
        entity(coordinator, state, description)
        for state in states
        for description in descriptions(state_mapping(entry, state))
    ]


@callback
def async_setup_device_entities[D: EntityDescription, E: Entity](
    entry: TencentIoTConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Callable[[DeviceMapping], Sequence[D]],
    entity: EntityFactory[D, E],
) -> None:
    """Add a platform's entities for the known devices and for each device found later."""
    coordinator = entry.runtime_data.coordinator

    @callback
    def add(states: Iterable[DeviceState]) -> None:
        if entities := device_entities(entry, states, descriptions, entity):
            async_add_entities(entities)

    add(coordinator.devices.values())
    entry.async_on_unload(coordinator.listeners.async_add_new_devices_listener(add))


def platform_setup(*add_entities: AddEntities) -> PlatformSetup:
    """The setup of a platform whose entities the `add_entities` add, in this order."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: TencentIoTConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        for add in add_entities:
            add(entry, async_add_entities)

    return async_setup_entry


def family_items_platform_setup(
    entity_class: type[TencentIoTFamilyItemEntity],
) -> PlatformSetup:
    """The setup of a platform that adds an entity per item of the class's kind."""
    return platform_setup(
        lambda entry, async_add_entities: async_setup_family_items(
            entry, entity_class, async_add_entities
        )
    )


def device_platform_setup[D: EntityDescription, E: Entity](
    descriptions: Callable[[DeviceMapping], Sequence[D]],
    entity: EntityFactory[D, E],
    *more: AddEntities,
) -> PlatformSetup:
    """The setup of a platform that adds one entity per description of every device, then `more`."""
    return platform_setup(
        lambda entry, async_add_entities: async_setup_device_entities(
            entry, async_add_entities, descriptions, entity
        ),
        *more,
    )
