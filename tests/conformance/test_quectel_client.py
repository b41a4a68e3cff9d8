"""A live Quectel client (`unofficial-pecron-api`, from a vendor's Android app) against the simulator.

The PyPI client works against the live cloud today; where it and Quectel's pages disagree, it
is the live dialect. Each test drives its own code (login, device list, TSL, values, a write)
and checks that it understood the simulator's answer, so a failure here means the Quectel
simulator speaks a dialect the live cloud does not. The client is synchronous: it runs in a
thread while the simulator serves in the test's event loop.
"""

import asyncio
from collections.abc import AsyncGenerator, Callable
import json
from typing import Any

import aiohttp
import pytest
from unofficial_pecron_api import (
    AuthenticationError,
    Device,
    DeviceNotFoundError,
    PecronAPI,
)
from unofficial_pecron_api.const import REGIONS as PECRON_REGIONS

from simulator.quectel import QuectelSimulator

REGION = "SIM"


async def in_thread[T](call: Callable[[], T]) -> T:
    """Run a call of the synchronous client without blocking the simulator."""
    return await asyncio.to_thread(call)


@pytest.fixture
async def pecron(
    quectel_sim: QuectelSimulator, monkeypatch: pytest.MonkeyPatch
) -> AsyncGenerator[PecronAPI]:
    """The live client pointed at the simulator (as one more region) and logged in by email."""
    regions = {
        **PECRON_REGIONS,
        REGION: {
            "base_url": quectel_sim.api_url,
            "ws_v2": quectel_sim.ws_url,
            "user_domain": quectel_sim.user_domain,
            "user_domain_secret": quectel_sim.user_domain_secret,
        },
    }
    monkeypatch.setattr("unofficial_pecron_api.client.REGIONS", regions)
    api = PecronAPI(REGION)
    account = quectel_sim.email_account
    await in_thread(lambda: api.login(account.account, account.password))
    yield api
    api.close()


async def station(api: PecronAPI) -> Device:
    """The demo home's power station, as the client lists it."""
    devices = await in_thread(api.get_devices)
    return next(device for device in devices if device.product_key == "p11ps1")


async def test_login_is_form_encoded_and_signed(
    quectel_sim: QuectelSimulator, pecron: PecronAPI
) -> None:
    """The client's form-encoded, AES-encrypted, SHA-256-signed login is accepted."""
    request = quectel_sim.last_request("emailPwdLogin")
    assert request is not None, "the client never called emailPwdLogin"
    assert request["body"] is None, "the live client sends the login as a form, not JSON"
    assert quectel_sim.state.sessions, "the simulator issued no token for the client's login"


async def test_wrong_password_is_refused(quectel_sim: QuectelSimulator, pecron: PecronAPI) -> None:
    """A wrong password answers the code the client reports as an authentication error."""
    with pytest.raises(AuthenticationError) as err:
        await in_thread(lambda: pecron.login(quectel_sim.email_account.account, "wrong"))
    assert err.value.code == 5586, f"expected 'wrong password, 4 attempts left', got {err.value}"


async def test_device_list(pecron: PecronAPI) -> None:
    """The devices of the account (owned and shared), with their keys, names and online state."""
    devices = await in_thread(pecron.get_devices)
    assert {(d.product_key, d.device_key, d.device_name, d.online) for d in devices} == {
        ("p11ps1", "PS0001", "Garage power station", True),
        ("p11lt1", "LT0001", "Desk lamp", True),
        ("p11pg1", "PG0001", "Kettle plug", True),
        ("p11gw1", "GW0001", "Hub", True),
    }


async def test_thing_model(pecron: PecronAPI) -> None:
    """productTSL: the client finds every property, which are writable, enum choices and ranges."""
    device = await station(pecron)
    properties = {p.code: p for p in await in_thread(lambda: pecron.get_product_tsl(device))}
    assert "ac_switch_hm" in properties, f"the client read {sorted(properties)}"
    assert properties["ac_switch_hm"].writable
    assert not properties["battery_percentage"].writable
    assert properties["ac_charging_power_ios"].enum_map == {
        "1": "300 W",
        "2": "600 W",
        "3": "1200 W",
    }
    spec = properties["battery_percentage"].int_spec
    assert spec is not None
    assert (spec.min, spec.max, spec.unit) == ("0", "100", "%")


async def test_current_values(pecron: PecronAPI) -> None:
    """getDeviceBusinessAttributes: the misspelt `resourceValce` text the client parses."""
    device = await station(pecron)
    props = await in_thread(lambda: pecron.get_device_properties(device))
    assert props.battery_percentage == 87
    assert props.ac_switch is True
    assert props.dc_switch is False
    assert props.ac_output == {"ac_output_voltage": 230.1, "ac_output_power": 120}
    assert props.ac_charge_speed == "2"
    assert props.remain_discharging_time == 435
    assert (device.firmware_version, device.mcu_version) == ("QS01A01", "E300_V1.2.3")


async def test_unknown_device(pecron: PecronAPI) -> None:
    """A device the account does not have answers a code the client knows as 'not found'."""
    ghost = Device.from_api({"productKey": "p11ps1", "deviceKey": "NOPE"})
    with pytest.raises(DeviceNotFoundError):
        await in_thread(lambda: pecron.get_device_properties(ghost))


async def _subscribe(
    sim: QuectelSimulator, session: aiohttp.ClientSession
) -> aiohttp.ClientWebSocketResponse:
    """A WebSocket logged in with the client's session token, following the power station."""
    token = next(iter(sim.state.sessions))
    ws = await session.ws_connect(sim.ws_url)
    await ws.send_json({"cmd": "login", "data": {"token": token}})
    assert (await ws.receive_json(timeout=5))["data"]["code"] == 1
    entry = {"productKey": "p11ps1", "deviceKey": "PS0001", "messageType": ["MATTR-REPORT"]}
    await ws.send_json({"cmd": "subscribe", "data": [entry]})
    assert (await ws.receive_json(timeout=5))["data"][0]["code"] == 1
    return ws


async def test_a_write_and_its_report(quectel_sim: QuectelSimulator, pecron: PecronAPI) -> None:
    """BatchControlDevice as the client sends it (JSON, `data` as text): done, and reported."""
    device = await station(pecron)
    async with aiohttp.ClientSession() as session:
        ws = await _subscribe(quectel_sim, session)
        result = await in_thread(lambda: pecron.set_ac_output(device, False))
        assert result.success, f"the write failed: {result.error_message}"
        assert result.ticket
        frame: dict[str, Any] = await ws.receive_json(timeout=5)
        await ws.close()
    assert frame["cmd"] == "message"
    assert frame["data"]["type"] == "MATTR"
    assert frame["data"]["subtype"] == "REPORT"
    assert frame["data"]["data"]["kv"] == {"ac_switch_hm": "false"}
    props = await in_thread(lambda: pecron.get_device_properties(device))
    assert props.ac_switch is False
    request = quectel_sim.last_request("batchControlDevice")
    assert request is not None
    assert json.loads(request["body"]["data"]) == [{"ac_switch_hm": False}]  # type: ignore[index]


async def test_a_refused_write(quectel_sim: QuectelSimulator, pecron: PecronAPI) -> None:
    """A value out of the model comes back in the failure list, as the client reads it."""
    device = await station(pecron)
    result = await in_thread(lambda: pecron.set_ac_charge_speed(device, 9))
    assert not result.success
    assert result.error_message
    assert "9" in result.error_message
