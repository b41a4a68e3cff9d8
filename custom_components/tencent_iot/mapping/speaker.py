"""Pass 1 for speakers: a playback state, volume and what is playing → one media player.

The rule sees properties only, like every whole-device rule; `with_actions` then gives the
player the thing-model actions it calls (next, previous, play a song) and takes those it
stands for (play, pause...) off the buttons.
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Final, cast

from homeassistant.components.media_player.const import (
    MediaPlayerDeviceClass,
    MediaPlayerEntityFeature,
    MediaPlayerState,
)

from custom_components.tencent_iot.api import Action, Property, StringDefine, StructDefine

# `devices` lists this rule among its own: its names are read when the rule runs.
from .common import (
    POWER_IDS,
    DeviceMatch,
    Properties,
    classify_keys,
    find,
    find_choice,
    find_number,
    find_switch,
    scale,
)
from .descriptions import Key, TencentIoTMediaPlayerEntityDescription

PLAY_STATE_IDS: Final = ("play_state", "playback_state", "play_status", "player_state")
VOLUME_IDS: Final = ("volume", "volume_level", "vol")
MUTE_IDS: Final = ("mute", "mute_switch", "volume_mute")
NOW_PLAYING_IDS: Final = ("now_playing", "current_song", "song_info", "playing_info", "music_info")
PLAY_MODE_IDS: Final = ("play_mode", "playback_mode", "loop_mode", "repeat_mode")

# Label keywords (matched case-insensitively, first row wins): "暂停" before "停止", and both
# before "play", which "paused" does not contain but "playing" does.
PLAYBACK_KEYWORDS: Final[Sequence[tuple[MediaPlayerState, tuple[str, ...]]]] = (
    (MediaPlayerState.PAUSED, ("pause", "暂停")),
    (MediaPlayerState.IDLE, ("stop", "idle", "停止", "空闲")),
    (MediaPlayerState.PLAYING, ("play", "播放")),
)
PLAY_MODE_KEYWORDS: Final[Sequence[tuple[str, tuple[str, ...]]]] = (
    ("shuffle", ("shuffle", "random", "随机")),
    ("one", ("repeat_one", "repeat one", "single", "单曲")),
    ("all", ("repeat_all", "repeat all", "loop", "循环")),
    ("sequence", ("sequence", "order", "顺序")),
)
# Member ids of a now-playing struct, by meaning.
NOW_PLAYING_MEMBERS: Final[Mapping[str, tuple[str, ...]]] = {
    "title": ("song_name", "title", "song", "name", "song_title"),
    "artist": ("singer", "artist", "singer_name", "artist_name"),
    "album": ("album", "album_name"),
    "duration": ("duration", "total_time", "length"),
    "position": ("progress", "position", "play_time", "current_time"),
    "cover": ("cover", "cover_url", "album_art", "pic", "img", "image", "img_url"),
}
# Actions without input the player stands for, by meaning.
STATE_ACTIONS: Final = ("play", "pause", "stop", "resume")
STEP_ACTIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "next": ("next", "next_song", "play_next"),
    "previous": ("previous", "prev", "previous_song", "prev_song", "play_previous"),
}
PLAY_SONG_ACTIONS: Final = ("play_song", "play_music")
SONG_INPUT_IDS: Final = ("song_id", "songid", "music_id", "hash")


def _now_playing(props: Properties) -> tuple[Property | None, dict[str, str]]:
    """The now-playing struct and what its members mean."""
    if (prop := find(props, NOW_PLAYING_IDS, (StructDefine,))) is None:
        return None, {}
    # The finder only returns structs here.
    define = cast(StructDefine, prop.define)
    ids = {member.id.casefold(): member.id for member in define.members}
    members = {
        meaning: found
        for meaning, candidates in NOW_PLAYING_MEMBERS.items()
        if (found := next((ids[c] for c in candidates if c in ids), None)) is not None
    }
    return (prop, members) if "title" in members else (None, {})


def _play_mode_keys(prop: Property) -> dict[str, Key]:
    """The play modes a speaker's mode property offers; shuffle and repeat need "sequence"."""
    keys = classify_keys(prop, PLAY_MODE_KEYWORDS)
    return keys if "sequence" in keys and len(keys) > 1 else {}


def speaker_rule(props: Properties, category: str, name: str) -> DeviceMatch | None:
    """A writable playback state with playing and paused → one media player."""
    if (state := find_choice(props, *PLAY_STATE_IDS)) is None:
        return None
    state_keys = classify_keys(state, PLAYBACK_KEYWORDS)
    if MediaPlayerState.PLAYING not in state_keys or MediaPlayerState.PAUSED not in state_keys:
        return None
    power = find_switch(props, *POWER_IDS)
    volume = find_number(props, *VOLUME_IDS)
    mute = find_switch(props, *MUTE_IDS)
    now_playing, members = _now_playing(props)
    play_mode = find_choice(props, *PLAY_MODE_IDS)
    mode_keys = _play_mode_keys(play_mode) if play_mode is not None else {}
    if not mode_keys:
        play_mode = None

    features = MediaPlayerEntityFeature.PLAY | MediaPlayerEntityFeature.PAUSE
    if MediaPlayerState.IDLE in state_keys:
        features |= MediaPlayerEntityFeature.STOP
    if power is not None:
        features |= MediaPlayerEntityFeature.TURN_ON | MediaPlayerEntityFeature.TURN_OFF
    if volume is not None:
        features |= MediaPlayerEntityFeature.VOLUME_SET | MediaPlayerEntityFeature.VOLUME_STEP
    if mute is not None or volume is not None:
        features |= MediaPlayerEntityFeature.VOLUME_MUTE
    if "shuffle" in mode_keys:
        features |= MediaPlayerEntityFeature.SHUFFLE_SET
    if "one" in mode_keys or "all" in mode_keys:
        features |= MediaPlayerEntityFeature.REPEAT_SET
    used = [state, power, volume, mute, now_playing, play_mode]
    return DeviceMatch(
        TencentIoTMediaPlayerEntityDescription(
            key="media_player",
            name=None,
            translation_key="speaker",
            device_class=MediaPlayerDeviceClass.SPEAKER,
            state_id=state.id,
            state_keys=state_keys,
            power_id=power.id if power is not None else None,
            volume=scale(volume) if volume is not None else None,
            mute_id=mute.id if mute is not None else None,
            now_playing_id=now_playing.id if now_playing is not None else None,
            now_playing_members=members,
            play_mode_id=play_mode.id if play_mode is not None else None,
            play_mode_keys=mode_keys,
            features=features,
        ),
        frozenset(prop.id for prop in used if prop is not None),
    )


def _song_input(action: Action) -> str | None:
    """The song id input of a play-song action (the only input it must have)."""
    ids = {member.id.casefold(): member for member in action.input}
    for candidate in SONG_INPUT_IDS:
        if (member := ids.get(candidate)) is not None and isinstance(member.define, StringDefine):
            return member.id
    return None


def with_actions(
    description: TencentIoTMediaPlayerEntityDescription, actions: Mapping[str, Action]
) -> TencentIoTMediaPlayerEntityDescription:
    """The player with the model's actions it calls, and those it stands for."""
    plain = {action_id.casefold(): action_id for action_id, a in actions.items() if not a.input}
    found: dict[str, str] = {}
    for meaning, candidates in STEP_ACTIONS.items():
        if (action_id := next((plain[c] for c in candidates if c in plain), None)) is not None:
            found[meaning] = action_id
    song_input = None
    for action_id in PLAY_SONG_ACTIONS:
        if (action := actions.get(action_id)) is not None and (
            song_input := _song_input(action)
        ) is not None:
            found["play_song"] = action_id
            break
    features = description.features
    if "next" in found:
        features |= MediaPlayerEntityFeature.NEXT_TRACK
    if "previous" in found:
        features |= MediaPlayerEntityFeature.PREVIOUS_TRACK
    if "play_song" in found:
        features |= MediaPlayerEntityFeature.PLAY_MEDIA
    standing_for = {plain[a] for a in STATE_ACTIONS if a in plain}
    return replace(
        description,
        actions=found,
        song_input_id=song_input,
        action_ids=frozenset(
            {*standing_for, *(found[step] for step in STEP_ACTIONS if step in found)}
        ),
        features=features,
    )
