"""Scene entities, against the cloud simulator."""

from homeassistant.components.scene.const import DOMAIN as SCENE_DOMAIN
from homeassistant.const import ATTR_FRIENDLY_NAME, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import DOMAIN
from simulator import CloudSimulator
from simulator.model import Scene

from .platform_common import (
    BULB,
    call_service,
    coordinator_of,
    entity_id,
    set_up_entry,
    state,
    wait_for,
)

GOOD_NIGHT = "s_908fd3b142e211b4c759abf025ec72b4"
MOVIE_TIME = "s_aed34b9f60ee115dfa7918b742336277"
LEAVE_HOME = "s_6c374e70334072aeeb62ed46ea987838"
WELCOME_HOME = "s_40be4e59b9a2a2b5dffb918c0e86b3d7"  # of the parents' home


@pytest.fixture
def platforms() -> list[Platform]:
    """Entries are set up with the scene platform only."""
    return [Platform.SCENE]


def scene_entity_id(hass: HomeAssistant, scene_id: str) -> str | None:
    """The entity id of a cloud scene, if it has one."""
    return er.async_get(hass).async_get_entity_id(SCENE_DOMAIN, DOMAIN, f"scene/{scene_id}")


def scene_state(hass: HomeAssistant, scene_id: str) -> State:
    """The state of a cloud scene's entity."""
    return state(hass, entity_id(hass, SCENE_DOMAIN, "scene", scene_id))


async def activate(hass: HomeAssistant, scene_id: str) -> None:
    """Turn a cloud scene's entity on."""
    entity = entity_id(hass, SCENE_DOMAIN, "scene", scene_id)
    await call_service(hass, f"{SCENE_DOMAIN}.turn_on", entity)


async def test_scene_entities(hass: HomeAssistant, setup_integration: MockConfigEntry) -> None:
    """One entity per scene of this home, named like the scene on the home's device."""
    names = {}
    for scene_id in (GOOD_NIGHT, MOVIE_TIME, LEAVE_HOME):
        current = scene_state(hass, scene_id)
        assert current.state == STATE_UNKNOWN
        names[scene_id] = current.attributes[ATTR_FRIENDLY_NAME]
    assert names == {
        GOOD_NIGHT: "Home 晚安 Good Night",
        MOVIE_TIME: "Home 观影模式 Movie Time",
        LEAVE_HOME: "Home 离家 Leave Home",
    }
    assert scene_entity_id(hass, WELCOME_HOME) is None
    assert len(hass.states.async_entity_ids(SCENE_DOMAIN)) == 3


async def test_home_device_names_the_platform(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """The home's device names the same manufacturer as the devices of the home."""
    registry = dr.async_get(hass)
    home = registry.async_get_device_by_identifier(
        (DOMAIN, coordinator_of(setup_integration).home_key), setup_integration.entry_id
    )
    assert home is not None
    assert home.manufacturer == "Tencent IoT Explorer"


async def test_activate(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Turning the scene on runs it in the cloud and records when."""
    assert sim.device_state(BULB)["Data"]["power_switch"] == 1  # type: ignore[index]
    sim.reset_request_counts()
    await activate(hass, GOOD_NIGHT)
    assert sim.request_counts()["AppRunScene"] == 1
    assert sim.device_state(BULB)["Data"]["power_switch"] == 0  # type: ignore[index]
    assert scene_state(hass, GOOD_NIGHT).state != STATE_UNKNOWN


async def test_activate_while_running(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A scene still running is a translated error, not a crash."""
    sim.set_scene_running(MOVIE_TIME)
    with pytest.raises(HomeAssistantError) as err:
        await activate(hass, MOVIE_TIME)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "scene_already_running"
    assert err.value.translation_placeholders == {"scene": "观影模式 Movie Time"}
    assert str(err.value) == (
        "Scene 观影模式 Movie Time is still running. Try again when it has finished"
    )


async def test_activate_cloud_failure(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Other failures are a translated error naming the scene."""
    sim.fail_next(action="AppRunScene")
    with pytest.raises(HomeAssistantError) as err:
        await activate(hass, LEAVE_HOME)
    assert err.value.translation_key == "scene_failed"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["target"] == "离家 Leave Home"


async def test_activate_scene_gone_from_the_cloud(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A scene deleted in the app since the last read: the cloud's refusal is reported."""
    del sim.state.scenes[LEAVE_HOME]
    with pytest.raises(HomeAssistantError) as err:
        await activate(hass, LEAVE_HOME)
    assert err.value.translation_key == "scene_failed"
    assert err.value.translation_placeholders is not None
    assert "ResourceNotFound" in err.value.translation_placeholders["error"]


async def test_scenes_follow_the_cloud(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """New, renamed and deleted scenes follow when the lists are read again."""
    coordinator = coordinator_of(setup_integration)
    family_id = setup_integration.data["family_id"]
    sim.state.scenes["s_new"] = Scene(
        "s_new",
        family_id,
        "新场景 New Scene",
        "",
        [{"ActionType": 0, "ProductId": "3JQ8VX2K1M", "DeviceName": "bulb_7c87ce1a", "Data": "{}"}],
        sim.demo_user.user_id,
    )
    sim.state.scenes[GOOD_NIGHT].name = "睡觉 Sleep"
    removed = sim.state.scenes.pop(LEAVE_HOME)
    leave_home = scene_entity_id(hass, LEAVE_HOME)
    assert leave_home is not None

    coordinator.async_schedule_list_refresh()
    await wait_for(hass, lambda: scene_entity_id(hass, "s_new") is not None)
    await wait_for(hass, lambda: hass.states.get(leave_home) is None)

    new = scene_state(hass, "s_new")
    assert new.attributes[ATTR_FRIENDLY_NAME] == "Home 新场景 New Scene"
    good_night = scene_state(hass, GOOD_NIGHT)
    assert good_night.attributes[ATTR_FRIENDLY_NAME] == "Home 睡觉 Sleep"
    assert scene_entity_id(hass, LEAVE_HOME) is None

    # A scene that comes back gets its entity again.
    sim.state.scenes[LEAVE_HOME] = removed
    coordinator.async_schedule_list_refresh()
    await wait_for(hass, lambda: scene_entity_id(hass, LEAVE_HOME) is not None)
    restored = scene_state(hass, LEAVE_HOME)
    assert restored.attributes[ATTR_FRIENDLY_NAME] == "Home 离家 Leave Home"


async def test_scene_without_name(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """A scene the app left unnamed is named by its id."""
    sim.state.scenes[GOOD_NIGHT].name = ""
    await set_up_entry(hass, config_entry)
    assert scene_state(hass, GOOD_NIGHT).attributes[ATTR_FRIENDLY_NAME] == f"Home {GOOD_NIGHT}"


# The run_scene action, given the scene entity.


async def run_scene(hass: HomeAssistant, data: dict[str, str]) -> None:
    """Call tencent_iot.run_scene and wait until it has run."""
    await hass.services.async_call(DOMAIN, "run_scene", data, blocking=True)


async def test_run_scene_by_entity(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The action editor offers the scene entities: the chosen one runs in the cloud."""
    sim.reset_request_counts()
    await run_scene(hass, {"entity_id": entity_id(hass, SCENE_DOMAIN, "scene", GOOD_NIGHT)})
    assert sim.request_counts()["AppRunScene"] == 1
    assert sim.device_state(BULB)["Data"]["power_switch"] == 0  # type: ignore[index]


async def test_run_scene_target_errors(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Neither or both of entity and id, another integration's scene, an entity of no scene."""
    registry = er.async_get(hass)
    ours = entity_id(hass, SCENE_DOMAIN, "scene", GOOD_NIGHT)
    foreign = registry.async_get_or_create(SCENE_DOMAIN, "hue", "evening").entity_id
    # Ours, but its scene is gone from the cloud since the entity was made.
    stale = registry.async_get_or_create(
        SCENE_DOMAIN, DOMAIN, "scene/s_gone", config_entry=setup_integration
    ).entity_id
    not_a_scene = registry.async_get_or_create(
        "switch", DOMAIN, "automation/a_1", config_entry=setup_integration
    ).entity_id
    sim.reset_request_counts()
    for data, key, placeholders in (
        ({}, "scene_target_missing", {}),
        ({"entity_id": ours, "scene_id": GOOD_NIGHT}, "scene_target_ambiguous", {}),
        ({"entity_id": foreign}, "not_a_scene_entity", {"entity": foreign}),
        ({"entity_id": "scene.nowhere"}, "not_a_scene_entity", {"entity": "scene.nowhere"}),
        ({"entity_id": not_a_scene}, "not_a_scene_entity", {"entity": not_a_scene}),
        ({"entity_id": stale}, "unknown_scene", {"scene_id": "s_gone"}),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await run_scene(hass, data)
        assert err.value.translation_domain == DOMAIN
        assert err.value.translation_key == key
        assert err.value.translation_placeholders == placeholders
        assert str(err.value) not in {"", key}  # the translated message
    assert "AppRunScene" not in sim.request_counts()


async def test_run_scene_by_entity_of_an_unloaded_entry(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The scene's entry is not loaded: HA's translated error, nothing sent."""
    scene = entity_id(hass, SCENE_DOMAIN, "scene", GOOD_NIGHT)
    assert await hass.config_entries.async_unload(setup_integration.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await run_scene(hass, {"entity_id": scene})
    assert err.value.translation_key == "service_config_entry_not_loaded"


async def test_scenes_run_one_at_a_time(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Two scenes turned on together reach the cloud one after the other (PARALLEL_UPDATES 1).

    The first run the cloud receives is held a moment: run together, the second would finish
    first.
    """
    sim.delay_next(0.2, action="AppRunScene")
    entities = [entity_id(hass, SCENE_DOMAIN, "scene", s) for s in (GOOD_NIGHT, LEAVE_HOME)]
    await hass.services.async_call(SCENE_DOMAIN, "turn_on", {"entity_id": entities}, blocking=True)
    request = sim.last_request("AppRunScene")
    assert request is not None
    second = request["body"]["SceneId"]  # type: ignore[index]
    first_device = next(c["DeviceId"] for c in sim.controls() if c["Source"] == "scene")
    finished_first = GOOD_NIGHT if first_device == BULB else LEAVE_HOME
    assert finished_first != second
