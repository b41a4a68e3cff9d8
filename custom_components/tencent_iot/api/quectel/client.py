"""Typed client of Quectel's Developer Center end-user API, in the package's shared models.

It satisfies `cloud.CloudClient` (and `cloud.AccountSharing`): what Quectel's end-user API has
no call for raises `TencentIoTNotSupportedError` before anything is sent.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
import logging
import time
from typing import Any, Final

import aiohttp

from custom_components.tencent_iot.api.cloud import Capability, ShareRecipient
from custom_components.tencent_iot.api.exceptions import (
    TencentIoTCloudError,
    TencentIoTNotSupportedError,
    TencentIoTResponseError,
)
from custom_components.tencent_iot.api.models import (
    AccountType,
    ActionResult,
    Automation,
    BindTokenState,
    DataHistoryPage,
    Device,
    DeviceStatus,
    EventHistoryPage,
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
)
from custom_components.tencent_iot.api.parsing import (
    as_bool,
    as_int,
    as_mapping,
    as_records,
    as_str,
)
from custom_components.tencent_iot.api.rate_limit import RateLimit
from custom_components.tencent_iot.api.thing_model import InvalidValueError, ThingModel

from . import models
from .const import (
    ACCOUNT_FAMILY_ID,
    DATA_CENTRES,
    DEFAULT_RETRY_DELAYS,
    DEFAULT_TIMEOUT,
    LISTED_STATES_FRESH,
    MAX_PAGES,
    TSL_KEY,
    DataCentre,
)
from .errors import FAMILY_MODE_OFF
from .push import QuectelPushIdentity, push_urls
from .session import QuectelSession, page_items
from .transport import QuectelTransport
from .tsl import command_text, thing_model_from_tsl, value_to_cloud

_LOGGER = logging.getLogger(__name__)

_ENDUSER: Final = "/v2/enduser/enduserapi"
_BINDING: Final = "/v2/binding/enduserapi"
_FAMILY: Final = "/v2/family/enduserapi"
_CEP: Final = "/v2/cep/enduserapi"
_DATA: Final = "/v2/quecdatastorage/enduserapi"
_MESSAGES: Final = "/v2/mobilepush/enduserapi"
# batchControlDevice's types.
_WRITE_PROPERTIES: Final = 2
_CALL_SERVICE: Final = 3
# shareByUid's coverMark: replace the recipient's earlier share.
_REPLACE_SHARE: Final = 1


def _cron_body(
    device: Device,
    *,
    kind_days: tuple[str, str],
    timer_name: str,
    time_point: str,
    data: Mapping[str, Any],
    enabled: bool,
    time_zone: str | None,
) -> dict[str, Any]:
    kind, week = kind_days
    body: dict[str, Any] = {
        "pk": device.product_id,
        "dk": device.device_name,
        "type": kind,
        "enabled": enabled,
        "timers": [
            {"taskName": timer_name, "time": f"{time_point}:00", "action": command_text(data)}
        ],
    }
    if week:
        body["dayOfWeek"] = week
    if time_zone:
        body["timeZone"] = time_zone
    return body


def _cron_kind(days: str, repeat: bool | None) -> tuple[str, str]:
    """The cron job type and dayOfWeek of a timer's days (7 of 0/1, Sunday first)."""
    if len(days) != 7 or set(days) - {"0", "1"}:
        raise ValueError("days must be 7 characters of 0/1, Sunday first")
    if days == "0000000" or repeat is False:
        return models.CRON_ONCE, ""
    if days == "1111111":
        return models.CRON_DAILY, ""
    return models.CRON_WEEKLY, models.days_to_week(days)


class QuectelClient:
    """Client of one account of one Quectel app (user domain) on one data centre.

    Holds the access and refresh tokens: the access token is renewed with the refresh token
    before it expires, and with the stored password when that fails.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        user_domain: str,
        user_domain_secret: str,
        data_centre: DataCentre = "europe",
        api_url: str | None = None,
        ws_url: str | None = None,
        user_id: str | None = None,
        access_token: str | None = None,
        token_expire_at: int | None = None,
        refresh_token: str | None = None,
        refresh_expire_at: int | None = None,
        credentials: LoginCredentials | None = None,
        family_id: str | None = None,
        utc_offset: Callable[[], str] | None = None,
        on_token: Callable[[Token], None] | None = None,
        language: str = "en",
        timeout: float = DEFAULT_TIMEOUT,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        rate_limit: RateLimit | None = None,
    ) -> None:
        """Set up the client; `api_url`/`ws_url` override the data centre's endpoints.

        `family_id` is the home scenes and automations run in (Quectel wants it with family
        mode on); `utc_offset` gives the "+08:00" sent with a timer when it is written (summer
        time moves it); every request goes through `rate_limit`, its own unless the owner
        shares one.
        """
        if data_centre not in DATA_CENTRES:
            raise ValueError(f"unknown data centre {data_centre!r}")
        endpoints = DATA_CENTRES[data_centre]
        self._transport = transport = QuectelTransport(
            session,
            api_url or endpoints.api_url,
            language=language,
            timeout=timeout,
            retry_delays=retry_delays,
            rate_limit=rate_limit,
        )
        self._ws_urls = push_urls(ws_url or endpoints.ws_url)
        self._account = QuectelSession(
            transport,
            user_domain=user_domain,
            user_domain_secret=user_domain_secret,
            user_id=user_id,
            token=Token(access_token, token_expire_at) if access_token else None,
            refresh=Token(refresh_token, refresh_expire_at) if refresh_token else None,
            credentials=credentials,
            on_token=on_token,
        )
        self._family_id = family_id
        self._utc_offset = utc_offset
        self._family_mode: bool | None = None
        # Learnt from the lists: a product's name, a sub-device's gateway, a product's model.
        self._product_names: dict[str, str] = {}
        self._gateways: dict[str, Device] = {}
        self._models: dict[str, ThingModel] = {}
        # Each device's list entry since the last status read, and when it was read.
        self._listed: dict[str, tuple[models.DeviceRecord, float]] = {}
        # The firmware each device's last data read named, until the next firmware check.
        self._firmware: dict[str, FirmwareInfo] = {}

    # Session

    @property
    def api_url(self) -> str:
        """HTTP base URL."""
        return self._transport.api_url

    @property
    def ws_url(self) -> str:
        """WebSocket URL of the push channel (the first one tried)."""
        return self._ws_urls[0]

    @property
    def push_identity(self) -> QuectelPushIdentity:
        """Where the push channel connects."""
        return QuectelPushIdentity(self._ws_urls)

    @property
    def unsupported(self) -> frozenset[Capability]:
        """What the end-user API has no call for (see docs/clouds.md)."""
        return frozenset(Capability)

    @property
    def rate_limit(self) -> RateLimit:
        """The requests sent, and the back-off every request waits out while the cloud refuses."""
        return self._transport.rate_limit

    @property
    def user_id(self) -> str | None:
        """The account's uid, once known."""
        return self._account.user_id

    @property
    def token(self) -> Token | None:
        """The current access token, if logged in."""
        return self._account.token

    @property
    def access_token(self) -> str | None:
        """The current access token string, if logged in."""
        token = self._account.token
        return token.token if token else None

    @property
    def token_expire_at(self) -> int | None:
        """When the access token expires (UNIX seconds), if known."""
        token = self._account.token
        return token.expire_at if token else None

    @property
    def refresh_token(self) -> Token | None:
        """The refresh token and when it expires, if logged in."""
        return self._account.refresh

    @property
    def credentials(self) -> LoginCredentials | None:
        """Credentials used to log in again."""
        return self._account.credentials

    @credentials.setter
    def credentials(self, credentials: LoginCredentials | None) -> None:
        self._account.credentials = credentials

    @property
    def can_relogin(self) -> bool:
        """Whether the client holds a password to log in again by itself."""
        return self._account.can_relogin

    @property
    def family_id(self) -> str | None:
        """The home scenes and automations run in."""
        return self._family_id

    async def relogin(self, rejected_token: str | None = None) -> Token:
        """Renew the session: the refresh token first, then the stored password.

        With `rejected_token`, nothing is done when the current token already differs from it.
        """
        return await self._account.renew(rejected_token or self.access_token)

    async def send_verification_code(
        self, account_type: AccountType, account: str, country_code: str = "86"
    ) -> None:
        """Not offered: the end-user API sends login codes but has no login with one."""
        raise TencentIoTNotSupportedError(Capability.VERIFICATION_CODE_LOGIN)

    async def login_verification_code(
        self, account_type: AccountType, account: str, code: str, country_code: str = "86"
    ) -> Token:
        """Not offered: the end-user API has no login with a verification code."""
        raise TencentIoTNotSupportedError(Capability.VERIFICATION_CODE_LOGIN)

    async def login_password(self, credentials: LoginCredentials | None = None) -> Token:
        """Log in by email or phone and password; given credentials are kept for re-login."""
        return await self._account.login_password(credentials)

    async def logout(self) -> None:
        """Log out (userLogout) and forget the tokens; an already invalid token is fine."""
        await self._account.logout()

    async def get_user(self) -> User:
        """Read the logged-in account (userInfo)."""
        user = models.user_from_api(as_mapping(await self._account.get(f"{_ENDUSER}/userInfo")))
        if user.user_id:
            self._account.user_id = user.user_id
        return user

    # Homes and rooms

    async def family_mode(self) -> bool:
        """Whether the account has family mode (getFamilyModeConfig); read once."""
        if self._family_mode is None:
            data = as_mapping(await self._account.get(f"{_FAMILY}/getFamilyModeConfig"))
            self._family_mode = as_bool(data.get("enabledFamilyMode")) is True
        return self._family_mode

    async def get_families(self) -> list[Family]:
        """The account's families, or one for the whole account without family mode."""
        if await self.family_mode():
            try:
                raws = await self._account.pages(f"{_FAMILY}/getFamilyList")
            except TencentIoTCloudError as err:
                if err.code != str(FAMILY_MODE_OFF):
                    raise
                self._family_mode = False
            else:
                return [models.family_from_api(raw) for raw in raws]
        return [Family(ACCOUNT_FAMILY_ID, "", 1)]

    async def get_rooms(self, family_id: str) -> list[Room]:
        """A family's rooms (getFamilyRoomList, every page); none without family mode."""
        if family_id == ACCOUNT_FAMILY_ID:
            return []
        raws = await self._account.pages(f"{_FAMILY}/getFamilyRoomList", {"fid": family_id})
        return [models.room_from_api(raw) for raw in raws]

    # Devices

    async def get_devices(self, family_id: str, room_id: str | None = None) -> list[Device]:
        """A family's devices (getFamilyDeviceList), one room's, or the account's own and shared."""
        self._family_id = family_id
        return [record.device for record in await self._device_records(family_id, room_id)]

    async def _device_records(
        self, family_id: str, room_id: str | None = None
    ) -> list[models.DeviceRecord]:
        if family_id == ACCOUNT_FAMILY_ID:
            raws = await self._account.pages(f"{_BINDING}/userDeviceList")
        elif room_id:
            raws = await self._account.pages(
                f"{_FAMILY}/getFamilyRoomDeviceList", {"frid": room_id}
            )
        else:
            raws = await self._account.pages(f"{_FAMILY}/getFamilyDeviceList", {"fid": family_id})
        return self._learn(raws)

    async def get_shared_devices(self) -> list[Device]:
        """None apart: Quectel lists a device shared with the account with its home's own.

        In family mode the family's lists carry it (`deviceType` 2, as Quectel's app shows it);
        without, the account's list does.
        """
        return []

    def _learn(self, raws: Iterable[Mapping[str, Any]]) -> list[models.DeviceRecord]:
        records = [models.device_from_api(raw) for raw in raws]
        listed_at = time.monotonic()
        for record in records:
            if record.product_name:
                self._product_names[record.device.product_id] = record.product_name
            self._listed[record.device.key] = (record, listed_at)
        return records

    async def get_gateway_sub_devices(self, gateway: Device) -> list[Device]:
        """A gateway's sub-devices (getGatewayDeviceChildList, every page)."""
        devices = [record.device for record in await self._sub_device_records(gateway)]
        for device in devices:
            self._gateways[device.key] = gateway
        return devices

    async def _sub_device_records(self, gateway: Device) -> list[models.DeviceRecord]:
        raws = await self._account.pages(
            f"{_BINDING}/getGatewayDeviceChildList", _pkdk(gateway), device_call=True
        )
        return self._learn(raws)

    async def get_products(self, product_ids: Iterable[str]) -> list[Product]:
        """Products and their thing models (productTSL, one per product)."""
        products: list[Product] = []
        for product_id in dict.fromkeys(product_ids):
            data = await self._account.get(f"{_BINDING}/productTSL", {"pk": product_id})
            model = thing_model_from_tsl(data)
            self._models[product_id] = model
            name = self._product_names.get(product_id, "")
            products.append(saved_product(product_id, name, as_mapping(data), model))
        return products

    async def get_device_statuses(self, device_ids: Iterable[str]) -> list[DeviceStatus]:
        """Online states, from the device list (and the lists of gateways' sub-devices)."""
        wanted = set(device_ids)
        if not wanted:
            return []
        # Statuses asked for right after the lists were read: the lists just named them (once).
        now = time.monotonic()
        listed = {
            key: record
            for key, (record, at) in self._listed.items()
            if now - at <= LISTED_STATES_FRESH
        }
        self._listed.clear()
        if wanted <= listed.keys():
            return [models.status_from_record(listed[key]) for key in sorted(wanted)]
        family_id = self._family_id or ACCOUNT_FAMILY_ID
        found = {record.device.key: record for record in await self._device_records(family_id)}
        gateways = {
            gateway.key: gateway
            for key, gateway in self._gateways.items()
            if key in wanted - set(found)
        }
        for gateway in gateways.values():
            for record in await self._sub_device_records(gateway):
                found.setdefault(record.device.key, record)
        return [models.status_from_record(found[key]) for key in sorted(wanted & set(found))]

    async def get_device_data(self, device: Device) -> dict[str, PropertyValue]:
        """A device's values (getDeviceBusinessAttributes' `customizeTslInfo`).

        The same reply names the firmware: kept for the next firmware check.
        """
        data = await self._business_attributes(device)
        self._firmware[device.key] = models.firmware_from_api(data)
        return models.values_from_api(data)

    async def _business_attributes(self, device: Device) -> Any:
        return await self._account.get(
            f"{_BINDING}/getDeviceBusinessAttributes",
            {**_pkdk(device), **self._gateway_params(device)},
            device_call=True,
        )

    async def control_device(self, device: Device, data: Mapping[str, Any]) -> None:
        """Write properties (batchControlDevice, type 2), checked against the thing model."""
        model = await self._model(device.product_id)
        values: dict[str, object] = {}
        for code, value in data.items():
            prop = model.properties.get(code)
            if prop is None:
                raise InvalidValueError(f"{code!r} is not a property of {device.product_id}")
            if not prop.writable:
                raise InvalidValueError(f"{code!r} is read-only")
            values[code] = value_to_cloud(prop.define, prop.encode(value))
        await self._batch_control(device, _WRITE_PROPERTIES, values)

    async def call_action(
        self, device: Device, action_id: str, input_params: Mapping[str, Any] | None = None
    ) -> ActionResult:
        """Call a TSL service (batchControlDevice, type 3); its output comes later, by push."""
        model = await self._model(device.product_id)
        if (action := model.actions.get(action_id)) is None:
            raise InvalidValueError(f"{action_id!r} is not a service of {device.product_id}")
        encoded = action.encode_input(input_params or {})
        members = {member.id: member.define for member in action.input}
        params = {key: value_to_cloud(members[key], value) for key, value in encoded.items()}
        ticket = await self._batch_control(device, _CALL_SERVICE, {action_id: params})
        return ActionResult(client_token=ticket, status="sent")

    async def _batch_control(self, device: Device, kind: int, values: Mapping[str, object]) -> str:
        target = {"productKey": device.product_id, "deviceKey": device.device_name}
        if (gateway := self._gateways.get(device.key)) is not None:
            target |= {
                "gatewayProductKey": gateway.product_id,
                "gatewayDeviceKey": gateway.device_name,
            }
        body = {"type": kind, "data": command_text(values), "deviceList": [target]}
        data = as_mapping(
            await self._account.call(
                "POST", f"{_BINDING}/batchControlDevice", body=body, device_call=True
            )
        )
        for item in as_records(data.get("successList")):
            if _names(item, device):
                return as_str(item.get("ticket"))
        for item in as_records(data.get("failureList")):
            if _names(item, device):
                raise TencentIoTCloudError(
                    "ControlFailed", as_str(item.get("msg")), action="batchControlDevice"
                )
        raise TencentIoTResponseError("batchControlDevice: the reply does not name the device")

    async def _model(self, product_id: str) -> ThingModel:
        if product_id not in self._models:
            await self.get_products([product_id])
        return self._models[product_id]

    def _gateway_params(self, device: Device) -> dict[str, str]:
        if (gateway := self._gateways.get(device.key)) is None:
            return {}
        return {"gatewayPk": gateway.product_id, "gatewayDk": gateway.device_name}

    # Firmware: the versions are in the device data; upgrades are the vendor app's business.

    async def check_firmware_update(self, device: Device) -> FirmwareInfo:
        """The firmware the device runs (no upgrade is offered through the end-user API).

        From the device's last data read when there was one (a device that was upgraded goes
        offline and online, and is read again then); else read now.
        """
        if (info := self._firmware.pop(device.key, None)) is not None:
            return info
        return models.firmware_from_api(await self._business_attributes(device))

    async def publish_firmware_update(self, device: Device) -> None:
        """Not offered by the end-user API."""
        raise TencentIoTNotSupportedError(Capability.FIRMWARE_UPGRADE)

    async def describe_firmware_update_status(self, device: Device) -> FirmwareStatus:
        """Not offered by the end-user API."""
        raise TencentIoTNotSupportedError(Capability.FIRMWARE_UPGRADE)

    # Scenes and automations

    async def get_scenes(self, family_id: str) -> list[Scene]:
        """A family's (or the account's) manual scenes (selectSceneList, every page)."""
        raws = await self._account.pages(f"{_CEP}/selectSceneList", self._fid(family_id))
        return [models.scene_from_api(raw) for raw in raws]

    async def run_scene(self, scene_id: str) -> None:
        """Run a scene (sceneExecute); a scene whose actions all failed is an error."""
        body = {"sceneId": scene_id, **self._fid(self._family_id)}
        data = as_mapping(await self._account.call("POST", f"{_CEP}/sceneExecute", body=body))
        if as_bool(data.get("executeResult")) is False:
            reasons = "; ".join(
                as_str(item.get("reason")) for item in as_records(data.get("failActionList"))
            )
            raise TencentIoTCloudError("SceneFailed", reasons, action="sceneExecute")

    async def get_automations(self, family_id: str) -> list[Automation]:
        """A family's (or the account's) automations (automation/list, every page)."""
        raws = await self._account.pages(f"{_CEP}/automation/list", self._fid(family_id))
        return [models.automation_from_api(raw) for raw in raws]

    async def set_automation_enabled(self, automation_id: str, enabled: bool) -> None:
        """Switch an automation on or off (automation/status)."""
        await self._account.call(
            "POST",
            f"{_CEP}/automation/status",
            query={"automationId": automation_id, "status": enabled},
            body=self._fid(self._family_id),
        )

    def _fid(self, family_id: str | None) -> dict[str, str]:
        return {"fid": family_id} if family_id and family_id != ACCOUNT_FAMILY_ID else {}

    # Timers: cron jobs of one task each

    async def get_timers(self, device: Device) -> list[Timer]:
        """A device's timers (getCronJobList, every page)."""
        return [job.timer for job in await self._cron_jobs(device)]

    async def _cron_jobs(self, device: Device) -> list[models.CronJob]:
        raws = await self._account.pages(
            f"{_CEP}/v2/getCronJobList", _pkdk(device), device_call=True
        )
        return [models.cron_job_from_api(raw) for raw in raws]

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
        """Create a timer (addCornJob) and return its rule id; `days` as Tencent's, Sunday first."""
        body = _cron_body(
            device,
            kind_days=_cron_kind(days, repeat),
            timer_name=timer_name,
            time_point=time_point,
            data=await self._wire_values(device, data),
            enabled=True,
            time_zone=self._utc_offset() if self._utc_offset else None,
        )
        reply = as_mapping(await self._account.call("POST", f"{_CEP}/v2/addCornJob", body=body))
        if not (rule_id := as_str(reply.get("ruleId"))):
            raise TencentIoTResponseError("addCornJob: reply has no ruleId")
        return rule_id

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
        """Replace a timer's settings (setCronJob), keeping whether it is enabled."""
        job = await self._cron_job(device, timer_id)
        body = _cron_body(
            device,
            kind_days=_cron_kind(days, repeat),
            timer_name=timer_name,
            time_point=time_point,
            data=await self._wire_values(device, data),
            enabled=job.timer.enabled,
            time_zone=self._utc_offset() if self._utc_offset else None,
        )
        await self._account.call("PUT", f"{_CEP}/v2/setCronJob", body={**body, "ruleId": timer_id})

    async def set_timer_enabled(self, device: Device, timer_id: str, enabled: bool) -> None:
        """Switch a timer on or off: setCronJob with the job as it is, but `enabled`."""
        raw = (await self._cron_job(device, timer_id)).raw
        kept: dict[str, Any] = {
            key: raw[key] for key in ("type", "dayOfWeek", "timers", "timeZone") if key in raw
        }
        body = {
            **kept,
            **_pkdk(device),
            "ruleId": timer_id,
            "enabled": enabled,
        }
        await self._account.call("PUT", f"{_CEP}/v2/setCronJob", body=body)

    async def delete_timer(self, device: Device, timer_id: str) -> None:
        """Delete a timer (batchDeleteCronJob); a rule the cloud would not delete is an error."""
        reply = as_mapping(
            await self._account.call(
                "DELETE", f"{_CEP}/batchDeleteCronJob", body={"ruleIdList": [timer_id]}
            )
        )
        for item in as_records(reply.get("failureList")):
            raise TencentIoTCloudError(
                as_str(item.get("code"), "DeleteFailed"),
                as_str(item.get("msg")),
                action="batchDeleteCronJob",
            )

    async def _cron_job(self, device: Device, timer_id: str) -> models.CronJob:
        for job in await self._cron_jobs(device):
            if job.timer.timer_id == timer_id:
                return job
        raise TencentIoTCloudError("TimerNotFound", f"no timer {timer_id}", action="getCronJobList")

    async def _wire_values(self, device: Device, data: Mapping[str, Any]) -> dict[str, object]:
        properties = (await self._model(device.product_id)).properties
        return {
            code: value_to_cloud(prop.define, value) if (prop := properties.get(code)) else value
            for code, value in data.items()
        }

    # History

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
        """One page of past events (deviceEventList); times in UNIX s (end 0 = now); context = page."""
        model = await self._model(device.product_id)
        codes = [event_id] if event_id else sorted(model.events)
        if not codes:
            return EventHistoryPage()
        page = as_int(context) or 1
        now_ms = int(time.time() * 1000)
        body = {
            "productKey": device.product_id,
            "deviceKey": device.device_name,
            "codeList": codes,
            "startTime": start_time * 1000,
            "endTime": end_time * 1000 if end_time else now_ms,
            "page": page,
            "pageSize": size,
        }
        data = await self._account.call(
            "POST", f"{_DATA}/v2/deviceEventList", body=body, retry=True, device_call=True
        )
        items, more = page_items(data, size, (page - 1) * size)
        events = [models.event_record_from_api(raw) for raw in items]
        if event_type:
            events = [event for event in events if event.type == event_type]
        return EventHistoryPage(
            events=tuple(events),
            context=str(page + 1) if more else "",
            list_over=not more,
            total=as_int(as_mapping(data).get("total")),
        )

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
        """One page of a property's past values (getPropertyDataList); times in ms; context = page."""
        page = as_int(context) or 1
        query = {
            **_pkdk(device),
            **self._gateway_params(device),
            "attributeCode": field_name,
            "startTimestamp": min_time,
            "endTimestamp": max_time,
            "page": page,
            "pageSize": limit,
        }
        data = await self._account.get(f"{_DATA}/getPropertyDataList", query, device_call=True)
        items, more = page_items(data, limit, (page - 1) * limit)
        points = (models.history_point_from_api(raw) for raw in items)
        return DataHistoryPage(
            points=tuple(point for point in points if point is not None),
            context=str(page + 1) if more else "",
            list_over=not more,
        )

    # Messages

    async def get_messages(
        self,
        category: int,
        *,
        limit: int = 20,
        msg_id: str | None = None,
        msg_timestamp: int | None = None,
    ) -> MessagePage:
        """Up to `limit` messages older than `msg_timestamp` (ms), newest first (userMsgList).

        The cloud pages by number: pages are read from the newest until enough older ones are found.
        """
        query: dict[str, object] = {"pageSize": limit}
        if (label := models.CATEGORY_LABELS.get(category)) is not None:
            query["firstLabelList"] = label
        found: list[Message] = []
        more = False
        for page in range(1, MAX_PAGES + 1):
            data = await self._account.get(f"{_MESSAGES}/userMsgList", {**query, "page": page})
            items, more = page_items(data, limit, (page - 1) * limit)
            for message in map(models.message_from_api, items):
                older = msg_timestamp is None or (message.timestamp or 0) < msg_timestamp
                if older and message.msg_id != msg_id:
                    found.append(message)
            if len(found) >= limit or not more:
                break
        return MessagePage(tuple(found[:limit]), list_over=not more and len(found) <= limit)

    async def mark_messages_read(self) -> None:
        """Mark every message of the account read (readMsg without a msgIdList)."""
        await self._account.call("POST", f"{_MESSAGES}/readMsg")

    # Sharing

    async def send_share_invite(self, device: Device, to_user_id: str) -> None:
        """Share a device with another user of the app, by uid (shareByUid)."""
        await self.share_device(device, ShareRecipient(user_id=to_user_id))

    async def share_device(
        self, device: Device, recipient: ShareRecipient, *, expires_at: int | None = None
    ) -> None:
        """Share a device by uid, email or phone (shareByUid); `expires_at` in UNIX seconds."""
        query: dict[str, object] = {
            **_pkdk(device),
            "shareUid": recipient.user_id,
            "email": recipient.email,
            "phone": recipient.phone,
            "coverMark": _REPLACE_SHARE,
            "sharingExpireAt": None if expires_at is None else expires_at * 1000,
        }
        await self._account.call("POST", f"{_BINDING}/shareByUid", query=query, device_call=True)

    async def unshare_device(self, device: Device, user_id: str) -> None:
        """Take back a share (deviceShareUserList for its share code, ownerUserUnshareDevice)."""
        shares = await self._account.get(
            f"{_BINDING}/deviceShareUserList", _pkdk(device), device_call=True
        )
        codes = [
            as_str(info.get("shareCode"))
            for item in as_records(shares)
            if as_str((info := as_mapping(item.get("shareInfo"))).get("shareUid")) == user_id
        ]
        if not codes:
            raise TencentIoTCloudError(
                "ShareNotFound", f"{device.key} is not shared with that user", action="unshare"
            )
        for code in codes:
            await self._account.call(
                "DELETE", f"{_BINDING}/ownerUserUnshareDevice", query={"shareCode": code}
            )

    # Not offered by Quectel's end-user API

    async def get_bind_token_state(self, token: str) -> BindTokenState:
        """Tencent's Wi-Fi binding tokens have no Quectel counterpart."""
        raise TencentIoTNotSupportedError(Capability.BIND_TOKEN)

    async def bind_device_by_token(
        self, token: str, product_id: str, device_name: str, family_id: str, room_id: str = "0"
    ) -> None:
        """Tencent's Wi-Fi binding tokens have no Quectel counterpart."""
        raise TencentIoTNotSupportedError(Capability.BIND_TOKEN)

    async def kugou_command(
        self, device_id: str, command: str, params: Mapping[str, Any] | None = None
    ) -> Any:
        """Kugou music is Tencent's."""
        raise TencentIoTNotSupportedError(Capability.MUSIC)


def saved_product(
    product_id: str, name: str, tsl: Mapping[str, Any], model: ThingModel | None = None
) -> Product:
    """A product of its TSL (productTSL's `data`), which it keeps to be stored and rebuilt."""
    return Product(
        product_id,
        name,
        thing_model=thing_model_from_tsl(tsl) if model is None else model,
        data_template={TSL_KEY: dict(tsl)},
    )


def _pkdk(device: Device) -> dict[str, str]:
    return {"pk": device.product_id, "dk": device.device_name}


def _names(item: Mapping[str, Any], device: Device) -> bool:
    target = as_mapping(item.get("data"))
    return (
        as_str(target.get("productKey")) == device.product_id
        and as_str(target.get("deviceKey")) == device.device_name
    )
