"""Building the cloud client from a config entry's data, and logging in with it.

An entry's data says which cloud its app lives in (`cloud`; none is Tencent): this is the one
place that picks the adapter.
"""

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .api import (
    REGIONS,
    CloudClient,
    LoginCredentials,
    RateLimit,
    RefreshTokenHolder,
    TencentIoTClient,
    Token,
)
from .api.quectel import DATA_CENTRES, QuectelClient
from .const import (
    CLOUD_QUECTEL,
    CONF_ACCESS_TOKEN,
    CONF_ACCOUNT,
    CONF_ACCOUNT_TYPE,
    CONF_API_URL,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    CONF_CLOUD,
    CONF_COUNTRY_CODE,
    CONF_DATA_CENTRE,
    CONF_FAMILY_ID,
    CONF_PASSWORD,
    CONF_REFRESH_EXPIRE_AT,
    CONF_REFRESH_TOKEN,
    CONF_REGION,
    CONF_TOKEN_EXPIRE_AT,
    CONF_USER_DOMAIN,
    CONF_USER_DOMAIN_SECRET,
    CONF_USER_ID,
    CONF_WS_URL,
)


def is_quectel(data: Mapping[str, Any]) -> bool:
    """Whether an entry's (or a flow's) app is a Quectel one."""
    return data.get(CONF_CLOUD) == CLOUD_QUECTEL


def region_endpoints(region: str) -> dict[str, str]:
    """The API and WebSocket URLs of a named region."""
    endpoints = REGIONS[region]  # type: ignore[index]
    return {CONF_API_URL: endpoints.api_url, CONF_WS_URL: endpoints.ws_url}


def data_centre_endpoints(data_centre: str) -> dict[str, str]:
    """The API and WebSocket URLs of a named Quectel data centre."""
    endpoints = DATA_CENTRES[data_centre]  # type: ignore[index]
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


def utc_offset(hass: HomeAssistant) -> str:
    """HA's time zone as the "+HH:MM" offset Quectel's timers take (today's, summer time too)."""
    offset = dt_util.now(dt_util.get_time_zone(hass.config.time_zone)).utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def create_client(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    *,
    on_token: Callable[[Token], None] | None = None,
    rate_limit: RateLimit | None = None,
) -> CloudClient:
    """A client on HA's shared session for the cloud, endpoints, app and token in `data`.

    `rate_limit` is the back-off its requests share with the entry's other users of the cloud.
    """
    if is_quectel(data):
        return create_quectel_client(hass, data, on_token=on_token, rate_limit=rate_limit)
    return create_tencent_client(hass, data, on_token=on_token, rate_limit=rate_limit)


def create_tencent_client(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    *,
    on_token: Callable[[Token], None] | None = None,
    rate_limit: RateLimit | None = None,
) -> TencentIoTClient:
    """A Tencent client.

    A custom endpoint speaks as to mainland China (RegionId 1), as Tencent's SDK does by default.
    `rate_limit` is the back-off its requests share with the entry's other users of the cloud.
    """
    region = data.get(CONF_REGION)
    return TencentIoTClient(
        async_get_clientsession(hass),
        app_key=data[CONF_APP_KEY],
        app_secret=data[CONF_APP_SECRET],
        region=region if region in REGIONS else "china",
        **_session(data, on_token, rate_limit),
    )


def create_quectel_client(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    *,
    on_token: Callable[[Token], None] | None = None,
    rate_limit: RateLimit | None = None,
) -> QuectelClient:
    """A Quectel client; its timers are set in HA's time zone."""
    data_centre = data.get(CONF_DATA_CENTRE)
    return QuectelClient(
        async_get_clientsession(hass),
        user_domain=data[CONF_USER_DOMAIN],
        user_domain_secret=data[CONF_USER_DOMAIN_SECRET],
        data_centre=data_centre if data_centre in DATA_CENTRES else "europe",
        refresh_token=data.get(CONF_REFRESH_TOKEN) or None,
        refresh_expire_at=data.get(CONF_REFRESH_EXPIRE_AT) or None,
        family_id=data.get(CONF_FAMILY_ID) or None,
        utc_offset=partial(utc_offset, hass),
        language=hass.config.language.partition("-")[0] or "en",
        **_session(data, on_token, rate_limit),
    )


def _session(
    data: Mapping[str, Any],
    on_token: Callable[[Token], None] | None,
    rate_limit: RateLimit | None,
) -> dict[str, Any]:
    """What either cloud's client takes alike: endpoints, the account's session, the back-off."""
    return {
        "api_url": data[CONF_API_URL],
        "ws_url": data[CONF_WS_URL],
        "user_id": data.get(CONF_USER_ID) or None,
        "access_token": data.get(CONF_ACCESS_TOKEN) or None,
        "token_expire_at": data.get(CONF_TOKEN_EXPIRE_AT) or None,
        "credentials": credentials(data),
        "on_token": on_token,
        "rate_limit": rate_limit,
    }


def token_data(client: CloudClient, token: Token) -> dict[str, Any]:
    """The entry data that keeps a new token (and a Quectel account's refresh token)."""
    stored: dict[str, Any] = {CONF_ACCESS_TOKEN: token.token, CONF_TOKEN_EXPIRE_AT: token.expire_at}
    if isinstance(client, RefreshTokenHolder) and (refresh := client.refresh_token) is not None:
        stored[CONF_REFRESH_TOKEN] = refresh.token
        stored[CONF_REFRESH_EXPIRE_AT] = refresh.expire_at
    return stored


async def async_send_code(client: CloudClient, data: Mapping[str, Any]) -> None:
    """Ask the cloud to send a login verification code to the account."""
    await client.send_verification_code(
        account_type=data[CONF_ACCOUNT_TYPE],
        account=data[CONF_ACCOUNT],
        country_code=data[CONF_COUNTRY_CODE],
    )


async def async_login(
    client: CloudClient, data: Mapping[str, Any], code: str | None = None
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
