"""The entry's push channel: subscribing before reading, outages, and logging in again."""

import asyncio
from collections.abc import Callable, Iterable

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api import (
    CloudClient,
    CloudPush,
    PushClient,
    PushEvent,
    TencentIoTAuthError,
    TencentIoTClient,
    TencentIoTError,
)
from .api.quectel import QuectelClient, QuectelPushClient
from .const import DOMAIN, LOGGER, PUSH_BACKOFF_MAX, PUSH_BACKOFF_MIN, PUSH_SUBSCRIBE_WAIT
from .models import TencentIoTConfigEntry
from .repairs import PushDownIssue


def _channel_of(client: CloudClient) -> tuple[Callable[..., CloudPush], object]:
    """The push channel class of a client's cloud, and where it connects."""
    match client:
        case QuectelClient():
            return QuectelPushClient, client.push_identity
        case TencentIoTClient():
            return PushClient, client.push_identity
    raise TypeError(f"no push channel for {type(client).__name__}")  # pragma: no cover


class PushSession:
    """Owns the push client of an entry, from its start to the entry's unload."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: TencentIoTConfigEntry,
        client: CloudClient,
        *,
        on_event: Callable[[PushEvent], None],
        on_back: Callable[[], None],
    ) -> None:
        """Nothing started: `on_back` is called when push reconnects after an outage."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._on_event = on_event
        self._on_back = on_back
        self._issue = PushDownIssue(hass, entry)
        self.client: CloudPush | None = None
        # Set while push is subscribed: device data read after that misses no change.
        self._subscribed = asyncio.Event()
        self._was_down = False

    @property
    def healthy(self) -> bool:
        """Whether device data arrives over push, so that polling it is not needed."""
        return self.client is not None and self.client.connected

    def start(self, devices: Iterable[str]) -> None:
        """Start the push channel, or subscribe it to these devices when it runs."""
        if self.client is not None:
            self.client.subscribe(devices)
            return
        self.client = self._new_channel()
        self.client.subscribe(devices)
        self._entry.async_create_background_task(
            self._hass, self.client.run(), f"{DOMAIN} push channel"
        )
        self._entry.async_on_unload(self._async_stop)

    def _new_channel(self) -> CloudPush:
        """The push channel of the entry's cloud; both take the same arguments."""
        channel, identity = _channel_of(self._client)
        return channel(
            async_get_clientsession(self._hass),
            identity,
            token_provider=self._current_token,
            on_event=self._on_event,
            on_connection_change=self._handle_connection,
            on_token_error=self._handle_token_error,
            backoff_min=PUSH_BACKOFF_MIN,
            backoff_max=PUSH_BACKOFF_MAX,
        )

    def subscribe(self, devices: Iterable[str]) -> None:
        """Follow these devices (and no others), when push runs."""
        if self.client is not None:
            self.client.subscribe(devices)

    async def async_subscribe_before_reading(self, devices: Iterable[str]) -> None:
        """Subscribe to the devices before their data is read, so no change falls in between.

        A change made after a device's data was read but before push listened to it would
        otherwise stay unknown until it changes again.
        """
        self.start(devices)
        try:
            async with asyncio.timeout(PUSH_SUBSCRIBE_WAIT):
                await self._subscribed.wait()
        except TimeoutError:
            # Push is slow or down: once it subscribes, what changed meanwhile is read.
            self._async_went_down()

    async def _async_stop(self) -> None:
        self._issue.async_cancel()
        if self.client is not None:
            await self.client.stop()

    def _current_token(self) -> str:
        return self._client.access_token or ""

    @callback
    def _async_went_down(self) -> None:
        """Push is not delivering: said once at INFO, and a repair issue if it lasts."""
        if not self._was_down:
            self._was_down = True
            reason = self.client.last_error if self.client is not None else None
            LOGGER.info(
                "Push channel is down (%s); polling device data until it is back",
                reason or "not connected yet",
            )
        self._issue.async_problem()

    @callback
    def _handle_connection(self, connected: bool) -> None:
        if not connected:
            self._subscribed.clear()
            self._async_went_down()
            return
        self._subscribed.set()
        self._issue.async_solved()
        if self._was_down:
            self._was_down = False
            LOGGER.info("Push channel is back; reading what changed meanwhile")
            self._on_back()

    async def _handle_token_error(self) -> None:
        """The push channel rejected the token: log in again, then it re-subscribes."""
        try:
            await self._client.relogin()
        except TencentIoTAuthError:
            self._entry.async_start_reauth(self._hass)
        except TencentIoTError as err:
            LOGGER.debug("Re-login for push failed: %s", err)
