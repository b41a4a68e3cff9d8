"""The rate limit: refusals for too many requests, one back-off for every request, retries.

The back-offs here are milliseconds long, or ended by `close()`: the waits are for conditions.
"""

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import partial
import logging

import pytest

from custom_components.tencent_iot.api import (
    RateLimit,
    TencentIoTClient,
    TencentIoTCloudError,
    TencentIoTInvalidApp,
    TencentIoTRateLimitError,
    parse_retry_after,
)
from custom_components.tencent_iot.api.const import RATE_LIMIT_RETRIES
from custom_components.tencent_iot.api.exceptions import cloud_error
from simulator import CloudSimulator

from .common import BULB, ClientFactory, home_family_id, phone_credentials, records_at


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("RequestLimitExceeded", "too many"),
        ("RequestLimitExceeded.UinLimitExceeded", ""),
        ("RequestLimitExceeded.GlobalRegionUinLimitExceeded", ""),
        ("RequestLimitExceeded.IPLimitExceeded", ""),
        ("InternalError", "RequestLimitExceeded.UinLimitExceeded|slow down"),
    ],
)
@pytest.mark.parametrize("signed", [True, False], ids=["appapi", "tokenapi"])
def test_rate_limit_codes(code: str, message: str, signed: bool) -> None:
    """Every code whose reason is RequestLimitExceeded is a refusal for too many requests."""
    error = cloud_error(code, message, "req-1", action="AppGetDeviceData", signed=signed)
    assert type(error) is TencentIoTRateLimitError
    assert (error.code, error.request_id, error.retry_after) == (code, "req-1", None)


@pytest.mark.parametrize(
    ("code", "signed", "expected"),
    [
        ("LimitExceeded", False, TencentIoTCloudError),  # a quantity, not a rate
        ("InvalidParameterValue.UserBindExceedLimit", False, TencentIoTCloudError),
        ("AuthFailure.SignatureFailure", True, TencentIoTInvalidApp),
    ],
)
def test_other_codes_are_no_rate_limit(
    code: str, signed: bool, expected: type[TencentIoTCloudError]
) -> None:
    """Quantity limits and other refusals keep their own errors."""
    error = cloud_error(code, "", action="AppGetToken", signed=signed)
    assert type(error) is expected


def test_parse_retry_after() -> None:
    """Seconds or an HTTP date; nonsense is ignored, the past is now, a day is an hour."""
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("1.5") == 1.5
    assert 50 <= (parse_retry_after(in_a_minute) or 0) <= 60
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00") == 0  # no zone: UTC
    assert parse_retry_after("-5") == 0
    assert parse_retry_after("86400") == 3600
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None
    assert parse_retry_after(None) is None


def refusal(retry_after: float | None = None) -> TencentIoTRateLimitError:
    """What a client raises for a refusal."""
    return TencentIoTRateLimitError("RequestLimitExceeded", "", retry_after=retry_after)


async def refused(error: TencentIoTRateLimitError) -> None:
    """A request the cloud refuses."""
    await asyncio.sleep(0)
    raise error


async def turns(count: int = 20) -> None:
    """Let the loop run: a request that waits for nothing else is done by then."""
    for _ in range(count):
        await asyncio.sleep(0)


async def test_a_refusal_holds_every_request_until_the_backoff_ends() -> None:
    """While the back-off runs nothing is sent; requests in flight do not grow it."""
    rate_limit = RateLimit(backoff_min=60)
    changes: list[bool] = []
    rate_limit.add_listener(changes.append)
    sent: list[str] = []

    async def request(name: str) -> str:
        await asyncio.sleep(0)
        sent.append(name)
        return name

    in_flight = [
        asyncio.ensure_future(rate_limit.send("AppGetDeviceData", lambda: refused(refusal())))
        for _ in range(3)
    ]
    results = await asyncio.gather(*in_flight, return_exceptions=True)
    assert all(isinstance(result, TencentIoTRateLimitError) for result in results)
    # Three refusals of requests sent together are one back-off, not three doublings.
    assert rate_limit.last_throttle is not None
    assert rate_limit.last_throttle.backoff == 60
    assert rate_limit.backing_off
    assert changes == [True]

    waiting = asyncio.ensure_future(rate_limit.send("AppControlDeviceData", lambda: request("a")))
    await turns()
    assert not sent
    assert not waiting.done()
    assert rate_limit.requests == {"AppGetDeviceData": 3}

    rate_limit.close()
    assert await waiting == "a"
    assert sent == ["a"]
    assert changes == [True, False]
    assert (rate_limit.total, rate_limit.throttled) == (4, False)


async def test_backoff_grows_per_refusal_in_a_row_and_honours_retry_after() -> None:
    """Each refusal after a back-off doubles it up to the maximum; Retry-After can lengthen it."""
    rate_limit = RateLimit(backoff_min=0.001, backoff_max=0.004)
    backoffs = []
    for retry_after in (None, None, None, None, 0.01):
        with pytest.raises(TencentIoTRateLimitError):
            await rate_limit.send("AppGetRoomList", partial(refused, refusal(retry_after)))
        assert rate_limit.last_throttle is not None
        backoffs.append(rate_limit.last_throttle.backoff)
    assert backoffs == [0.001, 0.002, 0.004, 0.004, 0.01]
    assert await rate_limit.send("AppGetRoomList", lambda: asyncio.sleep(0, "ok")) == "ok"
    assert not rate_limit.throttled
    with pytest.raises(TencentIoTRateLimitError):
        await rate_limit.send("AppGetRoomList", lambda: refused(refusal()))
    assert rate_limit.last_throttle is not None
    assert rate_limit.last_throttle.backoff == 0.001
    rate_limit.close()


async def test_an_answer_sent_before_the_refusal_does_not_end_it() -> None:
    """Only an answer to a request sent after the back-off says the cloud accepts again."""
    rate_limit = RateLimit(backoff_min=60)
    release = asyncio.Event()

    async def slow_answer() -> str:
        await release.wait()
        return "late"

    early = asyncio.ensure_future(rate_limit.send("AppGetDeviceData", slow_answer))
    await turns()
    with pytest.raises(TencentIoTRateLimitError):
        await rate_limit.send("AppGetDeviceData", lambda: refused(refusal()))
    release.set()
    assert await early == "late"
    assert rate_limit.throttled
    rate_limit.close()


async def test_a_failing_listener_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    """A listener that raises does not break the rate limit."""

    def broken(_throttled: bool) -> None:
        raise RuntimeError("listener bug")

    rate_limit = RateLimit(backoff_min=60)
    remove = rate_limit.add_listener(broken)
    with pytest.raises(TencentIoTRateLimitError):
        await rate_limit.send("AppGetUser", lambda: refused(refusal()))
    assert records_at(caplog, logging.ERROR, "Error in rate-limit listener")
    remove()
    rate_limit.close()
    assert not rate_limit.backing_off


async def logged_in(
    sim: CloudSimulator, make_client: ClientFactory, rate_limit: RateLimit
) -> TencentIoTClient:
    """A client of the demo user, logged in, whose requests go through `rate_limit`."""
    client = make_client(credentials=phone_credentials(sim), rate_limit=rate_limit)
    await client.login_password()
    return client


async def test_a_read_waits_out_refusals_then_succeeds(
    sim: CloudSimulator, make_client: ClientFactory
) -> None:
    """A refused read is sent again after each back-off, which grows."""
    rate_limit = RateLimit(backoff_min=0.001)
    client = await logged_in(sim, make_client, rate_limit)
    sim.throttle_next(2, action="AppGetRoomList")
    rooms = await client.get_rooms(home_family_id(sim))
    assert rooms
    assert sim.request_counts()["AppGetRoomList"] == 3
    assert rate_limit.requests["AppGetRoomList"] == 3
    assert rate_limit.last_throttle is not None
    assert rate_limit.last_throttle.backoff == 0.002
    assert not rate_limit.throttled


async def test_a_read_gives_up_after_its_retries(
    sim: CloudSimulator, make_client: ClientFactory
) -> None:
    """Still refused after RATE_LIMIT_RETRIES more tries, the refusal is raised."""
    rate_limit = RateLimit(backoff_min=0.001)
    client = await logged_in(sim, make_client, rate_limit)
    sim.throttle_next(10, action="AppGetRoomList", code="RequestLimitExceeded.UinLimitExceeded")
    with pytest.raises(TencentIoTRateLimitError) as err:
        await client.get_rooms(home_family_id(sim))
    assert err.value.code == "RequestLimitExceeded.UinLimitExceeded"
    assert sim.request_counts()["AppGetRoomList"] == 1 + RATE_LIMIT_RETRIES
    assert rate_limit.throttled
    rate_limit.close()


async def test_a_write_is_refused_once_and_429_sets_the_backoff(
    sim: CloudSimulator, make_client: ClientFactory
) -> None:
    """A control is not sent again; an HTTP 429's Retry-After (an HTTP date too) is the wait."""
    rate_limit = RateLimit(backoff_min=1)
    client = await logged_in(sim, make_client, rate_limit)
    in_two_minutes = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    sim.throttle_next(1, action="AppControlDeviceData", http_429=True, retry_after=in_two_minutes)
    with pytest.raises(TencentIoTRateLimitError) as err:
        await client.control_device(BULB, {"brightness": 10})
    assert err.value.code == "HTTP 429"
    assert 100 < (err.value.retry_after or 0) <= 120
    assert str(err.value) == "AppControlDeviceData: HTTP 429"
    assert sim.request_counts()["AppControlDeviceData"] == 1
    assert rate_limit.last_throttle is not None
    assert rate_limit.last_throttle.backoff == err.value.retry_after
    assert sim.controls() == []
    rate_limit.close()


async def test_clients_sharing_a_rate_limit_wait_together(
    sim: CloudSimulator, make_client: ClientFactory
) -> None:
    """Two clients given one rate limit (as a second cloud's client would be) back off as one."""
    shared = RateLimit(backoff_min=60)
    first = await logged_in(sim, make_client, shared)
    second = await logged_in(sim, make_client, shared)
    assert first.rate_limit is second.rate_limit is shared
    sim.throttle_next(1, action="AppControlDeviceData")
    with pytest.raises(TencentIoTRateLimitError):
        await first.control_device(BULB, {"brightness": 10})
    waiting = asyncio.ensure_future(second.get_rooms(home_family_id(sim)))
    await turns()
    assert "AppGetRoomList" not in shared.requests
    shared.close()
    assert await waiting
    assert sim.request_counts()["AppGetRoomList"] == 1
