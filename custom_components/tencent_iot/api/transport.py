"""HTTP transport of the Tencent IoT Explorer API: POST, envelope parsing, errors, limits and retries.

Action methods live in `client.py`; another cloud would get its own transport.
"""

import asyncio
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
import json
import logging
import time
from typing import Any, Final
import uuid

import aiohttp

from .const import (
    DEFAULT_RETRY_DELAYS,
    DEFAULT_TIMEOUT,
    MAX_IN_FLIGHT,
    SESSION_API_PATH,
    SIGNED_API_PATH,
)
from .exceptions import (
    WRAPPED_LOGIN_EXPIRED,
    TencentIoTConnectionError,
    TencentIoTRateLimitError,
    TencentIoTResponseError,
    TencentIoTTimeoutError,
    TencentIoTTokenError,
    cloud_error,
)
from .parsing import as_str
from .rate_limit import RateLimit, parse_retry_after
from .signing import signed_body

_LOGGER = logging.getLogger(__name__)

# Parameters whose values must never leak into messages, even when echoed by the cloud.
_SECRET_PARAMS: Final = frozenset(
    {"Password", "VerificationCode", "AccessToken", "Token", "Signature"}
)


def _redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class Transport:
    """Send actions to `{api_url}/appapi` (signed) or `{api_url}/tokenapi` (with AccessToken)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_url: str,
        *,
        app_key: str,
        app_secret: str,
        region_id: int,
        timeout: float = DEFAULT_TIMEOUT,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        max_in_flight: int = MAX_IN_FLIGHT,
        rate_limit: RateLimit | None = None,
    ) -> None:
        """Use the caller's session; `retry_delays` are the waits between attempts of a read.

        Every request goes through `rate_limit` (a new one unless shared): while the cloud
        refuses requests for being too many, all of them wait.
        """
        self._session = session
        self._api_url = api_url.rstrip("/")
        self._app_key = app_key
        self._app_secret = app_secret
        self._region_id = region_id
        self._timeout = timeout
        self._retry_delays = tuple(retry_delays)
        self._semaphore = asyncio.Semaphore(max_in_flight)
        self.rate_limit = rate_limit or RateLimit()

    @property
    def api_url(self) -> str:
        """HTTP base URL (without /appapi or /tokenapi)."""
        return self._api_url

    async def call_signed(
        self, action: str, params: Mapping[str, object] | None = None, *, retry: bool = False
    ) -> dict[str, Any]:
        """Call a pre-login action on /appapi, signed with AppKey/AppSecret."""

        def build() -> dict[str, Any]:
            request = {"Action": action, "RequestId": str(uuid.uuid4()), **(params or {})}
            return signed_body(request, app_key=self._app_key, app_secret=self._app_secret)

        return await self._call(SIGNED_API_PATH, action, build, signed=True, retry=retry)

    async def call_with_token(
        self,
        action: str,
        params: Mapping[str, object] | None,
        access_token: str,
        *,
        user_id: str | None = None,
        retry: bool = False,
    ) -> dict[str, Any]:
        """Call a logged-in action on /tokenapi?uin=<UserID>&cmd=<Action>, as Tencent's SDK does.

        None values are dropped; empty strings are kept because some actions give
        them a meaning (RoomId "" lists every room). `uin` is left out until the UserID is known.
        """

        def build() -> dict[str, Any]:
            optional = {key: value for key, value in (params or {}).items() if value is not None}
            return {
                "Action": action,
                "RequestId": str(uuid.uuid4()),
                "AccessToken": access_token,
                "RegionId": self._region_id,
                **optional,
            }

        query = {"uin": user_id, "cmd": action} if user_id else {"cmd": action}
        return await self._call(
            SESSION_API_PATH, action, build, signed=False, retry=retry, query=query
        )

    async def _call(
        self,
        path: str,
        action: str,
        build: Callable[[], dict[str, Any]],
        *,
        signed: bool,
        retry: bool,
        query: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        # A fresh body per attempt: new RequestId, and for signed calls a new Timestamp/Nonce
        # so the retry is not refused as a replay.
        return await self.rate_limit.send_retrying(
            action,
            lambda: self._post(path, action, build(), signed=signed, query=query),
            retry_delays=self._retry_delays,
            retry=retry,
        )

    async def _post(
        self,
        path: str,
        action: str,
        body: dict[str, Any],
        *,
        signed: bool,
        query: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        secrets = [
            value for key, value in body.items() if key in _SECRET_PARAMS and isinstance(value, str)
        ]
        secrets.append(self._app_secret)
        request_id = body["RequestId"]
        started = time.monotonic()
        async with self._semaphore:
            _LOGGER.debug("POST %s action=%s request_id=%s", path, action, request_id)
            try:
                async with asyncio.timeout(self._timeout):
                    async with self._session.post(
                        f"{self._api_url}{path}", params=query, json=body
                    ) as response:
                        status = response.status
                        retry_after = response.headers.get("Retry-After")
                        raw = await response.read()
            except TimeoutError as err:
                raise TencentIoTTimeoutError(
                    f"{action}: no reply within {self._timeout:g} s"
                ) from err
            except aiohttp.ClientError as err:
                raise TencentIoTConnectionError(f"{action}: {_redact(str(err), secrets)}") from err
        _LOGGER.debug(
            "%s request_id=%s: HTTP %d in %.2f s",
            action,
            request_id,
            status,
            time.monotonic() - started,
        )
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            raise TencentIoTRateLimitError(
                f"HTTP {status}", "", action=action, retry_after=parse_retry_after(retry_after)
            )
        if status >= 500:
            raise TencentIoTConnectionError(f"{action}: HTTP {status}")
        try:
            payload = json.loads(raw)
        except ValueError:
            reason = f"HTTP {status}" if status >= 400 else "reply is not JSON"
            raise TencentIoTResponseError(f"{action}: {reason}") from None
        return parse_envelope(payload, action=action, signed=signed, secrets=secrets)


def parse_envelope(
    payload: object,
    *,
    action: str,
    signed: bool,
    secrets: Sequence[str] = (),
) -> dict[str, Any]:
    """Return what the doc calls `Response`, raising the matching error for an error reply.

    Accepts `{"Response": {...}}`, the wrapped `{"code": 0, "msg": "", "data": {...}}`
    of live services, and a bare object carrying RequestId or Error. Keys beside
    `Response` (Kugou's ErrorCode in one doc example) are kept.
    """
    if not isinstance(payload, Mapping):
        raise TencentIoTResponseError(f"{action}: reply is not a JSON object")
    if isinstance(inner := payload.get("Response"), Mapping):
        response = {**{key: value for key, value in payload.items() if key != "Response"}, **inner}
    elif "code" in payload:
        response = _unwrap(payload, action=action, signed=signed, secrets=secrets)
    elif "RequestId" in payload or "Error" in payload:
        response = dict(payload)
    else:
        raise TencentIoTResponseError(f"{action}: unexpected reply shape")
    if isinstance(error := response.get("Error"), Mapping):
        raise cloud_error(
            as_str(error.get("Code"), "UnknownError"),
            _redact(as_str(error.get("Message")), secrets),
            as_str(response.get("RequestId")) or None,
            action=action,
            signed=signed,
        )
    return response


def _unwrap(
    payload: Mapping[str, Any], *, action: str, signed: bool, secrets: Sequence[str]
) -> dict[str, Any]:
    data = payload.get("data")
    if isinstance(data, Mapping) and isinstance(data.get("Response"), Mapping):
        data = data["Response"]
    code = as_str(payload.get("code"), "unknown")
    if code == "0":
        return dict(data) if isinstance(data, Mapping) else {"Data": data}
    error: Mapping[str, Any] = {}
    if isinstance(data, Mapping):
        nested = data.get("Error")
        error = nested if isinstance(nested, Mapping) else data
    error_code = as_str(error.get("Code")) or code
    message = _redact(as_str(error.get("Message")) or as_str(payload.get("msg")), secrets)
    request_id = (as_str(data.get("RequestId")) if isinstance(data, Mapping) else "") or None
    if code == WRAPPED_LOGIN_EXPIRED and not signed:
        raise TencentIoTTokenError(error_code, message, request_id, action=action)
    raise cloud_error(error_code, message, request_id, action=action, signed=signed)
