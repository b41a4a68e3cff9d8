"""Canned answers of the Kugou music service (`AppKugouUserCommand`).

The reference leaves every `Data` as `{...}`; these are small, plausible bodies so a client can
show something. An unknown `KGCommand`, or `song_url` for a song that is not in the catalogue,
answers `ErrorCode` != 0 beside an empty `Data`.
"""

from collections.abc import Mapping

UNKNOWN_COMMAND = 10001
SONG_NOT_FOUND = 20001

_SONGS: list[dict[str, object]] = [
    {
        "songId": song_id,
        "songName": name,
        "singerName": singer,
        "duration": duration,
        "imgUrl": f"https://music.example.invalid/cover/{song_id}.jpg",
    }
    for song_id, name, singer, duration in (
        ("kg_5f1e0a", "晴天", "周杰伦", 269),
        ("kg_7c3b91", "Shape of You", "Ed Sheeran", 234),
        ("kg_2d8e44", "平凡之路", "朴树", 301),
    )
]

_PLAYLISTS: list[dict[str, object]] = [
    {"playlistId": "pl_1001", "playlistName": "华语经典", "picUrl": "", "songCount": 50},
    {"playlistId": "pl_1002", "playlistName": "Morning Chill", "picUrl": "", "songCount": 30},
]


def _song_infos(params: Mapping[str, object]) -> dict[str, object]:
    wanted = params.get("songIds") or params.get("song_ids")
    ids = {str(i) for i in wanted} if isinstance(wanted, list) else None
    return {"songs": [song for song in _SONGS if ids is None or song["songId"] in ids]}


def _song_url(params: Mapping[str, object]) -> dict[str, object]:
    song_id = str(params.get("songId") or params.get("song_id") or _SONGS[0]["songId"])
    return {
        "songId": song_id,
        "url": f"https://music.example.invalid/{song_id}.mp3",
        "expireTime": 3600,
    }


def run(command: str, params: Mapping[str, object]) -> tuple[int, str, dict[str, object]]:
    """Return ErrorCode, ErrorMsg and Data of a Kugou sub-command."""
    data: dict[str, object]
    match command:
        case "user_info":
            data = {
                "userId": "kg_88012345",
                "nickname": "酷狗用户",
                "isVip": 1,
                "vipEndTime": "2030-12-31",
            }
        case "user_logout":
            data = {}
        case "playlist_song":
            playlist_id = params.get("playlistId", "pl_1001")
            # Every playlist holds the catalogue, but an empty one (songCount 0) nothing.
            empty = any(p["playlistId"] == playlist_id and not p["songCount"] for p in _PLAYLISTS)
            songs = [] if empty else _SONGS
            data = {"playlistId": playlist_id, "total": len(songs), "songs": songs}
        case "song_url":
            data = _song_url(params)
            if not any(song["songId"] == data["songId"] for song in _SONGS):
                return SONG_NOT_FOUND, f"song {data['songId']!r} does not exist", {}
        case "song_infos":
            data = _song_infos(params)
        case "awesome_everyday" | "awesome_newsong":
            data = {"total": len(_SONGS), "songs": _SONGS}
        case "playlist_awesome":
            data = {"total": len(_PLAYLISTS), "playlists": _PLAYLISTS}
        case _:
            return UNKNOWN_COMMAND, f"unsupported KGCommand {command!r}", {}
    return 0, "", data
