"""The simulated cloud's data and the lookups every call needs.

Everything is held in dicts keyed the way calls address it ("PID/NAME", FamilyId, token...), so a
call costs O(1), and a list call walks one family at most, however many devices a benchmark loads.
"""

from collections import deque
from dataclasses import dataclass, field
import secrets
import time
import uuid

from simulator import errors
from simulator.errors import ApiError
from simulator.motor import MotorSpec
from simulator.thing_model import ThingModel


def now_s() -> int:
    """Unix time in seconds."""
    return int(time.time())


def now_ms() -> int:
    """Unix time in milliseconds."""
    return time.time_ns() // 1_000_000


@dataclass(slots=True)
class User:
    """An app account."""

    user_id: str
    nickname: str
    password: str
    country_code: str = "86"
    phone: str = ""
    email: str = ""
    avatar: str = ""
    wx_open_id: str = ""
    created: int = field(default_factory=now_s)


@dataclass(slots=True)
class Session:
    """An AccessToken handed out by a login."""

    token: str
    user_id: str
    expire_at: int
    # What the cloud answers once the token has expired (tests may pick another code).
    expired_code: str = errors.INVALID_ACCESS_TOKEN


@dataclass(slots=True)
class Room:
    """A room of a family."""

    room_id: str
    name: str
    created: int = field(default_factory=now_s)
    updated: int = field(default_factory=now_s)


@dataclass(slots=True)
class Family:
    """A family (home): members with roles, rooms and the devices bound to it."""

    family_id: str
    name: str
    address: str
    owner_id: str
    members: dict[str, int]  # UserID -> Role (1 administrator, 0 ordinary member)
    rooms: dict[str, Room] = field(default_factory=dict)
    device_ids: dict[str, None] = field(default_factory=dict)  # an insertion-ordered set
    created: int = field(default_factory=now_s)
    updated: int = field(default_factory=now_s)


@dataclass(slots=True)
class Product:
    """A product with its thing model; `firmware` is the newest version published for it."""

    product_id: str
    name: str
    description: str
    category_id: int
    product_type: int
    net_type: str
    template_json: str  # served as-is: AppGetProducts returns DataTemplate as a JSON string
    model: ThingModel
    firmware: str = ""
    created: int = field(default_factory=now_s)
    # Its devices move a motor to a target over time (curtains).
    motor: MotorSpec | None = None


@dataclass(slots=True)
class PropValue:
    """The current value of a property and when it was last reported (ms)."""

    value: object
    last_update: int


@dataclass(slots=True)
class OtaTask:
    """A firmware upgrade in progress; `status` uses AppDescribeFirmwareUpdateStatus's codes."""

    ori_version: str
    dst_version: str
    status: int = 1
    percent: int = 0
    err_msg: str = ""


@dataclass(slots=True)
class EventRecord:
    """An event a device posted, as AppListEventHistory returns it."""

    timestamp: int  # s
    event_id: str
    type: str
    params: dict[str, object]


@dataclass(slots=True)
class Device:
    """A device; `family_id` is empty while it waits to be bound with a token."""

    product: Product
    device_name: str
    alias: str
    family_id: str = ""
    room_id: str = "0"
    device_type: int = 0  # 0 ordinary, 1 gateway, 2 sub-device
    gateway_id: str = ""  # "PID/NAME" of the gateway of a sub-device
    online: bool = True
    fw_version: str = "1.0.0"
    icon_url: str = ""
    created: int = field(default_factory=now_s)
    updated: int = field(default_factory=now_s)
    data: dict[str, PropValue] = field(default_factory=dict)
    shared_with: dict[str, int] = field(default_factory=dict)  # UserID -> bind time
    events: deque[EventRecord] = field(default_factory=lambda: deque(maxlen=500))
    ota: OtaTask | None = None
    seq: int = 0
    # The last property report pushed, and the values it replaced, to replay them out of order.
    last_report: str | None = None
    replaced: dict[str, object] = field(default_factory=dict)
    # Days of property history AppGetDeviceDataHistory serves (0: none, as for a new device),
    # and how often the device reported (s).
    history_days: int = 0
    history_interval: int = 900
    # How often AppGetDeviceData read it, to see which devices a client polls; and how often
    # AppListEventHistory read its events (pages), to see which devices a client catches up on.
    data_reads: int = 0
    event_reads: int = 0

    @property
    def device_id(self) -> str:
        """The "PID/NAME" id every call and push uses."""
        return f"{self.product.product_id}/{self.device_name}"

    def values(self) -> dict[str, object]:
        """Property id -> current value."""
        return {key: prop.value for key, prop in self.data.items()}


@dataclass(slots=True)
class BindToken:
    """A distribution-network token; state 1 = just created, 2 = a device registered with it."""

    token: str
    state: int
    expire_at: float
    device_id: str = ""


@dataclass(slots=True)
class Scene:
    """A manual scene ("manual intelligent linkage")."""

    scene_id: str
    family_id: str
    name: str
    icon: str
    actions: list[dict[str, object]]
    user_id: str
    flag: int = 0
    created: int = field(default_factory=now_s)
    updated: int = field(default_factory=now_s)
    running: bool = False
    forced_running: bool = False


@dataclass(slots=True)
class Automation:
    """An automation ("automatic intelligent linkage"), kept in the reference's own shape."""

    automation_id: str
    family_id: str
    body: dict[str, object]  # Icon, Name, Status, MatchType, Conditions, Actions, Effective*


@dataclass(slots=True)
class Timer:
    """A device timer."""

    timer_id: str
    device_id: str
    name: str
    days: str
    time_point: str
    repeat: int
    data: str
    status: int = 1
    created: int = field(default_factory=now_s)
    updated: int = field(default_factory=now_s)


@dataclass(slots=True)
class Message:
    """An entry of AppGetMessages (1 device, 2 family, 3 notification)."""

    msg_id: str
    user_id: str
    category: int
    msg_type: int
    title: str
    content: str
    timestamp: int  # ms
    device: Device | None = None
    family: Family | None = None


@dataclass(slots=True)
class ControlRecord:
    """A control that reached a device, for tests to assert on."""

    time: int  # ms
    device_id: str
    data: dict[str, object]
    source: str  # control, scene, action, admin


class State:
    """All data of the simulated cloud."""

    def __init__(self, app_key: str, app_secret: str, token_ttl: int) -> None:
        """Start empty; `fixture.load` fills it."""
        self.app_key = app_key
        self.app_secret = app_secret
        self.token_ttl = token_ttl
        self.users: dict[str, User] = {}
        self.sessions: dict[str, Session] = {}
        # Every AccessToken ever issued, also expired and revoked ones (tests look for leaks).
        self.issued_tokens: list[str] = []
        self.products: dict[str, Product] = {}
        self.families: dict[str, Family] = {}
        self.devices: dict[str, Device] = {}  # bound devices only
        self.bind_tokens: dict[str, BindToken] = {}
        self.pending: dict[str, Device] = {}  # registered with a bind token, not bound yet
        self.scenes: dict[str, Scene] = {}
        self.automations: dict[str, Automation] = {}
        self.timers: dict[str, Timer] = {}
        self.messages: list[Message] = []
        self.controls: list[ControlRecord] = []
        self.share_invites: list[dict[str, object]] = []
        self.verification_code = "123456"  # what every AppSend*VerificationCode "sends"
        # Tencent's SDK documents AppGetDeviceStatuses as "at most 1000 devices per call".
        self.status_batch_limit = 1000
        # AppListEventHistory's TimeStamp in ms, as Tencent Cloud's own samples show (the
        # reference says seconds).
        self.event_history_ms = False
        self.codes: dict[str, str] = {}  # account key -> last verification code sent
        self.last_code: str | None = None

    # Accounts and sessions.

    @staticmethod
    def account_key(kind: str, country_code: str, account: str) -> str:
        """Key a phone number with its country code, or an email case-insensitively."""
        return f"email:{account.lower()}" if kind == "email" else f"phone:{country_code}:{account}"

    def find_user(self, key: str) -> User | None:
        """Find a user by account key."""
        for user in self.users.values():
            if user.email and self.account_key("email", "", user.email) == key:
                return user
            if user.phone and self.account_key("phone", user.country_code, user.phone) == key:
                return user
        return None

    def open_session(self, user: User) -> Session:
        """Log a user in: a fresh AccessToken with the configured lifetime."""
        session = Session(secrets.token_hex(24), user.user_id, now_s() + self.token_ttl)
        self.sessions[session.token] = session
        self.issued_tokens.append(session.token)
        return session

    def user_for_token(self, token: object) -> User:
        """Resolve an AccessToken, or raise the token error a client must re-login on."""
        session = self.sessions.get(token) if isinstance(token, str) else None
        if session is None:
            raise ApiError(errors.INVALID_ACCESS_TOKEN, "Invalid Token", access_token=True)
        if session.expire_at <= now_s():
            raise ApiError(session.expired_code, "Token has expired", access_token=True)
        return self.users[session.user_id]

    # Families and devices.

    def families_of(self, user: User) -> list[Family]:
        """Families the user belongs to, in fixture order."""
        return [family for family in self.families.values() if user.user_id in family.members]

    def family_for(self, user: User, family_id: str) -> Family:
        """Return a family the user belongs to."""
        family = self.families.get(family_id)
        if family is None:
            raise ApiError(errors.FAMILY_NOT_EXIST, f"Family {family_id} does not exist")
        if user.user_id not in family.members:
            raise ApiError(errors.NO_PERMISSION_TO_FAMILY, "No permission to operate this family")
        return family

    def can_see(self, user_id: str, device: Device) -> bool:
        """Whether a user may read and control a device (family member, or shared with)."""
        family = self.families.get(device.family_id)
        return (family is not None and user_id in family.members) or user_id in device.shared_with

    def device(self, device_id: str) -> Device:
        """Return a bound device by "PID/NAME"."""
        device = self.devices.get(device_id)
        if device is None:
            raise ApiError(errors.DEVICE_NOT_EXIST, f"Device {device_id} does not exist")
        return device

    def device_for(self, user: User, device_id: str) -> Device:
        """Return a bound device the user may use."""
        device = self.device(device_id)
        if not self.can_see(user.user_id, device):
            raise ApiError(errors.NO_PERMISSION, "User has no permission for the device")
        return device

    def attach(self, device: Device) -> None:
        """Index a device that has a family."""
        self.devices[device.device_id] = device
        self.families[device.family_id].device_ids[device.device_id] = None

    def detach(self, device: Device) -> None:
        """Forget a device and everything hanging off it."""
        self.devices.pop(device.device_id, None)
        family = self.families.get(device.family_id)
        if family is not None:
            family.device_ids.pop(device.device_id, None)
        for timer_id in [
            t.timer_id for t in self.timers.values() if t.device_id == device.device_id
        ]:
            del self.timers[timer_id]

    def sub_devices(self, gateway: Device) -> list[Device]:
        """Bound sub-devices of a gateway."""
        family = self.families.get(gateway.family_id)
        if family is None:
            return []
        candidates = (self.devices[device_id] for device_id in family.device_ids)
        return [device for device in candidates if device.gateway_id == gateway.device_id]

    def record_control(self, device: Device, data: dict[str, object], source: str) -> None:
        """Remember a control for tests."""
        self.controls.append(ControlRecord(now_ms(), device.device_id, data, source))

    def notify(
        self,
        family: Family | None,
        *,
        category: int,
        msg_type: int,
        title: str,
        content: str,
        device: Device | None = None,
    ) -> None:
        """Leave a message for every member of a family (AppGetMessages), sent at one time."""
        sent = now_ms()
        for user_id in family.members if family else ():
            self.messages.append(
                Message(
                    uuid.uuid4().hex,
                    user_id,
                    category,
                    msg_type,
                    title,
                    content,
                    sent,
                    device,
                    family,
                )
            )
