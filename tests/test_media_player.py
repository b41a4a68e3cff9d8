"""Speakers: one media player, each control round trip through the cloud, the music service."""

from typing import Any

from homeassistant.components.media_player.const import MediaPlayerEntityFeature
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.api import ThingModel
from custom_components.tencent_iot.const import DOMAIN
from custom_components.tencent_iot.mapping import map_thing_model
from simulator import CloudSimulator, kugou

from .conftest import add_entry, entry_data
from .platform_common import (
    SPEAKER,
    call_service,
    controls_of,
    home_with,
    running_simulator,
    set_up_entry,
    state,
    subscribed_entity,
    thing_property,
    wait_for_state,
)

# What the simulator's music service offers: its two recommended playlists, and their songs.
SOURCES = ["daily_recommendation", "new_songs", "华语经典", "Morning Chill"]
SUNNY, SHAPE, ORDINARY = "kg_5f1e0a", "kg_7c3b91", "kg_2d8e44"


def songs_played(sim: CloudSimulator) -> list[Any]:
    """The song of every play_song action that reached the speaker, oldest first."""
    return [
        control["Data"]["song_id"]  # type: ignore[index]
        for control in sim.controls()
        if control["DeviceId"] == SPEAKER and control["Source"] == "action:play_song"
    ]


async def speaker_with_sources(hass: HomeAssistant, sim: CloudSimulator) -> str:
    """The speaker's media player, once push subscribed it and its music sources are read."""
    player = await subscribed_entity(hass, sim, "media_player", SPEAKER, "media_player")
    await wait_for_state(hass, player, source_list=SOURCES)
    return player


async def test_speaker_state(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Playback, volume, the song and the play mode of the speaker, from its properties."""
    player = await speaker_with_sources(hass, sim)
    current = state(hass, player)
    assert current.state == "paused"
    assert current.name == "客厅音箱 Living Room Speaker"
    assert current.attributes["device_class"] == "speaker"
    assert current.attributes["volume_level"] == 0.35
    assert current.attributes["is_volume_muted"] is False
    assert current.attributes["media_title"] == "晴天"
    assert current.attributes["media_artist"] == "周杰伦"
    assert current.attributes["media_duration"] == 269
    assert current.attributes["media_position"] == 41
    assert current.attributes["media_position_updated_at"] is not None
    assert current.attributes["shuffle"] is False
    assert current.attributes["repeat"] == "off"
    features = MediaPlayerEntityFeature(current.attributes["supported_features"])
    expected = (
        MediaPlayerEntityFeature.PLAY
        | MediaPlayerEntityFeature.PAUSE
        | MediaPlayerEntityFeature.STOP
        | MediaPlayerEntityFeature.VOLUME_SET
        | MediaPlayerEntityFeature.VOLUME_STEP
        | MediaPlayerEntityFeature.VOLUME_MUTE
        | MediaPlayerEntityFeature.SHUFFLE_SET
        | MediaPlayerEntityFeature.REPEAT_SET
        | MediaPlayerEntityFeature.PLAY_MEDIA
        | MediaPlayerEntityFeature.SELECT_SOURCE
    )
    assert features == expected
    # Not before a source is picked: there is nothing to step through yet.
    assert MediaPlayerEntityFeature.NEXT_TRACK not in features

    await sim.report(
        SPEAKER,
        {
            "play_state": 1,
            "play_mode": "repeat_one",
            "now_playing": {"song_name": "Yesterday", "singer": "", "duration": 125, "progress": 3},
        },
    )
    await wait_for_state(hass, player, "playing", media_title="Yesterday", repeat="one")
    assert "media_artist" not in state(hass, player).attributes
    await sim.report(SPEAKER, {"play_state": 2, "play_mode": "shuffle"})
    await wait_for_state(hass, player, "idle", shuffle=True, repeat="off")


async def test_what_the_player_replaces(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The speaker's playback entities are gone; its settings and other entities stay."""
    registry = er.async_get(hass)
    entities = {
        (entry.domain, entry.unique_id.rpartition("/")[2])
        for entry in er.async_entries_for_config_entry(registry, setup_integration.entry_id)
        if entry.unique_id.startswith(f"{SPEAKER}/")
    }
    assert entities == {
        ("media_player", "media_player"),
        ("number", "eq_level"),
        ("text", "display_text"),
        ("datetime", "alarm_time"),
        ("sensor", "recent_songs"),
        ("update", "firmware"),
    }


async def test_playback_controls(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Play, pause, stop, volume, mute and play modes go out as properties and come back."""
    player = await speaker_with_sources(hass, sim)

    await call_service(hass, "media_player.media_play", player)
    assert controls_of(sim, SPEAKER)[-1] == {"play_state": 1}
    await wait_for_state(hass, player, "playing")
    await call_service(hass, "media_player.media_pause", player)
    assert controls_of(sim, SPEAKER)[-1] == {"play_state": 0}
    await wait_for_state(hass, player, "paused")
    await call_service(hass, "media_player.media_stop", player)
    assert controls_of(sim, SPEAKER)[-1] == {"play_state": 2}
    await wait_for_state(hass, player, "idle")

    await call_service(hass, "media_player.volume_set", player, volume_level=0.6)
    assert controls_of(sim, SPEAKER)[-1] == {"volume": 60}
    await wait_for_state(hass, player, volume_level=0.6)
    await call_service(hass, "media_player.volume_up", player)
    assert controls_of(sim, SPEAKER)[-1] == {"volume": 70}
    await wait_for_state(hass, player, volume_level=0.7)

    # No mute property: muting turns the volume down and unmuting brings it back.
    await call_service(hass, "media_player.volume_mute", player, is_volume_muted=True)
    assert controls_of(sim, SPEAKER)[-1] == {"volume": 0}
    await wait_for_state(hass, player, is_volume_muted=True, volume_level=0.0)
    await call_service(hass, "media_player.volume_mute", player, is_volume_muted=False)
    assert controls_of(sim, SPEAKER)[-1] == {"volume": 70}
    await wait_for_state(hass, player, is_volume_muted=False, volume_level=0.7)

    await call_service(hass, "media_player.shuffle_set", player, shuffle=True)
    assert controls_of(sim, SPEAKER)[-1] == {"play_mode": "shuffle"}
    await wait_for_state(hass, player, shuffle=True)
    await call_service(hass, "media_player.repeat_set", player, repeat="one")
    assert controls_of(sim, SPEAKER)[-1] == {"play_mode": "repeat_one"}
    await wait_for_state(hass, player, shuffle=False, repeat="one")
    await call_service(hass, "media_player.repeat_set", player, repeat="off")
    assert controls_of(sim, SPEAKER)[-1] == {"play_mode": "sequence"}
    await wait_for_state(hass, player, repeat="off")

    # The speaker has no "repeat all": refused before anything is sent.
    sent = len(sim.controls())
    with pytest.raises(ServiceValidationError) as err:
        await call_service(hass, "media_player.repeat_set", player, repeat="all")
    assert err.value.translation_key == "unsupported_repeat_mode"
    assert len(sim.controls()) == sent


async def test_unmute_after_a_restart(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Muted before HA knew its volume, the speaker unmutes at a quarter of its range."""
    player = await speaker_with_sources(hass, sim)
    await sim.report(SPEAKER, {"volume": 0})
    await wait_for_state(hass, player, is_volume_muted=True)
    await call_service(hass, "media_player.volume_mute", player, is_volume_muted=False)
    assert controls_of(sim, SPEAKER)[-1] == {"volume": 25}


async def test_music_sources_and_queue(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A source plays its first song; next and previous step through its songs."""
    player = await speaker_with_sources(hass, sim)

    await call_service(hass, "media_player.select_source", player, source="华语经典")
    assert songs_played(sim) == [SUNNY]
    current = await wait_for_state(hass, player, source="华语经典")
    features = MediaPlayerEntityFeature(current.attributes["supported_features"])
    assert MediaPlayerEntityFeature.NEXT_TRACK in features
    assert MediaPlayerEntityFeature.PREVIOUS_TRACK in features

    # The speaker says what it plays: the song's cover comes from the music service.
    await sim.report(
        SPEAKER,
        {
            "play_state": 1,
            "now_playing": {"song_name": "Shape of You", "singer": "Ed Sheeran", "duration": 234},
        },
    )
    current = await wait_for_state(hass, player, "playing", media_title="Shape of You")
    assert current.attributes["entity_picture"].startswith(f"/api/media_player_proxy/{player}")

    await call_service(hass, "media_player.media_next_track", player)
    await call_service(hass, "media_player.media_previous_track", player)
    assert songs_played(sim) == [SUNNY, ORDINARY, SUNNY]

    # A song the speaker does not report (yet): the queue goes on from the one last sent.
    await sim.report(SPEAKER, {"now_playing": {"song_name": "", "singer": ""}})
    await wait_for_state(hass, player, media_title=None)
    await call_service(hass, "media_player.media_previous_track", player)
    assert songs_played(sim)[-1] == ORDINARY

    await call_service(
        hass,
        "media_player.play_media",
        player,
        media_content_type="music",
        media_content_id=SHAPE,
    )
    assert songs_played(sim)[-1] == SHAPE

    await call_service(hass, "media_player.select_source", player, source="daily_recommendation")
    await wait_for_state(hass, player, source="daily_recommendation")
    assert songs_played(sim)[-1] == SUNNY


async def test_music_source_errors(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An unknown or empty source, a song id the speaker refuses: translated errors."""
    empty = {"playlistId": "pl_empty", "playlistName": "Empty", "picUrl": "", "songCount": 0}
    monkeypatch.setattr(kugou, "_PLAYLISTS", [*kugou._PLAYLISTS, empty])
    await set_up_entry(hass, config_entry)
    player = await subscribed_entity(hass, sim, "media_player", SPEAKER, "media_player")
    await wait_for_state(hass, player, source_list=[*SOURCES, "Empty"])
    with pytest.raises(ServiceValidationError) as err:
        await call_service(hass, "media_player.select_source", player, source="Jazz")
    assert err.value.translation_key == "unknown_source"
    with pytest.raises(ServiceValidationError) as err:
        await call_service(
            hass,
            "media_player.play_media",
            player,
            media_content_type="music",
            media_content_id="x" * 65,
        )
    assert err.value.translation_key == "invalid_action_input"
    with pytest.raises(HomeAssistantError) as failed:
        await call_service(hass, "media_player.select_source", player, source="Empty")
    assert failed.value.translation_key == "source_without_songs"
    sim.fail_next(5, action="AppKugouUserCommand")
    with pytest.raises(HomeAssistantError) as failed:
        await call_service(hass, "media_player.select_source", player, source="Morning Chill")
    assert failed.value.translation_key == "music_command_failed"
    assert songs_played(sim) == []


async def test_speaker_without_music_service(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """A speaker whose app has no music service plays and pauses, and offers no sources."""
    sim.fail_next(10, action="AppKugouUserCommand")
    await set_up_entry(hass, config_entry)
    player = await subscribed_entity(hass, sim, "media_player", SPEAKER, "media_player")
    current = state(hass, player)
    assert "source_list" not in current.attributes
    features = MediaPlayerEntityFeature(current.attributes["supported_features"])
    assert MediaPlayerEntityFeature.SELECT_SOURCE not in features
    await call_service(hass, "media_player.media_play", player)
    await wait_for_state(hass, player, "playing")


@pytest.mark.parametrize("platforms", [[Platform.MEDIA_PLAYER, Platform.NUMBER]])
async def test_orphans_of_the_speaker_removed(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """The entities the player replaces leave the registry when the entry is set up."""
    registry = er.async_get(hass)
    old = {
        ("button", "play"),
        ("button", "pause"),
        ("number", "volume"),
        ("select", "play_state"),
        ("select", "play_mode"),
        ("sensor", "now_playing"),
    }
    kept = {("number", "eq_level"), ("update", "firmware"), ("sensor", "recent_songs")}
    for domain, key in old | kept:
        registry.async_get_or_create(domain, DOMAIN, f"{SPEAKER}/{key}", config_entry=config_entry)
    await set_up_entry(hass, config_entry)
    left = {
        (entry.domain, entry.unique_id.rpartition("/")[2])
        for entry in er.async_entries_for_config_entry(registry, config_entry.entry_id)
        if entry.unique_id.startswith(f"{SPEAKER}/")
    }
    assert left == kept | {("media_player", "media_player")}


ODD_SPEAKER = "ODDSPK0001/spk_1"
ODD_MODEL: dict[str, Any] = {
    "properties": [
        thing_property("power_switch", "bool", mapping={"0": "off", "1": "on"}),
        thing_property("play_status", "stringenum", mapping={"play": "Play", "pause": "Pause"}),
        thing_property("volume_level", "int", min="0", max="30"),
        thing_property("mute", "bool", mapping={"0": "off", "1": "on"}),
        thing_property(
            "song_info",
            "struct",
            "r",
            specs=[
                {"id": member, "name": member, "dataType": {"type": "string"}}
                for member in ("title", "artist", "album", "cover")
            ],
        ),
        thing_property(
            "loop_mode",
            "enum",
            mapping={"0": "顺序播放", "1": "列表循环", "2": "单曲循环", "3": "随机播放"},
        ),
    ],
    "actions": [
        {"id": "next", "name": "Next", "input": [], "output": []},
        {"id": "prev", "name": "Previous", "input": [], "output": []},
        {
            "id": "play_music",
            "name": "Play music",
            "input": [{"id": "music_id", "name": "Music", "define": {"type": "string"}}],
            "output": [],
        },
    ],
}


@pytest.mark.usefixtures("socket_enabled")
async def test_speaker_with_power_mute_and_step_actions(hass: HomeAssistant) -> None:
    """Another speaker's power, mute, cover, album, repeat all and its own next/previous."""
    product = {"ProductId": "ODDSPK0001", "Name": "Odd speaker", "DataTemplate": ODD_MODEL}
    device = {
        "ProductId": "ODDSPK0001",
        "DeviceName": "spk_1",
        "AliasName": "Kitchen Radio",
        "Data": {
            "power_switch": 0,
            "play_status": "pause",
            "volume_level": 15,
            "song_info": {"title": "Song", "artist": "", "album": "Album", "cover": "http://c/1"},
        },
    }
    async with running_simulator(home_with([product], [device])) as sim:
        entry = add_entry(hass, entry_data(sim))
        await set_up_entry(hass, entry)
        player = await subscribed_entity(hass, sim, "media_player", ODD_SPEAKER, "media_player")
        current = state(hass, player)
        assert current.state == "off"
        features = MediaPlayerEntityFeature(current.attributes["supported_features"])
        assert MediaPlayerEntityFeature.TURN_ON in features
        assert MediaPlayerEntityFeature.NEXT_TRACK in features
        assert MediaPlayerEntityFeature.STOP not in features

        await call_service(hass, "media_player.turn_on", player)
        assert controls_of(sim, ODD_SPEAKER)[-1] == {"power_switch": 1}
        current = await wait_for_state(hass, player, "paused", volume_level=0.5)
        assert current.attributes["media_album_name"] == "Album"
        assert current.attributes["entity_picture"].startswith("/api/media_player_proxy/")
        await call_service(hass, "media_player.volume_mute", player, is_volume_muted=True)
        assert controls_of(sim, ODD_SPEAKER)[-1] == {"mute": 1}
        await wait_for_state(hass, player, is_volume_muted=True, volume_level=0.5)
        await call_service(hass, "media_player.repeat_set", player, repeat="all")
        assert controls_of(sim, ODD_SPEAKER)[-1] == {"loop_mode": 1}
        await wait_for_state(hass, player, repeat="all", shuffle=False)
        await call_service(hass, "media_player.media_next_track", player)
        await call_service(hass, "media_player.media_previous_track", player)
        await call_service(
            hass,
            "media_player.play_media",
            player,
            media_content_type="music",
            media_content_id="m1",
        )
        sources = [c["Source"] for c in sim.controls() if c["DeviceId"] == ODD_SPEAKER][-3:]
        assert sources == ["action:next", "action:prev", "action:play_music"]
        assert controls_of(sim, ODD_SPEAKER)[-1] == {"music_id": "m1"}
        await call_service(hass, "media_player.turn_off", player)
        assert controls_of(sim, ODD_SPEAKER)[-1] == {"power_switch": 0}
        await wait_for_state(hass, player, "off")
        await hass.config_entries.async_unload(entry.entry_id)


def _model(*properties: dict[str, Any], actions: list[dict[str, Any]] | None = None) -> ThingModel:
    return ThingModel.from_api({"properties": list(properties), "actions": actions or []})


PLAYING_PAUSED = thing_property("play_state", "enum", mapping={"0": "pause", "1": "play"})


@pytest.mark.parametrize(
    "model",
    [
        # A volume alone (a doorbell) is no player.
        _model(thing_property("volume", "int", min="0", max="100")),
        # Playing and stopped, but no pause.
        _model(thing_property("play_state", "enum", mapping={"0": "stop", "1": "play"})),
        # A read-only playback state.
        _model(thing_property("play_state", "enum", "r", mapping={"0": "pause", "1": "play"})),
    ],
)
def test_what_is_no_speaker(model: ThingModel) -> None:
    """Without a writable playback state that plays and pauses, there is no media player."""
    assert map_thing_model(model).media_players == ()


def test_speaker_leaves_what_it_cannot_use() -> None:
    """What a player cannot use stays an entity of its own; the player plays and pauses.

    A song struct without a title, a play mode without "sequence", a play action whose input is
    no song.
    """
    mapping = map_thing_model(
        _model(
            PLAYING_PAUSED,
            thing_property(
                "now_playing",
                "struct",
                "r",
                specs=[{"id": "x", "name": "x", "dataType": {"type": "int"}}],
            ),
            thing_property("play_mode", "enum", mapping={"0": "random", "1": "single"}),
            actions=[
                {
                    "id": "play_song",
                    "name": "Play",
                    "input": [{"id": "speed", "name": "Speed", "define": {"type": "int"}}],
                    "output": [],
                }
            ],
        )
    )
    [player] = mapping.media_players
    assert player.property_ids == {"play_state"}
    assert player.actions == {}
    assert player.features == MediaPlayerEntityFeature.PLAY | MediaPlayerEntityFeature.PAUSE
    assert [d.key for d in mapping.sensors] == ["now_playing"]
    assert [d.key for d in mapping.selects] == ["play_mode"]
