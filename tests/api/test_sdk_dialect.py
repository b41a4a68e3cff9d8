"""The client speaks as Tencent's own app SDK (qcloud-iotexplorer-appdev-sdk) does.

Each test drives the simulator into one trait of the live cloud the SDK shows (protocol.md,
section 10) and checks what the client sends or how it copes.
"""

import logging

import pytest

from custom_components.tencent_iot.api import (
    REGIONS,
    BindChange,
    PropertyReport,
    PushIdentity,
    TencentIoTClient,
    TencentIoTCloudError,
    TencentIoTTokenError,
)
from custom_components.tencent_iot.api.push import push_urls
from simulator import CloudSimulator
from simulator.app import DOC_WS_PATH, SDK_WS_PATH, WsRefusal
from simulator.push import ActivePushReply

from .common import (
    BULB,
    GATEWAY,
    PLUG,
    ClientFactory,
    PushFactory,
    PushHarness,
    key,
    phone_credentials,
    records_at,
    wait_until,
)

WATCHED = [key(BULB), key(PLUG)]
SUB_DEVICE_PRODUCT = "TH4Z8K2QWM"  # the climate sensor, a Zigbee sub-device product


async def _connected(harness: PushHarness, device_ids: list[str] = WATCHED) -> PushHarness:
    harness.push.subscribe(device_ids)
    harness.push.start()
    await wait_until(lambda: harness.push.connected, what="the subscription")
    return harness


def _both_paths(sim: CloudSimulator, client: TencentIoTClient) -> PushIdentity:
    """The simulator's two paths, as a built-in region's host offers them."""
    return PushIdentity(
        (sim.ws_url, sim.doc_ws_url), client.user_id or "", "app-key", REGIONS["china"].region_id
    )


def _paths(sim: CloudSimulator) -> list[object]:
    return [connection["Path"] for connection in sim.connections()]


# Push payloads


@pytest.mark.parametrize(
    ("nul_bytes", "unpadded"), [(4, False), (0, True), (3, True)], ids=["nul", "unpadded", "both"]
)
async def test_padded_payloads_decoded(
    sim: CloudSimulator, make_push: PushFactory, nul_bytes: int, unpadded: bool
) -> None:
    """NUL bytes after the JSON are removed and unpadded base64 is read, as the SDK does."""
    harness = await _connected(make_push())
    sim.set_payload_style(nul_bytes=nul_bytes, unpadded=unpadded)
    await sim.report(key(BULB), {"brightness": 17})
    await sim.set_online(key(PLUG), False)
    await wait_until(lambda: len(harness.events) == 2, what="the report and the status change")
    report, status = harness.events
    assert isinstance(report, PropertyReport)
    assert report.values == {"brightness": 17}
    assert status.device_key == key(PLUG)
    assert harness.changes == [True]


# WebSocket URL


def test_push_urls() -> None:
    """Built-in regions try the SDK's path, then the doc's; a custom URL is used as given."""
    for endpoints in REGIONS.values():
        expected = (endpoints.ws_url, endpoints.ws_fallback_url)
        assert expected[0].endswith(SDK_WS_PATH)
        assert expected[1].endswith(DOC_WS_PATH)
        assert push_urls(endpoints.ws_url) == expected
        assert push_urls(endpoints.ws_fallback_url) == expected  # entries made before the SDK path
    assert push_urls("ws://127.0.0.1:8780/custom") == ("ws://127.0.0.1:8780/custom",)


async def test_connects_as_the_sdk(
    sim: CloudSimulator, client: TencentIoTClient, make_push: PushFactory
) -> None:
    """Query uin + a fresh cId per connection; ActivePush with Platform, AppKey and RegionId."""
    await client.get_user()
    harness = await _connected(make_push())
    [first] = sim.connections()
    assert first["Path"] == SDK_WS_PATH
    assert first["ActivePush"] == {"Platform": "weapp", "AppKey": sim.app_key, "RegionId": 1}
    query = first["Query"]
    assert isinstance(query, dict)
    assert query["uin"] == sim.demo_user.user_id
    assert query["cId"]
    await sim.drop_websockets()
    await wait_until(lambda: harness.changes == [True, False, True], what="the reconnect")
    [second] = sim.connections()
    assert isinstance(second["Query"], dict)
    assert second["Query"]["cId"] != query["cId"]


async def test_custom_url_keeps_its_query(
    sim: CloudSimulator, client: TencentIoTClient, make_push: PushFactory
) -> None:
    """A custom URL is used as given, with uin and cId added to its own query."""
    identity = PushIdentity((f"{sim.doc_ws_url}?tenant=home",), "2103481376")
    harness = await _connected(make_push(identity=identity))
    [connection] = sim.connections()
    assert connection["Path"] == DOC_WS_PATH
    query = connection["Query"]
    assert isinstance(query, dict)
    assert (query["tenant"], query["uin"]) == ("home", "2103481376")
    assert harness.push.ws_url == identity.ws_urls[0]


@pytest.mark.parametrize("how", [WsRefusal.NOT_FOUND, WsRefusal.CLOSE])
async def test_falls_back_to_the_doc_path(
    sim: CloudSimulator, client: TencentIoTClient, make_push: PushFactory, how: WsRefusal
) -> None:
    """The SDK's path refused (HTTP 404, or closed unanswered): the doc's path serves, and stays."""
    sim.refuse_ws_path(SDK_WS_PATH, how)
    harness = await _connected(make_push(identity=_both_paths(sim, client)))
    assert harness.push.ws_url == sim.doc_ws_url
    assert _paths(sim) == [DOC_WS_PATH]
    assert harness.push.reconnect_count == 1
    # Remembered: with both paths open again, a reconnect goes where push worked.
    sim.refuse_ws_path(SDK_WS_PATH, None)
    await sim.drop_websockets()
    await wait_until(lambda: harness.changes == [True, False, True], what="the reconnect")
    assert _paths(sim) == [DOC_WS_PATH]


async def test_refused_path_left_at_once(
    sim: CloudSimulator, client: TencentIoTClient, make_push: PushFactory
) -> None:
    """A refusal is no failure to back off from: the other path is tried straight away."""
    sim.refuse_ws_path(SDK_WS_PATH)
    identity = _both_paths(sim, client)
    await _connected(make_push(identity=identity, backoff_min=60.0, backoff_max=60.0))
    assert _paths(sim) == [DOC_WS_PATH]


async def test_falls_back_to_the_sdk_path(
    sim: CloudSimulator, client: TencentIoTClient, make_push: PushFactory
) -> None:
    """After the doc's path served, it going away sends the channel back to the SDK's path."""
    sim.refuse_ws_path(SDK_WS_PATH)
    harness = await _connected(make_push(identity=_both_paths(sim, client)))
    assert _paths(sim) == [DOC_WS_PATH]
    sim.refuse_ws_path(SDK_WS_PATH, None)
    sim.refuse_ws_path(DOC_WS_PATH, WsRefusal.NOT_FOUND)
    await sim.drop_websockets()
    await wait_until(lambda: harness.changes == [True, False, True], what="the reconnect")
    assert _paths(sim) == [SDK_WS_PATH]
    assert harness.push.ws_url == sim.ws_url


async def test_both_paths_refused_backs_off(
    sim: CloudSimulator,
    client: TencentIoTClient,
    make_push: PushFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Both paths refused: the channel keeps trying them in turn, with backoff, and recovers."""
    sim.refuse_ws_path(SDK_WS_PATH)
    sim.refuse_ws_path(DOC_WS_PATH, WsRefusal.CLOSE)
    harness = make_push(identity=_both_paths(sim, client))
    harness.push.subscribe(WATCHED)
    harness.push.start()
    await wait_until(lambda: harness.push.reconnect_count >= 4, what="several rounds")
    assert harness.changes == []
    assert records_at(caplog, logging.DEBUG, "refused the connection (HTTP 404)")
    sim.clear_faults()
    await wait_until(lambda: harness.push.connected, what="the connection")


async def test_unavailable_path_is_no_refusal(
    sim: CloudSimulator,
    client: TencentIoTClient,
    make_push: PushFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An HTTP 5xx is the service being down, not the wrong path: no fallback, plain retries."""
    sim.refuse_ws_path(SDK_WS_PATH, WsRefusal.UNAVAILABLE)
    harness = make_push(identity=_both_paths(sim, client))
    harness.push.subscribe(WATCHED)
    harness.push.start()
    await wait_until(lambda: harness.push.reconnect_count >= 2, what="two retries")
    assert harness.push.ws_url == sim.ws_url
    assert harness.push.last_error == f"{sim.ws_url} failed the connection (HTTP 503)"
    sim.clear_faults()
    await wait_until(lambda: harness.push.connected, what="the connection")
    assert _paths(sim) == [SDK_WS_PATH]


async def test_refused_custom_url_backs_off(sim: CloudSimulator, make_push: PushFactory) -> None:
    """A custom URL has no other path: a refusal is a failure like any, retried with backoff."""
    sim.refuse_ws_path(SDK_WS_PATH)
    harness = make_push()
    harness.push.subscribe(WATCHED)
    harness.push.start()
    await wait_until(lambda: harness.push.reconnect_count >= 2, what="two retries")
    assert harness.push.ws_url == sim.ws_url
    sim.clear_faults()
    await wait_until(lambda: harness.push.connected, what="the connection")
    assert _paths(sim) == [SDK_WS_PATH]


# ActivePush and heartbeats


@pytest.mark.parametrize("reply", [ActivePushReply.NO_IDS, ActivePushReply.NONE])
async def test_active_push_reply_not_needed(
    sim: CloudSimulator, make_push: PushFactory, reply: ActivePushReply
) -> None:
    """The SDK never reads ActivePush's reply: `data: {}`, or no reply, keeps the link up.

    All wanted ids count as subscribed; answered heartbeats are what keep the link.
    """
    sim.set_active_push_reply(reply)
    harness = await _connected(make_push(heartbeat_interval=0.05, reply_timeout=0.5))
    assert harness.push.subscribed_ids == frozenset(WATCHED)
    beats = sim.request_counts()["AppDeviceTraceHeartBeat"]
    await wait_until(
        lambda: sim.request_counts()["AppDeviceTraceHeartBeat"] >= beats + 12,
        what="heartbeats beyond the reply timeout",
    )
    await sim.report(key(BULB), {"brightness": 20})
    await wait_until(lambda: bool(harness.events), what="the report")
    assert harness.changes == [True]
    assert harness.push.reconnect_count == 0


async def test_first_heartbeat_right_after_subscribing(
    sim: CloudSimulator, make_push: PushFactory
) -> None:
    """The first heartbeat follows ActivePush at once, not one interval (here 30 s) later."""
    await _connected(make_push(heartbeat_interval=30.0))
    await wait_until(
        lambda: sim.request_counts().get("AppDeviceTraceHeartBeat") == 1, what="a heartbeat"
    )
    assert sim.request_counts()["ActivePush"] == 1


# Bind pushes


async def test_bind_and_unbind_pushes(sim: CloudSimulator, make_push: PushFactory) -> None:
    """StatusChange/Bind|Unbind for a device, Gateway/bind|unbind on the gateway for a sub-device."""
    harness = await _connected(make_push(), [*WATCHED, key(GATEWAY)])
    added = await sim.add_device(BULB.product_id, "bulb_new")
    sub = await sim.add_device(SUB_DEVICE_PRODUCT, "th_new", gateway_id=key(GATEWAY))
    await sim.remove_device(sub)
    await sim.remove_device(added)
    await wait_until(lambda: len(harness.events) == 4, what="four binding changes")
    assert harness.events == [
        BindChange(added, True, harness.events[0].seq),
        BindChange(key(GATEWAY), True, harness.events[1].seq),
        BindChange(key(GATEWAY), False, harness.events[2].seq),
        BindChange(added, False, harness.events[3].seq),
    ]


# tokenapi


@pytest.mark.parametrize(("region", "region_id"), [("china", 1), ("overseas", 22)])
async def test_tokenapi_query_and_region(
    sim: CloudSimulator, make_client: ClientFactory, region: str, region_id: int
) -> None:
    """`?uin=<UserID>&cmd=<Action>` once the UserID is known, and RegionId in the body."""
    client = make_client(region=region, credentials=phone_credentials(sim))
    await client.login_password()
    await client.get_user()
    await client.get_families()
    request = sim.last_request("AppGetFamilyList")
    assert request is not None
    assert request["query"] == {"uin": sim.demo_user.user_id, "cmd": "AppGetFamilyList"}
    body = request["body"]
    assert isinstance(body, dict)
    assert body["RegionId"] == region_id
    first = sim.last_request("AppGetUser")
    assert first is not None
    assert first["query"] == {"cmd": "AppGetUser"}  # the UserID was not known yet


async def test_family_list_limit(sim: CloudSimulator, client: TencentIoTClient) -> None:
    """AppGetFamilyList takes the SDK's Limit of 100; above that it is refused."""
    transport = client._transport
    token = client.access_token or ""
    reply = await transport.call_with_token("AppGetFamilyList", {"Limit": 100}, token)
    assert reply["Total"] == 2
    with pytest.raises(TencentIoTCloudError, match="Limit must not exceed 100"):
        await transport.call_with_token("AppGetFamilyList", {"Limit": 101}, token)


# Token errors


@pytest.mark.parametrize("wrapped", [True, False], ids=["wrapped", "documented"])
@pytest.mark.parametrize(
    "code",
    [
        "InvalidParameterValue.InvalidAccessToken",
        "VERIFY_LOGIN_FAIL",
        "AuthFailure.InvalidAccessTokenOrExpired",
        "InvalidParameterValue.TokenNotExist",
        "InvalidParameterValue.TokenIsExpire",
    ],
)
async def test_token_codes_log_in_again(
    sim: CloudSimulator, client: TencentIoTClient, code: str, wrapped: bool
) -> None:
    """The SDK's rule and the doc's TokenNotExist/TokenIsExpire: one silent re-login and retry.

    The SDK's rule: a code containing InvalidAccessToken or VERIFY_LOGIN_FAIL.
    """
    sim.set_wrapped(wrapped)
    old_token = client.access_token
    sim.expire_tokens(code=code)
    assert (await client.get_user()).user_id == sim.demo_user.user_id
    assert client.access_token != old_token
    assert sim.request_counts()["AppGetUser"] == 2
    assert sim.request_counts()["AppGetToken"] == 2


async def test_other_codes_are_no_token_error(
    sim: CloudSimulator, client: TencentIoTClient
) -> None:
    """A code outside the rule is the cloud's error, raised without logging in again."""
    sim.set_wrapped(False)  # the wrapped -1000 would name it a token error whatever the code
    sim.expire_tokens(code="InvalidParameterValue.TokenExpired")
    with pytest.raises(TencentIoTCloudError, match="TokenExpired") as err:
        await client.get_user()
    assert not isinstance(err.value, TencentIoTTokenError)
    assert sim.request_counts()["AppGetToken"] == 1
