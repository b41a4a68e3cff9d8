"""The Kugou music service of a speaker (`AppKugouUserCommand`): playlists and songs.

The reference leaves every command's `Data` undocumented (`{...}`), so the records read the
spellings Kugou's own API uses and their camel-case forms, and skip what has no id.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Self

from .cloud import CloudClient
from .parsing import as_int, as_records, as_str, first

# The commands that list songs, and the one that lists recommended playlists.
SONGS_OF_PLAYLIST: Final = "playlist_song"
DAILY_SONGS: Final = "awesome_everyday"
NEW_SONGS: Final = "awesome_newsong"
RECOMMENDED_PLAYLISTS: Final = "playlist_awesome"


@dataclass(frozen=True, slots=True)
class Song:
    """A song of the music service."""

    song_id: str
    name: str = ""
    singer: str = ""
    duration: int | None = None
    cover_url: str = ""

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from an entry of a command's song list."""
        return cls(
            song_id=as_str(first(raw, "songId", "song_id", "hash", "id")),
            name=as_str(first(raw, "songName", "song_name", "name")),
            singer=as_str(first(raw, "singerName", "singer_name", "author_name", "singer")),
            duration=as_int(first(raw, "duration", "timelength")),
            cover_url=as_str(first(raw, "imgUrl", "img_url", "album_img", "cover", "picUrl")),
        )


@dataclass(frozen=True, slots=True)
class Playlist:
    """A playlist of the music service."""

    playlist_id: str
    name: str = ""

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """Build from an entry of `playlist_awesome`'s list."""
        return cls(
            playlist_id=as_str(first(raw, "playlistId", "playlist_id", "specialid", "id")),
            name=as_str(first(raw, "playlistName", "playlist_name", "specialname", "name")),
        )


def _entries(data: Any, *keys: str) -> list[Mapping[str, Any]]:
    return as_records(first(data, *keys)) if isinstance(data, Mapping) else []


async def get_songs(
    client: CloudClient,
    device_id: str,
    command: str,
    params: Mapping[str, Any] | None = None,
) -> list[Song]:
    """The songs a command lists (a playlist's, the daily picks, the new songs)."""
    data = await client.kugou_command(device_id, command, params)
    songs = (Song.from_api(raw) for raw in _entries(data, "songs", "list", "info"))
    return [song for song in songs if song.song_id]


async def get_playlists(client: CloudClient, device_id: str) -> list[Playlist]:
    """The recommended playlists."""
    data = await client.kugou_command(device_id, RECOMMENDED_PLAYLISTS)
    playlists = (Playlist.from_api(raw) for raw in _entries(data, "playlists", "list", "info"))
    return [playlist for playlist in playlists if playlist.playlist_id]
