"""tokenapi actions, answering in the shapes of the reference's examples.

Where the reference puts results under `Data` the handler does too; elsewhere they sit directly
in `Response`. The envelope (and `RequestId`) is added by `app.py`.
"""

from datetime import datetime, timedelta, timezone
from itertools import islice
import json
import re
import secrets
import time
import uuid

from simulator import errors, history, kugou
from simulator.calls import Result, TokenCall, TokenHandler
from simulator.cloud import parse_json_object, validate_members
from simulator.errors import ApiError
from simulator.model import BindToken, Device, Family, Message, Scene, Timer, now_s

_DAYS = re.compile(r"[01]{7}")
_TIME_POINT = re.compile(r"(\d{1,2}):(\d{2})")
BIND_TOKEN_TTL = 600  # s a distribution-network token stays usable
_BEIJING = timezone(timedelta(hours=8))


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _device(call: TokenCall) -> Device:
    """Return the device named by ProductId+DeviceName (or DeviceId), if the user may use it."""
    params = call.params
    device_id = params.text("DeviceId", required=False)
    if not device_id:
        device_id = f"{params.text('ProductId', 'ProductID')}/{params.text('DeviceName')}"
    return call.state.device_for(call.user, device_id)


def _family(call: TokenCall) -> Family:
    return call.state.family_for(call.user, call.params.text("FamilyId"))


def _device_entry(device: Device, family: Family) -> dict[str, object]:
    return {
        "ProductId": device.product.product_id,
        "DeviceName": device.device_name,
        "DeviceId": device.device_id,
        "AliasName": device.alias,
        "UserID": family.owner_id,
        "FamilyId": family.family_id,
        "RoomId": device.room_id,
        "IconUrl": device.icon_url,
        "DeviceType": device.device_type,
        "CreateTime": device.created,
        "UpdateTime": device.updated,
    }


# Account.


async def get_user(call: TokenCall) -> Result:
    """AppGetUser."""
    user = call.user
    return {
        "Data": {
            "UserID": user.user_id,
            "NickName": user.nickname,
            "Avatar": user.avatar,
            "CountryCode": user.country_code,
            "PhoneNumber": user.phone,
            "Email": user.email,
            "WxOpenID": user.wx_open_id,
            "HasPassword": bool(user.password),
            "CreateTime": user.created,
        }
    }


async def logout_user(call: TokenCall) -> Result:
    """AppLogoutUser: the token stops working."""
    call.state.sessions.pop(call.params.text("AccessToken"), None)
    return {"Data": "OK"}


# Families and rooms.


async def get_family_list(call: TokenCall) -> Result:
    """AppGetFamilyList: up to 100 a page, since Tencent's SDK asks for 100."""
    offset, limit = call.params.page(100)
    families = call.state.families_of(call.user)
    return {
        "FamilyList": [
            {
                "FamilyId": family.family_id,
                # The reference names it Name, live clients read FamilyName: both are sent.
                "Name": family.name,
                "FamilyName": family.name,
                "Role": family.members[call.user.user_id],
                "CreateTime": family.created,
                "UpdateTime": family.updated,
            }
            for family in families[offset : offset + limit]
        ],
        "Total": len(families),
    }


async def describe_family(call: TokenCall) -> Result:
    """AppDescribeFamily."""
    family = _family(call)
    return {
        "Data": {
            "FamilyId": family.family_id,
            "FamilyName": family.name,
            "Address": family.address,
            "CreateTime": family.created,
            "UpdateTime": family.updated,
        }
    }


async def get_room_list(call: TokenCall) -> Result:
    """AppGetRoomList (FamilyId is optional in the reference: without it, all families)."""
    offset, limit = call.params.page(50)
    family_id = call.params.text("FamilyId", required=False)
    families = (
        [call.state.family_for(call.user, family_id)]
        if family_id
        else call.state.families_of(call.user)
    )
    rooms = [(family, room) for family in families for room in family.rooms.values()]
    entries = []
    for family, room in rooms[offset : offset + limit]:
        count = sum(1 for d in family.device_ids if call.state.devices[d].room_id == room.room_id)
        entries.append(
            {
                "RoomId": room.room_id,
                "RoomName": room.name,
                "FamilyId": family.family_id,
                "DeviceNum": count,
                "CreateTime": room.created,
                "UpdateTime": room.updated,
            }
        )
    return {"RoomList": entries, "Total": len(rooms)}


# Devices.


async def get_family_device_list(call: TokenCall) -> Result:
    """AppGetFamilyDeviceList: RoomId "" (or absent) lists the whole family, "0" the default room."""
    family = _family(call)
    offset, limit = call.params.page(50)
    room_id = call.params.text("RoomId", required=False)
    devices = (call.state.devices[device_id] for device_id in family.device_ids)
    if room_id:
        devices = (device for device in devices if device.room_id == room_id)
        total = sum(1 for d in family.device_ids if call.state.devices[d].room_id == room_id)
    else:
        total = len(family.device_ids)
    page = islice(devices, offset, offset + limit)
    return {"DeviceList": [_device_entry(device, family) for device in page], "Total": total}


async def update_device_in_family(call: TokenCall) -> Result:
    """AppUpdateDeviceInFamily: a member renames a device of the family."""
    device = _device(call)
    family = call.state.family_for(call.user, device.family_id)
    call.cloud.rename(device, call.params.text("AliasName"))
    return _device_entry(device, family)


async def modify_family_device_room(call: TokenCall) -> Result:
    """AppModifyFamilyDeviceRoom: a member moves a device to another room."""
    family = _family(call)
    device = _device(call)
    if device.family_id != family.family_id:
        raise ApiError(errors.DEVICE_NOT_EXIST, "The device is not in this family")
    call.cloud.move(device, call.params.text("RoomId"))
    return {}


async def get_device_in_family(call: TokenCall) -> Result:
    """AppGetDeviceInFamily."""
    family = _family(call)
    device = _device(call)
    if device.family_id != family.family_id:
        raise ApiError(errors.DEVICE_NOT_EXIST, "The device is not in this family")
    return {"Data": _device_entry(device, family)}


def _gateway(call: TokenCall) -> Device:
    params = call.params
    gateway_id = f"{params.text('GatewayProductId')}/{params.text('GatewayDeviceName')}"
    gateway = call.state.device_for(call.user, gateway_id)
    if gateway.device_type != 1:
        raise ApiError(errors.DEVICE_NOT_GATEWAY, "Not a gateway device")
    return gateway


async def get_family_sub_device_list(call: TokenCall) -> Result:
    """AppGetFamilySubDeviceList: sub-devices of a gateway bound to the family."""
    gateway = _gateway(call)
    offset, limit = call.params.page(50)
    family = call.state.families[gateway.family_id]
    subs = call.state.sub_devices(gateway)
    return {
        "DeviceList": [_device_entry(d, family) for d in subs[offset : offset + limit]],
        "Total": len(subs),
    }


async def get_gateway_bind_device_list(call: TokenCall) -> Result:
    """AppGetGatewayBindDeviceList: sub-devices of a gateway (of one sub-product, if given)."""
    gateway = _gateway(call)
    offset, limit = call.params.page(50)
    product_id = call.params.text("ProductId", required=False)
    subs = [
        d
        for d in call.state.sub_devices(gateway)
        if not product_id or d.product.product_id == product_id
    ]
    entries = [
        {
            "ProductId": d.product.product_id,
            "DeviceName": d.device_name,
            "DeviceId": d.device_id,
            "AliasName": d.alias,
            "IconUrl": d.icon_url,
            "BindStatus": 1,
        }
        for d in subs[offset : offset + limit]
    ]
    return {"DeviceList": entries, "Total": len(subs)}


async def get_products(call: TokenCall) -> Result:
    """AppGetProducts: unknown ids are left out; DataTemplate is a JSON string."""
    products = (call.state.products.get(pid) for pid in call.params.text_list("ProductIds"))
    return {
        "Products": [
            {
                "ProductId": p.product_id,
                "Name": p.name,
                "Description": p.description,
                "State": "",
                "DataTemplate": p.template_json,
                "AppTemplate": "",
                "NetType": p.net_type,
                "CategoryId": p.category_id,
                "ProductType": p.product_type,
                "UpdateTime": p.created,
            }
            for p in products
            if p is not None
        ]
    }


async def get_device_statuses(call: TokenCall) -> Result:
    """AppGetDeviceStatuses: Online 1 = online, 0 = offline (as live clients see it)."""
    device_ids = call.params.text_list("DeviceIds")
    if len(device_ids) > call.state.status_batch_limit:
        limit = call.state.status_batch_limit
        raise ApiError(errors.INVALID_PARAM, f"DeviceIds holds at most {limit} devices")
    statuses = []
    for device_id in device_ids:
        device = call.state.devices.get(device_id)
        if device is not None and call.state.can_see(call.user.user_id, device):
            statuses.append(
                {
                    "DeviceId": device_id,
                    "ProductId": device.product.product_id,
                    "DeviceName": device.device_name,
                    "Online": int(device.online),
                }
            )
    return {"DeviceStatuses": statuses}


async def get_device_data(call: TokenCall) -> Result:
    """AppGetDeviceData: Data is a JSON string of {id: {Value, LastUpdate}}."""
    device = _device(call)
    device.data_reads += 1
    data = {
        key: {"Value": prop.value, "LastUpdate": prop.last_update}
        for key, prop in device.data.items()
    }
    return {"Data": _json(data)}


async def control_device_data(call: TokenCall) -> Result:
    """AppControlDeviceData: validated against the thing model, then reported back."""
    device = _device(call)
    await call.cloud.control(
        device, parse_json_object(call.params.raw.get("Data"), "Data"), "control"
    )
    return {"Data": ""}


def _inputs(call: TokenCall) -> dict[str, object]:
    raw = call.params.raw.get("InputParams")
    return {} if raw in {None, ""} else parse_json_object(raw, "InputParams")


async def call_action_sync(call: TokenCall) -> Result:
    """AppCallDeviceActionSync."""
    device = _device(call)
    token, output = await call.cloud.call_action(
        device, call.params.text("ActionId"), _inputs(call), wait=True
    )
    return {"ClientToken": token, "OutputParams": _json(output), "Status": "succ"}


async def call_action_async(call: TokenCall) -> Result:
    """AppCallDeviceActionAsync: the reply arrives as an Action/Report push."""
    device = _device(call)
    token, _ = await call.cloud.call_action(
        device, call.params.text("ActionId"), _inputs(call), wait=False
    )
    return {"ClientToken": token, "Status": "Sent"}


async def list_event_history(call: TokenCall) -> Result:
    """AppListEventHistory, newest first; Context is the offset of the next page."""
    device = _device(call)
    device.event_reads += 1
    params = call.params
    kind = params.text("Type", required=False)
    event_id = params.text("EventId", required=False)
    start, end = params.integer("StartTime", 0), params.integer("EndTime", 0)
    size = params.integer("Size", 10) or 10
    context = params.text("Context", required=False)
    offset = int(context) if context.isdigit() else 0
    matching = [
        record
        for record in reversed(device.events)
        if (not kind or record.type == kind)
        and (not event_id or record.event_id == event_id)
        and (not start or record.timestamp >= start)
        and (not end or record.timestamp <= end)
    ]
    page = matching[offset : offset + size]
    return {
        "Context": str(offset + len(page)),
        "Listover": offset + len(page) >= len(matching),
        "Total": len(matching),
        "EventHistory": [
            {
                "TimeStamp": record.timestamp * 1000
                if call.state.event_history_ms
                else record.timestamp,
                "ProductId": device.product.product_id,
                "DeviceName": device.device_name,
                "EventId": record.event_id,
                "Type": record.type,
                "Data": _json(record.params),
            }
            for record in page
        ],
    }


# Firmware.


async def check_firmware_update(call: TokenCall) -> Result:
    """AppCheckFirmwareUpdate: DstVersion equals CurrentVersion when there is nothing newer."""
    device = _device(call)
    return {"CurrentVersion": device.fw_version, "DstVersion": call.cloud.firmware_target(device)}


async def publish_firmware_update(call: TokenCall) -> Result:
    """AppPublishFirmwareUpdateMessage: starts the upgrade."""
    call.cloud.start_ota(_device(call))
    return {}


async def describe_firmware_update_status(call: TokenCall) -> Result:
    """AppDescribeFirmwareUpdateStatus: every read moves the upgrade one step on."""
    task = call.cloud.advance_ota(_device(call))
    return {
        "OriVersion": task.ori_version,
        "DstVersion": task.dst_version,
        "ErrMsg": task.err_msg,
        "Percent": task.percent,
        "Status": task.status,
    }


# Scenes and automations.


def _scene(call: TokenCall) -> Scene:
    scene = call.state.scenes.get(call.params.text("SceneId"))
    if scene is None:
        raise ApiError(errors.RESOURCE_NOT_FOUND, "The scene does not exist")
    call.state.family_for(call.user, scene.family_id)
    return scene


def _scene_action_entry(call: TokenCall, action: dict[str, object]) -> dict[str, object]:
    if action.get("ActionType") != 0:
        return action
    device = call.state.devices.get(f"{action.get('ProductId')}/{action.get('DeviceName')}")
    return {**action, "AliasName": device.alias if device else ""}


async def get_scene_list(call: TokenCall) -> Result:
    """AppGetSceneList."""
    family = _family(call)
    offset, limit = call.params.page(50)
    scenes = [scene for scene in call.state.scenes.values() if scene.family_id == family.family_id]
    return {
        "SceneList": [
            {
                "SceneId": scene.scene_id,
                "FamilyId": scene.family_id,
                "SceneName": scene.name,
                "SceneIcon": scene.icon,
                "Actions": [_scene_action_entry(call, action) for action in scene.actions],
                "UserId": scene.user_id,
                "CreateTime": scene.created,
                "UpdateTime": scene.updated,
                "Flag": scene.flag,
                "Status": int(scene.running or scene.forced_running),
            }
            for scene in scenes[offset : offset + limit]
        ],
        "Total": len(scenes),
    }


async def run_scene(call: TokenCall) -> Result:
    """AppRunScene."""
    await call.cloud.run_scene(_scene(call))
    return {}


async def get_automation_list(call: TokenCall) -> Result:
    """AppGetAutomationList."""
    family = _family(call)
    automations = [a for a in call.state.automations.values() if a.family_id == family.family_id]
    return {
        "List": [
            {
                "AutomationId": a.automation_id,
                "Icon": a.body.get("Icon", ""),
                "Name": a.body.get("Name", ""),
                "Status": a.body.get("Status", 0),
            }
            for a in automations
        ]
    }


def _automation_body(call: TokenCall) -> dict[str, object]:
    automation = call.state.automations.get(call.params.text("AutomationId"))
    if automation is None:
        raise ApiError(errors.RESOURCE_NOT_FOUND, "The automation does not exist")
    call.state.family_for(call.user, automation.family_id)
    return automation.body


async def describe_automation(call: TokenCall) -> Result:
    """AppDescribeAutomation."""
    return {"Data": {"AutomationId": call.params.text("AutomationId"), **_automation_body(call)}}


async def modify_automation_status(call: TokenCall) -> Result:
    """AppModifyAutomationStatus."""
    body = _automation_body(call)
    body["Status"] = call.params.flag("Status")
    return {}


# Timers.


def _timer_fields(call: TokenCall, device: Device) -> tuple[str, str, str, int, str]:
    """Validate TimerName, Days, TimePoint, Repeat and Data; TimePoint comes back as HH:MM."""
    params = call.params
    name = params.text("TimerName")
    days = params.text("Days")
    if not _DAYS.fullmatch(days):
        raise ApiError(errors.INVALID_PARAM, "Days must be 7 characters of 0/1, Sunday first")
    match = _TIME_POINT.fullmatch(params.text("TimePoint"))
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ApiError(errors.INVALID_PARAM, "TimePoint must be HH:MM")
    repeat = params.flag("Repeat")
    data = params.text("Data")
    values = parse_json_object(data, "Data")
    if not values:
        raise ApiError(errors.INVALID_PARAM, "Data has no property to set")
    validate_members(device.product.model.properties, values, "property", writable=True)
    return name, days, f"{int(match[1]):02d}:{match[2]}", repeat, data


def _timer(call: TokenCall, device: Device) -> Timer:
    timer = call.state.timers.get(call.params.text("TimerId"))
    if timer is None or timer.device_id != device.device_id:
        raise ApiError(errors.RESOURCE_NOT_FOUND, "The timer does not exist")
    return timer


async def get_timer_list(call: TokenCall) -> Result:
    """AppGetTimerList."""
    device = _device(call)
    offset, limit = call.params.page(50)
    timers = [timer for timer in call.state.timers.values() if timer.device_id == device.device_id]
    return {
        "TimerList": [
            {
                "TimerId": t.timer_id,
                "TimerName": t.name,
                "ProductId": device.product.product_id,
                "DeviceName": device.device_name,
                "Days": t.days,
                "TimePoint": t.time_point,
                "Repeat": t.repeat,
                "Data": t.data,
                "Status": t.status,
                "CreateTime": t.created,
                "UpdateTime": t.updated,
            }
            for t in timers[offset : offset + limit]
        ],
        "Total": len(timers),
    }


async def create_timer(call: TokenCall) -> Result:
    """AppCreateTimer: a new timer is enabled."""
    device = _device(call)
    name, days, time_point, repeat, data = _timer_fields(call, device)
    timer = Timer(uuid.uuid4().hex, device.device_id, name, days, time_point, repeat, data)
    call.state.timers[timer.timer_id] = timer
    return {"Data": {"TimerId": timer.timer_id, "TimerName": timer.name}}


async def modify_timer(call: TokenCall) -> Result:
    """AppModifyTimer: every field is required, as in the reference."""
    device = _device(call)
    timer = _timer(call, device)
    timer.name, timer.days, timer.time_point, timer.repeat, timer.data = _timer_fields(call, device)
    timer.updated = now_s()
    return {}


async def modify_timer_status(call: TokenCall) -> Result:
    """AppModifyTimerStatus (Status is marked optional, but the call means nothing without it)."""
    timer = _timer(call, _device(call))
    timer.status = call.params.flag("Status")
    timer.updated = now_s()
    return {}


async def delete_timer(call: TokenCall) -> Result:
    """AppDeleteTimer."""
    del call.state.timers[_timer(call, _device(call)).timer_id]
    return {}


# Sharing.


async def send_share_device_invite(call: TokenCall) -> Result:
    """AppSendShareDeviceInvite (ToUserID in one copy of the reference, ToUserId in the other)."""
    device = _device(call)
    to_user = call.params.text("ToUserID", "ToUserId")
    if to_user not in call.state.users:
        raise ApiError(errors.USER_NOT_EXISTS, "The user to share with does not exist")
    if to_user == call.user.user_id:
        raise ApiError(errors.INVALID_PARAM, "Cannot share a device with yourself")
    call.state.share_invites.append(
        {
            "ProductId": device.product.product_id,
            "DeviceName": device.device_name,
            "DeviceId": device.device_id,
            "FromUserId": call.user.user_id,
            "ToUserId": to_user,
            "CreateTime": now_s(),
        }
    )
    return {"Status": "OK"}


async def list_share_device_users(call: TokenCall) -> Result:
    """AppListShareDeviceUsers."""
    device = _device(call)
    offset, limit = call.params.page(100)
    shared = list(device.shared_with.items())
    users = []
    for user_id, bind_time in shared[offset : offset + limit]:
        user = call.state.users[user_id]
        users.append(
            {
                "UserId": user.user_id,
                "CountryCode": user.country_code,
                "PhoneNumber": user.phone,
                "NickName": user.nickname,
                "Avatar": user.avatar,
                "BindTime": bind_time,
            }
        )
    return {"Users": users, "Total": len(shared)}


async def remove_share_device_user(call: TokenCall) -> Result:
    """AppRemoveShareDeviceUser: the owner ends a share."""
    call.cloud.unshare(_device(call), call.params.text("RemoveUserId"))
    return {"Status": "OK"}


def _share_time(device: Device, user_id: str) -> str:
    """When the device was shared, as the reference's example writes it (Beijing time)."""
    moment = datetime.fromtimestamp(device.shared_with[user_id], _BEIJING)
    return moment.isoformat(timespec="seconds")


async def list_user_share_devices(call: TokenCall) -> Result:
    """AppListUserShareDevices: the devices others share with the user (Limit up to 100)."""
    offset, limit = call.params.page(100)
    user_id = call.user.user_id
    shared = [d for d in call.state.devices.values() if user_id in d.shared_with]
    return {
        "ShareDevices": [
            {
                "ProductId": device.product.product_id,
                "DeviceName": device.device_name,
                "DeviceId": device.device_id,
                "AliasName": device.alias,
                "IconUrl": device.icon_url,
                "CreateTime": _share_time(device, user_id),
            }
            for device in shared[offset : offset + limit]
        ],
        "Total": len(shared),
    }


async def remove_user_share_device(call: TokenCall) -> Result:
    """AppRemoveUserShareDevice: the user gives back a device shared with them."""
    device_id = f"{call.params.text('ProductId')}/{call.params.text('DeviceName')}"
    device = call.state.devices.get(device_id)
    if device is None or call.user.user_id not in device.shared_with:
        raise ApiError(errors.APP_DEVICE_NOT_EXIST, "No bound devices were found")
    call.cloud.unshare(device, call.user.user_id)
    return {"Status": "OK"}


# Binding.


async def create_device_bind_token(call: TokenCall) -> Result:
    """AppCreateDeviceBindToken: state 1 until a device registers with it (see the admin API)."""
    token = BindToken(secrets.token_hex(16), 1, time.time() + BIND_TOKEN_TTL)
    call.state.bind_tokens[token.token] = token
    return {"Data": {"Token": token.token}}


def _bind_token(call: TokenCall) -> BindToken:
    token = call.state.bind_tokens.get(call.params.text("Token"))
    if token is None:
        raise ApiError(errors.TOKEN_NOT_EXIST, "Token does not exist")
    if token.expire_at <= time.time():
        raise ApiError(errors.TOKEN_EXPIRED, "Token has expired")
    return token


async def get_device_bind_token_state(call: TokenCall) -> Result:
    """AppGetDeviceBindTokenState: 1 initial, 2 usable."""
    return {"Data": {"State": _bind_token(call).state}}


async def token_bind_device_family(call: TokenCall) -> Result:
    """AppTokenBindDeviceFamily: binds the device that registered with the token."""
    token = _bind_token(call)
    if token.state != 2:
        raise ApiError(errors.TOKEN_NOT_BIND, "The token is not in the usable state")
    params = call.params
    device_id = f"{params.text('ProductId')}/{params.text('DeviceName')}"
    if device_id in call.state.devices:
        raise ApiError(errors.CANNOT_BIND_SAME_FAMILY, "The device has been bound")
    device = call.state.pending.get(device_id)
    if device is None or token.device_id != device_id:
        raise ApiError(errors.DEVICE_NOT_EXIST, "The device is not created or has been deleted")
    family = _family(call)
    room_id = params.text("RoomId", required=False) or "0"
    if room_id != "0" and room_id not in family.rooms:
        raise ApiError(errors.INVALID_PARAM, "The room does not exist in this family")
    del call.state.pending[device_id]
    del call.state.bind_tokens[token.token]
    await call.cloud.bind(device, family, room_id)
    return {"Data": {}}


async def delete_device_in_family(call: TokenCall) -> Result:
    """AppDeleteDeviceInFamily: only a family administrator may unbind."""
    family = _family(call)
    device = _device(call)
    if device.family_id != family.family_id:
        raise ApiError(errors.DEVICE_NOT_EXIST, "The device is not in this family")
    if family.members[call.user.user_id] != 1:
        raise ApiError(errors.NO_PERMISSION_TO_FAMILY, "Only an administrator can delete devices")
    await call.cloud.unbind(device)
    return {}


# Music and messages.


async def kugou_user_command(call: TokenCall) -> Result:
    """AppKugouUserCommand: canned music data beside ErrorCode/ErrorMsg."""
    params = call.params
    call.state.device_for(call.user, params.text("DeviceId"))
    code, message, data = kugou.run(params.text("KGCommand"), params.mapping("KugouParams"))
    return {"Data": data, "ErrorCode": code, "ErrorMsg": message}


def _message_entry(message: Message) -> dict[str, object]:
    device, family = message.device, message.family
    return {
        "UserID": message.user_id,
        "FromUserID": "",
        "MsgID": message.msg_id,
        "Category": message.category,
        "MsgType": message.msg_type,
        "MsgTitle": message.title,
        "MsgContent": message.content,
        "MsgTimestamp": message.timestamp,
        "ProductId": device.product.product_id if device else "",
        "DeviceName": device.device_name if device else "",
        "DeviceAlias": device.alias if device else "",
        "FamilyId": family.family_id if family else "",
        "FamilyName": family.name if family else "",
        "RelateUserID": "",
        "CreateAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(message.timestamp / 1000)),
    }


async def get_messages(call: TokenCall) -> Result:
    """AppGetMessages: newest first, from the message after the one MsgID and MsgTimestamp name.

    The cursor is the last message of the page before: its MsgID places it among the messages
    of the same millisecond. A MsgID that is not (or no longer) there pages by MsgTimestamp
    alone, as does a MsgTimestamp without MsgID.
    """
    params = call.params
    category = params.integer("Category")
    limit = params.integer("Limit")
    if not 0 < limit <= 100:
        raise ApiError(errors.INVALID_PARAM, "Limit must be 1..100")
    newest_first = [
        m
        for m in reversed(call.state.messages)
        if m.user_id == call.user.user_id and m.category == category
    ]
    after_id = params.text("MsgID", required=False)
    before = params.integer("MsgTimestamp", 0)
    ids = [m.msg_id for m in newest_first]
    if after_id and after_id in ids:
        matching = newest_first[ids.index(after_id) + 1 :]
    else:
        matching = [m for m in newest_first if not before or m.timestamp < before]
    return {
        "Data": {
            "Listover": len(matching) <= limit,
            "Msgs": [_message_entry(m) for m in matching[:limit]],
        }
    }


async def get_device_data_history(call: TokenCall) -> Result:
    """AppGetDeviceDataHistory: made up by simulator/history.py."""
    return history.history_page(_device(call), call.params)


async def heartbeat(call: TokenCall) -> Result:
    """AppDeviceTraceHeartBeat (WebSocket YunApi only): nothing to return but the RequestId."""
    call.params.text_list("DeviceIds")
    return {}


HANDLERS: dict[str, TokenHandler] = {
    "AppGetUser": get_user,
    "AppLogoutUser": logout_user,
    "AppGetFamilyList": get_family_list,
    "AppDescribeFamily": describe_family,
    "AppGetRoomList": get_room_list,
    "AppGetFamilyDeviceList": get_family_device_list,
    "AppGetDeviceInFamily": get_device_in_family,
    "AppUpdateDeviceInFamily": update_device_in_family,
    "AppModifyFamilyDeviceRoom": modify_family_device_room,
    "AppGetFamilySubDeviceList": get_family_sub_device_list,
    "AppGetGatewayBindDeviceList": get_gateway_bind_device_list,
    "AppGetProducts": get_products,
    "AppGetDeviceStatuses": get_device_statuses,
    "AppGetDeviceData": get_device_data,
    "AppControlDeviceData": control_device_data,
    "AppCallDeviceActionSync": call_action_sync,
    "AppCallDeviceActionAsync": call_action_async,
    "AppListEventHistory": list_event_history,
    "AppCheckFirmwareUpdate": check_firmware_update,
    "AppPublishFirmwareUpdateMessage": publish_firmware_update,
    "AppDescribeFirmwareUpdateStatus": describe_firmware_update_status,
    "AppGetSceneList": get_scene_list,
    "AppRunScene": run_scene,
    "AppGetAutomationList": get_automation_list,
    "AppDescribeAutomation": describe_automation,
    "AppModifyAutomationStatus": modify_automation_status,
    "AppGetTimerList": get_timer_list,
    "AppCreateTimer": create_timer,
    "AppModifyTimer": modify_timer,
    "AppModifyTimerStatus": modify_timer_status,
    "AppDeleteTimer": delete_timer,
    "AppSendShareDeviceInvite": send_share_device_invite,
    "AppListShareDeviceUsers": list_share_device_users,
    "AppRemoveShareDeviceUser": remove_share_device_user,
    "AppListUserShareDevices": list_user_share_devices,
    "AppRemoveUserShareDevice": remove_user_share_device,
    "AppCreateDeviceBindToken": create_device_bind_token,
    "AppGetDeviceBindTokenState": get_device_bind_token_state,
    "AppTokenBindDeviceFamily": token_bind_device_family,
    "AppDeleteDeviceInFamily": delete_device_in_family,
    "AppKugouUserCommand": kugou_user_command,
    "AppGetMessages": get_messages,
    "AppGetDeviceDataHistory": get_device_data_history,
}

# Reachable only through the WebSocket's YunApi action.
WS_HANDLERS: dict[str, TokenHandler] = {**HANDLERS, "AppDeviceTraceHeartBeat": heartbeat}
