"""Calls to the cloud: running reads together, and the one translation of their failures."""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable
import logging
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers.update_coordinator import UpdateFailed

from .api import (
    TencentIoTAuthError,
    TencentIoTError,
    TencentIoTNotSupportedError,
    TencentIoTRateLimitError,
)
from .const import DOMAIN, LOGGER
from .models import TencentIoTConfigEntry


async def run_all(
    jobs: Iterable[Coroutine[Any, Any, None]], *, cancel_on_failure: bool = False
) -> None:
    """Run the jobs together and raise the first failure as it is, an auth failure first.

    By default every job finishes before the failure is raised; with `cancel_on_failure` the
    first failure cancels the others. Either way, unlike a plain `asyncio.gather`, no job is
    left running behind the failure, unowned by the entry.
    """
    errors: list[BaseException] = []
    if cancel_on_failure:
        try:
            async with asyncio.TaskGroup() as group:
                for job in jobs:
                    group.create_task(job)
        except ExceptionGroup as err:
            errors = list(err.exceptions)
    else:
        results = await asyncio.gather(*jobs, return_exceptions=True)
        errors = [result for result in results if isinstance(result, BaseException)]
    if errors:
        raise next((e for e in errors if isinstance(e, TencentIoTAuthError)), errors[0])


class CoalescedRead:
    """A read that runs one at a time, soon or now; asked for while it runs, it runs once more.

    The run under way may have started before whatever made someone ask (a new device, a
    message), so one more run follows it; any number of asks meanwhile make just that one.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: TencentIoTConfigEntry,
        read: Callable[[], Awaitable[None]],
        what: str,
        *,
        failure_level: int = logging.DEBUG,
    ) -> None:
        """`what` names the read in its background task and in the log line of a failure."""
        self._hass = hass
        self._entry = entry
        self._read = read
        self._what = what
        self._failure_level = failure_level
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._again = False

    async def async_run(self) -> None:
        """Read now (after a run under way); a failure is raised to the caller."""
        async with self._lock:
            await self._read()

    @callback
    def async_schedule(self) -> None:
        """Read soon, in a background task of the entry; a failure is logged."""
        if self._task is None or self._task.done():
            self._task = self._entry.async_create_background_task(
                self._hass, self._async_run_until_current(), f"{DOMAIN} {self._what}"
            )
        else:
            self._again = True

    async def async_wait(self) -> None:
        """Wait until a scheduled read (with the runs asked for meanwhile) has ended."""
        if self._task is not None and not self._task.done():
            await asyncio.wait([self._task])

    async def _async_run_until_current(self) -> None:
        self._again = True
        while self._again:
            self._again = False
            try:
                await self.async_run()
            except TencentIoTError as err:
                LOGGER.log(self._failure_level, "Reading %s failed: %s", self._what, err)
                return


def auth_failed(err: TencentIoTError) -> ConfigEntryAuthFailed:
    """A coordinator's refresh was refused the login: HA starts re-authentication."""
    LOGGER.debug("Authentication failed: %s", err)
    return ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="auth_failed")


def update_failed(err: TencentIoTError) -> UpdateFailed:
    """A coordinator's refresh failed: its entities turn unavailable until the next one."""
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key="update_failed",
        translation_placeholders={"error": str(err)},
    )


async def async_call_cloud[T](
    hass: HomeAssistant,
    entry: TencentIoTConfigEntry,
    call: Awaitable[T],
    translation_key: str,
    target: str = "",
) -> T:
    """Await a call a user asked for, turning its failure into a translated HomeAssistantError."""
    try:
        result: T = await call
    except TencentIoTAuthError as err:
        entry.async_start_reauth(hass)
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="auth_failed") from err
    except TencentIoTNotSupportedError as err:
        # What the entry's cloud lacks (a Quectel app has no music service, say).
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=f"not_supported_{err.capability}",
            translation_placeholders={"target": target},
        ) from err
    except TencentIoTRateLimitError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="rate_limited",
            translation_placeholders={"target": target},
        ) from err
    except TencentIoTError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=translation_key,
            translation_placeholders={"target": target, "error": str(err)},
        ) from err
    return result
