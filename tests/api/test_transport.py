"""Transport: envelopes, errors, retries, timeouts, concurrency and signing, over loopback."""

import asyncio
from collections.abc import Awaitable, Callable
import logging
import time
from typing import Any

import aiohttp
import pytest

from custom_components.tencent_iot.api import (
    TencentIoTAuthError,
    TencentIoTClient,
    TencentIoTCloudError,
    TencentIoTConnectionError,
    TencentIoTDeviceGoneError,
    TencentIoTInvalidApp,
    TencentIoTInvalidCredentials,
    TencentIoTKugouError,
    TencentIoTRejectedError,
    TencentIoTResponseError,
    TencentIoTSceneRunningError,
    TencentIoTTimeoutError,
    TencentIoTTokenError,
    Token,
)
from custom_components.tencent_iot.api.signing import signature_source, signed_body
from custom_components.tencent_iot.api.transport import Transport, parse_envelope
from simulator import CloudSimulator
from simulator.signing import (
    signature_matches,
    signature_source as simulator_signature_source,
)

from .common import (
    BULB,
    SPEAKER,
    ClientFactory,
    home_family_id,
    key,
    phone_credentials,
    records_at,
)


def _closed_port_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/api/exploreropen"


def sim_transport(session: aiohttp.ClientSession, sim: CloudSimulator, **options: Any) -> Transport:
    """A bare transport to the simulator with the app's keys, no client around it."""
    return Transport(
        session,
        sim.api_url,
        app_key=sim.app_key,
        app_secret=sim.app_secret,
        region_id=1,
        **options,
    )


# Both envelopes


@pytest.mark.parametrize("wrapped", [False, True], ids=["documented", "wrapped"])
async def test_envelopes(
    sim: CloudSimulator, make_client: ClientFactory, tokens: list[Token], wrapped: bool
) -> None:
    """The same calls and errors work whether the cloud answers {"Response"} or {"code"...}."""
    sim.set_wrapped(wrapped)
    client = make_client(credentials=phone_credentials(sim), on_token=tokens.append)
    await client.login_password()
    assert (await client.get_user()).user_id == sim.demo_user.user_id
    home = home_family_id(sim)
    assert len(await client.get_families()) == 2
    devices = await client.get_devices(home)
    assert len(devices) == len(sim.state.families[home].device_ids)
    assert (await client.get_device_data(BULB))["brightness"].value == 80
    await client.control_device(BULB, {"brightness": 12})
    assert sim.controls()[-1]["Data"] == {"brightness": 12}
    assert (await client.call_action(BULB, "blink", {"times": 2})).status == "succ"
    assert (await client.kugou_command(key(SPEAKER), "user_info"))["isVip"] == 1
    with pytest.raises(TencentIoTKugouError):
        await client.kugou_command(key(SPEAKER), "nope")
    with pytest.raises(TencentIoTCloudError) as err:
        await client.control_device(BULB, {"brightness": 0})
    assert err.value.code == "InvalidParameterValue"
    assert err.value.request_id
    assert err.value.message.startswith("brightness")
    # Token expiry: -1000 in the wrapper, TokenIsExpire in the documented shape.
    sim.expire_tokens()
    assert (await client.get_user()).user_id == sim.demo_user.user_id
    assert len(tokens) == 2
    # Signed-call errors.
    with pytest.raises(TencentIoTInvalidCredentials):
        await client.login_password(phone_credentials(sim, password="bad"))
    with pytest.raises(TencentIoTInvalidApp):
        await make_client(app_key="nope").login_password(phone_credentials(sim))


# Connection errors, HTTP 5xx, timeouts, malformed replies


async def test_connection_error(
    sim: CloudSimulator, make_client: ClientFactory, closed_port: int
) -> None:
    """Nothing listening: a connection error, after the retries of a read."""
    client = make_client(api_url=_closed_port_url(closed_port), access_token="t")
    with pytest.raises(TencentIoTConnectionError) as err:
        await client.get_user()
    assert type(err.value) is TencentIoTConnectionError
    assert str(err.value).startswith("AppGetUser: ")
    with pytest.raises(TencentIoTConnectionError):
        await client.login_password(phone_credentials(sim))


async def test_connection_error_read_is_retried(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture, closed_port: int
) -> None:
    """A read is tried 1 + len(retry_delays) times."""
    caplog.set_level(logging.DEBUG, logger="custom_components.tencent_iot")
    client = make_client(
        api_url=_closed_port_url(closed_port), access_token="t", retry_delays=(0.0, 0.01)
    )
    with pytest.raises(TencentIoTConnectionError):
        await client.get_families()
    assert len(records_at(caplog, logging.DEBUG, "AppGetFamilyList failed")) == 2
    caplog.clear()
    with pytest.raises(TencentIoTConnectionError):
        await client.control_device(BULB, {"brightness": 1})
    assert records_at(caplog, logging.DEBUG, "failed") == []


async def test_http_500_read_retried(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """Two HTTP 500s are absorbed by two retries of a read."""
    sim.fail_next(2, action="AppGetDeviceData")
    data = await client.get_device_data(BULB)
    assert data["brightness"].value == 80
    assert sim.request_counts()["AppGetDeviceData"] == 3


async def test_http_500_read_gives_up(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """A read gives up after its retries with a connection error naming the status."""
    sim.fail_next(3, action="AppGetUser")
    with pytest.raises(TencentIoTConnectionError, match="AppGetUser: HTTP 500"):
        await client.get_user()
    assert sim.request_counts()["AppGetUser"] == 3
    assert (await client.get_user()).user_id == sim.demo_user.user_id


@pytest.mark.parametrize(
    "action",
    [
        "AppControlDeviceData",
        "AppRunScene",
        "AppCreateTimer",
        "AppCallDeviceActionSync",
        "AppGetToken",
    ],
)
async def test_http_500_not_retried_for_writes(
    client: TencentIoTClient, sim: CloudSimulator, action: str
) -> None:
    """Control, scene runs, timer creation, actions and logins are never repeated."""
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "AppControlDeviceData": lambda: client.control_device(BULB, {"brightness": 5}),
        "AppRunScene": lambda: client.run_scene(next(iter(sim.state.scenes))),
        "AppCreateTimer": lambda: client.create_timer(
            BULB, timer_name="t", days="0000000", time_point="01:00", data={"brightness": 1}
        ),
        "AppCallDeviceActionSync": lambda: client.call_action(BULB, "blink", {"times": 1}),
        "AppGetToken": client.login_password,
    }
    sim.fail_next(1, action=action)
    with pytest.raises(TencentIoTConnectionError, match="HTTP 500"):
        await calls[action]()
    counts = sim.request_counts()
    assert counts[action] == 1 + (action == "AppGetToken")  # the fixture's own login
    assert sim.controls() == []
    assert sim.timers(key(BULB)) == []


async def test_timeout_read_retried(sim: CloudSimulator, make_client: ClientFactory) -> None:
    """A reply slower than the client's timeout is a timeout; a read tries again."""
    client = make_client(credentials=phone_credentials(sim), timeout=0.1, retry_delays=(0.0,))
    await client.login_password()
    # Held far longer than the timeout: a loaded machine's retry still answers well before.
    sim.delay_next(1.0, action="AppGetUser")
    started = time.monotonic()
    assert (await client.get_user()).user_id == sim.demo_user.user_id
    assert time.monotonic() - started < 1.0
    assert sim.request_counts()["AppGetUser"] == 2


async def test_timeout(sim: CloudSimulator, make_client: ClientFactory) -> None:
    """Timeouts are connection errors; control is not repeated."""
    client = make_client(credentials=phone_credentials(sim), timeout=0.1, retry_delays=())
    await client.login_password()
    sim.delay_next(0.3, action="AppGetUser")
    with pytest.raises(TencentIoTTimeoutError, match=r"AppGetUser: no reply within 0\.1 s"):
        await client.get_user()
    sim.delay_next(0.3, action="AppControlDeviceData")
    with pytest.raises(TencentIoTTimeoutError) as err:
        await client.control_device(BULB, {"brightness": 9})
    assert isinstance(err.value, TencentIoTConnectionError)
    assert sim.request_counts()["AppControlDeviceData"] == 1
    sim.delay_next(0.3, action="AppGetToken")
    with pytest.raises(TencentIoTTimeoutError):
        await client.login_password()


async def test_malformed_json(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """A reply cut in half is a response error, and is not retried (the call happened)."""
    sim.malform_next(1, action="AppGetUser")
    with pytest.raises(TencentIoTResponseError, match="AppGetUser: reply is not JSON"):
        await client.get_user()
    assert sim.request_counts()["AppGetUser"] == 1
    sim.malform_next(1, action="AppControlDeviceData")
    with pytest.raises(TencentIoTResponseError):
        await client.control_device(BULB, {"brightness": 77})
    assert sim.controls()[-1]["Data"] == {"brightness": 77}
    assert sim.request_counts()["AppControlDeviceData"] == 1
    sim.malform_next(1, action="AppGetToken")
    with pytest.raises(TencentIoTResponseError):
        await client.login_password()


async def test_not_found_is_a_response_error(
    sim: CloudSimulator, make_client: ClientFactory
) -> None:
    """A wrong base URL answers 404 text: a response error naming the status."""
    client = make_client(api_url=f"{sim.base_url}/wrong/path", access_token="t")
    with pytest.raises(TencentIoTResponseError, match="AppGetUser: HTTP 404"):
        await client.get_user()


async def test_token_error_not_retried_as_connection_error(
    client: TencentIoTClient, sim: CloudSimulator, make_client: ClientFactory
) -> None:
    """Cloud errors are not retried, even for reads."""
    with pytest.raises(TencentIoTCloudError):
        await client.get_devices("f_no_such_family")
    assert sim.request_counts()["AppGetFamilyDeviceList"] == 1
    sim.expire_tokens(revoke=True)
    token_only = make_client(access_token=client.access_token)
    with pytest.raises(TencentIoTTokenError) as err:
        await token_only.get_families()
    assert err.value.code == "InvalidParameterValue.InvalidAccessToken"
    assert sim.request_counts()["AppGetFamilyList"] == 1


# Limits


async def test_requests_in_flight_are_limited(
    sim: CloudSimulator, session: aiohttp.ClientSession
) -> None:
    """With 2 in flight, 4 requests that each take 0.2 s need two rounds."""
    transport = sim_transport(session, sim, max_in_flight=2)
    assert transport.api_url == sim.api_url
    sim.delay_next(0.2, count=4, action="AppSendVerificationCode")
    account = sim.phone_account
    params = {"Type": "login", "CountryCode": account.country_code, "PhoneNumber": account.account}
    started = time.monotonic()
    await asyncio.gather(
        *(transport.call_signed("AppSendVerificationCode", params) for _ in range(4))
    )
    assert time.monotonic() - started >= 0.38
    assert sim.request_counts()["AppSendVerificationCode"] == 4


async def test_default_limit_allows_ten(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """Ten slow reads run side by side under the default limit; the eleventh waits.

    Each is held a second: sending ten costs a loaded machine far less than a second round.
    """
    sim.delay_next(1.0, count=10, action="AppGetUser")
    started = time.monotonic()
    await asyncio.gather(*(client.get_user() for _ in range(10)))
    assert time.monotonic() - started < 2.0  # one round: two would take 2 s
    sim.delay_next(1.0, count=11, action="AppGetUser")
    started = time.monotonic()
    await asyncio.gather(*(client.get_user() for _ in range(11)))
    assert time.monotonic() - started >= 1.98


async def test_signed_call_retried_with_fresh_signature(
    sim: CloudSimulator, session: aiohttp.ClientSession
) -> None:
    """A retried signed call is signed again (new Nonce) and accepted."""
    transport = sim_transport(session, sim, retry_delays=(0.0,))
    sim.fail_next(1, action="AppGetToken")
    account = sim.phone_account
    reply = await transport.call_signed(
        "AppGetToken",
        {
            "Type": "phone",
            "CountryCode": account.country_code,
            "PhoneNumber": account.account,
            "Password": account.password,
        },
        retry=True,
    )
    assert reply["Data"]["Token"] in sim.state.sessions
    assert sim.request_counts()["AppGetToken"] == 2


# Signing


def test_signature_matches_simulator() -> None:
    """The client's signature is what the simulator (and the doc) computes."""
    params: dict[str, Any] = {
        "Action": "AppGetToken",
        "RequestId": "r-1",
        "Empty": "",
        "Nothing": None,
        "Under_score": "x",
        "ProductIds": ["a", "b"],
        "Flag": True,
        "Count": 3,
        "Text": "中文 a=b&c",
    }
    body = signed_body(params, app_key="K", app_secret="S", timestamp=1700000000, nonce=42)
    assert "Empty" not in body
    assert "Nothing" not in body
    assert (body["AppKey"], body["Timestamp"], body["Nonce"]) == ("K", 1700000000, 42)
    assert signature_matches("S", body, body["Signature"])
    assert not signature_matches("other", body, body["Signature"])
    source = signature_source(body)
    assert source == simulator_signature_source(body)
    assert source.startswith("Action=AppGetToken&AppKey=K&Count=3&Flag=true&Nonce=42")
    assert 'ProductIds=["a","b"]' in source
    assert "Under.score=x" in source
    assert "Signature" not in source
    fresh = signed_body({"Action": "A"}, app_key="K", app_secret="S")
    assert fresh["Nonce"] > 0
    assert abs(fresh["Timestamp"] - time.time()) < 5


# Envelope parsing edge cases the simulator does not produce


def test_parse_envelope_shapes() -> None:
    """Documented, wrapped, wrapped-with-Response and bare shapes; extra keys kept."""
    documented = {"Response": {"RequestId": "r", "Data": 1}, "ErrorCode": 0}
    assert parse_envelope(documented, action="A", signed=False) == {
        "RequestId": "r",
        "Data": 1,
        "ErrorCode": 0,
    }
    wrapped = {"code": 0, "msg": "", "data": {"Response": {"Total": 2}}}
    assert parse_envelope(wrapped, action="A", signed=False) == {"Total": 2}
    assert parse_envelope({"code": "0", "data": [1]}, action="A", signed=False) == {"Data": [1]}
    assert parse_envelope({"RequestId": "r", "X": 1}, action="A", signed=False) == {
        "RequestId": "r",
        "X": 1,
    }
    bad_replies: list[object] = [[], "text", None, {"unexpected": 1}]
    for bad in bad_replies:
        with pytest.raises(TencentIoTResponseError):
            parse_envelope(bad, action="A", signed=False)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ResourceNotFound.DeviceNotExist", TencentIoTDeviceGoneError),
        ("UnauthorizedOperation.NoPermission", TencentIoTDeviceGoneError),
        ("FailedOperation.SceneRunInProgress", TencentIoTSceneRunningError),
        ("InvalidParameterValue.InvalidAccessToken", TencentIoTTokenError),
    ],
)
def test_typed_cloud_errors(code: str, expected: type[TencentIoTRejectedError]) -> None:
    """Reasons callers act on have their own types; a login error is no request's error."""
    with pytest.raises(expected) as err:
        parse_envelope({"Error": {"Code": code, "Message": "m"}}, action="A", signed=False)
    assert err.value.code == code
    assert isinstance(err.value, TencentIoTCloudError) != isinstance(err.value, TencentIoTAuthError)


def test_parse_envelope_errors() -> None:
    """Error codes map to the most specific exception; echoed secrets are redacted."""
    with pytest.raises(TencentIoTCloudError) as err:
        parse_envelope(
            {"Error": {"Message": "token s3cr3t is bad"}, "RequestId": "r"},
            action="A",
            signed=False,
            secrets=["s3cr3t"],
        )
    assert err.value.code == "UnknownError"
    assert err.value.message == "token *** is bad"
    assert "s3cr3t" not in repr(err.value)
    with pytest.raises(TencentIoTTokenError) as token_err:
        parse_envelope({"code": -1000, "msg": "login expired"}, action="A", signed=False)
    assert token_err.value.code == "-1000"
    assert token_err.value.message == "login expired"
    assert token_err.value.request_id is None
    with pytest.raises(TencentIoTCloudError) as plain:
        parse_envelope(
            {"code": 5, "msg": "m", "data": {"Code": "X.Y", "Message": "", "RequestId": "q"}},
            action="A",
            signed=False,
        )
    assert (plain.value.code, plain.value.message, plain.value.request_id) == ("X.Y", "m", "q")
    assert str(plain.value) == "A: X.Y: m"
    with pytest.raises(TencentIoTInvalidCredentials):
        parse_envelope(
            {
                "code": -1,
                "data": {
                    "Error": {
                        "Code": "InternalError",
                        "Message": ("InvalidParameterValue.UserLoginFailed|wrong"),
                    }
                },
            },
            action="AppGetToken",
            signed=True,
        )
    with pytest.raises(TencentIoTInvalidApp):
        parse_envelope(
            {"Response": {"Error": {"Code": "AuthFailure", "Message": ""}}},
            action="AppGetToken",
            signed=True,
        )
    with pytest.raises(TencentIoTCloudError) as other:
        parse_envelope({"code": 7, "data": "oops"}, action="A", signed=True)
    assert type(other.value) is TencentIoTCloudError
    assert str(other.value) == "A: 7"
