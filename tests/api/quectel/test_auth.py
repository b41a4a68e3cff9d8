"""Quectel login, tokens and their renewal, against the simulator."""

import asyncio
import base64
import hashlib
import json

import aiohttp
import pytest

from custom_components.tencent_iot.api import (
    LoginCredentials,
    TencentIoTAccountLockedError,
    TencentIoTInvalidApp,
    TencentIoTInvalidCredentials,
    TencentIoTNotSupportedError,
    TencentIoTResponseError,
    TencentIoTTokenError,
    TencentIoTWrongPasswordError,
    Token,
)
from custom_components.tencent_iot.api.quectel import DATA_CENTRES, QuectelClient
from custom_components.tencent_iot.api.quectel.crypto import (
    encrypt_password,
    login_random,
    login_signature,
    password_key,
)
from custom_components.tencent_iot.api.quectel.session import _jwt_uid
from simulator.quectel import QuectelSimulator

from .conftest import QClientFactory, email_credentials, phone_credentials


def test_password_encryption_matches_the_docs_example() -> None:
    """The doc's own vector: pwd china1234, random j1acpdj2bmtqZXVb."""
    key, iv = password_key("j1acpdj2bmtqZXVb")
    assert key == b"89A049614445CCA8"
    assert iv == b"4445CCA889A04961"
    assert encrypt_password("china1234", "j1acpdj2bmtqZXVb") == "lkZMvj0KDSJXlp66jBieHA=="


def test_signature_and_random() -> None:
    """SHA-256 hex of account + encrypted password + random + secret; a 16-character random."""
    expected = hashlib.sha256(b"a@b.cpwdrs").hexdigest()
    assert login_signature("a@b.c", "pwd", "r", "s") == expected
    randoms = {login_random() for _ in range(20)}
    assert len(randoms) == 20
    assert all(len(r) == 16 and r.isalnum() for r in randoms)


async def test_email_login_stores_tokens_and_uid(
    quectel_sim: QuectelSimulator, qclient: QuectelClient, qtokens: list[Token]
) -> None:
    """The login is form-encoded with the live app headers; the uid comes from the JWT."""
    assert qclient.user_id == "C1001"
    assert qtokens
    assert qtokens[-1].token == qclient.access_token
    assert qclient.refresh_token is not None
    # Live replies give the expiry in ms: it is read as UNIX seconds.
    assert qclient.token_expire_at is not None
    assert qclient.token_expire_at < 10**11
    request = quectel_sim.last_request("emailPwdLogin")
    assert request is not None
    assert request["body"] is None  # form-encoded, not JSON
    params = request["params"]
    assert isinstance(params, dict)
    assert params["email"] == "demo@example.com"
    assert params["userDomain"] == "E.SP.SIM1"
    headers = request["headers"]
    assert isinstance(headers, dict)
    assert headers["appSystemType"] == "android"
    assert headers["quec-random-url"]
    user = await qclient.get_user()
    assert (user.user_id, user.nick_name, user.email) == ("C1001", "Demo", "demo@example.com")


async def test_phone_login(quectel_sim: QuectelSimulator, make_qclient: QClientFactory) -> None:
    """Phone logins send the international code beside the number."""
    client = make_qclient()
    await client.login_password(phone_credentials(quectel_sim))
    assert client.can_relogin
    assert client.credentials == phone_credentials(quectel_sim)
    request = quectel_sim.last_request("phonePwdLogin")
    assert request is not None
    assert request["params"] == {
        "phone": "13800138000",
        "internationalCode": "86",
        "random": request["params"]["random"],  # type: ignore[index]
        "userDomain": "E.SP.SIM1",
        "signature": request["params"]["signature"],  # type: ignore[index]
    }


async def test_wrong_password_counts_down_then_locks(
    quectel_sim: QuectelSimulator, make_qclient: QClientFactory
) -> None:
    """Wrong passwords say how many tries are left; then the account is locked for 20 minutes."""
    client = make_qclient()
    left = []
    for _ in range(4):
        with pytest.raises(TencentIoTWrongPasswordError) as err:
            await client.login_password(email_credentials(quectel_sim, "wrong"))
        left.append(err.value.attempts_left)
    assert left == [4, 3, 2, 1]
    with pytest.raises(TencentIoTAccountLockedError) as locked:
        await client.login_password(email_credentials(quectel_sim, "wrong"))
    assert locked.value.retry_after == 1200
    assert "wrong" not in str(locked.value)


@pytest.mark.parametrize(
    ("options", "credentials", "error"),
    [
        ({"user_domain": "E.SP.NOPE"}, None, TencentIoTInvalidApp),
        ({"user_domain_secret": "not the secret"}, None, TencentIoTInvalidApp),
        (
            {},
            LoginCredentials(account_type="email", account="x@y.z", password="p"),
            TencentIoTInvalidCredentials,
        ),
    ],
    ids=["unknown-domain", "wrong-secret", "unknown-account"],
)
async def test_login_refusals(
    quectel_sim: QuectelSimulator,
    make_qclient: QClientFactory,
    options: dict[str, str],
    credentials: LoginCredentials | None,
    error: type[Exception],
) -> None:
    """A domain the cloud does not know or a wrong secret is the app's fault, not the user's."""
    client = make_qclient(**options)
    with pytest.raises(error):
        await client.login_password(credentials or email_credentials(quectel_sim))


async def test_login_without_credentials_or_token(make_qclient: QClientFactory) -> None:
    """Nothing to log in with: a ValueError, and calls without a token are token errors."""
    client = make_qclient()
    with pytest.raises(ValueError, match="no credentials"):
        await client.login_password()
    with pytest.raises(TencentIoTTokenError):
        await client.get_user()


async def test_login_reply_without_token(
    quectel_sim: QuectelSimulator, make_qclient: QClientFactory
) -> None:
    """A login answered without an access token is a response error."""
    quectel_sim.set_success_code(200)
    quectel_sim.error_next(200, action="emailPwdLogin")  # success code, no data
    with pytest.raises(TencentIoTResponseError):
        await make_qclient().login_password(email_credentials(quectel_sim))


async def test_verification_code_login_is_not_offered(qclient: QuectelClient) -> None:
    """The end-user API has no login with a code: the flow must ask for a password."""
    with pytest.raises(TencentIoTNotSupportedError) as err:
        await qclient.send_verification_code("phone", "13800138000")
    assert err.value.capability == "verification_code_login"
    with pytest.raises(TencentIoTNotSupportedError):
        await qclient.login_verification_code("email", "a@b.c", "123456")


async def test_expired_token_is_refreshed_not_logged_in_again(
    quectel_sim: QuectelSimulator, qclient: QuectelClient, qtokens: list[Token]
) -> None:
    """A rejected access token is renewed with the refresh token; no password is sent."""
    old = qclient.access_token
    quectel_sim.expire_tokens()
    logins = quectel_sim.request_counts()["emailPwdLogin"]
    user = await qclient.get_user()
    assert user.user_id == "C1001"
    assert qclient.access_token != old
    assert qtokens[-1].token == qclient.access_token
    counts = quectel_sim.request_counts()
    assert counts["refreshToken"] == 1
    assert counts["emailPwdLogin"] == logins


async def test_token_renewed_before_it_expires(
    quectel_sim: QuectelSimulator, make_qclient: QClientFactory, qclient: QuectelClient
) -> None:
    """A token known to expire within minutes is refreshed before the call."""
    refresh = qclient.refresh_token
    assert refresh is not None
    client = make_qclient(
        access_token=qclient.access_token,
        token_expire_at=1,
        refresh_token=refresh.token,
        refresh_expire_at=refresh.expire_at,
    )
    await client.get_user()
    assert quectel_sim.request_counts()["refreshToken"] == 1
    assert client.access_token != qclient.access_token


async def test_failed_refresh_logs_in_again(
    quectel_sim: QuectelSimulator, qclient: QuectelClient
) -> None:
    """When the refresh token is refused too, the stored password logs in again."""
    quectel_sim.expire_tokens(refresh=True)
    await qclient.get_user()
    counts = quectel_sim.request_counts()
    assert counts["refreshToken"] == 1
    assert counts["emailPwdLogin"] == 2


async def test_no_way_to_renew_is_a_token_error(
    quectel_sim: QuectelSimulator, make_qclient: QClientFactory, qclient: QuectelClient
) -> None:
    """Without password and with a dead refresh token, the token error reaches the caller."""
    client = make_qclient(access_token=qclient.access_token)
    quectel_sim.expire_tokens(refresh=True)
    with pytest.raises(TencentIoTTokenError):
        await client.get_user()
    with pytest.raises(TencentIoTTokenError):
        await client.relogin()


async def test_concurrent_calls_renew_once(
    quectel_sim: QuectelSimulator, qclient: QuectelClient
) -> None:
    """Ten calls refused together renew the token once."""
    quectel_sim.expire_tokens()
    await asyncio.gather(*(qclient.get_user() for _ in range(10)))
    assert quectel_sim.request_counts()["refreshToken"] == 1


async def test_a_refused_password_is_tried_once(
    quectel_sim: QuectelSimulator, qclient: QuectelClient
) -> None:
    """Calls waiting to renew do not each try the refused password: each try costs an attempt."""
    quectel_sim.set_password("Changed@5678")
    quectel_sim.expire_tokens(refresh=True)
    results = await asyncio.gather(*(qclient.get_user() for _ in range(6)), return_exceptions=True)
    assert all(isinstance(result, TencentIoTWrongPasswordError) for result in results)
    assert quectel_sim.request_counts()["emailPwdLogin"] == 2  # the first login, then one
    with pytest.raises(TencentIoTWrongPasswordError):
        await qclient.relogin()
    assert quectel_sim.request_counts()["emailPwdLogin"] == 2
    assert quectel_sim.demo_user.attempts_left == 4
    # Logging in with the new password (as reauth does) works, and renewals use it again.
    await qclient.login_password(email_credentials(quectel_sim))
    quectel_sim.expire_tokens(refresh=True)
    assert (await qclient.get_user()).user_id == "C1001"


async def test_a_locked_account_is_not_tried_before_the_lock_ends(
    quectel_sim: QuectelSimulator, qclient: QuectelClient
) -> None:
    """Locked (5147): no login is sent again while the lock lasts."""
    quectel_sim.expire_tokens(refresh=True)
    quectel_sim.error_next(5147, action="emailPwdLogin", msg="Account frozen")
    with pytest.raises(TencentIoTAccountLockedError):
        await qclient.get_user()
    with pytest.raises(TencentIoTAccountLockedError):
        await qclient.get_user()
    assert quectel_sim.request_counts()["emailPwdLogin"] == 2


async def test_relogin_skips_when_token_already_changed(
    quectel_sim: QuectelSimulator, qclient: QuectelClient
) -> None:
    """relogin() with a token that was already replaced does nothing."""
    token = await qclient.relogin("some older token")
    assert token.token == qclient.access_token
    assert "refreshToken" not in quectel_sim.request_counts()


async def test_logout(quectel_sim: QuectelSimulator, qclient: QuectelClient) -> None:
    """Logout ends the session; a second logout (no token) sends nothing."""
    await qclient.logout()
    assert qclient.access_token is None
    assert qclient.refresh_token is None
    await qclient.logout()
    assert quectel_sim.request_counts()["userLogout"] == 1
    assert not quectel_sim.state.sessions


async def test_logout_with_dead_token(
    quectel_sim: QuectelSimulator, make_qclient: QClientFactory
) -> None:
    """An already invalid token is fine at logout."""
    client = make_qclient(access_token="invalid")
    await client.logout()
    assert client.access_token is None


def test_data_centres_and_bad_one(session: aiohttp.ClientSession) -> None:
    """Built-in data centres name the live push URL first, the doc's path second."""
    client = QuectelClient(session, user_domain="d", user_domain_secret="s", data_centre="china")
    assert client.api_url == DATA_CENTRES["china"].api_url
    assert client.push_identity.ws_urls == (
        "wss://iot-south.quectelcn.com:8443/ws/v2",
        "wss://iot-south.quectelcn.com:8443/ws/v1",
    )
    assert client.ws_url.endswith("/ws/v2")
    assert client.family_id is None
    with pytest.raises(ValueError, match="unknown data centre"):
        QuectelClient(session, user_domain="d", user_domain_secret="s", data_centre="mars")  # type: ignore[arg-type]


async def test_uid_from_the_jwt_or_user_info(
    quectel_sim: QuectelSimulator, make_qclient: QClientFactory
) -> None:
    """The uid is read from the access token's claims; a token that is no JWT leaves it unknown."""
    claims = base64.urlsafe_b64encode(json.dumps({"uid": "C9"}).encode()).decode().rstrip("=")
    assert _jwt_uid(f"Bearer x.{claims}.y") == "C9"
    assert _jwt_uid("x.!!!.y") == ""
    assert _jwt_uid("x.W10.y") == ""
    assert _jwt_uid("opaque") == ""
    client = make_qclient(access_token="opaque")
    assert client.user_id is None
    await client.login_password(email_credentials(quectel_sim))
    assert client.user_id == "C1001"
