"""AppGetDeviceDataHistory: a property's past values, made up but the same at every call.

A device has `history_days` of history (the fixture's devices 30, a device bound later none).
Every numeric property has a value every `history_interval` seconds (15 minutes unless a test
makes the device report more often) on a fixed grid: a daily wave within the property's
range, except the energy counters, which grow at ENERGY_PER_HOUR from the start of the
device's history. A value depends only on the device, the property and the
time, so pages read at different moments fit together and tests can compute what they expect.
"""

import math
from typing import Final
import zlib

from simulator import errors
from simulator.calls import Result
from simulator.errors import ApiError
from simulator.model import Device, now_ms
from simulator.params import Params
from simulator.thing_model import Member, number_range

ENERGY_PER_HOUR: Final = 0.125  # kWh
# Property ids the integration maps to an energy (kWh) counter.
ENERGY_IDS: Final = frozenset(
    {"energy", "electricity", "total_energy", "add_ele", "power_consumption"}
)
MAX_LIMIT: Final = 500
_DAY: Final = 86400


def history_start(device: Device) -> int:
    """The first second of the device's history."""
    return device.created - device.history_days * _DAY


def history_value(device: Device, prop_id: str, stamp: int) -> float:
    """The property's value at `stamp` (s), which lies within the device's history."""
    if prop_id in ENERGY_IDS:
        return round(ENERGY_PER_HOUR * (stamp - history_start(device)) / 3600, 3)
    member = device.product.model.properties[prop_id]
    low, high = number_range(member.define)
    low = 0.0 if low is None else low
    high = low + 100.0 if high is None else high
    phase = zlib.crc32(f"{device.device_id}/{prop_id}".encode()) % 360
    wave = math.sin(2 * math.pi * stamp / _DAY + math.radians(phase))
    value = (low + high) / 2 + (high - low) / 4 * wave
    return float(round(value)) if member.define.get("type") == "int" else round(value, 2)


def history_points(device: Device, prop_id: str, min_ms: int, max_ms: int) -> range:
    """The sample times (s) of a property within [min_ms, max_ms], oldest first."""
    if not _has_history(device, prop_id):
        return range(0)
    interval = device.history_interval
    first = max(history_start(device), math.ceil(min_ms / 1000))
    last = min(now_ms(), max_ms) // 1000
    return range(-(-first // interval) * interval, last + 1, interval)


def _has_history(device: Device, prop_id: str) -> bool:
    member: Member | None = device.product.model.properties.get(prop_id)
    return (
        device.history_days > 0
        and member is not None
        and member.define.get("type") in {"int", "float"}
    )


def history_page(device: Device, params: Params) -> Result:
    """AppGetDeviceDataHistory's answer, oldest first; Context is the offset of the next page."""
    field_name = params.text("FieldName")
    if field_name not in device.product.model.properties:
        raise ApiError(errors.INVALID_PARAM, f"FieldName {field_name!r} is not a property")
    min_time, max_time = params.integer("MinTime"), params.integer("MaxTime")
    limit = params.integer("Limit")
    if not 0 < limit <= MAX_LIMIT or min_time > max_time:
        raise ApiError(errors.INVALID_PARAM, f"Limit must be 1..{MAX_LIMIT}, MinTime <= MaxTime")
    context = params.text("Context", required=False)
    offset = int(context) if context.isdigit() else 0
    stamps = history_points(device, field_name, min_time, max_time)
    page = stamps[offset : offset + limit]
    return {
        "Context": str(offset + len(page)),
        "FieldName": field_name,
        "Listover": offset + len(page) >= len(stamps),
        "Results": [
            {"Time": str(stamp * 1000), "Value": str(history_value(device, field_name, stamp))}
            for stamp in page
        ],
    }
