"""The cloud's property history imported into the recorder's long-term statistics."""

from datetime import datetime, timedelta
from itertools import pairwise
from statistics import mean
from typing import Any

from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.components.sensor import SensorStateClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.tencent_iot import const
from custom_components.tencent_iot.const import CONF_HISTORY_DAYS, DOMAIN
from custom_components.tencent_iot.history import (
    HISTORY_PAGE_SIZE,
    HistoryImporter,
    HourlyReadings,
    _Gap,
    _Hour,
)
from simulator import CloudSimulator
from simulator.history import ENERGY_PER_HOUR, history_points, history_value

from .platform_common import PLUG, entity_id, set_up_entry

HISTORY = "AppGetDeviceDataHistory"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_until_unload: None, enable_custom_integrations: None
) -> None:
    """The recorder first: it must exist before `hass` is built."""


def importer_of(entry: MockConfigEntry) -> HistoryImporter:
    """The entry's history importer."""
    importer: HistoryImporter = entry.runtime_data.history
    return importer


async def hourly(hass: HomeAssistant, statistic_id: str) -> list[dict[str, Any]]:
    """Every hourly statistic of the id the recorder has, oldest first."""
    await async_wait_recording_done(hass)
    found = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        dt_util.utcnow() - timedelta(days=60),
        None,
        {statistic_id},
        "hour",
        None,
        {"mean", "min", "max", "state", "sum"},
    )
    return [dict(row) for row in found.get(statistic_id, [])]


async def import_round(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Wait for the round under way (it holds the importer's lock), then run one more."""
    await importer_of(entry).async_import()
    await async_wait_recording_done(hass)


async def set_up_and_import_energy(
    hass: HomeAssistant, entry: MockConfigEntry
) -> tuple[str, list[dict[str, Any]], float]:
    """Set the entry up, let its import end; the plug's energy sensor, its hours and their end."""
    set_up_in = this_hour()
    await set_up_entry(hass, entry)
    await import_round(hass, entry)
    energy_id = entity_id(hass, "sensor", PLUG, "energy")
    imported = await hourly(hass, energy_id)
    return energy_id, imported, imported_until(imported, set_up_in)


def this_hour() -> float:
    """The start of the current hour (UNIX s)."""
    return dt_util.utcnow().replace(minute=0, second=0, microsecond=0).timestamp()


def imported_until(rows: list[dict[str, Any]], set_up_in: float) -> float:
    """The end (UNIX s) of the imported hours: the hour the entry was set up in.

    Or the next one, should the hour have turned between `set_up_in` and the import's start:
    what a test expects follows the hour the import saw, not the clock when the test reads it.
    """
    end: float = rows[-1]["start"] + 3600
    assert set_up_in <= end <= this_hour()
    return end


def expected_hours(
    sim: CloudSimulator, prop_id: str, days: int, end: float
) -> dict[float, list[float]]:
    """The simulator's samples of the plug's property, by hour (UNIX s), in the days to `end`."""
    start = end - timedelta(days=days).total_seconds()
    device = sim.state.device(PLUG)
    hours: dict[float, list[float]] = {}
    for stamp in history_points(device, prop_id, int(start * 1000), int(end * 1000) - 1):
        hours.setdefault(stamp - stamp % 3600, []).append(history_value(device, prop_id, stamp))
    return hours


@pytest.fixture
def few_days(hass: HomeAssistant, config_entry: MockConfigEntry) -> MockConfigEntry:
    """The entry with two days of history to import: fewer requests for the recorder tests."""
    hass.config_entries.async_update_entry(config_entry, options={CONF_HISTORY_DAYS: 2})
    return config_entry


async def test_measurement_and_energy_history(
    hass: HomeAssistant, sim: CloudSimulator, few_days: MockConfigEntry
) -> None:
    """Hours before setup: mean/min/max of a measurement, state and sum of an energy counter."""
    set_up_in = this_hour()
    await set_up_entry(hass, few_days)
    await import_round(hass, few_days)

    power = await hourly(hass, entity_id(hass, "sensor", PLUG, "power"))
    end = imported_until(power, set_up_in)
    expected = expected_hours(sim, "power", 2, end)
    assert len(power) == len(expected) == 48
    for row in power:
        values = expected[row["start"]]
        assert row["mean"] == pytest.approx(mean(values))
        assert row["min"] == pytest.approx(min(values))
        assert row["max"] == pytest.approx(max(values))
    # Every hour lies before setup: the recorder compiles the current one itself.
    assert power[-1]["start"] < dt_util.utcnow().replace(minute=0, second=0).timestamp()

    energy = await hourly(hass, entity_id(hass, "sensor", PLUG, "energy"))
    expected = expected_hours(sim, "energy", 2, end)
    assert len(energy) == 48
    assert [row["state"] for row in energy] == pytest.approx(
        [expected[row["start"]][-1] for row in energy]
    )
    # The counter grows by the same amount each hour; the sums end where the recorder's start.
    growth = [later["sum"] - earlier["sum"] for earlier, later in pairwise(energy)]
    assert growth == pytest.approx([ENERGY_PER_HOUR] * 47)
    assert energy[-1]["sum"] == pytest.approx(0.0)
    assert "mean" not in energy[0] or energy[0]["mean"] is None


def first_hour_read(sim: CloudSimulator) -> float:
    """The first hour (UNIX s) the last history request asked for."""
    request = sim.last_request(HISTORY)
    assert request is not None
    min_time = request["body"]["MinTime"]  # type: ignore[index]
    assert isinstance(min_time, int)
    return min_time / 1000


async def test_nothing_imported_twice(
    hass: HomeAssistant, sim: CloudSimulator, few_days: MockConfigEntry
) -> None:
    """A reload neither reads the imported history again nor changes the imported hours."""
    energy_id, imported, setup_hour = await set_up_and_import_energy(hass, few_days)
    requests = sim.request_counts()[HISTORY]
    assert imported
    assert requests > 0

    assert await hass.config_entries.async_reload(few_days.entry_id)
    await hass.async_block_till_done()
    await import_round(hass, few_days)
    again = await hourly(hass, energy_id)
    if this_hour() == setup_hour:
        assert again == imported
        assert sim.request_counts()[HISTORY] == requests
    else:  # the hour turned meanwhile: that hour alone is read and added, nothing before it
        assert again[: len(imported)] == imported
        assert [row["start"] for row in again[len(imported) :]] == [setup_hour]
        assert first_hour_read(sim) >= setup_hour


async def test_only_hours_before_the_recorders_own(
    hass: HomeAssistant, sim: CloudSimulator, few_days: MockConfigEntry
) -> None:
    """With statistics the recorder already has, only older hours come in, chained to them."""
    energy_id, imported, setup_hour = await set_up_and_import_energy(hass, few_days)
    # Forget the import and all but the last 10 hours: as if the recorder had compiled those.
    importer = importer_of(few_days)
    importer._checked.clear()
    importer._done.clear()
    get_instance(hass).async_clear_statistics([energy_id])
    await async_wait_recording_done(hass)
    kept = imported[-10:]
    await _restore(hass, energy_id, kept)

    await import_round(hass, few_days)
    again = await hourly(hass, energy_id)
    expected = imported
    if this_hour() != setup_hour and again[0]["start"] == imported[1]["start"]:
        expected = imported[1:]  # the hour turned: the last two days begin an hour later
    assert again[-10:] == kept
    assert [row["start"] for row in again] == [row["start"] for row in expected]
    assert [row["sum"] for row in again] == pytest.approx([row["sum"] for row in expected])


async def _restore(hass: HomeAssistant, statistic_id: str, rows: list[dict[str, Any]]) -> None:
    """Put hours back as the recorder's own (an energy sensor's statistics)."""
    from homeassistant.components.recorder.models import (  # noqa: PLC0415
        StatisticData,
        StatisticMeanType,
        StatisticMetaData,
    )
    from homeassistant.components.recorder.statistics import (  # noqa: PLC0415
        async_import_statistics,
    )

    async_import_statistics(
        hass,
        StatisticMetaData(
            mean_type=StatisticMeanType.NONE,
            has_sum=True,
            name=None,
            source="recorder",
            statistic_id=statistic_id,
            unit_class="energy",
            unit_of_measurement="kWh",
        ),
        [
            StatisticData(
                start=datetime.fromtimestamp(row["start"], dt_util.UTC),
                state=row["state"],
                sum=row["sum"],
            )
            for row in rows
        ],
    )
    await async_wait_recording_done(hass)


@pytest.mark.usefixtures("quick_retries")
async def test_failed_page_is_read_again_whole(
    hass: HomeAssistant,
    sim: CloudSimulator,
    few_days: MockConfigEntry,
) -> None:
    """A round whose pages fail imports nothing; the next one imports every hour once."""
    sim.fail_next(10_000, action=HISTORY)
    await set_up_entry(hass, few_days)
    await import_round(hass, few_days)
    power_id = entity_id(hass, "sensor", PLUG, "power")
    assert await hourly(hass, power_id) == []

    sim.clear_faults()
    await import_round(hass, few_days)
    power = await hourly(hass, power_id)
    assert len(power) == len({row["start"] for row in power}) == 48


async def test_no_history_no_import(
    hass: HomeAssistant,
    sim: CloudSimulator,
    few_days: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A device the cloud has no history of imports nothing and logs nothing above debug."""
    sim.state.device(PLUG).history_days = 0
    await set_up_entry(hass, few_days)
    await import_round(hass, few_days)
    assert await hourly(hass, entity_id(hass, "sensor", PLUG, "energy")) == []
    assert not [
        record
        for record in caplog.records
        if record.name.startswith("custom_components.tencent_iot.history")
        and record.levelname != "DEBUG"
    ]


async def test_off_without_days(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """0 days turns the import off: not one request."""
    hass.config_entries.async_update_entry(config_entry, options={CONF_HISTORY_DAYS: 0})
    await set_up_entry(hass, config_entry)
    assert config_entry.runtime_data.history is not None
    assert sim.request_counts().get(HISTORY, 0) == 0


@pytest.fixture
def fast_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Background reads go as fast as the simulator answers."""
    monkeypatch.setattr(const, "BACKGROUND_REQUESTS_PER_SECOND", 100_000.0)


@pytest.mark.usefixtures("fast_pacing")
async def test_frequent_reports_every_page(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """A sensor that reported every 2 s for a day: every one of its hundreds of pages counts."""
    hass.config_entries.async_update_entry(config_entry, options={CONF_HISTORY_DAYS: 1})
    sim.set_history_interval(PLUG, 2)
    set_up_in = this_hour()
    await set_up_entry(hass, config_entry)
    await import_round(hass, config_entry)

    power = await hourly(hass, entity_id(hass, "sensor", PLUG, "power"))
    expected = expected_hours(sim, "power", 1, imported_until(power, set_up_in))
    assert sum(len(values) for values in expected.values()) > 200 * HISTORY_PAGE_SIZE
    assert [row["start"] for row in power] == sorted(expected)
    for row in power:
        values = expected[row["start"]]
        assert row["mean"] == pytest.approx(mean(values))
        assert row["max"] == pytest.approx(max(values))
    energy = await hourly(hass, entity_id(hass, "sensor", PLUG, "energy"))
    assert len(energy) == 24
    # 1800 readings an hour, summed up across page boundaries.
    growth = [later["sum"] - earlier["sum"] for earlier, later in pairwise(energy)]
    assert growth == pytest.approx([ENERGY_PER_HOUR] * 23, abs=1e-6)


async def test_gaps_filled_at_the_next_start(
    hass: HomeAssistant,
    sim: CloudSimulator,
    few_days: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Hours missing after downtime are read from the cloud at the next start, and only those.

    The energy counter's sums go on from the hour before each gap, so the hours after it
    (the recorder's own) do not jump: state and sum keep one offset all along.
    """
    energy_id, imported, setup_hour = await set_up_and_import_energy(hass, few_days)
    offset = imported[0]["sum"] - imported[0]["state"]
    assert all(row["sum"] - row["state"] == pytest.approx(offset) for row in imported)

    # The recorder had all but hours 20-24 (the cloud was down) and the last 6 (HA was down),
    # and the run before began 30 hours ago.
    assert await hass.config_entries.async_unload(few_days.entry_id)
    get_instance(hass).async_clear_statistics([energy_id])
    await async_wait_recording_done(hass)
    kept = imported[:20] + imported[25:-6]
    await _restore(hass, energy_id, kept)
    unique_id = f"{PLUG}/energy"
    began = datetime.fromtimestamp(imported[-30]["start"], dt_util.UTC)
    hass_storage[f"{DOMAIN}.{few_days.entry_id}.history"]["data"][unique_id] = began.isoformat()
    sim.reset_request_counts()

    await set_up_entry(hass, few_days)
    await import_round(hass, few_days)
    # (Should the hour have turned since the first start, that hour is a gap too.)
    again = (await hourly(hass, energy_id))[: len(imported)]
    assert [row["start"] for row in again] == [row["start"] for row in imported]
    assert [row["sum"] for row in again] == pytest.approx([row["sum"] for row in imported])
    assert all(row["sum"] - row["state"] == pytest.approx(offset) for row in again)
    # Only the two gaps of the energy counter were read, the newer one last; the other
    # sensors have all their hours (unless the hour turned: then it is a gap of each).
    if this_hour() == setup_hour:
        assert sim.request_counts()[HISTORY] == 2
        assert first_hour_read(sim) == imported[-6]["start"]


def test_hours_summed_up_whatever_the_page_order() -> None:
    """Pages that arrive newest first, and split an hour, give the hours of the readings.

    A total_increasing counter that falls was reset: it grew by its new value.
    """
    start = datetime(2026, 1, 1, tzinfo=dt_util.UTC)
    readings = [
        (start + timedelta(minutes=20 * n), value)
        for n, value in enumerate([1.0, 2.0, 3.0, 4.0, 0.5, 1.5])
    ]
    total = HourlyReadings(SensorStateClass.TOTAL_INCREASING)
    for page in (readings[4:], readings[2:4], readings[:2]):
        total.add(page)
    before = _Hour(start - timedelta(hours=1), state=0.5, sum=10.0)
    gap = _Gap(start, start + timedelta(hours=2), before, None)
    hours = total.statistics(True, gap)
    assert [row["state"] for row in hours] == [3.0, 1.5]
    # 0.5 -> 1 -> 2 -> 3, then 4, a reset to 0.5, 1.5: 2.5, then 1 + 0.5 + 1.
    assert [row["sum"] for row in hours] == pytest.approx([12.5, 15.0])

    measured = HourlyReadings(SensorStateClass.MEASUREMENT)
    for page in (readings[4:], readings[:4]):
        measured.add(page)
    hours = measured.statistics(False, gap)
    assert [(row["mean"], row["min"], row["max"]) for row in hours] == [
        (2.0, 1.0, 3.0),
        (2.0, 0.5, 4.0),
    ]
