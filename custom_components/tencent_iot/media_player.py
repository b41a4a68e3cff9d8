"""Speakers: playback, volume, what is playing, play modes and the Kugou music service."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, override

from homeassistant.components.media_player import MediaPlayerEntity
from homeassistant.components.media_player.const import (
    MediaPlayerEntityFeature,
    MediaPlayerState,
    MediaType,
    RepeatMode,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import is_number
from .api.music import Song
from .background import RequestPacer
from .const import DOMAIN
from .control import async_call_action
from .coordinator import TencentIoTCoordinator
from .entity import TencentIoTEntity, async_setup_device_entities
from .mapping.descriptions import TencentIoTMediaPlayerEntityDescription, truthy
from .models import DeviceState, TencentIoTConfigEntry
from .music import SpeakerMusic

# Controls go to the cloud one at a time.
PARALLEL_UPDATES = 1

# Unmuting a speaker muted before HA started, without a mute of its own: a quiet level.
_UNMUTE_SHARE: Final = 0.25
_REPEAT_MODES: Final = {"one": RepeatMode.ONE, "all": RepeatMode.ALL}


class TencentIoTMediaPlayer(TencentIoTEntity, MediaPlayerEntity):
    """A speaker built from its playback properties, its actions and the music service."""

    entity_description: TencentIoTMediaPlayerEntityDescription
    _attr_media_content_type = MediaType.MUSIC

    def __init__(
        self,
        coordinator: TencentIoTCoordinator,
        state: DeviceState,
        description: TencentIoTMediaPlayerEntityDescription,
        pacer: RequestPacer,
    ) -> None:
        """Start without the music service's sources: they are read once the entity is added."""
        super().__init__(coordinator, state, description)
        self._music = SpeakerMusic(coordinator, state.key, pacer)
        self._states = {key: player_state for player_state, key in description.state_keys.items()}
        self._play_modes = {key: mode for mode, key in description.play_mode_keys.items()}
        # The song last sent: where next and previous go on from when the title is unknown.
        self._sent: Song | None = None
        # The volume before an emulated mute (a speaker without a mute property).
        self._unmuted_volume: float | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Read the music service's sources in the background."""
        await super().async_added_to_hass()
        self.coordinator.config_entry.async_create_background_task(
            self.hass, self._async_read_sources(), f"music sources of {self.device_key}"
        )

    async def _async_read_sources(self) -> None:
        await self._music.async_read_sources()
        if self._music.source_names:
            self.async_write_ha_state()

    @property
    def _now_playing(self) -> Mapping[str, Any]:
        description = self.entity_description
        value = self.values.get(description.now_playing_id or "")
        if not isinstance(value, Mapping):
            return {}
        return {
            meaning: value.get(member)
            for meaning, member in description.now_playing_members.items()
        }

    def _text(self, meaning: str) -> str | None:
        value = self._now_playing.get(meaning)
        return value if isinstance(value, str) and value else None

    def _seconds(self, meaning: str) -> int | None:
        value = self._now_playing.get(meaning)
        return round(value) if is_number(value) else None

    @property
    @override
    def state(self) -> MediaPlayerState | None:
        """Off with the power, else the playback state (None for a key it does not know)."""
        description = self.entity_description
        if (
            description.power_id is not None
            and truthy(self.values.get(description.power_id)) is False
        ):
            return MediaPlayerState.OFF
        return self.label(description.state_id, self._states)

    @property
    @override
    def supported_features(self) -> MediaPlayerEntityFeature:
        """The model's features; sources, next and previous once the music service answers."""
        features = self.entity_description.features
        if self._music.source_names:
            features |= MediaPlayerEntityFeature.SELECT_SOURCE
        if self._music.queue and MediaPlayerEntityFeature.PLAY_MEDIA in features:
            features |= (
                MediaPlayerEntityFeature.NEXT_TRACK | MediaPlayerEntityFeature.PREVIOUS_TRACK
            )
        return features

    @property
    @override
    def volume_level(self) -> float | None:
        """The volume, 0..1."""
        scale = self.entity_description.volume
        if scale is None or (value := self.number(scale.id)) is None:
            return None
        return round(scale.to_range(value, 0, 1), 3)

    @property
    @override
    def is_volume_muted(self) -> bool | None:
        """The mute property; without one, whether the volume is at its lowest."""
        description = self.entity_description
        if description.mute_id is not None:
            return truthy(self.values.get(description.mute_id))
        if description.volume is None or (value := self.number(description.volume.id)) is None:
            return None
        return value <= description.volume.low

    @property
    @override
    def media_title(self) -> str | None:
        """The song playing."""
        return self._text("title")

    @property
    @override
    def media_artist(self) -> str | None:
        """Its singer."""
        return self._text("artist")

    @property
    @override
    def media_album_name(self) -> str | None:
        """Its album."""
        return self._text("album")

    @property
    @override
    def media_duration(self) -> int | None:
        """Its length in seconds."""
        return self._seconds("duration")

    @property
    @override
    def media_position(self) -> int | None:
        """How far it has played, in seconds, when the speaker reported it."""
        return self._seconds("position")

    @property
    @override
    def media_position_updated_at(self) -> datetime | None:
        """When the position was last right: its report, or a later start or pause."""
        description = self.entity_description
        if self.media_position is None or description.now_playing_id is None:
            return None
        reported_at = self.device_state.reported_at
        times = [
            reported_at.get(prop_id)
            for prop_id in (description.now_playing_id, description.state_id)
        ]
        known = [time for time in times if time is not None]
        return dt_util.utc_from_timestamp(max(known) / 1000) if known else None

    @property
    @override
    def media_image_url(self) -> str | None:
        """The cover the speaker reports, or that of the queue's song of this title."""
        if cover := self._text("cover"):
            return cover
        song = self._music.song_named(self.media_title)
        return song.cover_url or None if song is not None else None

    @property
    @override
    def source_list(self) -> list[str] | None:
        """The music service's sources."""
        return self._music.source_names or None

    @property
    @override
    def source(self) -> str | None:
        """The source picked last."""
        return self._music.source

    @property
    @override
    def shuffle(self) -> bool | None:
        """Whether the play mode is shuffle."""
        if (mode := self._play_mode) is None:
            return None
        return mode == "shuffle"

    @property
    @override
    def repeat(self) -> RepeatMode | None:
        """Repeat one or all by the play mode; off for the others."""
        if (mode := self._play_mode) is None:
            return None
        return _REPEAT_MODES.get(mode, RepeatMode.OFF)

    @property
    def _play_mode(self) -> str | None:
        return self.label(self.entity_description.play_mode_id, self._play_modes)

    async def _async_set_state(self, player_state: MediaPlayerState) -> None:
        description = self.entity_description
        await self.async_set_values({description.state_id: description.state_keys[player_state]})

    @override
    async def async_media_play(self) -> None:
        """Play."""
        await self._async_set_state(MediaPlayerState.PLAYING)

    @override
    async def async_media_pause(self) -> None:
        """Pause."""
        await self._async_set_state(MediaPlayerState.PAUSED)

    @override
    async def async_media_stop(self) -> None:
        """Stop."""
        await self._async_set_state(MediaPlayerState.IDLE)

    @override
    async def async_turn_on(self) -> None:
        """Switch the speaker on."""
        await self._async_set_power(on=True)

    @override
    async def async_turn_off(self) -> None:
        """Switch the speaker off."""
        await self._async_set_power(on=False)

    async def _async_set_power(self, *, on: bool) -> None:
        if (power_id := self.entity_description.power_id) is not None:
            await self.async_set_values({power_id: on})

    @override
    async def async_set_volume_level(self, volume: float) -> None:
        """Set the volume (0..1)."""
        if (scale := self.entity_description.volume) is not None:
            await self.async_set_values({scale.id: scale.from_range(volume, 0, 1)})

    @override
    async def async_mute_volume(self, mute: bool) -> None:
        """Mute; without a mute property, the volume goes to its lowest and back."""
        description = self.entity_description
        if description.mute_id is not None:
            await self.async_set_values({description.mute_id: mute})
            return
        scale = description.volume
        if scale is None:
            return
        current = self.number(scale.id)
        if mute:
            if current is not None and current > scale.low:
                self._unmuted_volume = current
            await self.async_set_values({scale.id: scale.clamped(scale.low)})
            return
        if (level := self._unmuted_volume) is None:
            await self.async_set_values({scale.id: scale.from_range(_UNMUTE_SHARE, 0, 1)})
            return
        await self.async_set_values({scale.id: scale.clamped(level)})

    @override
    async def async_set_shuffle(self, shuffle: bool) -> None:
        """Shuffle, or play in order."""
        keys = self.entity_description.play_mode_keys
        await self._async_set_play_mode(keys["shuffle" if shuffle else "sequence"])

    @override
    async def async_set_repeat(self, repeat: RepeatMode) -> None:
        """Repeat one song or all of them, or play in order."""
        keys = self.entity_description.play_mode_keys
        wanted = "sequence" if repeat is RepeatMode.OFF else str(repeat)
        if (key := keys.get(wanted)) is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unsupported_repeat_mode",
                translation_placeholders={"mode": str(repeat), "device": self.device_state.name},
            )
        await self._async_set_play_mode(key)

    async def _async_set_play_mode(self, key: int | str) -> None:
        if (mode_id := self.entity_description.play_mode_id) is not None:
            await self.async_set_values({mode_id: key})

    @override
    async def async_select_source(self, source: str) -> None:
        """Play the first song of a source; its songs are the queue from now on."""
        songs = await self._music.async_pick(self.device_state, source)
        self.async_write_ha_state()
        await self._async_play_song(songs[0])

    @override
    async def async_play_media(
        self, media_type: MediaType | str, media_id: str, **kwargs: Any
    ) -> None:
        """Play a song of the music service by its id."""
        song = next((song for song in self._music.queue if song.song_id == media_id), None)
        await self._async_play_song(song or Song(media_id))

    @override
    async def async_media_next_track(self) -> None:
        """The next song: the speaker's own action, or the queue's next song."""
        await self._async_step(1, "next")

    @override
    async def async_media_previous_track(self) -> None:
        """The previous song: the speaker's own action, or the queue's song before."""
        await self._async_step(-1, "previous")

    async def _async_step(self, offset: int, meaning: str) -> None:
        if (action_id := self.entity_description.actions.get(meaning)) is not None:
            await self._async_call_action(action_id)
        elif self._music.queue:
            await self._async_play_song(self._music.step(self.media_title, self._sent, offset))

    async def _async_play_song(self, song: Song) -> None:
        description = self.entity_description
        action_id = description.actions.get("play_song")
        if action_id is None or description.song_input_id is None:
            return
        self._sent = song
        await self._async_call_action(action_id, {description.song_input_id: song.song_id})

    async def _async_call_action(
        self, action_id: str, values: Mapping[str, Any] | None = None
    ) -> None:
        await async_call_action(self.coordinator, self.device_key, action_id, values or {})


async def async_setup_entry(
    hass: HomeAssistant,
    entry: TencentIoTConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the speakers; their sources are read in the background, paced like the firmware check."""
    pacer = RequestPacer()
    async_setup_device_entities(
        entry,
        async_add_entities,
        lambda mapping: mapping.media_players,
        lambda coordinator, state, description: TencentIoTMediaPlayer(
            coordinator, state, description, pacer
        ),
    )
