"""The end-user API's HTTP calls, one handler each, as Quectel's API pages describe them.

Every reply is the envelope `{"code", "msg", "data", "extMsg"}`; success is `code` 200 (the
live value; the pages' examples show 0, switchable). Parameters are read from the query, a
form body and a JSON body alike, since the pages and live clients disagree on where they go.
"""

import base64
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
import hashlib
import json
import secrets
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from simulator.quectel.cloud import QuectelCloud
from simulator.quectel.model import (
    Device,
    QuecError,
    Session,
    State,
    User,
    as_text,
    new_token,
    now_ms,
)

ACCESS_TTL_MS = 2 * 3600 * 1000
REFRESH_TTL_MS = 30 * 24 * 3600 * 1000
_DEFAULT_PAGE_SIZE = 10


@dataclass(slots=True)
class Call:
    """One request: its merged parameters, its JSON body and, after the token check, its user."""

    cloud: QuectelCloud
    params: dict[str, Any]
    body: Any
    uid: str = ""
    token: str = ""
    bare_lists: bool = False  # answer lists as a bare array, as some live services do

    @property
    def state(self) -> State:
        """The cloud's data."""
        return self.cloud.state

    def text(self, key: str, default: str | None = None) -> str:
        """A required (or defaulted) text parameter."""
        value = self.params.get(key, default)
        if value is None or value == "":
            raise QuecError(5005, f"Please enter {key}")
        return str(value)

    def number(self, key: str, default: int) -> int:
        """An integer parameter."""
        try:
            return int(self.params.get(key, default))
        except TypeError, ValueError:
            raise QuecError(5005, f"{key} is not a number") from None

    def device(self, pk_key: str = "pk", dk_key: str = "dk") -> Device:
        """The device the call names, if the user may see it."""
        key = f"{self.text(pk_key)}/{self.text(dk_key)}"
        device = self.state.devices.get(key)
        if device is None:
            raise QuecError(4004, "device does not exist")
        if not self.state.can_see(self.uid, device):
            raise QuecError(5041, "No permission")
        return device

    def user(self) -> User:
        """The calling user."""
        return self.state.users[self.uid]


type Handler = Callable[[Call], Awaitable[object]]


def page(call: Call, items: list[dict[str, Any]]) -> dict[str, Any] | list[dict[str, Any]]:
    """A PageInfo of `items` for the call's `page` and `pageSize` (10 by default)."""
    if call.bare_lists:
        return items
    number = max(1, call.number("page", 1))
    size = max(1, call.number("pageSize", _DEFAULT_PAGE_SIZE))
    start = (number - 1) * size
    chunk = items[start : start + size]
    pages = (len(items) + size - 1) // size
    return {
        "list": chunk,
        "total": len(items),
        "pageNum": number,
        "pageSize": size,
        "size": len(chunk),
        "pages": pages,
        "startRow": start + 1 if chunk else 0,
        "endRow": start + len(chunk),
        "isFirstPage": number == 1,
        "isLastPage": number >= pages,
        "hasPreviousPage": number > 1,
        "hasNextPage": number < pages,
    }


# Login


def _aes_key(random: str) -> tuple[bytes, bytes]:
    digest = hashlib.md5(random.encode(), usedforsecurity=False).hexdigest().upper()[8:24]
    return digest.encode(), (digest[8:] + digest[:8]).encode()


def decrypt_password(encrypted: str, random: str) -> str | None:
    """The password of a login, or None when it does not decrypt."""
    key, iv = _aes_key(random)
    try:
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        padded = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return (unpadder.update(padded) + unpadder.finalize()).decode()
    except ValueError:
        return None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def issue_session(state: State, uid: str) -> dict[str, Any]:
    """New tokens for a user, as the login and refreshToken answer them (expiry in ms)."""
    now = now_ms()
    session = Session(
        uid,
        new_token(uid, "AccessToken", ACCESS_TTL_MS),
        new_token(uid, "RefreshToken", REFRESH_TTL_MS),
        now + ACCESS_TTL_MS,
        now + REFRESH_TTL_MS,
    )
    state.sessions[session.access_token] = session
    state.issued_tokens += [session.access_token, session.refresh_token]
    return {
        "accessToken": {"token": session.access_token, "expirationTime": session.access_expire},
        "refreshToken": {"token": session.refresh_token, "expirationTime": session.refresh_expire},
    }


def login(kind: str) -> Handler:
    """POST emailPwdLogin or phonePwdLogin: the doc's AES password and SHA-256 signature."""

    async def handler(call: Call) -> object:
        state = call.state
        domain = call.text("userDomain")
        if domain != state.user_domain:
            raise QuecError(5015, "User domain does not exist")
        account, pwd, random = call.text(kind), call.text("pwd"), call.text("random")
        signature = call.text("signature")
        # Live apps sign the account alone; the phone page puts the international code first.
        accepted = {_sha256(f"{account}{pwd}{random}{state.user_domain_secret}")}
        if kind == "phone":
            code = str(call.params.get("internationalCode", ""))
            accepted.add(_sha256(f"{code}{account}{pwd}{random}{state.user_domain_secret}"))
        if signature not in accepted:
            raise QuecError(5420, "Signature verification failed")
        user = state.user_by(kind, account)
        if user is None:
            raise QuecError(5031 if kind == "email" else 5004, f"{kind} not registered")
        if user.attempts_left <= 0:
            raise QuecError(5147, "Account frozen, please try again after 20 minutes")
        if decrypt_password(pwd, random) != user.password:
            user.attempts_left -= 1
            if user.attempts_left <= 0:
                raise QuecError(5147, "Account frozen, please try again after 20 minutes")
            base = 5582 if kind == "email" else 5578
            raise QuecError(base + user.attempts_left, f"Incorrect {kind} or password")
        user.attempts_left = 5
        return issue_session(state, user.uid)

    return handler


async def refresh_token(call: Call) -> object:
    """PUT refreshToken: a new pair for a valid refresh token."""
    token = call.text("refreshToken").removeprefix("Bearer ")
    state = call.state
    for access, session in list(state.sessions.items()):
        if session.refresh_token == token and session.refresh_expire > now_ms():
            del state.sessions[access]
            return issue_session(state, session.uid)
    raise QuecError(5032, "token verification failed")


async def user_info(call: Call) -> object:
    """GET userInfo."""
    user = call.user()
    return {
        "uid": user.uid,
        "nikeName": user.nickname,
        "email": user.email,
        "phone": user.phone,
        "status": 1,
    }


async def user_logout(call: Call) -> object:
    """DELETE userLogout: the session's tokens stop working."""
    state = call.state
    for access, session in list(state.sessions.items()):
        if session.uid == call.uid and access == call.token:
            del state.sessions[access]
    return None


# Families, rooms, devices


def _device_entry(state: State, uid: str, device: Device) -> dict[str, Any]:
    shared = device.owner != uid and uid in device.shares
    family = state.families.get(device.fid)
    if shared:
        fid, frid, room = state.share_family(uid), "", ""
    elif family is not None and uid in family.members:
        fid, frid, room = device.fid, device.frid, family.rooms.get(device.frid, "")
    else:
        fid, frid, room = "", "", family.rooms.get(device.frid, "") if family else ""
    return {
        "productKey": device.product.product_key,
        "deviceKey": device.device_key,
        "deviceName": device.name,
        "productName": device.product.name,
        "onlineStatus": int(device.online),
        "accessType": str(device.access_type),
        "deviceType": 2 if shared else 1,
        "protocol": "MQTT",
        "sn": device.device_key,
        "signalStrength": "88",
        "bindStatus": 1,
        "fid": fid,
        "frid": frid,
        "roomName": room,
        "ownerUid": device.owner if shared else None,
        "uid": uid,
        "deviceBindTimeTs": 1744780781133,
    }


def _top_level(state: State, uid: str, fid: str | None = None) -> list[Device]:
    return [
        device
        for device in state.devices.values()
        if device.access_type != 2
        and state.can_see(uid, device)
        and (fid is None or fid in (device.fid, _share_family(state, uid, device)))
    ]


def _share_family(state: State, uid: str, device: Device) -> str | None:
    return state.share_family(uid) if uid in device.shares else None


async def family_mode_config(call: Call) -> object:
    """GET getFamilyModeConfig."""
    return {"enabledFamilyMode": call.user().family_mode, "enabledAutoSwitch": False}


def _family(call: Call) -> str:
    if not call.user().family_mode:
        raise QuecError(5635, "Home mode not enabled")
    fid = call.text("fid")
    family = call.state.families.get(fid)
    if family is None or call.uid not in family.members:
        raise QuecError(5041, "No permission")
    return fid


async def family_list(call: Call) -> object:
    """GET getFamilyList."""
    if not call.user().family_mode:
        raise QuecError(5635, "Home mode not enabled")
    families = [
        {"fid": f.fid, "familyName": f.name, "memberRole": f.members[call.uid]}
        for f in call.state.families.values()
        if call.uid in f.members
    ]
    return page(call, families)


async def room_list(call: Call) -> object:
    """GET getFamilyRoomList."""
    family = call.state.families[_family(call)]
    rooms = [{"frid": frid, "roomName": name} for frid, name in family.rooms.items()]
    return page(call, rooms)


async def family_device_list(call: Call) -> object:
    """GET getFamilyDeviceList."""
    fid = _family(call)
    devices = _top_level(call.state, call.uid, fid)
    return page(call, [_device_entry(call.state, call.uid, d) for d in devices])


async def room_device_list(call: Call) -> object:
    """GET getFamilyRoomDeviceList."""
    frid = call.text("frid")
    devices = [d for d in _top_level(call.state, call.uid) if d.frid == frid]
    return page(call, [_device_entry(call.state, call.uid, d) for d in devices])


async def user_device_list(call: Call) -> object:
    """GET userDeviceList: the user's own and shared devices (sub-devices are the gateway's)."""
    devices = [
        d for d in _top_level(call.state, call.uid) if d.owner == call.uid or call.uid in d.shares
    ]
    return page(call, [_device_entry(call.state, call.uid, d) for d in devices])


async def gateway_children(call: Call) -> object:
    """GET getGatewayDeviceChildList."""
    gateway = call.device()
    children = [d for d in call.state.devices.values() if d.gateway == gateway.key]
    return page(call, [_device_entry(call.state, call.uid, d) for d in children])


async def product_tsl(call: Call) -> object:
    """GET productTSL: the TSL as JSON text in `tslJson`."""
    product = call.state.products.get(call.text("pk"))
    if product is None:
        raise QuecError(5193, "TSL query failed")
    return {"productKey": product.product_key, "tslJson": json.dumps(product.tsl)}


async def business_attributes(call: Call) -> object:
    """GET getDeviceBusinessAttributes: values as text in the live, misspelt `resourceValce`."""
    device = call.device()
    values = [
        {
            "abId": spec.get("id"),
            "resourceCode": spec["code"],
            "resourceValce": as_text(device.values[spec["code"]]),
            "dataType": spec.get("dataType"),
            "name": spec.get("name"),
            "subType": spec.get("subType"),
            "type": "PROPERTY",
        }
        for spec in device.product.tsl.get("properties", [])
        if spec.get("code") in device.values
    ]
    return {
        "customizeTslInfo": values,
        "deviceData": {
            "productKey": device.product.product_key,
            "deviceKey": device.device_key,
            "version": device.version,
            "mcuVersion": device.mcu_version,
            "signalStrength": 31,
        },
    }


def _command(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    data = body.get("data")
    decoded = json.loads(data) if isinstance(data, str) else data
    if not isinstance(decoded, list) or not all(isinstance(item, dict) for item in decoded):
        raise QuecError(5074, "Please enter device control command")
    return decoded


async def _control_one(
    call: Call, target: Mapping[str, Any], kind: int, commands: list[dict[str, Any]]
) -> None:
    device = call.state.devices.get(f"{target.get('productKey')}/{target.get('deviceKey')}")
    if device is None or not call.state.can_see(call.uid, device):
        raise QuecError(5041, "No permission")
    if kind == 3:
        for command in commands:
            for code, params in command.items():
                await call.cloud.call_service(device, code, params or {})
        return
    # One write, one report: the commands are the properties of one control.
    await call.cloud.control(device, {k: v for c in commands for k, v in c.items()}, "control")


async def batch_control(call: Call) -> object:
    """POST batchControlDevice: type 2 writes properties, 3 calls a service.

    The JSON body of the page; an older client sent the same object form-encoded in `json`.
    """
    body = call.body if isinstance(call.body, dict) else json.loads(call.text("json"))
    kind = int(body.get("type", 0))
    if kind not in (0, 2, 3):
        raise QuecError(5071, "Type error, types are 1: Passthrough 2: Property 3: Service")
    commands = _command(body)
    success, failure = [], []
    for target in body.get("deviceList") or []:
        try:
            await _control_one(call, target, kind, commands)
        except QuecError as err:
            failure.append({"data": target, "msg": err.msg})
        else:
            success.append({"data": target, "ticket": secrets.token_hex(8)})
    if not body.get("deviceList"):
        raise QuecError(5311, "Please enter device list")
    return {"successList": success, "failureList": failure}


# Scenes and automations


def _visible_items(call: Call, items: list[Any]) -> list[Any]:
    if call.user().family_mode:
        fid = call.text("fid")
        return [item for item in items if item.fid == fid]
    return [item for item in items if item.owner == call.uid]


async def scene_list(call: Call) -> object:
    """GET selectSceneList."""
    scenes = _visible_items(call, list(call.state.scenes.values()))
    entries = [
        {
            "fid": scene.fid,
            "isCommon": False,
            "sceneInfo": {
                "sceneId": scene.scene_id,
                "name": scene.name,
                "icon": "",
                "uid": scene.owner,
                "metaDataList": [
                    {
                        "productKey": a["device"].partition("/")[0],
                        "deviceKey": a["device"].partition("/")[2],
                    }
                    for a in scene.actions
                ],
            },
        }
        for scene in scenes
    ]
    return page(call, entries)


async def scene_execute(call: Call) -> object:
    """POST sceneExecute: every action is a control; failures are listed."""
    scene = call.state.scenes.get(call.text("sceneId"))
    if scene is None or scene not in _visible_items(call, [scene]):
        raise QuecError(5041, "No permission")
    failed = []
    for action in scene.actions:
        device = call.state.devices.get(action["device"])
        try:
            if device is not None:
                await call.cloud.control(device, action["values"], "scene")
        except QuecError as err:
            failed.append({"productKey": action["device"].partition("/")[0], "reason": err.msg})
        if device is None:
            failed.append({"productKey": action["device"].partition("/")[0], "reason": "unbound"})
    return {"executeResult": not failed, "failActionList": failed, "executeTime": now_ms()}


async def automation_list(call: Call) -> object:
    """GET automation/list."""
    automations = _visible_items(call, list(call.state.automations.values()))
    entries = [
        {"automationId": a.automation_id, "name": a.name, "status": a.status, "conditionType": 1}
        for a in automations
    ]
    return page(call, entries)


async def automation_status(call: Call) -> object:
    """POST automation/status."""
    automation = call.state.automations.get(call.number("automationId", -1))
    if automation is None or automation not in _visible_items(call, [automation]):
        raise QuecError(5041, "No permission")
    automation.status = str(call.params.get("status")).lower() == "true"
    return None
