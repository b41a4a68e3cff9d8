"""The cloud's property history, imported into the recorder as the sensors' hourly statistics.

Entity statistics (`async_import_statistics`, source "recorder", the entity id as statistic id)
and not external ones: the imported hours are then the sensor's own long-term history, shown by
its graphs and picked for the Energy dashboard with the entity, and the hours the recorder
compiles continue them.

At each start of the entry, and for each sensor that appears later, the hours of the last
*Days of history to import* that the recorder has no statistics of are filled from the cloud:
the days before the sensor first appeared, and the hours Home Assistant or the cloud was down.
Only whole hours before the sensor was set up in this run are filled (the recorder compiles the
ones after itself), never an hour the recorder has. A total's sums continue from the recorder's
hour before the gap (or, with none before, lead up to its hour after): no hour jumps. Every page
of a gap is read before anything of it is imported; a gap that fails is read again later.
"""

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
    get_last_statistics,
    statistics_during_period,
)
from homeassistant.components.sensor import SensorStateClass
from homeassistant.components.sensor.const import UNIT_CONVERTERS
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util

from .api import DataHistoryPoint, TencentIoTError, is_number
from .background import EntryFeature, FeatureStore, Page, RequestPacer, iterate_pages
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
# A round that left sensors out (a failed page, an entity not registered yet) runs again then.
HISTORY_RETRY: Final = timedelta(minutes=30)
_HOUR: Final = timedelta(hours=1)
_TOTALS: Final = (SensorStateClass.TOTAL, SensorStateClass.TOTAL_INCREASING)


def _hour_of(when: datetime) -> datetime:
    return when.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class _Sensor:
    state: DeviceState
    description: TencentIoTSensorEntityDescription
    entity_id: str

    @property
    def unique_id(self) -> str:
        return f"{self.state.key}/{self.description.key}"

    @property
    def is_total(self) -> bool:
        return self.description.state_class in _TOTALS


@dataclass(frozen=True, slots=True)
class _Hour:
    """An hour of statistics the recorder has: its start, and a total's state and sum."""

    start: datetime
    state: float | None
    sum: float | None


@dataclass(frozen=True, slots=True)
class _Gap:
    """Hours [start, end) without statistics, and the recorder's hours around them."""

    start: datetime
    end: datetime
    before: _Hour | None
    after: _Hour | None


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


@dataclass(slots=True)
class _Run:
    """Consecutive readings within one hour, as one page brought them."""

    first_time: datetime
    first: float
    last: float
    count: int = 1
    total: float = 0.0
    low: float = float("inf")
    high: float = float("-inf")
    growth: float = 0.0


@dataclass(slots=True)
class HourlyReadings:
    """A sensor's readings summed up by hour as the pages arrive, in whatever order they come.

    It keeps a few numbers per hour and page, not the readings: a sensor that reported every
    few seconds for a month costs no more memory than one that reported every hour.
    """

    state_class: Any
    _runs: dict[datetime, list[_Run]] = field(default_factory=dict)

    def add(self, readings: Iterable[tuple[datetime, float]]) -> None:
        """Add one page's readings, oldest first."""
        current: dict[datetime, _Run] = {}
        for when, value in readings:
            hour = _hour_of(when)
            if (run := current.get(hour)) is None:
                run = current[hour] = _Run(when, value, value)
                self._runs.setdefault(hour, []).append(run)
            else:
                run.growth += _growth(run.last, value, self.state_class)
                run.count += 1
                run.last = value
            run.total += value
            run.low, run.high = min(run.low, value), max(run.high, value)

    def statistics(self, is_total: bool, gap: _Gap) -> list[StatisticData]:
        """The hours: mean/min/max, or state and a sum that fits the recorder's hours around."""
        hours = [(hour, self._merged(hour)) for hour in sorted(self._runs)]
        if not is_total:
            return [
                StatisticData(start=hour, mean=run.total / run.count, min=run.low, max=run.high)
                for hour, run in hours
            ]
        sums: list[float] = []
        total = 0.0
        previous: float | None = None
        for _hour, run in hours:
            if previous is not None:
                total += _growth(previous, run.first, self.state_class)
            total += run.growth
            sums.append(total)
            previous = run.last
        offset = -total  # with no hour around, the sums end at 0 where the recorder's begin
        if gap.before is not None and gap.before.sum is not None:
            offset = gap.before.sum
            if gap.before.state is not None:
                offset += _growth(gap.before.state, hours[0][1].first, self.state_class)
        elif gap.after is not None and gap.after.sum is not None:
            growth = 0.0
            if gap.after.state is not None and previous is not None:
                growth = _growth(previous, gap.after.state, self.state_class)
            offset = gap.after.sum - growth - total
        return [
            StatisticData(start=hour, state=run.last, sum=hour_sum + offset)
            for (hour, run), hour_sum in zip(hours, sums, strict=True)
        ]

    def __bool__(self) -> bool:
        """Whether any reading came."""
        return bool(self._runs)

    def _merged(self, hour: datetime) -> _Run:
        runs = sorted(self._runs[hour], key=lambda run: run.first_time)
        merged = _Run(runs[0].first_time, runs[0].first, runs[0].last, 0)
        for run in runs:
            if run is not runs[0]:
                merged.growth += _growth(merged.last, run.first, self.state_class)
            merged.growth += run.growth
            merged.count += run.count
            merged.total += run.total
            merged.low, merged.high = min(merged.low, run.low), max(merged.high, run.high)
            merged.last = run.last
        return merged


def find_gaps(
    hours: Sequence[_Hour],
    start: datetime,
    end: datetime,
    checked: datetime | None,
    earlier: _Hour | None = None,
) -> list[_Gap]:
    """The runs of hours in [start, end) without statistics; not those all before `checked`.

    `hours` are the recorder's from `start` on, `earlier` its last one before.
    """
    have = {hour.start: hour for hour in hours}
    if earlier is not None:
        have[start - _HOUR] = earlier
    later = sorted((hour for hour in hours if hour.start >= end), key=lambda hour: hour.start)
    gaps: list[_Gap] = []
    gap_start: datetime | None = None
    hour = start
    while hour <= end:
        if hour < end and hour not in have:
            gap_start = gap_start or hour
        elif gap_start is not None:
            if checked is None or hour > checked:
                after = have.get(hour) or next(iter(later), None)
                gaps.append(_Gap(gap_start, hour, have.get(gap_start - _HOUR), after))
            gap_start = None
        hour += _HOUR
    return gaps


def _hours(rows: Iterable[Mapping[str, Any]]) -> list[_Hour]:
    return [
        _Hour(dt_util.utc_from_timestamp(row["start"]), row.get("state"), row.get("sum"))
        for row in rows
    ]


class HistoryImporter(EntryFeature):
    """Fills the hours missing from the sensors' statistics, in the background."""

    def __init__(self, hass: HomeAssistant, entry: TencentIoTConfigEntry) -> None:
        """Nothing imported yet; the saved progress is loaded by the first round."""
        super().__init__(hass, entry)
        self.days: int = entry.options.get(CONF_HISTORY_DAYS, DEFAULT_HISTORY_DAYS)
        # Unique id -> the hour up to which the sensor's gaps were filled (as far as the cloud
        # had them), saved; and the sensors done in this run, with the hour they appeared.
        self._checked: dict[str, datetime] = {}
        self._done: set[str] = set()
        self._appeared: dict[str, datetime] = {}
        self._loaded = False
        self._store = FeatureStore(
            hass,
            entry,
            "history",
            lambda: {key: when.isoformat() for key, when in self._checked.items()},
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
        self.entry.async_on_unload(self._store.async_flush)
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
        """One round: every sensor not done yet; what fails is tried again later."""
        await self._round.async_run()

    async def _async_import_round(self) -> None:
        if not self._loaded:
            saved = await self._store.async_load()
            # Before 2026.11 a list of the sensors imported once: their gaps are looked at anew.
            if isinstance(saved, dict):
                self._checked = {
                    key: dt_util.as_utc(when)
                    for key, text in saved.items()
                    if (when := dt_util.parse_datetime(text)) is not None
                }
            self._loaded = True
        now = dt_util.utcnow()
        pending = self._pending(_hour_of(now))
        pacer = RequestPacer()
        semaphore = asyncio.Semaphore(DATA_READ_CONCURRENCY)

        async def import_one(sensor: _Sensor) -> bool:
            async with semaphore:
                try:
                    await self._async_fill_sensor(sensor, now, pacer)
                except TencentIoTError as err:
                    LOGGER.debug("History of %s not read: %s", sensor.entity_id, err)
                    return False
            return True

        results = await asyncio.gather(*(import_one(sensor) for sensor in pending))
        self._store.async_save()
        # Left out: a failed read, or a sensor whose entity is not registered yet.
        if (not all(results) or len(pending) < len(self._not_done())) and (
            self._cancel_retry is None
        ):
            self._cancel_retry = async_call_later(self.hass, HISTORY_RETRY, self._schedule)

    def _not_done(self) -> list[tuple[DeviceState, TencentIoTSensorEntityDescription]]:
        return [
            (state, description)
            for state in self.coordinator.devices.values()
            for description in state_mapping(self.entry, state).sensors
            if description.state_class is not None
            and f"{state.key}/{description.key}" not in self._done
        ]

    def _pending(self, hour: datetime) -> list[_Sensor]:
        registry = er.async_get(self.hass)
        pending = [
            _Sensor(state, description, entity_id)
            for state, description in self._not_done()
            if (
                entity_id := registry.async_get_entity_id(
                    "sensor", DOMAIN, f"{state.key}/{description.key}"
                )
            )
        ]
        for sensor in pending:
            self._appeared.setdefault(sensor.unique_id, hour)
        return pending

    async def _async_fill_sensor(self, sensor: _Sensor, now: datetime, pacer: RequestPacer) -> None:
        """Fill each gap of the sensor's statistics; done when all of them are filled."""
        start = _hour_of(now) - timedelta(days=self.days)
        # The recorder compiles the hours from the sensor's appearance in this run on.
        end = self._appeared[sensor.unique_id]
        found = await get_instance(self.hass).async_add_executor_job(
            statistics_during_period,
            self.hass,
            start,
            None,
            {sensor.entity_id},
            "hour",
            None,
            {"state", "sum"},
        )
        hours = _hours(found.get(sensor.entity_id, []))
        earlier: _Hour | None = None
        if sensor.is_total and (not hours or hours[0].start > start):
            # Hours missing from the start on: a total's sums go on from its last hour before.
            newest = await get_instance(self.hass).async_add_executor_job(
                get_last_statistics,
                self.hass,
                len(hours) + 1,
                sensor.entity_id,
                False,
                {"state", "sum"},
            )
            earlier = next(
                (hour for hour in _hours(newest.get(sensor.entity_id, [])) if hour.start < start),
                None,
            )
        checked = self._checked.get(sensor.unique_id)
        for gap in find_gaps(hours, start, end, checked, earlier):
            readings = await self._async_read(sensor, gap, pacer)
            if readings:
                self._import(sensor, readings.statistics(sensor.is_total, gap))
            else:
                LOGGER.debug("No history of %s from %s to %s", sensor.entity_id, gap.start, gap.end)
        self._checked[sensor.unique_id] = max(end, self._checked.get(sensor.unique_id, end))
        self._done.add(sensor.unique_id)

    async def _async_read(self, sensor: _Sensor, gap: _Gap, pacer: RequestPacer) -> HourlyReadings:
        """Every page of the gap first: a failed page imports nothing of it."""
        device = sensor.state.device
        readings = HourlyReadings(sensor.description.state_class)

        async def read_page(context: str | None) -> Page[DataHistoryPoint]:
            page = await self.coordinator.client.get_device_data_history(
                device,
                sensor.description.key,
                min_time=int(gap.start.timestamp() * 1000),
                max_time=int(gap.end.timestamp() * 1000) - 1,
                limit=HISTORY_PAGE_SIZE,
                context=context,
            )
            return page.points, page.context, page.list_over

        async for points in iterate_pages(read_page, pacer):
            readings.add(self._readings(sensor, points))
        return readings

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
        metadata = StatisticMetaData(
            mean_type=StatisticMeanType.NONE if sensor.is_total else StatisticMeanType.ARITHMETIC,
            has_sum=sensor.is_total,
            name=None,
            source="recorder",
            statistic_id=sensor.entity_id,
            unit_class=_unit_class(description),
            unit_of_measurement=description.native_unit_of_measurement,
        )
        async_import_statistics(self.hass, metadata, statistics)
        LOGGER.debug("Imported %d hours of history for %s", len(statistics), sensor.entity_id)
