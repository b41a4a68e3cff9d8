"""Which devices' data a poll reads, within a budget of reads, so a large home stays cheap."""

from collections.abc import Iterable, Mapping

from .models import DeviceState


class DataReadPlan:
    """Devices owed a read first, then (while push is down) those read longest ago, in turn.

    A device the budget leaves out keeps its place: it is read first by the next poll.
    """

    def __init__(self, budget: int) -> None:
        """At most `budget` devices a poll; nothing owed yet."""
        self._budget = budget
        # Devices whose data is known to be missing, in the order they became owed.
        self._owed: dict[str, None] = {}
        # Every device read so far, the one read longest ago first.
        self._read_order: dict[str, None] = {}

    @property
    def owed(self) -> int:
        """How many devices are owed a read."""
        return len(self._owed)

    def owe(self, keys: Iterable[str]) -> None:
        """These devices' data must be read: they came online, a read failed, push missed them."""
        for key in keys:
            self._owed.setdefault(key)

    def read(self, key: str) -> None:
        """The device's data was just read: it goes to the end of the turn."""
        self._owed.pop(key, None)
        self._read_order.pop(key, None)
        self._read_order[key] = None

    def pick(self, devices: Mapping[str, DeviceState], *, in_turn: bool) -> list[DeviceState]:
        """The online devices to read now: the owed ones, then with `in_turn` the least recent.

        Offline devices have no data to read: an owed one stays owed until it is back.
        """
        for gone in [key for key in (*self._owed, *self._read_order) if key not in devices]:
            self._owed.pop(gone, None)
            self._read_order.pop(gone, None)
        picked = {key: devices[key] for key in self._owed if devices[key].online}
        if in_turn:
            never_read = (key for key in devices if key not in self._read_order)
            for key in (*self._read_order, *never_read):
                if len(picked) >= self._budget:
                    break
                if (state := devices.get(key)) is not None and state.online:
                    picked.setdefault(key, state)
        return list(picked.values())[: self._budget]
