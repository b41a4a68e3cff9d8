"""The cloud's property history, imported into the recorder as the sensors' hourly statistics.

Entity statistics (`async_import_statistics`, source "recorder", the entity id as statistic id)
and not external ones: the imported hours are then the sensor's own long-term history, shown by
its graphs and picked for the Energy dashboard with the entity, and the hours the recorder
compiles from then on continue them. Only whole hours before the first hour the recorder already
has (or before the current hour) are imported, once per sensor: the recorder's own hours are
never overwritten, and a sum ends where the recorder's begins.
"""

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    STATISTIC_UNIT_TO_UNIT_CONVERTER,
    async_import_statistics,
    statistics_during_period,
)
from homeassistant.components.sensor import SensorStateClass
from homeassistant.components.sensor.const import UNIT_CONVERTERS
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.recorder import get_instance
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import DataHistoryPoint, TencentIoTError, is_number
from .background import EntryFeature, Page, RequestPacer, read_pages
from .cloud import CoalescedRead
from .const import (
    CONF_HISTORY_DAYS,
    DATA_READ_CONCURRENCY,
    DEFAULT_HISTORY_DAYS,
    DOMAIN,
    LOGGER,
)
from .customise import state_mapping
from .mapping.descriptions import TencentIoTSensorEntityDescription
from .models import DeviceState, TencentIoTConfigEntry

HISTORY_PAGE_SIZE: Final = 200
# A sensor whose history has more pages than this gets its oldest ones only (the cloud's order).
_MAX_PAGES: Final = 200
# A round that left sensors out (a failed page, an entity not registered yet) runs again then.
HISTORY_RETRY: Final = timedelta(minutes=30)
_STORAGE_VERSION: Final = 1
_TOTALS: Final = (SensorStateClass.TOTAL, SensorStateClass.TOTAL_INCREASING)


@dataclass(frozen=True, slots=True)
class _Sensor:
    state: DeviceState
    description: TencentIoTSensorEntityDescription
    entity_id: str

    @property
    def unique_id(self) -> str:
        return f"{self.state.key}/{self.description.key}"


def _growth(previous: float, value: float, state_class: Any) -> float:
    """How much a total grew between two readings; a total_increasing that fell was reset."""
    if value < previous and state_class == SensorStateClass.TOTAL_INCREASING:
        return value
    return value - previous


def _unit_class(description: TencentIoTSensorEntityDescription) -> str | None:
    """The unit class the sensor's own statistics get (as the sensor platform decides it)."""
    unit = description.native_unit_of_measurement
    if (
        description.device_class is not None
        and (converter := UNIT_CONVERTERS.get(description.device_class)) is not None
        and unit in converter.VALID_UNITS
    ):
        return converter.UNIT_CLASS
    if (converter := STATISTIC_UNIT_TO_UNIT_CONVERTER.get(unit)) is not None:
        return converter.UNIT_CLASS
    return None


def hourly_statistics(
    description: TencentIoTSensorEntityDescription,
    readings: Iterable[tuple[datetime, float]],
    end_sum: float,
) -> list[StatisticData]:
    """Hours of readings (oldest first): mean/min/max, or state and a sum ending at `end_sum`."""
    hours: dict[datetime, list[float]] = {}
    sums: dict[datetime, float] = {}
    total = 0.0
    previous: float | None = None
    for when, value in readings:
        hour = when.replace(minute=0, second=0, microsecond=0)
        hours.setdefault(hour, []).append(value)
        if previous is not None:
            total += _growth(previous, value, description.state_class)
        previous = value
        sums[hour] = total
    if description.state_class in _TOTALS:
        offset = end_sum - total
        return [
            StatisticData(start=hour, state=values[-1], sum=sums[hour] + offset)
            for hour, values in hours.items()
        ]
    return [
        StatisticData(start=hour, mean=sum(values) / len(values), min=min(values), max=max(values))
        for hour, values in hours.items()
    ]


class HistoryImporter(EntryFeature):
    """Imports each sensor's cloud history once, in the background."""

    def __init__(self, hass: HomeAssistant, entry: TencentIoTConfigEntry) -> None:
        """Nothing imported yet; the saved list is loaded by the first round."""
        super().__init__(hass, entry)
        self.days: int = entry.options.get(CONF_HISTORY_DAYS, DEFAULT_HISTORY_DAYS)
        # Unique ids of the sensors whose history is in (or was not in the cloud).
        self._imported: set[str] = set()
        self._loaded = False
        self._store: Store[list[str]] = Store(
            hass, _STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.history"
        )
        self._round = CoalescedRead(hass, entry, self._async_import_round, "the sensors' history")
        self._cancel_retry: CALLBACK_TYPE | None = None

    @callback
    def async_start(self) -> None:
        """Import now and for each device found later; nothing without recorder or days."""
        if self.days <= 0 or "recorder" not in self.hass.config.components:
            return
        self.entry.async_on_unload(
            self.coordinator.listeners.async_add_new_devices_listener(lambda _: self._schedule())
        )
        self.entry.async_on_unload(self._stop_retry)
        self._schedule()

    @callback
    def _schedule(self, _now: Any = None) -> None:
        self._cancel_retry = None
        self._round.async_schedule()

    @callback
    def _stop_retry(self) -> None:
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None

    async def async_import(self) -> None:
        """One round: every sensor not imported yet; what fails is tried again later."""
        await self._round.async_run()

    async def _async_import_round(self) -> None:
        if not self._loaded:
            self._imported.update(await self._store.async_load() or [])
            self._loaded = True
        end = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
        start = end - timedelta(days=self.days)
        pending = self._pending()
        pacer = RequestPacer()
        semaphore = asyncio.Semaphore(DATA_READ_CONCURRENCY)

        async def import_one(sensor: _Sensor) -> bool:
            async with semaphore:
                try:
                    await self._async_import_sensor(sensor, start, end, pacer)
                except TencentIoTError as err:
                    LOGGER.debug("History of %s not read: %s", sensor.entity_id, err)
                    return False
            return True

        results = await asyncio.gather(*(import_one(sensor) for sensor in pending))
        await self._store.async_save(sorted(self._imported))
        # Left out: a failed read, or a sensor whose entity is not registered yet.
        if (not all(results) or len(pending) < len(self._not_imported())) and (
            self._cancel_retry is None
        ):
            self._cancel_retry = async_call_later(self.hass, HISTORY_RETRY, self._schedule)

    def _not_imported(self) -> list[tuple[DeviceState, TencentIoTSensorEntityDescription]]:
        return [
            (state, description)
            for state in self.coordinator.devices.values()
            for description in state_mapping(self.entry, state).sensors
            if description.state_class is not None
            and f"{state.key}/{description.key}" not in self._imported
        ]

    def _pending(self) -> list[_Sensor]:
        registry = er.async_get(self.hass)
        return [
            _Sensor(state, description, entity_id)
            for state, description in self._not_imported()
            if (
                entity_id := registry.async_get_entity_id(
                    "sensor", DOMAIN, f"{state.key}/{description.key}"
                )
            )
        ]

    async def _async_import_sensor(
        self, sensor: _Sensor, start: datetime, end: datetime, pacer: RequestPacer
    ) -> None:
        existing = await get_instance(self.hass).async_add_executor_job(
            statistics_during_period,
            self.hass,
            start,
            None,
            {sensor.entity_id},
            "hour",
            None,
            {"state", "sum"},
        )
        first = next(iter(existing.get(sensor.entity_id, [])), None)
        until = min(end, dt_util.utc_from_timestamp(first["start"])) if first else end
        readings = (
            self._readings(sensor, await self._async_read(sensor, start, until, pacer))
            if until > start
            else []
        )
        if readings:
            end_sum = 0.0
            if first is not None and first.get("sum") is not None:
                first_state = first.get("state")
                growth = (
                    _growth(readings[-1][1], first_state, sensor.description.state_class)
                    if first_state is not None
                    else 0.0
                )
                end_sum = (first["sum"] or 0.0) - growth
            self._import(sensor, hourly_statistics(sensor.description, readings, end_sum))
        else:
            LOGGER.debug("No history to import for %s", sensor.entity_id)  # or all in already
        self._imported.add(sensor.unique_id)

    async def _async_read(
        self, sensor: _Sensor, start: datetime, until: datetime, pacer: RequestPacer
    ) -> list[DataHistoryPoint]:
        """Every page first: a failed page imports nothing, and the next round reads it all."""
        device = sensor.state.device

        async def read_page(context: str | None) -> Page[DataHistoryPoint]:
            page = await self.coordinator.client.get_device_data_history(
                device,
                sensor.description.key,
                min_time=int(start.timestamp() * 1000),
                max_time=int(until.timestamp() * 1000) - 1,
                limit=HISTORY_PAGE_SIZE,
                context=context,
            )
            return page.points, page.context, page.list_over

        return await read_pages(read_page, pacer, _MAX_PAGES)

    @staticmethod
    def _readings(
        sensor: _Sensor, points: Iterable[DataHistoryPoint]
    ) -> list[tuple[datetime, float]]:
        """The numeric values, oldest first, as the sensor would show them."""
        prop = sensor.state.product.thing_model.properties.get(sensor.description.key)
        readings: list[tuple[datetime, float]] = []
        for point in sorted(points, key=lambda point: point.time):
            try:
                raw = prop.decode(point.value) if prop is not None else point.value
            except ValueError:
                continue
            value = sensor.description.value_fn(raw)
            if is_number(value):
                readings.append((dt_util.utc_from_timestamp(point.time / 1000), float(value)))
        return readings

    def _import(self, sensor: _Sensor, statistics: list[StatisticData]) -> None:
        description = sensor.description
        is_total = description.state_class in _TOTALS
        metadata = StatisticMetaData(
            mean_type=StatisticMeanType.NONE if is_total else StatisticMeanType.ARITHMETIC,
            has_sum=is_total,
            name=None,
            source="recorder",
            statistic_id=sensor.entity_id,
            unit_class=_unit_class(description),
            unit_of_measurement=description.native_unit_of_measurement,
        )
        async_import_statistics(self.hass, metadata, statistics)
        LOGGER.debug("Imported %d hours of history for %s", len(statistics), sensor.entity_id)
