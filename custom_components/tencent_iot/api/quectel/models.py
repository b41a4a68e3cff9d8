"""Quectel's records as the package's shared models, read leniently.

`Device.product_id` is the productKey, `Device.device_name` the deviceKey; unknown fields are
ignored, missing ones default.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from custom_components.tencent_iot.api.models import (
    Automation,
    DataHistoryPoint,
    Device,
    DeviceStatus,
    EventRecord,
    Family,
    FirmwareInfo,
    Message,
    PropertyValue,
    Room,
    Scene,
    Timer,
    User,
)
from custom_components.tencent_iot.api.parsing import (
    as_bool,
    as_int,
    as_mapping,
    as_records,
    as_str,
    first,
)

from .tsl import EVENT_TYPES, command_values, value_from_cloud

_MS_THRESHOLD: Final = 10**11
# Tencent's message categories (1 device, 2 family, 3 notice) and Quectel's first labels
# (1 system, 2 smart: scenes and automations, 3 device).
CATEGORY_LABELS: Final = {1: 3, 2: 2, 3: 1}
_LABEL_CATEGORIES: Final = {label: category for category, label in CATEGORY_LABELS.items()}
# The cron job types a timer of the shared model can be.
CRON_ONCE: Final = "once"
CRON_DAILY: Final = "day-repeat"
CRON_WEEKLY: Final = "custom-repeat"


def seconds(value: object) -> int | None:
    """A timestamp in UNIX seconds, from seconds or milliseconds."""
    stamp = as_int(value)
    if stamp is None:
        return None
    return stamp // 1000 if stamp >= _MS_THRESHOLD else stamp


def milliseconds(value: object) -> int | None:
    """A timestamp in milliseconds, from seconds or milliseconds."""
    stamp = as_int(value)
    if stamp is None:
        return None
    return stamp if stamp >= _MS_THRESHOLD else stamp * 1000


def device_key(product_key: str, device_key: str) -> str:
    """The integration's id of a Quectel device: "<productKey>/<deviceKey>"."""
    return f"{product_key}/{device_key}"


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    """A device-list entry: the shared `Device`, and what Quectel says beside it."""

    device: Device
    online: bool
    product_name: str = ""


def device_from_api(raw: Mapping[str, Any]) -> DeviceRecord:
    """Build from an entry of userDeviceList, getFamilyDeviceList or getGatewayDeviceChildList."""
    product_key = as_str(first(raw, "productKey", "pk"))
    dk = as_str(first(raw, "deviceKey", "dk"))
    device = Device(
        product_id=product_key,
        device_name=dk,
        device_id=device_key(product_key, dk),
        alias_name=as_str(raw.get("deviceName")),
        room_id=as_str(raw.get("frid")),
        family_id=as_str(raw.get("fid")),
        # Quectel's access type has Tencent's device-type meaning: 1 gateway, 2 sub-device.
        device_type=as_int(raw.get("accessType")) or 0,
        icon_url=as_str(raw.get("logoImage")),
        create_time=seconds(first(raw, "deviceBindTimeTs", "activeTimeTs", "activedTimeTs")),
        bind_status=as_int(raw.get("bindStatus")),
    )
    return DeviceRecord(
        device,
        online=as_int(raw.get("onlineStatus")) == 1,
        product_name=as_str(raw.get("productName")),
    )


def status_from_record(record: DeviceRecord) -> DeviceStatus:
    """The device's online state, as the shared model has it."""
    return DeviceStatus(record.device.key, record.online)


def user_from_api(raw: Mapping[str, Any]) -> User:
    """Build from userInfo's data (the nickname is spelt `nikeName`)."""
    return User(
        user_id=as_str(raw.get("uid")),
        nick_name=as_str(first(raw, "nikeName", "nickName", "nickname")),
        phone_number=as_str(raw.get("phone")),
        email=as_str(raw.get("email")),
        avatar=as_str(raw.get("headimg")),
    )


def family_from_api(raw: Mapping[str, Any]) -> Family:
    """Build from a getFamilyList entry; creators and administrators are administrators."""
    role = as_int(raw.get("memberRole"))
    return Family(as_str(raw.get("fid")), as_str(raw.get("familyName")), int(role in (1, 2)))


def room_from_api(raw: Mapping[str, Any]) -> Room:
    """Build from a getFamilyRoomList entry."""
    return Room(as_str(raw.get("frid")), as_str(raw.get("roomName")))


def scene_from_api(raw: Mapping[str, Any]) -> Scene:
    """Build from a selectSceneList entry (the scene itself is in `sceneInfo`)."""
    info = as_mapping(raw.get("sceneInfo")) or raw
    return Scene(
        scene_id=as_str(info.get("sceneId")),
        name=as_str(info.get("name")),
        icon=as_str(info.get("icon")),
        family_id=as_str(raw.get("fid")),
        actions=tuple(as_records(info.get("metaDataList"))),
    )


def automation_from_api(raw: Mapping[str, Any]) -> Automation:
    """Build from an automation/list entry; its status is a boolean."""
    return Automation(
        automation_id=as_str(raw.get("automationId")),
        name=as_str(raw.get("name")),
        status=int(as_bool(raw.get("status")) is True),
    )


def values_from_api(data: object) -> dict[str, PropertyValue]:
    """Values of getDeviceBusinessAttributes: `customizeTslInfo`, the live misspelt `resourceValce`."""
    values: dict[str, PropertyValue] = {}
    for item in as_records(as_mapping(data).get("customizeTslInfo")):
        if not (code := as_str(item.get("resourceCode"))):
            continue
        raw = first(item, "resourceValce", "resourceValue", "value")
        values[code] = PropertyValue(value_from_cloud(raw, as_str(item.get("dataType"))))
    return values


def firmware_from_api(data: object) -> FirmwareInfo:
    """The device's firmware from getDeviceBusinessAttributes' `deviceData`: the MCU's, else the module's."""
    device_data = as_mapping(as_mapping(data).get("deviceData"))
    return FirmwareInfo(as_str(device_data.get("mcuVersion")) or as_str(device_data.get("version")))


def event_record_from_api(raw: Mapping[str, Any]) -> EventRecord:
    """Build from a deviceEventList entry; its output is JSON text."""
    return EventRecord(
        event_id=as_str(raw.get("eventCode")),
        type=EVENT_TYPES.get(as_str(raw.get("eventType")).lower(), "info"),
        product_id=as_str(raw.get("productKey")),
        device_name=as_str(raw.get("deviceKey")),
        timestamp=seconds(first(raw, "createTimeTs", "createTime")),
        data=as_mapping(raw.get("outputData")),
    )


def history_point_from_api(raw: Mapping[str, Any]) -> DataHistoryPoint | None:
    """Build from a getPropertyDataList entry; None without a readable time."""
    stamp = milliseconds(first(raw, "tsCreateTime", "createTimeTs"))
    return None if stamp is None else DataHistoryPoint(stamp, raw.get("propertyValue"))


def message_from_api(raw: Mapping[str, Any]) -> Message:
    """Build from a userMsgList entry; its first label becomes the shared category."""
    return Message(
        msg_id=as_str(raw.get("id")),
        category=_LABEL_CATEGORIES.get(as_int(raw.get("firstLabel")) or 0),
        msg_type=as_int(raw.get("msgType")),
        title=as_str(raw.get("title")),
        content=as_str(raw.get("content")),
        timestamp=milliseconds(raw.get("addTime")),
        product_id=as_str(raw.get("pk")),
        device_name=as_str(raw.get("dk")),
    )


# Timers: a Tencent timer's days are 7 characters of 0/1, Sunday first; a cron job's dayOfWeek
# lists 1 (Monday) to 7 (Sunday).


def days_to_week(days: str) -> str:
    """Days as 7 of 0/1, Sunday first ("0111110"), as a week list ("1,2,3,4,5", Monday = 1)."""
    return ",".join(str(7 if index == 0 else index) for index in _set_days(days))


def _set_days(days: str) -> list[int]:
    # Monday first, Sunday (index 0) last, as the cron job lists them.
    return [index for index in (*range(1, 7), 0) if days[index] == "1"]


def week_to_days(week: str) -> str:
    """A week list ("1,2,3,4,5", Monday = 1) as 7 of 0/1, Sunday first ("0111110")."""
    chosen = {number % 7 for part in week.split(",") if (number := as_int(part)) is not None}
    return "".join("1" if index in chosen else "0" for index in range(7))


@dataclass(frozen=True, slots=True)
class CronJob:
    """A cron job as the timer of the shared model needs it, plus what writing it back needs."""

    timer: Timer
    kind: str
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


def cron_job_from_api(raw: Mapping[str, Any]) -> CronJob:
    """Build from a getCronJobList entry; its first task is the timer's."""
    kind = as_str(raw.get("type"))
    task = next(iter(as_records(raw.get("timers"))), {})
    if kind == CRON_DAILY:
        days = "1111111"
    elif kind == CRON_WEEKLY:
        days = week_to_days(as_str(raw.get("dayOfWeek")))
    else:
        days = "0000000"
    timer = Timer(
        timer_id=as_str(raw.get("ruleId")),
        name=as_str(task.get("taskName")),
        product_id=as_str(raw.get("productKey")),
        device_name=as_str(raw.get("deviceKey")),
        days=days,
        time_point=as_str(task.get("time"))[:5],
        repeat=kind in (CRON_DAILY, CRON_WEEKLY),
        data=command_values(task.get("action")),
        enabled=as_bool(raw.get("enabled")) is not False,
        create_time=seconds(raw.get("createTime")),
    )
    return CronJob(timer, kind, raw)
