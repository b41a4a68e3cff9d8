"""The simulated Quectel cloud's data: users, families, products (TSL), devices, shares...

Written from Quectel's end-user API pages: values are validated against the product's TSL
(BOOL, INT, FLOAT, DOUBLE, ENUM, TEXT, DATE, STRUCT, ARRAY; R/W/RW).
"""

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
import json
from pathlib import Path
import secrets
import time
from typing import Any, cast

DEFAULT_FIXTURE = Path(__file__).parent / "fixtures" / "demo_home.json"


def now_ms() -> int:
    """The current time in milliseconds."""
    return int(time.time() * 1000)


class QuecError(Exception):
    """An error the API answers with its envelope: `code` and `msg`."""

    def __init__(self, code: int, msg: str) -> None:
        """Keep the code and the message."""
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg


# Values


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise QuecError(4028, f"{what}: {value!r} is not a number")
    try:
        return float(value)
    except ValueError:
        raise QuecError(4028, f"{what}: {value!r} is not a number") from None


def _specs(spec: Mapping[str, Any]) -> Any:
    return spec.get("specs")


def _check_range(number: float, spec: Mapping[str, Any], what: str) -> None:
    specs = _specs(spec) if isinstance(_specs(spec), dict) else {}
    low, high = specs.get("min"), specs.get("max")
    if (low not in (None, "") and number < float(low)) or (
        high not in (None, "") and number > float(high)
    ):
        raise QuecError(4028, f"{what}: {number:g} is out of range {low}..{high}")


def _bool_value(value: object, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise QuecError(4028, f"{what}: {value!r} is not a boolean")


def _int_value(value: object, spec: Mapping[str, Any], what: str) -> int:
    number = _number(value, what)
    if not number.is_integer():
        raise QuecError(4028, f"{what}: {value!r} is not an integer")
    _check_range(number, spec, what)
    return int(number)


def _float_value(value: object, spec: Mapping[str, Any], what: str) -> float:
    number = _number(value, what)
    _check_range(number, spec, what)
    return number


def _enum_value(value: object, spec: Mapping[str, Any], what: str) -> int:
    allowed = {str(item.get("value")) for item in _specs(spec) or [] if isinstance(item, dict)}
    text = (
        str(int(value)) if isinstance(value, int | float) and not isinstance(value, bool) else value
    )
    if text not in allowed:
        raise QuecError(4028, f"{what}: {value!r} is not one of {sorted(allowed)}")
    return int(text)


def _text_value(value: object, spec: Mapping[str, Any], what: str) -> str:
    if not isinstance(value, str):
        raise QuecError(4028, f"{what}: {value!r} is not text")
    length = (_specs(spec) or {}).get("length")
    if length not in (None, "") and len(value) > int(length):
        raise QuecError(4028, f"{what}: longer than {length} characters")
    return value


def _decoded(value: object) -> object:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _struct_value(value: object, spec: Mapping[str, Any], what: str) -> dict[str, Any]:
    raw = _decoded(value)
    if not isinstance(raw, dict):
        raise QuecError(4028, f"{what}: {value!r} is not an object")
    members = {m["code"]: m for m in _specs(spec) or [] if isinstance(m, dict)}
    result: dict[str, Any] = {}
    for code, item in raw.items():
        if code not in members:
            raise QuecError(4028, f"{what}: unknown member {code!r}")
        result[code] = check_value(members[code], item, f"{what}.{code}")
    return result


def _array_value(value: object, spec: Mapping[str, Any], what: str) -> list[Any]:
    raw = _decoded(value)
    if not isinstance(raw, list):
        raise QuecError(4028, f"{what}: {value!r} is not a list")
    item_spec = _specs(spec) or {}
    return [check_value(item_spec, item, f"{what}[]") for item in raw]


_CHECKS: dict[str, Callable[[object, Mapping[str, Any], str], Any]] = {
    "BOOL": lambda value, _spec, what: _bool_value(value, what),
    "INT": _int_value,
    "DATE": _int_value,
    "FLOAT": _float_value,
    "DOUBLE": _float_value,
    "ENUM": _enum_value,
    "TEXT": _text_value,
    "STRUCT": _struct_value,
    "ARRAY": _array_value,
}


def check_value(spec: Mapping[str, Any], value: object, what: str) -> Any:
    """A value checked against a TSL entry (or a member, or an array's item spec)."""
    kind = str(spec.get("dataType", "")).upper()
    if (check := _CHECKS.get(kind)) is None:
        raise QuecError(4028, f"{what}: unknown data type {kind!r}")
    return check(value, spec, what)


def as_text(value: object) -> str:
    """A value as the cloud reports it in `resourceValce`: text, JSON text for STRUCT/ARRAY."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


# Records


@dataclass(slots=True)
class User:
    """An end user of the app."""

    uid: str
    nickname: str
    email: str
    phone: str
    country_code: str
    password: str
    family_mode: bool = False
    attempts_left: int = 5


@dataclass(slots=True)
class Family:
    """A family (home) with its members (uid → role: 1 creator, 2 admin, 3 member) and rooms."""

    fid: str
    name: str
    members: dict[str, int]
    rooms: dict[str, str]


@dataclass(slots=True)
class Product:
    """A product and its TSL."""

    product_key: str
    name: str
    tsl: dict[str, Any]

    def property(self, code: str) -> dict[str, Any] | None:
        """The TSL property with this code."""
        return next((p for p in self.tsl.get("properties", []) if p.get("code") == code), None)

    def by_id(self, number: int) -> dict[str, Any] | None:
        """The TSL property with this numeric id."""
        return next((p for p in self.tsl.get("properties", []) if p.get("id") == number), None)

    def entry(self, section: str, code: str) -> dict[str, Any] | None:
        """An event or service of the TSL."""
        return next((e for e in self.tsl.get(section, []) if e.get("code") == code), None)


@dataclass(slots=True)
class Share:
    """A device shared by its owner with another user."""

    share_code: str
    share_uid: str
    expire_at: int | None = None  # ms


@dataclass(slots=True)
class Device:
    """A device bound to its owner (and maybe a family), with its values and history."""

    product: Product
    device_key: str
    name: str
    owner: str
    fid: str = ""
    frid: str = ""
    access_type: int = 0  # 0 direct, 1 gateway, 2 sub-device
    gateway: str | None = None
    online: bool = True
    version: str = ""
    mcu_version: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    shares: dict[str, Share] = field(default_factory=dict)
    history: dict[str, list[tuple[int, Any]]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The device's id, "<productKey>/<deviceKey>"."""
        return f"{self.product.product_key}/{self.device_key}"


@dataclass(slots=True)
class Session:
    """An access token, its refresh token and their expiry (ms)."""

    uid: str
    access_token: str
    refresh_token: str
    access_expire: int
    refresh_expire: int


@dataclass(slots=True)
class Scene:
    """A manual scene: each action sets values of one device."""

    scene_id: str
    fid: str
    owner: str
    name: str
    actions: list[dict[str, Any]]


@dataclass(slots=True)
class Automation:
    """An automation, on or off."""

    automation_id: int
    fid: str
    owner: str
    name: str
    status: bool


@dataclass(slots=True)
class State:
    """Everything the simulated cloud holds."""

    user_domain: str
    user_domain_secret: str
    users: dict[str, User]
    families: dict[str, Family]
    products: dict[str, Product]
    devices: dict[str, Device]
    scenes: dict[str, Scene]
    automations: dict[int, Automation]
    messages: list[dict[str, Any]]
    sessions: dict[str, Session] = field(default_factory=dict)
    cron_jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    controls: list[dict[str, Any]] = field(default_factory=list)
    issued_tokens: list[str] = field(default_factory=list)

    def share_family(self, uid: str) -> str:
        """The family a device shared with `uid` is listed in: their first, in family mode.

        Quectel's app lists a shared device in the recipient's family lists (`deviceType` 2, the
        share's `fid`), not apart; without family mode the account's own list has it.
        """
        if not self.users[uid].family_mode:
            return ""
        return next((f.fid for f in self.families.values() if uid in f.members), "")

    def user_by(self, kind: str, account: str) -> User | None:
        """The user with this email or phone."""
        return next((u for u in self.users.values() if getattr(u, kind) == account), None)

    def can_see(self, uid: str, device: Device) -> bool:
        """Whether a user owns the device, is a member of its family, or has a live share."""
        if device.owner == uid:
            return True
        family = self.families.get(device.fid)
        if family is not None and uid in family.members and self.users[uid].family_mode:
            return True
        share = device.shares.get(uid)
        return share is not None and (share.expire_at is None or share.expire_at > now_ms())

    def device(self, key: str) -> Device:
        """A device by "<productKey>/<deviceKey>" (admin use)."""
        if key not in self.devices:
            raise QuecError(4004, f"device {key} does not exist")
        return self.devices[key]


def new_token(uid: str, kind: str, ttl_ms: int) -> str:
    """A JWT-shaped token whose payload carries the uid, as the live tokens do."""

    def part(value: object) -> str:
        text = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(text).decode().rstrip("=")

    claims = {
        "uid": uid,
        "type": kind,
        "exp": (now_ms() + ttl_ms) // 1000,
        "jti": secrets.token_hex(8),
    }
    return f"{part({'alg': 'RS256'})}.{part(claims)}.{secrets.token_urlsafe(24)}"


def load(source: Mapping[str, Any]) -> State:
    """Build the state from a fixture."""
    app = source["app"]
    products = {
        raw["productKey"]: Product(raw["productKey"], raw["name"], raw["tsl"])
        for raw in source["products"]
    }
    devices: dict[str, Device] = {}
    for raw in source["devices"]:
        device = Device(
            product=products[raw["productKey"]],
            device_key=raw["deviceKey"],
            name=raw["name"],
            owner=raw["owner"],
            fid=raw.get("fid", ""),
            frid=raw.get("frid", ""),
            access_type=raw.get("access_type", 0),
            gateway=raw.get("gateway"),
            online=raw.get("online", True),
            version=raw.get("version", ""),
            mcu_version=raw.get("mcuVersion", ""),
            values=dict(raw.get("values", {})),
        )
        for uid in raw.get("shared_with", []):
            device.shares[uid] = Share(secrets.token_hex(6), uid)
        devices[device.key] = device
    return State(
        user_domain=app["user_domain"],
        user_domain_secret=app["user_domain_secret"],
        users={raw["uid"]: User(**raw) for raw in source["users"]},
        families={
            raw["fid"]: Family(
                raw["fid"],
                raw["name"],
                dict(raw["members"]),
                {room["frid"]: room["name"] for room in raw["rooms"]},
            )
            for raw in source["families"]
        },
        products=products,
        devices=devices,
        scenes={
            raw["sceneId"]: Scene(
                raw["sceneId"], raw["fid"], raw["owner"], raw["name"], raw["actions"]
            )
            for raw in source["scenes"]
        },
        automations={
            raw["automationId"]: Automation(
                raw["automationId"], raw["fid"], raw["owner"], raw["name"], raw["status"]
            )
            for raw in source["automations"]
        },
        messages=[{**raw, "isRead": False} for raw in source["messages"]],
    )


def read_fixture(path: Path = DEFAULT_FIXTURE) -> dict[str, Any]:
    """The fixture at `path`, decoded."""
    return cast(dict[str, Any], json.loads(path.read_text(encoding="utf-8")))


def add_synthetic_devices(state: State, count: int) -> None:
    """Add `count` devices to the first family, cycling over its rooms and ordinary devices."""
    if count <= 0:
        return
    family = next(iter(state.families.values()), None)
    prototypes = [
        device
        for device in state.devices.values()
        if family is not None and device.fid == family.fid and device.access_type == 0
    ]
    if family is None or not prototypes:
        raise ValueError("synthetic devices need a first family with an ordinary device")
    rooms = list(family.rooms) or [""]
    for i in range(count):
        prototype = prototypes[i % len(prototypes)]
        device = Device(
            product=prototype.product,
            device_key=f"SIM{i:05d}",
            name=f"{prototype.name} #{i + 1}",
            owner=prototype.owner,
            fid=family.fid,
            frid=rooms[i % len(rooms)],
            version=prototype.version,
            mcu_version=prototype.mcu_version,
            values=json.loads(json.dumps(prototype.values)),
        )
        state.devices[device.key] = device
