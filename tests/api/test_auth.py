"""Logging in, rejected credentials and apps, token expiry and re-login, and secrecy."""

import asyncio
import logging
import time

import pytest

from custom_components.tencent_iot.api import (
    LoginCredentials,
    TencentIoTAuthError,
    TencentIoTClient,
    TencentIoTCloudError,
    TencentIoTError,
    TencentIoTInvalidApp,
    TencentIoTInvalidCredentials,
    TencentIoTTokenError,
    Token,
)
from simulator import CloudSimulator

from .common import (
    BULB,
    ClientFactory,
    client_log,
    email_credentials,
    phone_credentials,
)

# Logging in


async def test_login_password_phone(
    sim: CloudSimulator, make_client: ClientFactory, tokens: list[Token]
) -> None:
    """A phone login yields the cloud's token, reported to the owner and kept for re-login."""
    client = make_client(on_token=tokens.append)
    assert (client.token, client.access_token, client.token_expire_at) == (None, None, None)
    assert (client.can_relogin, client.credentials) == (False, None)
    token = await client.login_password(phone_credentials(sim))
    session = sim.state.sessions[token.token]
    assert session.user_id == sim.demo_user.user_id
    assert token.expire_at == session.expire_at
    assert client.token == token
    assert client.access_token == token.token
    assert client.token_expire_at == token.expire_at
    assert tokens == [token]
    assert client.credentials == phone_credentials(sim)
    assert client.can_relogin
    user = await client.get_user()
    assert user.user_id == sim.demo_user.user_id
    assert user.nick_name == sim.demo_user.nickname
    assert (user.country_code, user.phone_number) == ("86", sim.phone_account.account)
    assert user.email == sim.email_account.account


async def test_login_password_email(sim: CloudSimulator, make_client: ClientFactory) -> None:
    """An e-mail login works the same way."""
    client = make_client(credentials=email_credentials(sim))
    await client.login_password()
    assert (await client.get_user()).user_id == sim.demo_user.user_id


async def test_login_without_credentials(make_client: ClientFactory) -> None:
    """Nothing to log in with is a programming error, caught before any request."""
    with pytest.raises(ValueError, match="no credentials"):
        await make_client().login_password()


@pytest.mark.parametrize("account_type", ["phone", "email"])
async def test_login_verification_code(
    sim: CloudSimulator, make_client: ClientFactory, tokens: list[Token], account_type: str
) -> None:
    """A code sent by SMS or e-mail logs in once; no password is kept for re-login."""
    account = sim.phone_account if account_type == "phone" else sim.email_account
    client = make_client(on_token=tokens.append)
    await client.send_verification_code(
        account_type,  # type: ignore[arg-type]
        account.account,
        account.country_code,
    )
    sent = "AppSendVerificationCode" if account_type == "phone" else "AppSendEmailVerificationCode"
    assert sim.request_counts()[sent] == 1
    code = sim.last_verification_code()
    assert code is not None
    token = await client.login_verification_code(
        account_type,  # type: ignore[arg-type]
        account.account,
        code,
        account.country_code,
    )
    assert tokens == [token]
    assert client.access_token == token.token
    assert not client.can_relogin
    assert (await client.get_user()).user_id == sim.demo_user.user_id
    with pytest.raises(TencentIoTInvalidCredentials):
        await client.login_verification_code(
            account_type,  # type: ignore[arg-type]
            account.account,
            code,
            account.country_code,
        )
    assert client.access_token == token.token


async def test_rejected_password(
    sim: CloudSimulator, make_client: ClientFactory, tokens: list[Token]
) -> None:
    """A wrong password is a credentials error carrying the cloud's code and RequestId."""
    client = make_client(on_token=tokens.append)
    with pytest.raises(TencentIoTInvalidCredentials) as err:
        await client.login_password(phone_credentials(sim, password="wrong-password"))
    assert isinstance(err.value, TencentIoTAuthError)
    assert err.value.action == "AppGetToken"
    assert err.value.code.startswith("InvalidParameterValue.")
    assert err.value.request_id
    assert client.access_token is None
    assert client.credentials is None
    assert tokens == []


async def test_rejected_code_and_unknown_account(
    sim: CloudSimulator, make_client: ClientFactory
) -> None:
    """A wrong verification code and an unknown account are credentials errors too."""
    client = make_client()
    account = sim.phone_account
    with pytest.raises(TencentIoTInvalidCredentials):
        await client.login_verification_code("phone", account.account, "000000", "86")
    with pytest.raises(TencentIoTInvalidCredentials) as err:
        await client.send_verification_code("phone", "19999999999", "86")
    assert err.value.code == "InvalidParameterValue.ErrorUserNotExists"
    with pytest.raises(TencentIoTInvalidCredentials):
        await client.login_password(
            LoginCredentials(account_type="email", account="nobody@example.com", password="x")
        )


async def test_rejected_app_key(sim: CloudSimulator, make_client: ClientFactory) -> None:
    """An unknown AppKey is an app error, not a credentials error."""
    client = make_client(app_key="NotTheAppKey")
    with pytest.raises(TencentIoTInvalidApp) as err:
        await client.login_password(phone_credentials(sim))
    assert err.value.code == "ResourceNotFound.AppNotExists"
    assert not isinstance(err.value, TencentIoTInvalidCredentials)


async def test_rejected_signature(sim: CloudSimulator, make_client: ClientFactory) -> None:
    """A wrong AppSecret makes the signature fail."""
    client = make_client(app_secret="not-the-secret")
    with pytest.raises(TencentIoTInvalidApp) as err:
        await client.login_password(phone_credentials(sim))
    assert err.value.code == "AuthFailure.SignatureFailure"
    with pytest.raises(TencentIoTInvalidApp):
        await client.send_verification_code("phone", sim.phone_account.account)
    assert client.access_token is None


# Tokens


@pytest.mark.parametrize("revoke", [False, True], ids=["expired", "revoked"])
async def test_relogin_on_token_error(
    client: TencentIoTClient, sim: CloudSimulator, tokens: list[Token], revoke: bool
) -> None:
    """An expired or revoked token is replaced by one transparent login, reported to the owner."""
    old = client.access_token
    sim.expire_tokens(revoke=revoke)
    user = await client.get_user()
    assert user.user_id == sim.demo_user.user_id
    assert len(tokens) == 2
    assert tokens[-1].token == client.access_token != old
    counts = sim.request_counts()
    assert counts["AppGetToken"] == 2
    assert counts["AppGetUser"] == 2


async def test_relogin_for_control_sends_it_once(
    client: TencentIoTClient, sim: CloudSimulator
) -> None:
    """A control refused for its token is sent again once, after the re-login."""
    sim.expire_tokens()
    await client.control_device(BULB, {"brightness": 55})
    assert [c["Data"] for c in sim.controls()] == [{"brightness": 55}]
    assert sim.request_counts()["AppControlDeviceData"] == 2


async def test_concurrent_calls_share_one_relogin(
    client: TencentIoTClient, sim: CloudSimulator, tokens: list[Token]
) -> None:
    """Calls that all hit the expired token trigger a single login."""
    sim.expire_tokens()
    users = await asyncio.gather(*(client.get_user() for _ in range(6)))
    assert {user.user_id for user in users} == {sim.demo_user.user_id}
    assert sim.request_counts()["AppGetToken"] == 2
    assert len(tokens) == 2


async def test_relogin_fails_with_changed_password(
    client: TencentIoTClient, sim: CloudSimulator
) -> None:
    """When the stored password no longer works the credentials error surfaces."""
    sim.set_password("changed-elsewhere")
    sim.expire_tokens()
    with pytest.raises(TencentIoTInvalidCredentials):
        await client.get_user()
    assert sim.request_counts()["AppGetToken"] == 2


async def test_token_error_is_final_after_relogin(
    client: TencentIoTClient, sim: CloudSimulator
) -> None:
    """Only one re-login per call: a second token error is raised."""
    sim.expire_tokens()
    sim.state.token_ttl = -10  # every new token is born expired
    with pytest.raises(TencentIoTTokenError) as err:
        await client.get_user()
    assert err.value.code == "InvalidParameterValue.InvalidAccessToken"
    counts = sim.request_counts()
    assert counts["AppGetUser"] == 2
    assert counts["AppGetToken"] == 2


async def test_no_relogin_without_credentials(
    client: TencentIoTClient, sim: CloudSimulator, make_client: ClientFactory
) -> None:
    """A client given only a token raises the token error and never logs in."""
    token_only = make_client(
        access_token=client.access_token, token_expire_at=client.token_expire_at
    )
    assert (await token_only.get_user()).user_id == sim.demo_user.user_id
    sim.expire_tokens()
    with pytest.raises(TencentIoTTokenError) as err:
        await token_only.get_user()
    assert err.value.code == "InvalidParameterValue.InvalidAccessToken"
    assert sim.request_counts()["AppGetToken"] == 1
    with pytest.raises(TencentIoTTokenError, match="NoCredentials"):
        await token_only.relogin()
    assert sim.request_counts()["AppGetToken"] == 1


async def test_not_logged_in(make_client: ClientFactory, sim: CloudSimulator) -> None:
    """A call without any token fails before reaching the cloud."""
    with pytest.raises(TencentIoTTokenError, match="NoAccessToken"):
        await make_client().get_user()
    assert sim.request_counts() == {}


async def test_login_before_known_expiry(
    sim: CloudSimulator, make_client: ClientFactory, tokens: list[Token], client: TencentIoTClient
) -> None:
    """A token about to expire is replaced before it is used."""
    soon = make_client(
        access_token=client.access_token,
        token_expire_at=int(time.time()) + 5,
        credentials=phone_credentials(sim),
        on_token=tokens.append,
    )
    stale = soon.access_token
    sim.reset_request_counts()
    await soon.get_user()
    assert soon.access_token != stale
    assert sim.request_counts() == {"AppGetToken": 1, "AppGetUser": 1}
    # Without an expiry the token is used as it is.
    lazy = make_client(access_token=soon.access_token, credentials=phone_credentials(sim))
    await lazy.get_user()
    assert lazy.access_token == soon.access_token
    assert sim.request_counts()["AppGetToken"] == 1


async def test_credentials_can_be_set_later(
    sim: CloudSimulator, make_client: ClientFactory, client: TencentIoTClient
) -> None:
    """Credentials given after construction enable re-login."""
    later = make_client(access_token=client.access_token)
    assert (later.can_relogin, later.credentials) == (False, None)
    later.credentials = phone_credentials(sim)
    assert later.can_relogin
    token = await later.relogin()
    assert later.access_token == token.token != client.access_token
    assert sim.request_counts()["AppGetToken"] == 2


async def test_relogin_skipped_when_token_already_replaced(
    client: TencentIoTClient, sim: CloudSimulator
) -> None:
    """relogin(rejected) does nothing when another call already replaced that token."""
    current = client.access_token
    assert (await client.relogin("an-older-token")).token == current
    assert sim.request_counts()["AppGetToken"] == 1
    assert (await client.relogin()).token != current
    assert sim.request_counts()["AppGetToken"] == 2


async def test_logout(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """Logging out invalidates the token; again is a no-op; an invalid token is fine."""
    token = client.access_token
    await client.logout()
    assert client.access_token is None
    assert token not in sim.state.sessions
    await client.logout()
    assert sim.request_counts()["AppLogoutUser"] == 1
    await client.login_password()
    sim.expire_tokens(revoke=True)
    await client.logout()
    assert client.access_token is None
    assert sim.request_counts()["AppLogoutUser"] == 2
    assert sim.request_counts()["AppGetToken"] == 2


# Secrets


async def test_no_secret_in_logs_or_errors(
    sim: CloudSimulator, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """AppSecret, password and tokens appear in no log line, error text or repr."""
    caplog.set_level(logging.DEBUG)
    credentials = phone_credentials(sim)
    client = make_client(credentials=credentials, retry_delays=(0.0,), timeout=0.2)
    errors: list[BaseException] = []
    await client.login_password()
    first_token = client.access_token
    assert first_token
    await client.get_user()
    sim.expire_tokens()
    await client.get_devices(next(iter(sim.state.families)))
    sim.fail_next(1, action="AppGetUser")
    await client.get_user()  # retried after an HTTP 500
    for fault in (sim.fail_next, sim.malform_next):
        fault(5, action="AppGetDeviceData")
        try:
            await client.get_device_data(BULB)
        except TencentIoTError as err:
            errors.append(err)
        sim.clear_faults()
    sim.delay_next(0.4, action="AppGetUser")
    sim.delay_next(0.4, action="AppGetUser")
    try:
        await client.get_user()
    except TencentIoTError as err:
        errors.append(err)
    try:
        await client.control_device(BULB, {"brightness": 1000})
    except TencentIoTCloudError as err:
        errors.append(err)
    wrong = make_client(credentials=phone_credentials(sim, password="Wr0ng-Secret-Pass"))
    try:
        await wrong.login_password()
    except TencentIoTInvalidCredentials as err:
        errors.append(err)
    bad_app = make_client(app_secret="Another-Secret-Value")
    try:
        await bad_app.login_password(credentials)
    except TencentIoTInvalidApp as err:
        errors.append(err)
    sim.expire_tokens()
    token_only = make_client(access_token=client.access_token)
    try:
        await token_only.get_user()
    except TencentIoTTokenError as err:
        errors.append(err)
    assert len(errors) == 7

    secrets = [
        sim.app_secret,
        "Another-Secret-Value",
        credentials.password,
        "Wr0ng-Secret-Pass",
        first_token,
        *(token for token in sim.state.sessions),
    ]
    log = client_log(caplog)
    assert "AppGetUser" in log  # the client did log at debug level
    texts = [log, repr(client.token), repr(credentials), repr(client.credentials)]
    texts += [f"{err!s} {err!r} {err.__cause__!r}" for err in errors]
    for secret in secrets:
        for text in texts:
            assert secret not in text
