"""Which entities every device of the simulator's default home becomes, and their states.

The expected entities and states live in `snapshots/test_entities.ambr`, one platform at a
time with every entity enabled (HA's `snapshot_platform`); after a deliberate change of the
mapping, regenerate it with `pytest tests/test_entities.py --snapshot-update` and review the diff.
"""

from collections.abc import Generator
import json
from pathlib import Path
from unittest.mock import PropertyMock, patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.tencent_iot import PLATFORMS
from custom_components.tencent_iot.const import DOMAIN
from simulator import CloudSimulator

from .platform_common import (
    BALCONY,
    BATHROOM_SWITCH,
    CURTAIN,
    GATEWAY,
    PLUG,
    PURIFIER,
    SPEAKER,
    STRIP,
    SWITCH3,
    entity_id,
    set_up_entry,
    state,
    wait_for,
)

ICONS = Path(__file__).parent.parent / "custom_components" / DOMAIN / "icons.json"

# The platforms built from thing models: scenes and firmware updates are not.
THING_MODEL_PLATFORMS = [p for p in PLATFORMS if p not in (Platform.SCENE, Platform.UPDATE)]


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Registry entries and states as HA's own tests snapshot them, ids and times left out."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Every entity is created enabled, the ones the mapping disables by default too."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    "platforms",
    [[platform] for platform in THING_MODEL_PLATFORMS],
    ids=[platform.value for platform in THING_MODEL_PLATFORMS],
)
async def test_entities_of_the_default_home(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    setup_integration: MockConfigEntry,
) -> None:
    """Entity ids, names, classes, units, options and states of every device of the home."""
    await snapshot_platform(hass, entity_registry, snapshot, setup_integration.entry_id)


async def test_entities_disabled_by_default(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, setup_integration: MockConfigEntry
) -> None:
    """Only the entities few users want start disabled: long texts, a raw struct, an identity.

    The gateway's Zigbee channel is a diagnostic value, looked up when something is wrong.
    """
    disabled = {
        entry.unique_id
        for entry in er.async_entries_for_config_entry(entity_registry, setup_integration.entry_id)
        if entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    }
    assert disabled == {
        f"{STRIP}/segments",
        f"{SPEAKER}/now_playing",
        f"{SPEAKER}/recent_songs",
        f"{GATEWAY}/zigbee_channel",
    }


async def test_every_device_has_entities(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """No device of the home is left without an entity from its thing model."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), setup_integration.entry_id)
    registry = er.async_get(hass)
    # The home's 18 devices and the home itself (scenes, automations, messages).
    assert len(devices) == 19
    for device in devices:
        entities = er.async_entries_for_device(registry, device.id)
        assert any(entity.domain in THING_MODEL_PLATFORMS for entity in entities), device.name


async def test_offline_device_is_unavailable(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The offline balcony light is unavailable until it comes online and reports."""
    light = entity_id(hass, "light", BALCONY, "light")
    assert state(hass, light).state == "unavailable"
    await sim.wait_for_subscription(BALCONY)
    await sim.set_online(BALCONY, True)
    await wait_for(hass, lambda: state(hass, light).state != "unavailable")
    await sim.report(BALCONY, {"power_switch": 1, "brightness": 50})
    await wait_for(hass, lambda: state(hass, light).state == "on")
    assert state(hass, light).attributes["brightness"] == 128
    await sim.set_online(BALCONY, False)
    await wait_for(hass, lambda: state(hass, light).state == "unavailable")


async def test_zh_hans_names(hass: HomeAssistant, config_entry: MockConfigEntry) -> None:
    """Standard ids are named in Simplified Chinese when HA speaks it."""
    hass.config.language = "zh-Hans"
    await set_up_entry(hass, config_entry)
    assert (
        state(hass, entity_id(hass, "sensor", PLUG, "power")).name == "烧水壶插座 Kettle Plug 功率"
    )
    assert (
        state(hass, entity_id(hass, "sensor", PLUG, "energy")).name
        == "烧水壶插座 Kettle Plug 用电量"
    )
    # The main switch of a plug is named after the device; channel switches as the model names them.
    assert (
        state(hass, entity_id(hass, "switch", PLUG, "power_switch")).name
        == "烧水壶插座 Kettle Plug"
    )


async def test_entities_for_a_device_added_later(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A device bound after setup gets its entities on every platform."""
    registry = er.async_get(hass)
    await sim.wait_for_subscription()
    new_curtain = await sim.add_device("CT9M4PZ7XE", "curtain_new", alias="Study Curtain")
    new_switch = await sim.add_device("SW2K8V6QZ1", "sw_new", alias="Hall Switch")
    await wait_for(
        hass,
        lambda: (
            registry.async_get_entity_id("cover", DOMAIN, f"{new_curtain}/cover") is not None
            and registry.async_get_entity_id("switch", DOMAIN, f"{new_switch}/power_switch")
            is not None
        ),
    )
    cover = entity_id(hass, "cover", new_curtain, "cover")
    assert state(hass, cover).attributes["device_class"] == "curtain"
    assert entity_id(hass, "number", new_curtain, "motor_speed")
    assert entity_id(hass, "switch", new_curtain, "motor_reverse")
    # The originals are untouched.
    assert entity_id(hass, "cover", CURTAIN, "cover")
    assert entity_id(hass, "switch", BATHROOM_SWITCH, "power_switch")


async def test_settings_are_configuration_entities(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """Settings made once sit apart from the controls; the controls stay where they are."""
    registry = er.async_get(hass)

    def category(domain: str, device: str, key: str) -> str | None:
        entry = registry.async_get(entity_id(hass, domain, device, key))
        assert entry is not None
        return entry.entity_category

    settings = [
        ("switch", CURTAIN, "motor_reverse"),
        ("number", CURTAIN, "motor_speed"),
        ("number", SPEAKER, "eq_level"),
        ("select", SWITCH3, "indicator_mode"),
        ("switch", GATEWAY, "permit_join"),
        ("switch", GATEWAY, "indicator_light"),
        ("switch", PURIFIER, "child_lock"),
    ]
    controls = [
        ("cover", CURTAIN, "cover"),
        ("number", SPEAKER, "volume"),
        ("switch", SWITCH3, "switch_1"),
        ("switch", PLUG, "power_switch"),
        ("fan", PURIFIER, "fan"),
    ]
    assert [category(*setting) for setting in settings] == ["config"] * len(settings)
    assert [category(*control) for control in controls] == [None] * len(controls)


async def test_outlets(hass: HomeAssistant, setup_integration: MockConfigEntry) -> None:
    """A plug's switch is an outlet; a wall switch's channels are not."""
    assert (
        state(hass, entity_id(hass, "switch", PLUG, "power_switch")).attributes["device_class"]
        == "outlet"
    )
    for key in ("switch_1", "switch_2", "switch_3"):
        assert "device_class" not in state(hass, entity_id(hass, "switch", SWITCH3, key)).attributes
    assert (
        "device_class"
        not in state(hass, entity_id(hass, "switch", BATHROOM_SWITCH, "power_switch")).attributes
    )


async def test_translated_entities_have_distinct_icons(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """Every translation key without a device class has an icon of its own."""
    icons = json.loads(ICONS.read_text(encoding="utf-8"))["entity"]
    keys = {
        (entry.domain, entry.translation_key)
        for entry in er.async_entries_for_config_entry(
            er.async_get(hass), setup_integration.entry_id
        )
        if entry.translation_key and entry.original_device_class is None
    }
    defaults = [icons.get(domain, {}).get(key, {}).get("default") for domain, key in keys]
    assert None not in defaults, sorted(keys)
    assert len(set(defaults)) == len(defaults), sorted(keys)
