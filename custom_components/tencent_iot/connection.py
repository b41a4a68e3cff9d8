"""Building the cloud client from a config entry's data, and logging in with it."""

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api import REGIONS, LoginCredentials, RateLimit, TencentIoTClient, Token
from .const import (
    CONF_ACCESS_TOKEN,
    CONF_ACCOUNT,
    CONF_ACCOUNT_TYPE,
    CONF_API_URL,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    CONF_COUNTRY_CODE,
    CONF_PASSWORD,
    CONF_REGION,
    CONF_TOKEN_EXPIRE_AT,
    CONF_USER_ID,
    CONF_WS_URL,
)


def region_endpoints(region: str) -> dict[str, str]:
    """The API and WebSocket URLs of a named region."""
    endpoints = REGIONS[region]  # type: ignore[index]
    return {CONF_API_URL: endpoints.api_url, CONF_WS_URL: endpoints.ws_url}


def credentials(data: Mapping[str, Any]) -> LoginCredentials | None:
    """The stored login, when the entry keeps a password to log in again with."""
    if not data.get(CONF_PASSWORD):
        return None
    return LoginCredentials(
        account_type=data[CONF_ACCOUNT_TYPE],
        account=data[CONF_ACCOUNT],
        password=data[CONF_PASSWORD],
        country_code=data[CONF_COUNTRY_CODE],
    )


def create_client(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    *,
    on_token: Callable[[Token], None] | None = None,
    rate_limit: RateLimit | None = None,
) -> TencentIoTClient:
    """A client on HA's shared session for the endpoints, app and token in `data`.

    A custom endpoint speaks as to mainland China (RegionId 1), as Tencent's SDK does by default.
    `rate_limit` is the back-off its requests share with the entry's other users of the cloud.
    """
    region = data.get(CONF_REGION)
    return TencentIoTClient(
        async_get_clientsession(hass),
        app_key=data[CONF_APP_KEY],
        app_secret=data[CONF_APP_SECRET],
        region=region if region in REGIONS else "china",
        api_url=data[CONF_API_URL],
        ws_url=data[CONF_WS_URL],
        user_id=data.get(CONF_USER_ID) or None,
        access_token=data.get(CONF_ACCESS_TOKEN) or None,
        token_expire_at=data.get(CONF_TOKEN_EXPIRE_AT) or None,
        credentials=credentials(data),
        on_token=on_token,
        rate_limit=rate_limit,
    )


async def async_send_code(client: TencentIoTClient, data: Mapping[str, Any]) -> None:
    """Ask the cloud to send a login verification code to the account."""
    await client.send_verification_code(
        account_type=data[CONF_ACCOUNT_TYPE],
        account=data[CONF_ACCOUNT],
        country_code=data[CONF_COUNTRY_CODE],
    )


async def async_login(
    client: TencentIoTClient, data: Mapping[str, Any], code: str | None = None
) -> Token:
    """Log in with the verification code when given, else with the password in `data`."""
    if code is not None:
        return await client.login_verification_code(
            account_type=data[CONF_ACCOUNT_TYPE],
            account=data[CONF_ACCOUNT],
            country_code=data[CONF_COUNTRY_CODE],
            code=code,
        )
    return await client.login_password(credentials(data))
