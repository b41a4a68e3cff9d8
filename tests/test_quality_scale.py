"""The Integration Quality Scale: every rule claimed in quality_scale.yaml, and the testable ones.

The rules are those Home Assistant's own integrations list (each core integration's
quality_scale.yaml lists every rule hassfest knows), so the check follows Home Assistant's
upgrades. Rules checked by other tests are named in their comments in quality_scale.yaml.
"""

import ast
from collections.abc import Iterator
from datetime import timedelta
import json
from pathlib import Path
from typing import Any

import homeassistant.components
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.tencent_iot.const import DOMAIN
from simulator import CloudSimulator

from .platform_common import coordinator_of, push_of, set_up_entry, wait_for

INTEGRATION = Path(__file__).parent.parent / "custom_components" / DOMAIN
API = INTEGRATION / "api"
LIBRARY = f"custom_components.{DOMAIN}.api"
ENGLISH = json.loads((INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8"))
CORE_COMPONENTS = Path(homeassistant.components.__file__).parent
# Home Assistant's errors whose message a user sees: each must name its translation.
HA_ERRORS = frozenset(
    {
        "ConfigEntryAuthFailed",
        "ConfigEntryError",
        "ConfigEntryNotReady",
        "HomeAssistantError",
        "InvalidDeviceAutomationConfig",
        "ServiceValidationError",
        "UpdateFailed",
    }
)


def core_rules() -> set[str]:
    """Every rule of the quality scale, as Home Assistant's own integrations list them."""
    rules: set[str] = set()
    for path in CORE_COMPONENTS.glob("*/quality_scale.yaml"):
        rules |= set(load_yaml_dict(path).get("rules", {}))
    return rules


def test_every_rule_is_claimed_done_or_exempt_with_a_reason() -> None:
    """quality_scale.yaml lists exactly the known rules, each done, or exempt with a comment."""
    known = core_rules()
    assert len(known) >= 54  # the 54 of 2026; Home Assistant adds, it does not take away
    claims = load_yaml_dict(INTEGRATION / "quality_scale.yaml")
    assert set(claims) == {"rules"}
    rules: dict[str, Any] = claims["rules"]
    assert set(rules) == known, (sorted(known - set(rules)), sorted(set(rules) - known))
    for rule, claim in rules.items():
        if isinstance(claim, str):
            assert claim == "done", rule
            continue
        assert set(claim) == {"status", "comment"}, rule
        assert claim["status"] in {"done", "exempt"}, rule
        assert isinstance(claim["comment"], str), rule
        assert len(claim["comment"].split()) >= 8, rule


def python_files(folder: Path) -> Iterator[tuple[Path, ast.Module]]:
    """Each module under `folder`, parsed."""
    for path in sorted(folder.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def test_the_cloud_clients_are_a_library_without_home_assistant() -> None:
    """api/ imports nothing of Home Assistant nor of the integration around it, and is typed.

    So it can be published as it is (dependency-transparency); py.typed makes it PEP 561
    typed for whoever imports it (strict-typing).
    """
    assert (API / "py.typed").is_file()
    for path, module in python_files(API):
        depth = len(path.relative_to(API).parts) - 1  # levels below api/
        for node in ast.walk(module):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level <= depth + 1, f"{path}: imports from outside api/"
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            for name in names:
                # The project imports parent modules absolutely: those of api/ itself.
                inside = name == LIBRARY or name.startswith(f"{LIBRARY}.")
                assert inside or name.split(".")[0] not in {"homeassistant", "custom_components"}, (
                    f"{path}: imports {name}"
                )


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _called(node: ast.Call) -> str:
    func = node.func
    return (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )


def test_every_error_a_user_sees_is_translated() -> None:
    """Each Home Assistant error the integration raises names its translation, which exists.

    Also the keys handed to the helpers that raise them (`_invalid`, `async_call_cloud`).
    """
    exceptions = ENGLISH["exceptions"]
    keys: list[tuple[Path, str]] = []
    for path, module in python_files(INTEGRATION):
        if API in path.parents:
            continue
        for node in ast.walk(module):
            if not isinstance(node, ast.Call):
                continue
            called = _called(node)
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            if called in HA_ERRORS:
                assert "translation_key" in keywords, f"{path}:{node.lineno}"
                assert ast.unparse(keywords["translation_domain"]) == "DOMAIN", path
                if key := _literal(keywords["translation_key"]):
                    keys.append((path, key))
            elif called == "_invalid" and (key := _literal(node.args[0])):
                keys.append((path, key))
            elif called == "async_call_cloud":
                # The coordinator's method takes (call, key, target), the function
                # (hass, entry, call, key, target).
                index = 1 if isinstance(node.func, ast.Attribute) else 3
                if len(node.args) > index and (key := _literal(node.args[index])):
                    keys.append((path, key))
    assert len(keys) > 30
    for path, key in keys:
        assert key in exceptions, f"{path.name}: {key}"


def test_every_form_field_is_described() -> None:
    """Each field of the config and options flows has a description under it (config-flow)."""
    for flow in ("config", "options"):
        for step_id, step in ENGLISH[flow]["step"].items():
            assert set(step.get("data", {})) == set(step.get("data_description", {})), (
                f"{flow}.{step_id}"
            )


async def test_actions_exist_without_an_entry(hass: HomeAssistant) -> None:
    """The actions are registered when the integration loads, not with an entry (action-setup)."""
    assert await async_setup_component(hass, DOMAIN, {})
    actions = load_yaml_dict(INTEGRATION / "services.yaml")
    assert set(hass.services.async_services_for_domain(DOMAIN)) == set(actions)


async def test_entities_are_named_identified_and_iconed_as_the_rules_ask(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """Every entity has a unique id, and an entity name from a translation or from the cloud.

    The cloud's names are the app's (what the model and the user call things). No entity has
    an icon in its state: icons are icon translations.
    """
    coordinator = coordinator_of(setup_integration)
    cloud_names = {
        name
        for state in coordinator.devices.values()
        for items in (
            state.product.thing_model.properties,
            state.product.thing_model.events,
            state.product.thing_model.actions,
        )
        for item in items.values()
        if (name := item.name)
    }
    cloud_names |= {scene.name for scene in coordinator.scenes.values()}
    cloud_names |= {automation.name for automation in coordinator.automations.values()}
    entries = er.async_entries_for_config_entry(er.async_get(hass), setup_integration.entry_id)
    assert len(entries) > 50
    for entry in entries:
        assert entry.unique_id, entry.entity_id
        assert entry.has_entity_name, entry.entity_id
        assert entry.original_icon is None, entry.entity_id
        translated = ENGLISH["entity"].get(entry.domain, {}).get(entry.translation_key or "", {})
        assert (
            "name" in translated
            or entry.original_name in cloud_names
            # The device's own name (its main entity), or its device class's, which Home
            # Assistant translates.
            or entry.original_name is None
            or entry.original_device_class is not None
        ), (entry.entity_id, entry.original_name)


async def test_runtime_data_only(hass: HomeAssistant, setup_integration: MockConfigEntry) -> None:
    """What a loaded entry holds is in its runtime data, nothing in hass.data (runtime-data)."""
    assert setup_integration.runtime_data.coordinator.devices
    assert DOMAIN not in hass.data


async def test_the_clients_use_home_assistants_session(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """The HTTP client and the push channel share Home Assistant's session (inject-websession)."""
    session = async_get_clientsession(hass)
    coordinator = coordinator_of(setup_integration)
    assert coordinator.client._transport._session is session  # type: ignore[attr-defined]
    assert push_of(setup_integration)._session is session  # type: ignore[attr-defined]


async def test_unload_leaves_nothing_running(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """After unloading, no task, timer, listener or connection of the entry is left.

    However long Home Assistant then runs, the cloud hears nothing more (config-entry-unloading).
    """
    await set_up_entry(hass, config_entry)
    await sim.wait_for_subscription()
    coordinator = coordinator_of(config_entry)
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.NOT_LOADED
    await wait_for(hass, lambda: not sim.connections())
    assert not config_entry._background_tasks
    listeners = coordinator.listeners
    assert not any(listeners._device.values())
    assert not any(listeners._event.values())
    for added in (listeners._any_event, listeners._push_back, listeners._new_devices):
        assert not added
    assert not listeners._lists
    sim.reset_request_counts()
    now = dt_util.utcnow()
    for minutes in (1, 10, 60, 60 * 24, 60 * 48):
        async_fire_time_changed(hass, now + timedelta(minutes=minutes))
        await hass.async_block_till_done()
    assert sim.request_counts() == {}
    assert not sim.connections()
