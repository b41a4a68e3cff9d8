"""Who is told what: device changes, device events, new devices, read lists, push back."""

from collections.abc import Callable, Iterable

from homeassistant.core import CALLBACK_TYPE, callback

from .api import DeviceEvent
from .models import DeviceListener, DeviceState, EventListener, NewDevicesListener


class EntryListeners:
    """The listeners of one entry's coordinator; calling them is the coordinator's part."""

    def __init__(self) -> None:
        """Nobody listens yet."""
        # Per device: listener -> the properties it shows (None: any of them).
        self._device: dict[str, dict[DeviceListener, frozenset[str] | None]] = {}
        self._event: dict[str, set[EventListener]] = {}
        self._any_event: list[EventListener] = []
        self._push_back: list[Callable[[], None]] = []
        self._new_devices: list[NewDevicesListener] = []
        self._lists: list[Callable[[], None]] = []

    @callback
    def async_add_device_listener(
        self,
        key: str,
        listener: DeviceListener,
        properties: Iterable[str] | None = None,
    ) -> CALLBACK_TYPE:
        """Call `listener` when this device's availability or values change.

        With `properties`, only a change of one of them (or of availability) calls it: a push
        changing one value then updates the entities that show it, not every entity of the
        device.
        """
        self._device.setdefault(key, {})[listener] = (
            None if properties is None else frozenset(properties)
        )

        @callback
        def remove() -> None:
            self._device.get(key, {}).pop(listener, None)

        return remove

    @callback
    def async_add_event_listener(self, key: str, listener: EventListener) -> CALLBACK_TYPE:
        """Call `listener` with each event this device posts."""
        self._event.setdefault(key, set()).add(listener)
        return lambda: self._event.get(key, set()).discard(listener)

    @callback
    def async_add_any_event_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call `listener` with each event any device posts."""
        return _add(self._any_event, listener)

    @callback
    def async_add_push_back_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` when push reconnects after an outage: what it missed is in the cloud."""
        return _add(self._push_back, listener)

    @callback
    def async_add_new_devices_listener(self, listener: NewDevicesListener) -> CALLBACK_TYPE:
        """Call `listener` with the devices found after setup."""
        return _add(self._new_devices, listener)

    @callback
    def async_add_lists_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `listener` after scenes and automations were read again."""
        return _add(self._lists, listener)

    @callback
    def device_changed(self, key: str, changed: set[str] | None = None) -> None:
        """Call the device's listeners: those of the `changed` properties, or all of them."""
        for listener, properties in list(self._device.get(key, {}).items()):
            if changed is None or properties is None or not properties.isdisjoint(changed):
                listener()

    @callback
    def device_event(self, event: DeviceEvent) -> None:
        """Call the listeners of the event's device, then those of any device."""
        for listener in list(self._event.get(event.device_key, ())):
            listener(event)
        for listener in list(self._any_event):
            listener(event)

    @callback
    def push_back(self) -> None:
        """Call the listeners of push coming back."""
        for listener in list(self._push_back):
            listener()

    @callback
    def new_devices(self, states: list[DeviceState]) -> None:
        """Call the listeners of new devices."""
        for listener in list(self._new_devices):
            listener(states)

    @callback
    def lists_read(self) -> None:
        """Call the listeners of the lists."""
        for listener in list(self._lists):
            listener()

    @callback
    def forget_device(self, key: str) -> None:
        """Drop the listeners of a device that left the family."""
        self._device.pop(key, None)
        self._event.pop(key, None)


def _add[T](listeners: list[T], listener: T) -> CALLBACK_TYPE:
    listeners.append(listener)
    return lambda: listeners.remove(listener)
