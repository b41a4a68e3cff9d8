"""The end-user API's calls about what a device keeps: timers (cron jobs), history, messages, shares."""

import json
import secrets
from typing import Any

from simulator.quectel.api import Call, page
from simulator.quectel.model import QuecError, as_text, check_value, now_ms

_CRON_TYPES = frozenset({"once", "day-repeat", "custom-repeat", "multi-section", "delay"})


def _cron_job(call: Call, rule_id: str | None = None) -> dict[str, Any]:
    body = call.body if isinstance(call.body, dict) else {}
    device = call.device()
    kind = str(body.get("type", ""))
    if kind not in _CRON_TYPES:
        raise QuecError(5588, "Task type parameter out of range")
    if kind == "custom-repeat" and not body.get("dayOfWeek"):
        raise QuecError(5590, "Please enter day of week to execute")
    timers = body.get("timers")
    if not isinstance(timers, list) or not timers:
        raise QuecError(5589, "Please enter command to execute")
    for timer in timers:
        action = json.loads(timer.get("action") or "null")
        for command in action if isinstance(action, list) else []:
            for code, value in command.items():
                spec = device.product.property(code)
                if spec is None:
                    raise QuecError(5589, f"{code!r} is not a property")
                check_value(spec, value, code)
        timer.setdefault("timerId", secrets.token_hex(6))
    return {
        "ruleId": rule_id or secrets.token_hex(8),
        "productKey": device.product.product_key,
        "deviceKey": device.device_key,
        "type": kind,
        "dayOfWeek": body.get("dayOfWeek", ""),
        "enabled": bool(body.get("enabled", True)),
        "timeZone": body.get("timeZone", "+08:00"),
        "timers": timers,
        "createTime": now_ms(),
        "owner": call.uid,
    }


async def add_cron_job(call: Call) -> object:
    """POST v2/addCornJob (sic)."""
    job = _cron_job(call)
    call.state.cron_jobs[job["ruleId"]] = job
    return {"ruleId": job["ruleId"]}


async def set_cron_job(call: Call) -> object:
    """PUT v2/setCronJob: the whole job is replaced."""
    body = call.body if isinstance(call.body, dict) else {}
    rule_id = str(body.get("ruleId", ""))
    old = call.state.cron_jobs.get(rule_id)
    if old is None or old["owner"] != call.uid:
        raise QuecError(5603, "Failed to modify scheduled task")
    job = _cron_job(call, rule_id)
    job["createTime"] = old["createTime"]
    call.state.cron_jobs[rule_id] = job
    return None


async def cron_job_list(call: Call) -> object:
    """GET v2/getCronJobList."""
    device = call.device()
    jobs = [
        {key: value for key, value in job.items() if key != "owner"}
        for job in call.state.cron_jobs.values()
        if job["productKey"] == device.product.product_key and job["deviceKey"] == device.device_key
    ]
    return page(call, jobs)


async def delete_cron_jobs(call: Call) -> object:
    """DELETE batchDeleteCronJob (a JSON body with `ruleIdList`)."""
    body = call.body if isinstance(call.body, dict) else {}
    ids = body.get("ruleIdList")
    if not isinstance(ids, list) or not ids:
        raise QuecError(5596, "Please enter scheduled task ID list")
    success, failure = [], []
    for rule_id in ids:
        job = call.state.cron_jobs.get(rule_id)
        if job is None or job["owner"] != call.uid:
            failure.append({"ruleId": rule_id, "code": 5595, "msg": "no such task"})
        else:
            del call.state.cron_jobs[rule_id]
            success.append({"ruleId": rule_id, "code": 200, "msg": ""})
    return {"successList": success, "failureList": failure}


async def property_data_list(call: Call) -> object:
    """GET getPropertyDataList: a property's reported values in a time range, newest first."""
    device = call.device()
    code = call.text("attributeCode")
    start, end = call.number("startTimestamp", 0), call.number("endTimestamp", now_ms())
    points = sorted(
        ((stamp, value) for stamp, value in device.history.get(code, []) if start <= stamp <= end),
        reverse=True,
    )
    entries = [
        {
            "productKey": device.product.product_key,
            "deviceKey": device.device_key,
            "propertyCode": code,
            "propertyValue": as_text(value),
            "tsCreateTime": stamp,
            "createTimeTs": stamp,
        }
        for stamp, value in points
    ]
    return page(call, entries)


async def device_event_list(call: Call) -> object:
    """POST v2/deviceEventList: the device's events of the given codes in a time range."""
    body = call.body if isinstance(call.body, dict) else {}
    device = call.device("productKey", "deviceKey")
    codes = set(body.get("codeList") or [])
    start, end = int(body.get("startTime", 0)), int(body.get("endTime", now_ms()))
    events = [
        {**event, "productKey": device.product.product_key, "deviceKey": device.device_key}
        for event in reversed(device.events)
        if event["eventCode"] in codes and start <= event["createTimeTs"] <= end
    ]
    return page(call, events)


async def message_list(call: Call) -> object:
    """GET userMsgList: the user's messages, newest first, by first label and read state."""
    labels = {int(part) for part in str(call.params.get("firstLabelList", "")).split(",") if part}
    read = call.params.get("isRead")
    messages = [
        {key: value for key, value in message.items() if key != "uid"}
        for message in sorted(call.state.messages, key=lambda m: m["addTime"], reverse=True)
        if message["uid"] == call.uid
        and (not labels or message["firstLabel"] in labels)
        and (read is None or str(message["isRead"]).lower() == str(read).lower())
    ]
    return page(call, messages)


async def read_messages(call: Call) -> object:
    """POST readMsg: the listed messages (or all) become read."""
    ids = {part for part in str(call.params.get("msgIdList", "")).split(",") if part}
    done = []
    for message in call.state.messages:
        if message["uid"] == call.uid and (not ids or message["id"] in ids):
            message["isRead"] = True
            done.append({"id": message["id"]})
    return {"successList": done, "failureList": []}


async def share_by_uid(call: Call) -> object:
    """POST shareByUid: share with a user named by uid, email or phone (the seed's page)."""
    device = call.device()
    if device.owner != call.uid:
        raise QuecError(5041, "No permission")
    state = call.state
    if uid := call.params.get("shareUid"):
        recipient = state.users.get(str(uid))
    elif email := call.params.get("email"):
        recipient = state.user_by("email", str(email))
    elif phone := call.params.get("phone"):
        recipient = state.user_by("phone", str(phone))
    else:
        raise QuecError(5891, "Please enter recipient's uid, email, or phone")
    if recipient is None:
        raise QuecError(5033, "User does not exist")
    cover = call.number("coverMark", 1)
    if cover not in (1, 2, 3):
        raise QuecError(5133, "Override flag parameter value out of range")
    expire = call.params.get("sharingExpireAt")
    try:
        expire_at = None if expire in (None, "") else int(expire)
    except ValueError:
        raise QuecError(5145, "Timestamp format incorrect") from None
    family = state.families.get(device.fid)
    if family is not None and recipient.uid in family.members:
        raise QuecError(5864, "Family member cannot accept family device share")
    await call.cloud.share(device, recipient.uid, expire_at)
    return ""


async def share_user_list(call: Call) -> object:
    """GET deviceShareUserList: who the owner shared the device with."""
    device = call.device()
    entries = []
    for share in device.shares.values():
        user = call.state.users[share.share_uid]
        entries.append(
            {
                "shareInfo": {
                    "shareCode": share.share_code,
                    "shareUid": share.share_uid,
                    "ownerUid": device.owner,
                    "pk": device.product.product_key,
                    "dk": device.device_key,
                    "sharingExpireAtTs": share.expire_at,
                    "fid": call.state.share_family(share.share_uid),
                },
                "userInfo": {"uid": user.uid, "nikeName": user.nickname, "email": user.email},
            }
        )
    return entries


async def owner_unshare(call: Call) -> object:
    """DELETE ownerUserUnshareDevice by share code."""
    code = call.text("shareCode")
    for device in call.state.devices.values():
        for share in list(device.shares.values()):
            if share.share_code == code and device.owner == call.uid:
                await call.cloud.unshare(device, share.share_uid)
                return None
    raise QuecError(5142, "This share has expired")
