"""Typed records built leniently from API replies: unknown fields are ignored, missing ones default."""

from collections.abc import Mapping
from dataclasses import dataclass, field
import time
from typing import Any, Literal, Self

from .parsing import as_epoch_ms, as_int, as_mapping, as_records, as_str, first
from .thing_model import ThingModel

type AccountType = Literal["phone", "email"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginCredentials:
    """What AppGetToken needs to log in again with a password."""

    account_type: AccountType
    account: str
    password: str = field(repr=False)
    country_code: str = "86"


@dataclass(frozen=True, slots=True)
class Token:
    """An access token and when it expires (UNIX seconds, if known)."""

    token: str = field(repr=False)
    expire_at: int | None = None

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from AppGetToken's Data."""
        return cls(as_str(first(raw, "Token", "AccessToken")), as_int(raw.get("ExpireAt")))

    def expires_within(self, seconds: float) -> bool:
        """Whether the token is known to expire within `seconds` from now."""
        return self.expire_at is not None and self.expire_at - time.time() < seconds


@dataclass(frozen=True, slots=True)
class User:
    """The logged-in account (AppGetUser)."""

    user_id: str
    nick_name: str = ""
    country_code: str = ""
    phone_number: str = ""
    email: str = ""
    avatar: str = ""

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from AppGetUser's Data."""
        return cls(
            user_id=as_str(first(raw, "UserID", "UserId")),
            nick_name=as_str(first(raw, "NickName", "Nickname")),
            country_code=as_str(raw.get("CountryCode")),
            phone_number=as_str(raw.get("PhoneNumber")),
            email=as_str(raw.get("Email")),
            avatar=as_str(raw.get("Avatar")),
        )


@dataclass(frozen=True, slots=True)
class Family:
    """A family (home); `role` 1 is administrator, 0 ordinary member."""

    family_id: str
    name: str = ""
    role: int = 0

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from an AppGetFamilyList entry."""
        return cls(
            family_id=as_str(raw.get("FamilyId")),
            name=as_str(first(raw, "FamilyName", "Name")),
            role=as_int(raw.get("Role")) or 0,
        )


@dataclass(frozen=True, slots=True)
class Room:
    """A room of a family."""

    room_id: str
    name: str = ""

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from an AppGetRoomList entry."""
        return cls(as_str(raw.get("RoomId")), as_str(first(raw, "RoomName", "Name")))


@dataclass(frozen=True, slots=True)
class Device:
    """A device bound to a family; `device_type` 0 ordinary, 1 gateway, 2 sub-device."""

    product_id: str
    device_name: str
    device_id: str = ""
    alias_name: str = ""
    room_id: str = ""
    family_id: str = ""
    device_type: int = 0
    icon_url: str = ""
    create_time: int | None = None
    update_time: int | None = None
    bind_status: int | None = None

    @property
    def key(self) -> str:
        """The "ProductId/DeviceName" id used by the push channel and the device registry."""
        return f"{self.product_id}/{self.device_name}"

    @property
    def is_gateway(self) -> bool:
        """Whether the device is a gateway with sub-devices."""
        return self.device_type == 1

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from a device-list entry."""
        product_id = as_str(first(raw, "ProductId", "ProductID"))
        device_name = as_str(raw.get("DeviceName"))
        device_id = as_str(raw.get("DeviceId"))
        if not (product_id and device_name) and device_id.count("/") == 1:
            product_id, device_name = device_id.split("/")
        return cls(
            product_id=product_id,
            device_name=device_name,
            device_id=device_id or f"{product_id}/{device_name}",
            alias_name=as_str(raw.get("AliasName")),
            room_id=as_str(raw.get("RoomId")),
            family_id=as_str(raw.get("FamilyId")),
            device_type=as_int(raw.get("DeviceType")) or 0,
            icon_url=as_str(raw.get("IconUrl")),
            create_time=as_int(raw.get("CreateTime")),
            update_time=as_int(raw.get("UpdateTime")),
            bind_status=as_int(raw.get("BindStatus")),
        )


@dataclass(frozen=True, slots=True)
class Product:
    """A product and its thing model."""

    product_id: str
    name: str = ""
    category_id: str = ""
    product_type: int = 0
    net_type: str = ""
    description: str = ""
    thing_model: ThingModel = field(default_factory=ThingModel)
    # The decoded DataTemplate as sent, so the product can be stored and rebuilt.
    data_template: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from an AppGetProducts entry; DataTemplate may be a JSON string."""
        template = raw.get("DataTemplate")
        return cls(
            product_id=as_str(first(raw, "ProductId", "ProductID")),
            name=as_str(raw.get("Name")),
            category_id=as_str(raw.get("CategoryId")),
            product_type=as_int(raw.get("ProductType")) or 0,
            net_type=as_str(raw.get("NetType")),
            description=as_str(raw.get("Description")),
            thing_model=ThingModel.from_api(template),
            data_template=as_mapping(template),
        )


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """Whether a device is online."""

    device_id: str
    online: bool

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from an AppGetDeviceStatuses entry.

        The doc's comment says 0 is online; live clients (and the service)
        use 1 for online, 0 for offline.
        """
        device_id = as_str(raw.get("DeviceId"))
        if not device_id and (product_id := as_str(raw.get("ProductId"))):
            device_id = f"{product_id}/{as_str(raw.get('DeviceName'))}"
        return cls(device_id, as_int(raw.get("Online")) == 1)


@dataclass(frozen=True, slots=True)
class PropertyValue:
    """A property's last known raw value and when it was reported (ms)."""

    value: Any
    last_update: int | None = None

    @classmethod
    def from_api(cls, raw: object) -> Self:
        """Build from one entry of AppGetDeviceData's Data: {"Value", "LastUpdate"}."""
        if isinstance(raw, Mapping) and "Value" in raw:
            return cls(raw["Value"], as_int(raw.get("LastUpdate")))
        return cls(raw)


def device_data_from_api(data: Mapping[str, Any]) -> dict[str, PropertyValue]:
    """Build property values from AppGetDeviceData's decoded Data."""
    return {str(key): PropertyValue.from_api(value) for key, value in data.items()}


@dataclass(frozen=True, slots=True)
class Scene:
    """A manual scene; `actions` are kept as the API sends them."""

    scene_id: str
    name: str = ""
    icon: str = ""
    family_id: str = ""
    actions: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from an AppGetSceneList entry."""
        return cls(
            scene_id=as_str(raw.get("SceneId")),
            name=as_str(first(raw, "SceneName", "Name")),
            icon=as_str(first(raw, "SceneIcon", "Icon")),
            family_id=as_str(raw.get("FamilyId")),
            actions=tuple(as_records(raw.get("Actions"))),
        )


@dataclass(frozen=True, slots=True)
class Automation:
    """An automation; `status` 1 is enabled."""

    automation_id: str
    name: str = ""
    icon: str = ""
    status: int = 0

    @property
    def enabled(self) -> bool:
        """Whether the automation is switched on."""
        return self.status == 1

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from an AppGetAutomationList entry."""
        return cls(
            automation_id=as_str(raw.get("AutomationId")),
            name=as_str(raw.get("Name")),
            icon=as_str(raw.get("Icon")),
            status=as_int(raw.get("Status")) or 0,
        )


@dataclass(frozen=True, slots=True)
class Timer:
    """A device timer. `days` has 7 chars of 0/1, Sunday first; `time_point` is HH:MM."""

    timer_id: str
    name: str = ""
    product_id: str = ""
    device_name: str = ""
    days: str = "0000000"
    time_point: str = ""
    repeat: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = False
    create_time: int | None = None
    update_time: int | None = None

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from an AppGetTimerList entry; Data is a JSON string."""
        return cls(
            timer_id=as_str(raw.get("TimerId")),
            name=as_str(raw.get("TimerName")),
            product_id=as_str(raw.get("ProductId")),
            device_name=as_str(raw.get("DeviceName")),
            days=as_str(raw.get("Days"), "0000000"),
            time_point=as_str(raw.get("TimePoint")),
            repeat=as_int(raw.get("Repeat")) == 1,
            data=as_mapping(raw.get("Data")),
            enabled=as_int(raw.get("Status")) == 1,
            create_time=as_int(raw.get("CreateTime")),
            update_time=as_int(raw.get("UpdateTime")),
        )


@dataclass(frozen=True, slots=True)
class FirmwareInfo:
    """Current firmware and the version an upgrade would install (AppCheckFirmwareUpdate)."""

    current_version: str = ""
    latest_version: str = ""

    @property
    def update_available(self) -> bool:
        """Whether a different version is offered."""
        return bool(self.latest_version) and self.latest_version != self.current_version

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from AppCheckFirmwareUpdate's reply."""
        return cls(as_str(raw.get("CurrentVersion")), as_str(raw.get("DstVersion")))


# AppDescribeFirmwareUpdateStatus: 1 pending, 2 delivered, 3 downloading,
# 4 burning, 7 processing, 20 downloaded (5 failed, 6 done, 8 awaiting user).
_FIRMWARE_BUSY = frozenset({1, 2, 3, 4, 7, 20})


@dataclass(frozen=True, slots=True)
class FirmwareStatus:
    """Progress of a firmware upgrade (AppDescribeFirmwareUpdateStatus)."""

    status: int | None = None
    percent: int = 0
    original_version: str = ""
    target_version: str = ""
    error_message: str = ""

    @property
    def in_progress(self) -> bool:
        """Whether an upgrade is under way."""
        return self.status in _FIRMWARE_BUSY

    @property
    def failed(self) -> bool:
        """Whether the last upgrade failed."""
        return self.status == 5

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from AppDescribeFirmwareUpdateStatus's reply."""
        return cls(
            status=as_int(raw.get("Status")),
            percent=as_int(raw.get("Percent")) or 0,
            original_version=as_str(raw.get("OriVersion")),
            target_version=as_str(raw.get("DstVersion")),
            error_message=as_str(raw.get("ErrMsg")),
        )


@dataclass(frozen=True, slots=True)
class BindTokenState:
    """State of a Wi-Fi configuration token; 2 means a device can be bound with it."""

    state: int | None

    @property
    def usable(self) -> bool:
        """Whether AppTokenBindDeviceFamily can use the token."""
        return self.state == 2


@dataclass(frozen=True, slots=True)
class ActionResult:
    """Reply of a synchronous action call; `output` is the decoded OutputParams."""

    client_token: str = ""
    status: str = ""
    output: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from AppCallDeviceActionSync's reply."""
        return cls(
            as_str(raw.get("ClientToken")),
            as_str(raw.get("Status")),
            as_mapping(raw.get("OutputParams")),
        )


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One past device event; `timestamp` in UNIX seconds.

    The reference documents the time in seconds, Tencent Cloud's own samples show
    milliseconds: either is read.
    """

    event_id: str
    type: str = ""
    product_id: str = ""
    device_name: str = ""
    timestamp: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from an AppListEventHistory entry; Data is a JSON string."""
        return cls(
            event_id=as_str(raw.get("EventId")),
            type=as_str(raw.get("Type")),
            product_id=as_str(first(raw, "ProductId", "ProductID")),
            device_name=as_str(raw.get("DeviceName")),
            timestamp=_seconds(as_epoch_ms(first(raw, "TimeStamp", "Timestamp"))),
            data=as_mapping(raw.get("Data")),
        )


@dataclass(frozen=True, slots=True)
class EventHistoryPage:
    """A page of device events; pass `context` back to read the next one."""

    events: tuple[EventRecord, ...] = ()
    context: str = ""
    list_over: bool = True
    total: int | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """A message of the account's inbox; `timestamp` in ms."""

    msg_id: str
    category: int | None = None
    msg_type: int | None = None
    title: str = ""
    content: str = ""
    timestamp: int | None = None
    product_id: str = ""
    device_name: str = ""
    family_id: str = ""

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from an AppGetMessages entry."""
        return cls(
            msg_id=as_str(raw.get("MsgID")),
            category=as_int(raw.get("Category")),
            msg_type=as_int(raw.get("MsgType")),
            title=as_str(raw.get("MsgTitle")),
            content=as_str(raw.get("MsgContent")),
            timestamp=as_epoch_ms(raw.get("MsgTimestamp")),
            product_id=as_str(raw.get("ProductId")),
            device_name=as_str(raw.get("DeviceName")),
            family_id=as_str(raw.get("FamilyId")),
        )


@dataclass(frozen=True, slots=True)
class MessagePage:
    """A page of messages; the last one's id and timestamp fetch the next page."""

    messages: tuple[Message, ...] = ()
    list_over: bool = True


@dataclass(frozen=True, slots=True)
class DataHistoryPoint:
    """One past value of a property; `time` in ms, `value` as the cloud sent it."""

    time: int
    value: object

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self | None:
        """Build from an AppGetDeviceDataHistory result; None without a readable time."""
        stamp = as_epoch_ms(raw.get("Time"))
        return None if stamp is None else cls(stamp, raw.get("Value"))


@dataclass(frozen=True, slots=True)
class DataHistoryPage:
    """A page of a property's past values; pass `context` back to read the next one."""

    points: tuple[DataHistoryPoint, ...] = ()
    context: str = ""
    list_over: bool = True


def _seconds(stamp_ms: int | None) -> int | None:
    return None if stamp_ms is None else stamp_ms // 1000
