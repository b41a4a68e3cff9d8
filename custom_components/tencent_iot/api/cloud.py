"""The seam between the integration's core and a cloud: one typed interface, one adapter per cloud.

The core (coordinator, push session, services, history, messages...) speaks to a cloud only
through these protocols and the shared models of `models.py`, `push.py` and `thing_model.py`:

- `CloudClient`: log in and renew, the account, homes and rooms, devices and sub-devices,
  thing models, online states and values, control and actions, scenes, automations, timers,
  event and property history, messages, sharing. It is what the core calls today, method by
  method; `TencentIoTClient` (Tencent Cloud IoT Explorer) and `QuectelClient` (Quectel's
  Developer Center) both satisfy it.
- `CloudPush`: a running push channel that turns the cloud's pushes into the shared push
  events (`PropertyReport`, `StatusChange`, `DeviceEvent`, `BindChange`...).
- `AccountSharing`: sharing by user id, email or phone with an expiry, and taking a share
  back. Quectel has it; Tencent shares by user id only (`send_share_invite`).

A capability a cloud lacks raises `TencentIoTNotSupportedError` before anything is sent.
Devices keep the shared `Device`: `product_id` is Tencent's ProductId or Quectel's productKey,
`device_name` the DeviceName or deviceKey, so `Device.key` is "<product>/<device>" for both.
See docs/clouds.md for the adapters and the wiring.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from .models import (
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
    MessagePage,
    Product,
    PropertyValue,
    Room,
    Scene,
    Timer,
    Token,
    User,
)
from .rate_limit import RateLimit


class Capability(StrEnum):
    """What one cloud offers and another may lack (`TencentIoTNotSupportedError.capability`)."""

    VERIFICATION_CODE_LOGIN = "verification_code_login"
    FIRMWARE_UPGRADE = "firmware_upgrade"
    BIND_TOKEN = "bind_token"  # noqa: S105 (a name, not a secret)
    MUSIC = "music"


class CloudClient(Protocol):
    """One account on one cloud: every call the core makes, in the shared models."""

    @property
    def unsupported(self) -> frozenset[Capability]:
        """The capabilities this cloud lacks: their calls raise `TencentIoTNotSupportedError`."""

    @property
    def rate_limit(self) -> RateLimit:
        """The requests sent, and the back-off every request waits out while the cloud refuses."""

    # Session

    @property
    def user_id(self) -> str | None:
        """The account's user id, once known."""

    @property
    def access_token(self) -> str | None:
        """The current access token, if logged in (the push channel logs in with it)."""

    @property
    def token_expire_at(self) -> int | None:
        """When the access token expires (UNIX seconds), if known."""

    @property
    def can_relogin(self) -> bool:
        """Whether the client can renew its session by itself (a stored password)."""

    async def login_password(self, credentials: LoginCredentials | None = None) -> Token:
        """Log in with a password; the credentials are kept for logging in again."""

    async def relogin(self, rejected_token: str | None = None) -> Token:
        """Renew the session (refresh, or log in again); nothing when another call already did."""

    async def send_verification_code(
        self, account_type: AccountType, account: str, country_code: str = "86"
    ) -> None:
        """Send a login code by SMS or email (NotSupported where the cloud has no code login)."""

    async def login_verification_code(
        self, account_type: AccountType, account: str, code: str, country_code: str = "86"
    ) -> Token:
        """Log in with a code sent by `send_verification_code`."""

    async def logout(self) -> None:
        """Log out and forget the token; an already invalid token is fine."""

    async def get_user(self) -> User:
        """The logged-in account."""

    # Homes, rooms, devices, thing models, state

    async def get_families(self) -> list[Family]:
        """The account's homes (families)."""

    async def get_rooms(self, family_id: str) -> list[Room]:
        """A home's rooms."""

    async def get_devices(self, family_id: str, room_id: str | None = None) -> list[Device]:
        """A home's devices (every page), or one room's."""

    async def get_shared_devices(self) -> list[Device]:
        """The devices other users share with the account (in none of its homes)."""

    async def get_gateway_sub_devices(self, gateway: Device) -> list[Device]:
        """A gateway's sub-devices."""

    async def get_products(self, product_ids: Iterable[str]) -> list[Product]:
        """Products and their thing models."""

    async def get_device_statuses(self, device_ids: Iterable[str]) -> list[DeviceStatus]:
        """Online states of "<product>/<device>" ids."""

    async def get_device_data(self, device: Device) -> dict[str, PropertyValue]:
        """A device's current property values, by property id."""

    async def control_device(self, device: Device, data: Mapping[str, Any]) -> None:
        """Set property values (as `Property.encode` made them)."""

    async def call_action(
        self, device: Device, action_id: str, input_params: Mapping[str, Any] | None = None
    ) -> ActionResult:
        """Call a thing-model action (a Quectel service)."""

    # Firmware

    async def check_firmware_update(self, device: Device) -> FirmwareInfo:
        """The current firmware, and the version an upgrade would install."""

    async def publish_firmware_update(self, device: Device) -> None:
        """Start the pending upgrade."""

    async def describe_firmware_update_status(self, device: Device) -> FirmwareStatus:
        """Progress of an upgrade."""

    # Scenes and automations

    async def get_scenes(self, family_id: str) -> list[Scene]:
        """A home's manual scenes."""

    async def run_scene(self, scene_id: str) -> None:
        """Run a scene."""

    async def get_automations(self, family_id: str) -> list[Automation]:
        """A home's automations."""

    async def set_automation_enabled(self, automation_id: str, enabled: bool) -> None:
        """Switch an automation on or off."""

    # Timers (days: 7 characters of 0/1, Sunday first; time_point: HH:MM)

    async def get_timers(self, device: Device) -> list[Timer]:
        """A device's timers."""

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
        """Create a timer and return its id."""

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
        """Replace a timer's settings."""

    async def set_timer_enabled(self, device: Device, timer_id: str, enabled: bool) -> None:
        """Switch a timer on or off."""

    async def delete_timer(self, device: Device, timer_id: str) -> None:
        """Delete a timer."""

    # History and messages

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
        """One page of past events (times in UNIX seconds, 0 = now); `context` reads the next."""

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
        """One page of a property's past values (times in ms); `context` reads the next."""

    async def get_messages(
        self,
        category: int,
        *,
        limit: int = 20,
        msg_id: str | None = None,
        msg_timestamp: int | None = None,
    ) -> MessagePage:
        """One page of messages older than the given one; category 1 device, 2 home, 3 notice."""

    async def mark_messages_read(self) -> None:
        """Mark every message of the account read in the cloud.

        A cloud that keeps no read state has nothing to mark and sends nothing.
        """

    # Sharing, binding, extras

    async def send_share_invite(self, device: Device, to_user_id: str) -> None:
        """Share a device with another user of the same app, by user id."""

    async def get_bind_token_state(self, token: str) -> BindTokenState:
        """State of a Wi-Fi configuration token (Tencent's binding)."""

    async def bind_device_by_token(
        self, token: str, product_id: str, device_name: str, family_id: str, room_id: str = "0"
    ) -> None:
        """Bind a configured device to a home (Tencent's binding)."""

    async def kugou_command(
        self, device_id: str, command: str, params: Mapping[str, Any] | None = None
    ) -> Any:
        """A speaker's music command (Tencent's Kugou)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ShareRecipient:
    """Who a device is shared with: exactly one of a user id, an email or a phone number."""

    user_id: str | None = None
    email: str | None = None
    phone: str | None = None

    def __post_init__(self) -> None:
        """Refuse none, or more than one."""
        if sum(value is not None for value in (self.user_id, self.email, self.phone)) != 1:
            raise ValueError("give exactly one of user_id, email or phone")


@runtime_checkable
class RefreshTokenHolder(Protocol):
    """A session renewed with a refresh token (Quectel's), which its owner stores too."""

    @property
    def refresh_token(self) -> Token | None:
        """The refresh token and when it expires, if logged in."""


@runtime_checkable
class AccountSharing(Protocol):
    """Sharing by user id, email or phone, with an optional expiry, and taking it back."""

    async def share_device(
        self, device: Device, recipient: ShareRecipient, *, expires_at: int | None = None
    ) -> None:
        """Share a device; `expires_at` (UNIX seconds) ends the share, None never."""

    async def unshare_device(self, device: Device, user_id: str) -> None:
        """Take back a device shared with a user."""


class CloudPush(Protocol):
    """A push channel the core runs: `run()` in a task, `subscribe()` as devices come and go.

    Events go to the callback the channel was built with, as the shared push events.
    """

    @property
    def connected(self) -> bool:
        """Whether the channel is logged in and subscribed."""

    @property
    def ws_url(self) -> str:
        """The URL in use (or tried next)."""

    @property
    def last_message_at(self) -> float | None:
        """`time.monotonic()` of the last frame received, if any."""

    @property
    def last_error(self) -> str | None:
        """Why the channel last failed to connect or went down, if it ever did."""

    @property
    def reconnect_count(self) -> int:
        """How many times the channel has tried to reconnect."""

    @property
    def subscribed_ids(self) -> frozenset[str]:
        """Device ids the cloud confirmed."""

    def subscribe(self, device_ids: Iterable[str]) -> None:
        """Follow these "<product>/<device>" ids (and no others)."""

    async def run(self) -> None:
        """Connect, subscribe and serve until cancelled, reconnecting with back-off."""

    async def stop(self) -> None:
        """Stop the channel started by `start()` and close the socket."""
