"""Typed client for the Tencent IoT Explorer application-side API (one method per action)."""

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
import logging
import re
from typing import Any, Final

import aiohttp

from .cloud import Capability
from .const import (
    DEFAULT_RETRY_DELAYS,
    DEFAULT_TIMEOUT,
    MAX_PAGES,
    PAGE_SIZE,
    PRODUCT_BATCH_SIZE,
    REGIONS,
    STATUS_BATCH_SIZE,
    STATUS_FALLBACK_BATCH_SIZE,
    Region,
)
from .exceptions import (
    TencentIoTCloudError,
    TencentIoTKugouError,
    TencentIoTResponseError,
    TencentIoTTokenError,
)
from .models import (
    AccountType,
    ActionResult,
    Automation,
    BindTokenState,
    DataHistoryPage,
    DataHistoryPoint,
    Device,
    DeviceStatus,
    EventHistoryPage,
    EventRecord,
    Family,
    FirmwareInfo,
    FirmwareStatus,
    LoginCredentials,
    Message,
    MessagePage,
    Product,
    PropertyValue,
    Room,
    Scene,
    Timer,
    Token,
    User,
    device_data_from_api,
)
from .parsing import as_bool, as_int, as_records, as_str, dumps, first, json_value
from .push import PushIdentity, push_urls
from .rate_limit import RateLimit
from .transport import Transport

_LOGGER = logging.getLogger(__name__)

# Only these are retried after a connection error: repeating them is harmless,
# while repeating a control, a scene run or a timer creation is not.
_READ_ACTIONS: Final = frozenset(
    {
        "AppGetUser",
        "AppGetFamilyList",
        "AppGetRoomList",
        "AppGetFamilyDeviceList",
        "AppListUserShareDevices",
        "AppGetFamilySubDeviceList",
        "AppGetProducts",
        "AppGetDeviceStatuses",
        "AppGetDeviceData",
        "AppListEventHistory",
        "AppCheckFirmwareUpdate",
        "AppDescribeFirmwareUpdateStatus",
        "AppGetSceneList",
        "AppGetAutomationList",
        "AppGetTimerList",
        "AppGetDeviceBindTokenState",
        "AppGetMessages",
        "AppGetDeviceDataHistory",
    }
)
# Log in again this long before a known expiry rather than wait for a rejection.
_EXPIRY_MARGIN: Final = 60.0
_DAYS: Final = re.compile(r"[01]{7}")
_TIME_POINT: Final = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def _merged(response: Mapping[str, Any]) -> dict[str, Any]:
    # Many actions nest their result in Response.Data, others put it directly in
    # Response, and live services differ from the doc: read both levels.
    data = response.get("Data")
    return {**response, **data} if isinstance(data, Mapping) else dict(response)


def _wire(value: object) -> object:
    # The cloud carries booleans as 0/1, also inside structs and arrays.
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Mapping):
        return {str(key): _wire(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_wire(item) for item in value]
    return value


def _batches(ids: Iterable[str], size: int) -> list[list[str]]:
    unique = list(dict.fromkeys(ids))
    return [unique[start : start + size] for start in range(0, len(unique), size)]


def _account_params(account_type: AccountType, account: str, country_code: str) -> dict[str, str]:
    if account_type == "phone":
        return {"CountryCode": country_code, "PhoneNumber": account}
    return {"Email": account}


def _timer_params(
    timer_name: str, days: str, time_point: str, data: Mapping[str, Any], repeat: bool | None
) -> dict[str, Any]:
    if not _DAYS.fullmatch(days):
        raise ValueError("days must be 7 characters of 0/1, Sunday first")
    if not _TIME_POINT.fullmatch(time_point):
        raise ValueError("time_point must be HH:MM")
    return {
        "TimerName": timer_name,
        "Days": days,
        "TimePoint": time_point,
        "Repeat": int(days != "0000000" if repeat is None else repeat),
        "Data": dumps(_wire(data)),
    }


class TencentIoTClient:
    """Client of one account on one cloud endpoint.

    Holds the access token; with password credentials it logs in again once,
    transparently, when the cloud rejects the token.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        app_key: str,
        app_secret: str,
        region: Region = "china",
        api_url: str | None = None,
        ws_url: str | None = None,
        user_id: str | None = None,
        access_token: str | None = None,
        token_expire_at: int | None = None,
        credentials: LoginCredentials | None = None,
        on_token: Callable[[Token], None] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        rate_limit: RateLimit | None = None,
    ) -> None:
        """Set up the client; `api_url`/`ws_url` override the region's endpoints.

        `user_id` (the account's UserID, learnt by `get_user` otherwise) goes into every
        tokenapi and push URL as `uin`, as Tencent's SDK sends it. Every request goes through
        `rate_limit`, its own unless the owner shares one.
        """
        if region not in REGIONS:
            raise ValueError(f"unknown region {region!r}")
        endpoints = REGIONS[region]
        self._app_key = app_key
        self._region_id = endpoints.region_id
        self._transport = Transport(
            session,
            api_url or endpoints.api_url,
            app_key=app_key,
            app_secret=app_secret,
            region_id=endpoints.region_id,
            timeout=timeout,
            retry_delays=retry_delays,
            rate_limit=rate_limit,
        )
        self._ws_urls = push_urls(ws_url or endpoints.ws_url)
        self._user_id = user_id
        self._token = Token(access_token, token_expire_at) if access_token else None
        self._credentials = credentials
        self._status_batch_size = STATUS_BATCH_SIZE
        self._on_token = on_token
        self._login_lock = asyncio.Lock()

    @property
    def api_url(self) -> str:
        """HTTP base URL."""
        return self._transport.api_url

    @property
    def rate_limit(self) -> RateLimit:
        """The requests sent, and the back-off every request waits out while the cloud refuses."""
        return self._transport.rate_limit

    @property
    def ws_url(self) -> str:
        """WebSocket URL of the push channel (the first one tried)."""
        return self._ws_urls[0]

    @property
    def unsupported(self) -> frozenset[Capability]:
        """Nothing: the interface was drawn from this cloud's API."""
        return frozenset()

    @property
    def push_identity(self) -> PushIdentity:
        """What the push channel needs beside the token: its URLs, UserID, AppKey and RegionId."""
        return PushIdentity(self._ws_urls, self._user_id or "", self._app_key, self._region_id)

    @property
    def user_id(self) -> str | None:
        """The account's UserID, once known."""
        return self._user_id

    @property
    def token(self) -> Token | None:
        """The current access token, if logged in."""
        return self._token

    @property
    def access_token(self) -> str | None:
        """The current access token string, if logged in."""
        return self._token.token if self._token else None

    @property
    def token_expire_at(self) -> int | None:
        """When the current token expires (UNIX seconds), if known."""
        return self._token.expire_at if self._token else None

    @property
    def credentials(self) -> LoginCredentials | None:
        """Credentials used to log in again."""
        return self._credentials

    @credentials.setter
    def credentials(self, credentials: LoginCredentials | None) -> None:
        self._credentials = credentials

    @property
    def can_relogin(self) -> bool:
        """Whether the client holds a password to log in again by itself."""
        return bool(self._credentials and self._credentials.password)

    # Login and account

    async def login_password(self, credentials: LoginCredentials | None = None) -> Token:
        """Log in with a password (AppGetToken); given credentials are kept for re-login."""
        credentials = credentials or self._credentials
        if credentials is None:
            raise ValueError("no credentials to log in with")
        token = await self._get_token(
            credentials.account_type,
            credentials.account,
            credentials.country_code,
            {"Password": credentials.password},
        )
        self._credentials = credentials
        return token

    async def relogin(self, rejected_token: str | None = None) -> Token:
        """Log in again with the stored password.

        With `rejected_token`, nothing is done when the current token already
        differs from it (another call logged in meanwhile).
        """
        if not self.can_relogin:
            raise TencentIoTTokenError("NoCredentials", "no stored password to log in again with")
        return await self._relogin(rejected_token or self.access_token)

    async def send_verification_code(
        self, account_type: AccountType, account: str, country_code: str = "86"
    ) -> None:
        """Send a login verification code by SMS or e-mail."""
        action = (
            "AppSendVerificationCode" if account_type == "phone" else "AppSendEmailVerificationCode"
        )
        await self._transport.call_signed(
            action, {"Type": "login", **_account_params(account_type, account, country_code)}
        )

    async def login_verification_code(
        self, account_type: AccountType, account: str, code: str, country_code: str = "86"
    ) -> Token:
        """Log in with a verification code (AppGetToken)."""
        return await self._get_token(
            account_type, account, country_code, {"VerificationCode": code}
        )

    async def get_user(self) -> User:
        """Read the logged-in account (AppGetUser)."""
        user = User.from_api(_merged(await self._call("AppGetUser")))
        self._user_id = user.user_id
        return user

    async def logout(self) -> None:
        """Log out (AppLogoutUser) and forget the token; an already invalid token is fine."""
        if self._token is None:
            return
        try:
            await self._transport.call_with_token(
                "AppLogoutUser", None, self._token.token, user_id=self._user_id
            )
        except TencentIoTTokenError:
            _LOGGER.debug("Token was already invalid at logout")
        self._token = None

    # Families, rooms, devices, products

    async def get_families(self) -> list[Family]:
        """List the account's families (AppGetFamilyList, every page)."""
        return [
            Family.from_api(raw) for raw in await self._paged("AppGetFamilyList", {}, "FamilyList")
        ]

    async def get_rooms(self, family_id: str) -> list[Room]:
        """List a family's rooms (AppGetRoomList, every page)."""
        rooms = await self._paged("AppGetRoomList", {"FamilyId": family_id}, "RoomList")
        return [Room.from_api(raw) for raw in rooms]

    async def get_devices(self, family_id: str, room_id: str | None = None) -> list[Device]:
        """List a family's devices, or one room's (AppGetFamilyDeviceList, every page)."""
        # The doc: RoomId "" lists the whole family, "0" is the default room.
        params = {"FamilyId": family_id, "RoomId": room_id or ""}
        return [
            Device.from_api(raw)
            for raw in await self._paged("AppGetFamilyDeviceList", params, "DeviceList")
        ]

    async def get_shared_devices(self) -> list[Device]:
        """List the devices other users share with the account (AppListUserShareDevices)."""
        return [
            Device.from_api(raw)
            for raw in await self._paged("AppListUserShareDevices", {}, "ShareDevices")
        ]

    async def get_gateway_sub_devices(self, gateway: Device) -> list[Device]:
        """List a gateway's sub-devices bound to the family (AppGetFamilySubDeviceList)."""
        params = {"GatewayProductId": gateway.product_id, "GatewayDeviceName": gateway.device_name}
        return [
            Device.from_api(raw)
            for raw in await self._paged("AppGetFamilySubDeviceList", params, "DeviceList")
        ]

    async def get_products(self, product_ids: Iterable[str]) -> list[Product]:
        """Read products and their thing models (AppGetProducts, in batches)."""
        products: list[Product] = []
        for batch in _batches(product_ids, PRODUCT_BATCH_SIZE):
            body = _merged(await self._call("AppGetProducts", {"ProductIds": batch}))
            products.extend(Product.from_api(raw) for raw in as_records(body.get("Products")))
        return products

    async def get_device_statuses(self, device_ids: Iterable[str]) -> list[DeviceStatus]:
        """Read online states (AppGetDeviceStatuses, in batches) of "ProductId/DeviceName" ids."""
        statuses: list[DeviceStatus] = []
        pending = _batches(device_ids, self._status_batch_size)
        while pending:
            batch = pending.pop(0)
            try:
                body = _merged(await self._call("AppGetDeviceStatuses", {"DeviceIds": batch}))
            except TencentIoTCloudError as err:
                if err.code != "InvalidParameterValue" or len(batch) <= STATUS_FALLBACK_BATCH_SIZE:
                    raise
                # Too many ids for this service: smaller batches from now on.
                self._status_batch_size = STATUS_FALLBACK_BATCH_SIZE
                pending[:0] = _batches(batch, STATUS_FALLBACK_BATCH_SIZE)
                continue
            raws = as_records(first(body, "DeviceStatuses", "Devices"))
            statuses.extend(DeviceStatus.from_api(raw) for raw in raws)
        return statuses

    async def get_device_data(self, device: Device) -> dict[str, PropertyValue]:
        """Read a device's property values (AppGetDeviceData; Data is a JSON string)."""
        response = await self._call("AppGetDeviceData", _device_params(device))
        try:
            data = json_value(response.get("Data"))
        except ValueError:
            raise TencentIoTResponseError("AppGetDeviceData: Data is not valid JSON") from None
        if data is None:
            return {}
        if not isinstance(data, Mapping):
            raise TencentIoTResponseError("AppGetDeviceData: Data is not an object")
        return device_data_from_api(data)

    async def control_device(self, device: Device, data: Mapping[str, Any]) -> None:
        """Set property values (AppControlDeviceData); booleans are sent as 0/1."""
        params = {**_device_params(device), "Data": dumps(_wire(data))}
        await self._call("AppControlDeviceData", params)

    async def call_action(
        self,
        device: Device,
        action_id: str,
        input_params: Mapping[str, Any] | None = None,
    ) -> ActionResult:
        """Call a thing-model action and wait for its output (AppCallDeviceActionSync)."""
        params = {
            **_device_params(device),
            "ActionId": action_id,
            "InputParams": dumps(_wire(input_params or {})),
        }
        return ActionResult.from_api(_merged(await self._call("AppCallDeviceActionSync", params)))

    async def list_event_history(
        self,
        device: Device,
        *,
        event_id: str | None = None,
        event_type: str | None = None,
        start_time: int = 0,
        end_time: int = 0,
        size: int = 20,
        context: str | None = None,
    ) -> EventHistoryPage:
        """Read one page of past events (AppListEventHistory); times in UNIX s, 0 = now."""
        params: dict[str, object] = {
            **_device_params(device),
            "EventId": event_id,
            "Type": event_type,
            "StartTime": start_time,
            "EndTime": end_time,
            "Size": size,
            "Context": context,
        }
        body = _merged(await self._call("AppListEventHistory", params))
        return EventHistoryPage(
            events=tuple(EventRecord.from_api(raw) for raw in as_records(body.get("EventHistory"))),
            context=as_str(body.get("Context")),
            list_over=as_bool(body.get("Listover")) is not False,
            total=as_int(body.get("Total")),
        )

    # Firmware

    async def check_firmware_update(self, device: Device) -> FirmwareInfo:
        """Read the current and upgradable firmware versions (AppCheckFirmwareUpdate)."""
        response = await self._call("AppCheckFirmwareUpdate", _device_params(device))
        return FirmwareInfo.from_api(_merged(response))

    async def publish_firmware_update(self, device: Device) -> None:
        """Confirm the pending upgrade so the cloud sends it (AppPublishFirmwareUpdateMessage)."""
        await self._call("AppPublishFirmwareUpdateMessage", _device_params(device))

    async def describe_firmware_update_status(self, device: Device) -> FirmwareStatus:
        """Read upgrade progress (AppDescribeFirmwareUpdateStatus)."""
        response = await self._call("AppDescribeFirmwareUpdateStatus", _device_params(device))
        return FirmwareStatus.from_api(_merged(response))

    # Scenes and automations

    async def get_scenes(self, family_id: str) -> list[Scene]:
        """List a family's manual scenes (AppGetSceneList, every page)."""
        scenes = await self._paged("AppGetSceneList", {"FamilyId": family_id}, "SceneList")
        return [Scene.from_api(raw) for raw in scenes]

    async def run_scene(self, scene_id: str) -> None:
        """Run a manual scene (AppRunScene); a running scene fails with SceneRunInProgress."""
        await self._call("AppRunScene", {"SceneId": scene_id})

    async def get_automations(self, family_id: str) -> list[Automation]:
        """List a family's automations (AppGetAutomationList)."""
        body = _merged(await self._call("AppGetAutomationList", {"FamilyId": family_id}))
        return [
            Automation.from_api(raw) for raw in as_records(first(body, "List", "AutomationList"))
        ]

    async def set_automation_enabled(self, automation_id: str, enabled: bool) -> None:
        """Switch an automation on or off (AppModifyAutomationStatus)."""
        await self._call(
            "AppModifyAutomationStatus", {"AutomationId": automation_id, "Status": int(enabled)}
        )

    # Timers

    async def get_timers(self, device: Device) -> list[Timer]:
        """List a device's timers (AppGetTimerList, every page)."""
        timers = await self._paged("AppGetTimerList", _device_params(device), "TimerList")
        return [Timer.from_api(raw) for raw in timers]

    async def create_timer(
        self,
        device: Device,
        *,
        timer_name: str,
        days: str,
        time_point: str,
        data: Mapping[str, Any],
        repeat: bool | None = None,
    ) -> str:
        """Create a timer (AppCreateTimer) and return its TimerId.

        `days`: 7 chars of 0/1, Sunday first ("0000000" = once); `time_point`: HH:MM;
        `repeat` defaults to whether any day is set.
        """
        params = {
            **_device_params(device),
            **_timer_params(timer_name, days, time_point, data, repeat),
        }
        timer_id = as_str(_merged(await self._call("AppCreateTimer", params)).get("TimerId"))
        if not timer_id:
            raise TencentIoTResponseError("AppCreateTimer: reply has no TimerId")
        return timer_id

    async def modify_timer(
        self,
        device: Device,
        timer_id: str,
        *,
        timer_name: str,
        days: str,
        time_point: str,
        data: Mapping[str, Any],
        repeat: bool | None = None,
    ) -> None:
        """Replace a timer's settings (AppModifyTimer needs all of them)."""
        params = {
            **_device_params(device),
            "TimerId": timer_id,
            **_timer_params(timer_name, days, time_point, data, repeat),
        }
        await self._call("AppModifyTimer", params)

    async def set_timer_enabled(self, device: Device, timer_id: str, enabled: bool) -> None:
        """Switch a timer on or off (AppModifyTimerStatus)."""
        params = {
            **_device_params(device),
            "TimerId": timer_id,
            "Status": int(enabled),
        }
        await self._call("AppModifyTimerStatus", params)

    async def delete_timer(self, device: Device, timer_id: str) -> None:
        """Delete a timer (AppDeleteTimer)."""
        await self._call("AppDeleteTimer", {**_device_params(device), "TimerId": timer_id})

    # Sharing and binding

    async def send_share_invite(self, device: Device, to_user_id: str) -> None:
        """Invite another user to share a device (AppSendShareDeviceInvite)."""
        params = {**_device_params(device), "ToUserID": to_user_id}
        await self._call("AppSendShareDeviceInvite", params)

    async def get_bind_token_state(self, token: str) -> BindTokenState:
        """Read the state of a Wi-Fi configuration token (AppGetDeviceBindTokenState)."""
        body = _merged(await self._call("AppGetDeviceBindTokenState", {"Token": token}))
        return BindTokenState(as_int(body.get("State")))

    async def bind_device_by_token(
        self, token: str, product_id: str, device_name: str, family_id: str, room_id: str = "0"
    ) -> None:
        """Bind a configured device to a family (AppTokenBindDeviceFamily); room "0" is the default."""
        params = {
            "Token": token,
            "ProductId": product_id,
            "DeviceName": device_name,
            "FamilyId": family_id,
            "RoomId": room_id,
        }
        await self._call("AppTokenBindDeviceFamily", params)

    # Music and messages

    async def kugou_command(
        self, device_id: str, command: str, params: Mapping[str, Any] | None = None
    ) -> Any:
        """Run a Kugou music command for a speaker (AppKugouUserCommand) and return its Data."""
        request = {"DeviceId": device_id, "KGCommand": command, "KugouParams": dict(params or {})}
        response = await self._call("AppKugouUserCommand", request)
        if error_code := as_int(response.get("ErrorCode")):
            raise TencentIoTKugouError(
                str(error_code),
                as_str(response.get("ErrorMsg")),
                as_str(response.get("RequestId")) or None,
                action="AppKugouUserCommand",
            )
        return response.get("Data")

    async def get_messages(
        self,
        category: int,
        *,
        limit: int = 20,
        msg_id: str | None = None,
        msg_timestamp: int | None = None,
    ) -> MessagePage:
        """Read one page of messages (AppGetMessages); category 1 device, 2 family, 3 notice."""
        params = {
            "Category": category,
            "Limit": limit,
            "MsgID": msg_id,
            "MsgTimestamp": msg_timestamp,
        }
        body = _merged(await self._call("AppGetMessages", params))
        return MessagePage(
            messages=tuple(Message.from_api(raw) for raw in as_records(body.get("Msgs"))),
            list_over=as_bool(body.get("Listover")) is not False,
        )

    async def mark_messages_read(self) -> None:
        """Nothing to send: Tencent's messages have no read state (AppGetMessages has none)."""

    # Internals

    async def _get_token(
        self,
        account_type: AccountType,
        account: str,
        country_code: str,
        secret: Mapping[str, str],
    ) -> Token:
        params = {
            "Type": account_type,
            **_account_params(account_type, account, country_code),
            **secret,
        }
        token = Token.from_api(_merged(await self._transport.call_signed("AppGetToken", params)))
        if not token.token:
            raise TencentIoTResponseError("AppGetToken: reply has no Token")
        self._token = token
        if self._on_token is not None:
            self._on_token(token)
        return token

    async def _relogin(self, stale: str | None) -> Token:
        async with self._login_lock:
            # Another call may have logged in while this one waited for the lock.
            if self._token is not None and self._token.token != stale:
                return self._token
            return await self.login_password()

    async def _usable_token(self) -> str:
        token = self._token
        if not self.can_relogin:
            if token is None:
                raise TencentIoTTokenError("NoAccessToken", "not logged in")
            return token.token
        if token is None or token.expires_within(_EXPIRY_MARGIN):
            return (await self._relogin(token.token if token else None)).token
        return token.token

    async def _call(
        self, action: str, params: Mapping[str, object] | None = None
    ) -> dict[str, Any]:
        retry = action in _READ_ACTIONS
        token = await self._usable_token()
        try:
            return await self._transport.call_with_token(
                action, params, token, user_id=self._user_id, retry=retry
            )
        except TencentIoTTokenError as err:
            if not self.can_relogin:
                raise
            _LOGGER.info("%s: access token rejected (%s), logging in again", action, err.code)
            token = (await self._relogin(token)).token
        return await self._transport.call_with_token(
            action, params, token, user_id=self._user_id, retry=retry
        )

    async def _paged(
        self, action: str, params: Mapping[str, object], list_key: str
    ) -> list[Mapping[str, Any]]:
        items: list[Mapping[str, Any]] = []
        for _ in range(MAX_PAGES):
            body = _merged(
                await self._call(action, {**params, "Offset": len(items), "Limit": PAGE_SIZE})
            )
            page = as_records(body.get(list_key))
            items.extend(page)
            total = as_int(body.get("Total"))
            if not page or (len(items) >= total if total is not None else len(page) < PAGE_SIZE):
                break
        return items

    async def get_device_data_history(
        self,
        device: Device,
        field_name: str,
        *,
        min_time: int,
        max_time: int,
        limit: int = 100,
        context: str | None = None,
    ) -> DataHistoryPage:
        """Read one page of a property's past values (AppGetDeviceDataHistory); times in ms.

        The parameter table names the device by DeviceId, the doc's example by ProductId and
        DeviceName: both are sent.
        """
        params: dict[str, object] = {
            "DeviceId": device.key,
            **_device_params(device),
            "FieldName": field_name,
            "MinTime": min_time,
            "MaxTime": max_time,
            "Limit": limit,
            "Context": context,
        }
        body = _merged(await self._call("AppGetDeviceDataHistory", params))
        points = (DataHistoryPoint.from_api(raw) for raw in as_records(body.get("Results")))
        return DataHistoryPage(
            points=tuple(point for point in points if point is not None),
            context=as_str(body.get("Context")),
            list_over=as_bool(body.get("Listover")) is not False,
        )


def _device_params(device: Device) -> dict[str, str]:
    return {"ProductId": device.product_id, "DeviceName": device.device_name}
