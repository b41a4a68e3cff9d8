"""A speaker's music: the Kugou service's sources, and the songs of the one picked.

The sources are the service's recommended playlists, its daily picks and its new songs. The
songs of the source picked last are the speaker's queue: next and previous move in it when the
speaker has no actions of its own for them.
"""

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import Capability, TencentIoTError, TencentIoTKugouError
from .api.music import (
    DAILY_SONGS,
    NEW_SONGS,
    SONGS_OF_PLAYLIST,
    Song,
    get_playlists,
    get_songs,
)
from .background import RequestPacer
from .const import DOMAIN, LOGGER
from .coordinator import TencentIoTCoordinator
from .models import DeviceState

# Sources of every speaker with the service; their names are translated (state attributes).
DAILY_SOURCE: Final = "daily_recommendation"
NEW_SONGS_SOURCE: Final = "new_songs"


async def async_music_command[T](
    coordinator: TencentIoTCoordinator, state: DeviceState, command: str, call: Awaitable[T]
) -> T:
    """Await a music command; the service's refusal and the cloud's failure are translated."""

    async def run() -> T:
        try:
            return await call
        except TencentIoTKugouError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="music_command_error",
                translation_placeholders={
                    "command": command,
                    "device": state.name,
                    "code": err.code,
                    "message": err.message or err.code,
                },
            ) from err

    return await coordinator.async_call_cloud(run(), "music_command_failed", state.name)


@dataclass(frozen=True, slots=True)
class _Source:
    """The command (and its parameters) that lists a source's songs."""

    command: str
    params: Mapping[str, Any] = field(default_factory=dict)


class SpeakerMusic:
    """The music service's sources for one speaker, and its queue."""

    def __init__(self, coordinator: TencentIoTCoordinator, key: str, pacer: RequestPacer) -> None:
        """Nothing is known before the sources are read (paced with the entry's other speakers)."""
        self._coordinator = coordinator
        self._key = key
        self._pacer = pacer
        self._sources: dict[str, _Source] = {}
        self.source: str | None = None
        self.queue: list[Song] = []

    @property
    def source_names(self) -> list[str]:
        """The sources to pick from (none without the music service)."""
        return list(self._sources)

    async def async_read_sources(self) -> None:
        """Read the recommended playlists; a speaker without the service keeps no sources."""
        if Capability.MUSIC in self._coordinator.client.unsupported:
            return
        await self._pacer.wait()
        try:
            playlists = await get_playlists(self._coordinator.client, self._key)
        except TencentIoTError as err:
            LOGGER.debug("No music service for %s: %s", self._key, err)
            return
        self._sources = {
            DAILY_SOURCE: _Source(DAILY_SONGS),
            NEW_SONGS_SOURCE: _Source(NEW_SONGS),
        }
        for playlist in playlists:
            self._sources.setdefault(
                playlist.name or playlist.playlist_id,
                _Source(SONGS_OF_PLAYLIST, {"playlistId": playlist.playlist_id}),
            )

    async def async_pick(self, state: DeviceState, name: str) -> list[Song]:
        """Read a source's songs: they are the queue from now on."""
        if (source := self._sources.get(name)) is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_source",
                translation_placeholders={"source": name, "device": state.name},
            )
        client = self._coordinator.client
        songs = await async_music_command(
            self._coordinator,
            state,
            source.command,
            get_songs(client, state.key, source.command, source.params),
        )
        if not songs:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="source_without_songs",
                translation_placeholders={"source": name},
            )
        self.source, self.queue = name, songs
        return songs

    def song_named(self, title: str | None) -> Song | None:
        """The queue's song of this title."""
        return next((song for song in self.queue if song.name == title), None)

    def step(self, title: str | None, current: Song | None, offset: int) -> Song:
        """The song `offset` places from the one playing (or the one last sent), wrapping."""
        playing = self.song_named(title) or current
        index = self.queue.index(playing) if playing in self.queue else -1 if offset > 0 else 0
        return self.queue[(index + offset) % len(self.queue)]
