"""Both clouds' adapters satisfy the seam (`api/cloud.py`): checked by mypy, and at run time."""

import aiohttp

from custom_components.tencent_iot.api import (
    AccountSharing,
    CloudClient,
    CloudPush,
    PushClient,
    PushIdentity,
    TencentIoTClient,
)
from custom_components.tencent_iot.api.quectel import (
    QuectelClient,
    QuectelPushClient,
    QuectelPushIdentity,
)


def test_both_clients_are_cloud_clients(session: aiohttp.ClientSession) -> None:
    """Typed assignments: mypy fails this module if an adapter drifts from the protocol."""
    tencent: CloudClient = TencentIoTClient(session, app_key="k", app_secret="s")
    quectel: CloudClient = QuectelClient(session, user_domain="d", user_domain_secret="s")
    sharing: AccountSharing = QuectelClient(session, user_domain="d", user_domain_secret="s")
    for client in (tencent, quectel):
        assert client.user_id is None
        assert client.access_token is None
        assert not client.can_relogin
    assert callable(sharing.share_device)


def test_both_push_clients_are_cloud_pushes(session: aiohttp.ClientSession) -> None:
    """Typed assignments of the two push channels to `CloudPush`."""
    tencent: CloudPush = PushClient(session, PushIdentity(("ws://h/ws",)), str, print)
    quectel: CloudPush = QuectelPushClient(session, QuectelPushIdentity(("ws://h/ws",)), str, print)
    for push in (tencent, quectel):
        assert not push.connected
        assert push.ws_url == "ws://h/ws"
        assert push.subscribed_ids == frozenset()
        assert push.reconnect_count == 0
        assert push.last_message_at is None
