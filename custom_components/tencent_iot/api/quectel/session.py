"""An account's session on Quectel's cloud: login, tokens and their renewal, authenticated calls.

The access token is renewed with the refresh token before it expires (or when a call is refused
with 5032/5106), and with the stored password when the refresh token is refused too.
"""

import asyncio
import base64
from collections.abc import Callable, Mapping
import json
import logging
import math
import time
from typing import Any, Final

from custom_components.tencent_iot.api.exceptions import (
    TencentIoTAccountLockedError,
    TencentIoTAuthError,
    TencentIoTError,
    TencentIoTRejectedError,
    TencentIoTResponseError,
    TencentIoTTokenError,
)
from custom_components.tencent_iot.api.models import LoginCredentials, Token
from custom_components.tencent_iot.api.parsing import (
    as_bool,
    as_int,
    as_mapping,
    as_records,
    as_str,
)

from .const import EXPIRY_MARGIN, MAX_PAGES, PAGE_SIZE
from .crypto import encrypt_password, login_random, login_signature
from .models import seconds
from .transport import Method, Params, QuectelTransport

_LOGGER = logging.getLogger(__name__)

ENDUSER: Final = "/v2/enduser/enduserapi"


def _jwt_uid(token: str) -> str:
    """The `uid` claim of a JWT access token ("Bearer " or not); "" when it has none."""
    parts = token.removeprefix("Bearer ").split(".")
    if len(parts) != 3:
        return ""
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return ""
    return as_str(claims.get("uid")) if isinstance(claims, Mapping) else ""


def _token(raw: object) -> Token | None:
    """An access or refresh token of a login reply; the doc says seconds, live replies ms."""
    record = as_mapping(raw)
    value = as_str(record.get("token"))
    return Token(value, seconds(record.get("expirationTime"))) if value else None


def page_items(data: object, page_size: int, seen: int = 0) -> tuple[list[Mapping[str, Any]], bool]:
    """A list reply's items, and whether more pages follow.

    The reply is a page (`list` with `hasNextPage`, or `total`), or a bare list that holds
    everything; `seen` counts the items of the pages before this one.
    """
    if isinstance(data, list):
        return as_records(data), False
    page = as_mapping(data)
    items = as_records(page.get("list"))
    if not items:
        return items, False
    if (more := as_bool(page.get("hasNextPage"))) is not None:
        return items, more
    if (total := as_int(page.get("total"))) is not None:
        return items, seen + len(items) < total
    return items, len(items) >= page_size


class QuectelSession:
    """The tokens of one account of one app (user domain), and the calls made with them."""

    def __init__(
        self,
        transport: QuectelTransport,
        *,
        user_domain: str,
        user_domain_secret: str,
        user_id: str | None = None,
        token: Token | None = None,
        refresh: Token | None = None,
        credentials: LoginCredentials | None = None,
        on_token: Callable[[Token], None] | None = None,
    ) -> None:
        """Start from what the owner stored; `on_token` hears of every new access token."""
        self._transport = transport
        self._user_domain = user_domain
        self._secret = user_domain_secret
        self.user_id = user_id
        self.token = token
        self.refresh = refresh
        self.credentials = credentials
        self._on_token = on_token
        self._login_lock = asyncio.Lock()
        # Why the stored password was last refused (wrong, or the account locked), and until
        # when (monotonic s): calls waiting to renew do not try it again, each costing one of
        # the account's few attempts before the cloud locks it.
        self._refusal: tuple[TencentIoTError, float] | None = None

    @property
    def can_relogin(self) -> bool:
        """Whether a password is stored to log in again with."""
        return bool(self.credentials and self.credentials.password)

    async def login_password(self, credentials: LoginCredentials | None = None) -> Token:
        """Log in by email or phone and password; given credentials are kept for re-login."""
        credentials = credentials or self.credentials
        if credentials is None:
            raise ValueError("no credentials to log in with")
        random = login_random()
        pwd = encrypt_password(credentials.password, random)
        account = credentials.account
        form: dict[str, object] = {
            credentials.account_type: account,
            "pwd": pwd,
            "random": random,
            "userDomain": self._user_domain,
            "signature": login_signature(account, pwd, random, self._secret),
        }
        if credentials.account_type == "phone":
            form["internationalCode"] = credentials.country_code
            path = f"{ENDUSER}/phonePwdLogin"
        else:
            path = f"{ENDUSER}/emailPwdLogin"
        data = await self._transport.request(
            "POST", path, form=form, secrets=(credentials.password, pwd, self._secret)
        )
        token = self._store_tokens(data, "login")
        self.credentials = credentials
        self._refusal = None
        return token

    async def renew(self, stale: str | None) -> Token:
        """A new access token, unless the current one already differs from `stale`."""
        return await self._renew_now(stale)

    async def logout(self) -> None:
        """Log out (userLogout) and forget the tokens; an already invalid token is fine."""
        if self.token is None:
            return
        try:
            await self._transport.request("DELETE", f"{ENDUSER}/userLogout", token=self.token.token)
        except TencentIoTTokenError:
            _LOGGER.debug("Token was already invalid at logout")
        self.token = self.refresh = None

    def _store_tokens(self, data: object, what: str) -> Token:
        reply = as_mapping(data)
        token = _token(reply.get("accessToken"))
        if token is None:
            raise TencentIoTResponseError(f"{what}: reply has no access token")
        self.token = token
        self.refresh = _token(reply.get("refreshToken")) or self.refresh
        if uid := as_str(reply.get("uid")) or _jwt_uid(token.token):
            self.user_id = uid
        if self._on_token is not None:
            self._on_token(token)
        return token

    async def _renew_now(self, stale: str | None) -> Token:
        async with self._login_lock:
            # Another call may have renewed the token while this one waited for the lock.
            if self.token is not None and self.token.token != stale:
                return self.token
            refresh = self.refresh
            if refresh is not None and not refresh.expires_within(0):
                try:
                    data = await self._transport.request(
                        "PUT",
                        f"{ENDUSER}/refreshToken",
                        query={"refreshToken": refresh.token},
                        secrets=(refresh.token,),
                    )
                    return self._store_tokens(data, "refreshToken")
                except TencentIoTRejectedError as err:
                    _LOGGER.info("Refreshing the access token failed (%s)", err.code)
                    self.refresh = None
            if not self.can_relogin:
                raise TencentIoTTokenError("NoCredentials", "no way left to renew the session")
            if self._refusal is not None and time.monotonic() < self._refusal[1]:
                raise self._refusal[0]
            try:
                return await self.login_password()
            except TencentIoTAccountLockedError as err:
                self._refusal = (err, time.monotonic() + (err.retry_after or 0.0))
                raise
            except TencentIoTAuthError as err:
                # Until someone logs in with other credentials (a new client, after reauth).
                self._refusal = (err, math.inf)
                raise

    async def _usable_token(self) -> str:
        token = self.token
        if token is not None and not token.expires_within(EXPIRY_MARGIN):
            return token.token
        renewable = self.can_relogin or (
            self.refresh is not None and not self.refresh.expires_within(0)
        )
        if not renewable:
            if token is None:
                raise TencentIoTTokenError("NoAccessToken", "not logged in")
            return token.token
        return (await self._renew_now(token.token if token else None)).token

    async def get(
        self, path: str, query: Params | None = None, *, device_call: bool = False
    ) -> Any:
        """A read: retried after a connection error."""
        return await self.call("GET", path, query=query, retry=True, device_call=device_call)

    async def call(
        self,
        method: Method,
        path: str,
        *,
        query: Params | None = None,
        body: object = None,
        retry: bool = False,
        device_call: bool = False,
    ) -> Any:
        """A call with the access token, renewed first when it is about to expire or refused."""

        async def send(token: str) -> Any:
            return await self._transport.request(
                method,
                path,
                token=token,
                query=query,
                body=body,
                retry=retry,
                device_call=device_call,
            )

        token = await self._usable_token()
        try:
            return await send(token)
        except TencentIoTTokenError as err:
            _LOGGER.info("%s: access token rejected (%s), renewing it", path, err.code)
        return await send((await self._renew_now(token)).token)

    async def pages(
        self, path: str, query: Params | None = None, *, device_call: bool = False
    ) -> list[Mapping[str, Any]]:
        """Every item of a paged list, page by page."""
        items: list[Mapping[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            data = await self.get(
                path,
                {**(query or {}), "page": page, "pageSize": PAGE_SIZE},
                device_call=device_call,
            )
            found, more = page_items(data, PAGE_SIZE, len(items))
            items.extend(found)
            if not more:
                break
        return items
