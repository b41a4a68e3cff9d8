"""HTTP transport of Quectel's end-user API: headers, envelope, errors, limits and retries."""

import asyncio
from collections.abc import Mapping, Sequence
from functools import partial
from http import HTTPStatus
import json
import logging
import time
from typing import Any, Final, Literal
import uuid

import aiohttp

from custom_components.tencent_iot.api.exceptions import (
    TencentIoTConnectionError,
    TencentIoTRateLimitError,
    TencentIoTResponseError,
    TencentIoTTimeoutError,
)
from custom_components.tencent_iot.api.parsing import as_int, as_str
from custom_components.tencent_iot.api.rate_limit import RateLimit, parse_retry_after

from .const import APP_HEADERS, DEFAULT_RETRY_DELAYS, DEFAULT_TIMEOUT, MAX_IN_FLIGHT
from .errors import is_success, quectel_error

_LOGGER = logging.getLogger(__name__)

type Method = Literal["GET", "POST", "PUT", "DELETE"]
type Params = Mapping[str, object]

# HTTP statuses that carry a meaning of their own when the body is not an envelope.
_HTTP_CODES: Final = {401: 5032, 404: 404}


def _query(params: Params | None) -> dict[str, str]:
    """Query values as the cloud reads them: booleans as true/false, None left out."""
    query: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        query[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return query


def _redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class QuectelTransport:
    """Send one request to `{api_url}{path}` and return the envelope's `data`."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_url: str,
        *,
        language: str = "en",
        timeout: float = DEFAULT_TIMEOUT,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        max_in_flight: int = MAX_IN_FLIGHT,
        rate_limit: RateLimit | None = None,
    ) -> None:
        """Use the caller's session; `retry_delays` are the waits between attempts of a read.

        Every request goes through `rate_limit` (a new one unless shared): while the cloud
        refuses requests for being too many (4026), all of them wait.
        """
        self._session = session
        self._api_url = api_url.rstrip("/")
        self._language = language
        self._timeout = timeout
        self._retry_delays = tuple(retry_delays)
        self._semaphore = asyncio.Semaphore(max_in_flight)
        self.rate_limit = rate_limit or RateLimit()

    @property
    def api_url(self) -> str:
        """HTTP base URL."""
        return self._api_url

    async def request(
        self,
        method: Method,
        path: str,
        *,
        token: str | None = None,
        query: Params | None = None,
        form: Params | None = None,
        body: object = None,
        retry: bool = False,
        device_call: bool = False,
        secrets: Sequence[str] = (),
    ) -> Any:
        """Send a request; reads (`retry`) are repeated after a connection error.

        `form` is sent form-encoded, `body` as JSON; `secrets` never appear in an error text.
        """
        action = path.rsplit("/", 1)[-1]
        send = partial(
            self._send,
            method,
            path,
            action,
            token=token,
            query=query,
            form=form,
            body=body,
            device_call=device_call,
            secrets=(*secrets, *([token] if token else [])),
        )
        return await self.rate_limit.send_retrying(
            action, send, retry_delays=self._retry_delays, retry=retry
        )

    def _headers(self, token: str | None) -> dict[str, str]:
        headers = {
            **APP_HEADERS,
            "X-Q-Language": self._language,
            # A fresh one per request, as live apps send it.
            "quec-random-url": str(uuid.uuid4()),
        }
        if token:
            headers["Authorization"] = token
        return headers

    async def _send(
        self,
        method: Method,
        path: str,
        action: str,
        *,
        token: str | None,
        query: Params | None,
        form: Params | None,
        body: object,
        device_call: bool,
        secrets: Sequence[str],
    ) -> Any:
        started = time.monotonic()
        async with self._semaphore:
            _LOGGER.debug("%s %s", method, path)
            try:
                async with asyncio.timeout(self._timeout):
                    async with self._session.request(
                        method,
                        f"{self._api_url}{path}",
                        params=_query(query),
                        data=None if form is None else _query(form),
                        json=body,
                        headers=self._headers(token),
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
        _LOGGER.debug("%s: HTTP %d in %.2f s", action, status, time.monotonic() - started)
        if status >= 500:
            raise TencentIoTConnectionError(f"{action}: HTTP {status}")
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        if not isinstance(payload, Mapping) or "code" not in payload:
            if status == HTTPStatus.TOO_MANY_REQUESTS:
                raise TencentIoTRateLimitError(
                    f"HTTP {status}", "", action=action, retry_after=parse_retry_after(retry_after)
                )
            if (code := _HTTP_CODES.get(status)) is not None:
                raise quectel_error(code, f"HTTP {status}", action=action, device_call=device_call)
            reason = f"HTTP {status}" if status >= 400 else "reply is not the JSON envelope"
            raise TencentIoTResponseError(f"{action}: {reason}")
        code = as_int(payload.get("code"))
        if is_success(code):
            return payload.get("data")
        message = _redact(as_str(payload.get("msg")), secrets)
        raise quectel_error(code, message, action=action, device_call=device_call)
