"""Customising a product in the options flow: stored, applied on reload, refused when it misfits.

The default home plus a kettle whose vendor reports the water temperature in tenths of a degree
and marks it writable (so the rules make a 0-1000 number of it), and a product without properties.
"""

from collections.abc import AsyncGenerator
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.tencent_iot.const import CONF_OVERRIDES, DOMAIN
from custom_components.tencent_iot.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)
from simulator import CloudSimulator

from .conftest import add_entry, entry_data
from .platform_common import (
    BULB,
    SPEAKER,
    call_service,
    controls_of,
    coordinator_of,
    deliver_report,
    entity_id,
    home_with,
    running_simulator,
    set_up_entry,
    state,
    thing_property as _prop,
    wait_for_firmware_check,
    wait_for_state,
)
from .test_config_flow import select_options

KETTLE_PRODUCT = "KTL7Q2M9XA"
KETTLE = f"{KETTLE_PRODUCT}/kettle_01"
BLANK_PRODUCT = "NOPROP0001"
BULB_PRODUCT = BULB.split("/")[0]


PRODUCTS: list[dict[str, Any]] = [
    {
        "ProductId": KETTLE_PRODUCT,
        "Name": "智能水壶 Smart Kettle",
        "DataTemplate": {
            "properties": [
                _prop("power_switch", "bool", mapping={"0": "off", "1": "on"}),
                _prop("water_temp", "int", min="0", max="1000", step="1", unit=""),
                _prop("keep_warm", "int", min="0", max="1", step="1", unit=""),
                _prop("boil_count", "int", "r", min="0", max="100000", step="1", unit=""),
                _prop("status", "enum", "r", mapping={"0": "Idle", "1": "Heating"}),
            ]
        },
    },
    {"ProductId": BLANK_PRODUCT, "Name": "Blank", "DataTemplate": {"properties": []}},
]
DEVICES: list[dict[str, Any]] = [
    {
        "ProductId": KETTLE_PRODUCT,
        "DeviceName": "kettle_01",
        "AliasName": "Kettle",
        "Data": {
            "power_switch": 1,
            "water_temp": 235,
            "keep_warm": 1,
            "boil_count": 12,
            "status": 1,
        },
    },
    {"ProductId": BLANK_PRODUCT, "DeviceName": "blank_01", "AliasName": "Blank", "Data": {}},
]


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncGenerator[CloudSimulator]:
    """The default home plus the kettle and the blank device."""
    async with running_simulator(home_with(PRODUCTS, DEVICES)) as simulator:
        yield simulator


async def configure(
    hass: HomeAssistant, result: ConfigFlowResult, user_input: dict[str, Any]
) -> ConfigFlowResult:
    """Submit a step of the options flow."""
    return await hass.config_entries.options.async_configure(result["flow_id"], user_input)


def values_of(result: ConfigFlowResult, field: str) -> list[str]:
    """The values a select field offers as plain values (no labels of their own)."""
    return [str(option) for option in select_options(result, field)]


async def open_property(
    hass: HomeAssistant, entry: MockConfigEntry, product_id: str, property_id: str
) -> ConfigFlowResult:
    """Options → Customise a product → the product → the property: its override form."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await configure(hass, result, {"next_step_id": "customise"})
    assert result["step_id"] == "customise"
    result = await configure(hass, result, {"product": product_id})
    assert result["step_id"] == "customise_property"
    result = await configure(hass, result, {"property": property_id})
    assert result["step_id"] == "customise_entity"
    return result


async def customise(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    product_id: str,
    property_id: str,
    **settings: Any,
) -> ConfigFlowResult:
    """Customise one property through the options flow; the last result."""
    result = await open_property(hass, entry, product_id, property_id)
    return await configure(hass, result, settings)


async def reloaded(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Until the entry has reloaded after saving its options, its firmware check done."""
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    await wait_for_firmware_check(hass, entry)


def registered(hass: HomeAssistant, domain: str, device: str, key: str) -> er.RegistryEntry | None:
    """The registry entry of a device's entity on a platform, if there is one."""
    registry = er.async_get(hass)
    found = registry.async_get_entity_id(domain, DOMAIN, f"{device}/{key}")
    return None if found is None else registry.async_get(found)


async def test_menu_and_pickers(hass: HomeAssistant, setup_integration: MockConfigEntry) -> None:
    """The menu, then products by name and ProductId, then properties with their entity now."""
    result = await hass.config_entries.options.async_init(setup_integration.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["settings", "customise"]  # nothing to undo yet
    result = await configure(hass, result, {"next_step_id": "customise"})
    products = select_options(result, "product")
    assert {
        "value": KETTLE_PRODUCT,
        "label": f"智能水壶 Smart Kettle ({KETTLE_PRODUCT})",
    } in products
    assert [option["value"] for option in products].count(BULB_PRODUCT) == 1  # two bulbs
    result = await configure(hass, result, {"product": KETTLE_PRODUCT})
    assert result["description_placeholders"] == {
        "product": f"智能水壶 Smart Kettle ({KETTLE_PRODUCT})"
    }
    assert select_options(result, "property") == [
        {"value": "power_switch", "label": "Power Switch (power_switch, bool, rw) → switch"},
        {"value": "water_temp", "label": "Water Temp (water_temp, int, rw) → number"},
        {"value": "keep_warm", "label": "Keep Warm (keep_warm, int, rw) → number"},
        {"value": "boil_count", "label": "Boil Count (boil_count, int, r) → sensor"},
        {"value": "status", "label": "Status (status, enum, r) → sensor"},
    ]
    result = await configure(hass, result, {"property": "water_temp"})
    assert result["description_placeholders"] == {
        "product": f"智能水壶 Smart Kettle ({KETTLE_PRODUCT})",
        "property": "Water Temp (water_temp)",
        "entity": "number",
        "rule": "fallback",
        "device_class": "",
        "units": "",
    }
    # Only the entity types a writable number fits; device classes of sensor, number and
    # binary sensor; unit, scale and precision since it is a number.
    assert values_of(result, "entity_type") == [
        "automatic",
        "sensor",
        "binary_sensor",
        "number",
        "hidden",
    ]
    classes = values_of(result, "device_class")
    assert {"temperature", "door", "duration"} <= set(classes)
    assert "enum" not in classes
    assert "°C" in values_of(result, "unit")


@pytest.mark.parametrize(
    ("product_id", "property_id", "types", "fields"),
    [
        (
            KETTLE_PRODUCT,
            "status",
            ["automatic", "sensor", "binary_sensor", "hidden"],
            {"entity_type", "device_class", "enabled"},
        ),
        (
            SPEAKER.split("/")[0],
            "display_text",
            ["automatic", "sensor", "text", "hidden"],
            {"entity_type", "enabled"},
        ),
    ],
    ids=["read-only enum", "writable string"],
)
async def test_only_what_applies_is_asked(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    *,
    product_id: str,
    property_id: str,
    types: list[str],
    fields: set[str],
) -> None:
    """The entity types that fit; device class, unit and scale only where they can apply."""
    result = await open_property(hass, setup_integration, product_id, property_id)
    assert values_of(result, "entity_type") == types
    schema = result["data_schema"]
    assert schema is not None
    assert {key.schema for key in schema.schema} == fields


async def test_writable_number_becomes_a_scaled_temperature_sensor(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Sensor, scale 0.1, °C, one decimal: stored, and the entity changes with the reload."""
    entry = setup_integration
    number = entity_id(hass, "number", KETTLE, "water_temp")
    assert state(hass, number).state == "235"

    result = await customise(
        hass,
        entry,
        KETTLE_PRODUCT,
        "water_temp",
        entity_type="sensor",
        device_class="temperature",
        unit="°C",
        scale=0.1,
        precision=1.0,
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_OVERRIDES] == {
        KETTLE_PRODUCT: {
            "water_temp": {
                "entity_type": "sensor",
                "device_class": "temperature",
                "unit": "°C",
                "scale": 0.1,
                "precision": 1,
            }
        }
    }
    await reloaded(hass, entry)

    # The number is gone from the registry, not left behind as an orphan.
    assert registered(hass, "number", KETTLE, "water_temp") is None
    sensor = entity_id(hass, "sensor", KETTLE, "water_temp")
    current = state(hass, sensor)
    assert current.state == "23.5"
    assert current.attributes["unit_of_measurement"] == "°C"
    assert current.attributes["device_class"] == "temperature"
    assert current.attributes["state_class"] == "measurement"
    sensor_entry = registered(hass, "sensor", KETTLE, "water_temp")
    assert sensor_entry is not None
    assert sensor_entry.options["sensor"]["suggested_display_precision"] == 1

    await deliver_report(hass, sim, coordinator_of(entry), KETTLE, water_temp=241)
    await wait_for_state(hass, sensor, "24.1")

    # The menu now offers to undo it, and the form offers the stored settings back.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["menu_options"] == ["settings", "customise", "reset"]
    result = await open_property(hass, entry, KETTLE_PRODUCT, "water_temp")
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert (placeholders["entity"], placeholders["rule"]) == ("sensor", "override")
    schema = result["data_schema"]
    assert schema is not None
    suggested = {
        key.schema: (key.description or {}).get("suggested_value") for key in schema.schema
    }
    assert suggested["entity_type"] == "sensor"
    assert suggested["scale"] == 0.1


async def test_number_scales_both_ways(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A number scaled by 0.1 shows a tenth and sends ten times what is set, to the step."""
    entry = setup_integration
    result = await customise(hass, entry, KETTLE_PRODUCT, "water_temp", scale=0.1, unit="°C")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await reloaded(hass, entry)

    number = entity_id(hass, "number", KETTLE, "water_temp")
    current = state(hass, number)
    assert current.state == "23.5"
    assert (current.attributes["min"], current.attributes["max"]) == (0, 100)
    assert current.attributes["step"] == 0.1
    # The unit makes the rules' temperature class fit again.
    assert current.attributes["device_class"] == "temperature"

    await call_service(hass, "number.set_value", number, value=40.2)
    assert controls_of(sim, KETTLE)[-1] == {"water_temp": 402}
    await wait_for_state(hass, number, "40.2")


async def test_binary_sensor_hidden_and_enabled_by_default(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """A 0/1 number as a heat binary sensor; a counter hidden, then disabled, then back."""
    entry = setup_integration
    result = await customise(
        hass, entry, KETTLE_PRODUCT, "keep_warm", entity_type="binary_sensor", device_class="heat"
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await reloaded(hass, entry)
    keep_warm = entity_id(hass, "binary_sensor", KETTLE, "keep_warm")
    assert state(hass, keep_warm).state == "on"
    assert state(hass, keep_warm).attributes["device_class"] == "heat"
    assert registered(hass, "number", KETTLE, "keep_warm") is None

    await customise(hass, entry, KETTLE_PRODUCT, "boil_count", entity_type="hidden")
    await reloaded(hass, entry)
    assert registered(hass, "sensor", KETTLE, "boil_count") is None
    assert entry.options[CONF_OVERRIDES][KETTLE_PRODUCT]["boil_count"] == {"entity_type": "hidden"}

    # Shown again but disabled by default: the registry follows at once.
    await customise(hass, entry, KETTLE_PRODUCT, "boil_count", entity_type="automatic")
    await reloaded(hass, entry)
    assert KETTLE_PRODUCT in entry.options[CONF_OVERRIDES]
    assert "boil_count" not in entry.options[CONF_OVERRIDES][KETTLE_PRODUCT]
    assert registered(hass, "sensor", KETTLE, "boil_count") is not None
    await customise(hass, entry, KETTLE_PRODUCT, "boil_count", enabled=False)
    await reloaded(hass, entry)
    disabled = registered(hass, "sensor", KETTLE, "boil_count")
    assert disabled is not None
    assert disabled.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert entry.options[CONF_OVERRIDES][KETTLE_PRODUCT]["boil_count"] == {"enabled": False}

    # Undone: enabled again (HA reloads the entry once more half a minute later, as always).
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await configure(hass, result, {"next_step_id": "reset"})
    assert select_options(result, CONF_OVERRIDES) == [
        {
            "value": f"{KETTLE_PRODUCT}/boil_count",
            "label": f"智能水壶 Smart Kettle ({KETTLE_PRODUCT}): Boil Count (boil_count)",
        },
        {
            "value": f"{KETTLE_PRODUCT}/keep_warm",
            "label": f"智能水壶 Smart Kettle ({KETTLE_PRODUCT}): Keep Warm (keep_warm)",
        },
    ]
    result = await configure(hass, result, {CONF_OVERRIDES: [f"{KETTLE_PRODUCT}/boil_count"]})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await reloaded(hass, entry)
    enabled = registered(hass, "sensor", KETTLE, "boil_count")
    assert enabled is not None
    assert enabled.disabled_by is None
    assert state(hass, enabled.entity_id).state == "12"
    assert entry.options[CONF_OVERRIDES] == {
        KETTLE_PRODUCT: {"keep_warm": {"entity_type": "binary_sensor", "device_class": "heat"}}
    }

    # Undoing the last one leaves no customisation at all.
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await configure(hass, result, {"next_step_id": "reset"})
    await configure(hass, result, {CONF_OVERRIDES: [f"{KETTLE_PRODUCT}/keep_warm"]})
    await reloaded(hass, entry)
    assert CONF_OVERRIDES not in entry.options
    assert entity_id(hass, "number", KETTLE, "keep_warm")
    assert registered(hass, "binary_sensor", KETTLE, "keep_warm") is None


async def test_a_property_taken_out_of_the_light(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """A bulb's colour mode as a select: the light loses it, every bulb of the product gets one."""
    entry = setup_integration
    light = entity_id(hass, "light", BULB, "light")
    assert "hs" in state(hass, light).attributes["supported_color_modes"]
    result = await customise(hass, entry, BULB_PRODUCT, "color_mode", entity_type="select")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await reloaded(hass, entry)
    select = entity_id(hass, "select", BULB, "color_mode")
    assert state(hass, select).attributes["options"] == ["白光 White", "彩光 Colour", "情景 Scene"]
    bulbs = [key for key in coordinator_of(entry).devices if key.startswith(BULB_PRODUCT)]
    assert len(bulbs) == 2
    for bulb in bulbs:
        assert entity_id(hass, "select", bulb, "color_mode")
    assert registered(hass, "light", BULB, "light") is not None


@pytest.mark.parametrize(
    ("product_id", "property_id", "settings", "errors"),
    [
        (
            KETTLE_PRODUCT,
            "water_temp",
            {"device_class": "door"},
            {"device_class": "device_class_misfit"},
        ),
        (
            KETTLE_PRODUCT,
            "keep_warm",
            {"entity_type": "binary_sensor", "unit": "W", "scale": 2.0},
            {"unit": "needs_number_entity", "scale": "needs_number_entity"},
        ),
        (KETTLE_PRODUCT, "water_temp", {"precision": 1.0}, {"precision": "needs_sensor"}),
        (KETTLE_PRODUCT, "water_temp", {"scale": 0.0}, {"scale": "invalid_scale"}),
        (BULB_PRODUCT, "brightness", {"unit": "%"}, {"base": "combined_entity"}),
    ],
    ids=["device_class_misfit", "needs_number_entity", "needs_sensor", "invalid_scale", "combined"],
)
async def test_misfits_are_refused(
    hass: HomeAssistant,
    setup_integration: MockConfigEntry,
    *,
    product_id: str,
    property_id: str,
    settings: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Each misfit is refused with its translated error and the form again; nothing is stored."""
    result = await customise(hass, setup_integration, product_id, property_id, **settings)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "customise_entity"
    assert result["errors"] == errors
    assert CONF_OVERRIDES not in setup_integration.options


async def test_unit_misfit_names_the_units(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """A device class whose units HA knows refuses another unit, and says which it takes."""
    result = await customise(
        hass,
        setup_integration,
        KETTLE_PRODUCT,
        "water_temp",
        entity_type="sensor",
        device_class="temperature",
        unit="%",
    )
    assert result["errors"] == {"unit": "unit_misfit"}
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert placeholders["device_class"] == "temperature"
    assert placeholders["units"] == "K, °C, °F"
    # Corrected in the same form, it is stored.
    result = await configure(
        hass,
        result,
        {"entity_type": "sensor", "device_class": "temperature", "unit": "°C", "enabled": True},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_reset_needs_a_choice(hass: HomeAssistant, sim: CloudSimulator) -> None:
    """Undoing nothing is refused; an override of a product no longer in the home is listed."""
    entry = add_entry(hass, entry_data(sim))
    hass.config_entries.async_update_entry(
        entry, options={CONF_OVERRIDES: {"GONE000001": {"temp": {"entity_type": "hidden"}}}}
    )
    await set_up_entry(hass, entry)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await configure(hass, result, {"next_step_id": "reset"})
    assert select_options(result, CONF_OVERRIDES) == [
        {"value": "GONE000001/temp", "label": "GONE000001: temp"}
    ]
    result = await configure(hass, result, {CONF_OVERRIDES: []})
    assert result["errors"] == {"base": "nothing_selected"}
    result = await configure(hass, result, {CONF_OVERRIDES: ["GONE000001/temp"]})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await reloaded(hass, entry)
    assert CONF_OVERRIDES not in entry.options


async def test_product_without_properties_aborts(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """A product whose model has no properties has nothing to customise."""
    result = await hass.config_entries.options.async_init(setup_integration.entry_id)
    result = await configure(hass, result, {"next_step_id": "customise"})
    result = await configure(hass, result, {"product": BLANK_PRODUCT})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_properties"


async def test_home_without_devices_aborts(hass: HomeAssistant, socket_enabled: None) -> None:
    """A home without devices has no product to customise."""
    home = home_with([], [])
    for devices_or_what_names_them in ("Devices", "Scenes", "Automations", "Timers"):
        home[devices_or_what_names_them] = []
    async with running_simulator(home) as simulator:
        entry = add_entry(hass, entry_data(simulator))
        await set_up_entry(hass, entry)
        result = await hass.config_entries.options.async_init(entry.entry_id)
        result = await configure(hass, result, {"next_step_id": "customise"})
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "no_products"
        await hass.config_entries.async_unload(entry.entry_id)


async def test_stale_customisation_is_ignored_with_one_warning(
    hass: HomeAssistant, sim: CloudSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Options naming a property the model lacks, a misfit or nonsense: set up anyway, warned."""
    entry = add_entry(hass, entry_data(sim))
    hass.config_entries.async_update_entry(
        entry,
        options={
            CONF_OVERRIDES: {
                KETTLE_PRODUCT: {
                    "gone": {"entity_type": "sensor"},
                    "status": {"entity_type": "select"},  # a read-only enum cannot be a select
                    "boil_count": {"device_class": "door"},
                    "power_switch": {"scale": "ten"},
                    "water_temp": {"entity_type": "sensor", "unit": "°C", "scale": 0.1},
                },
                BULB_PRODUCT: "not an object",
            }
        },
    )
    with caplog.at_level(logging.WARNING, logger="custom_components.tencent_iot"):
        await set_up_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    warnings = [
        record.getMessage() for record in caplog.records if "ignored" in record.getMessage()
    ]
    assert len(warnings) == 5, warnings
    assert any("gone" in text and "unknown_property" in text for text in warnings)
    assert any("status" in text and "entity_type_misfit" in text for text in warnings)
    assert any("boil_count" in text and "device_class_misfit" in text for text in warnings)
    assert any("power_switch" in text and "'ten' is not a number" in text for text in warnings)
    assert any(BULB_PRODUCT in text and "not an object" in text for text in warnings)
    # What fits is applied; the rest is as the rules make it.
    assert state(hass, entity_id(hass, "sensor", KETTLE, "water_temp")).state == "23.5"
    assert entity_id(hass, "sensor", KETTLE, "status")
    assert (
        "device_class"
        not in state(hass, entity_id(hass, "sensor", KETTLE, "boil_count")).attributes
    )

    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    kettle = diagnostics["devices"][KETTLE]
    assert kettle["overrides"]["water_temp"] == {
        "entity_type": "sensor",
        "unit": "°C",
        "scale": 0.1,
    }
    assert {"property_id": "gone", "setting": "entity_type", "reason": "unknown_property"} in (
        kettle["ignored_overrides"]
    )


async def test_unreadable_customisation_is_replaced(
    hass: HomeAssistant, sim: CloudSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Options whose customisation is not readable at all: warned, nothing to undo, replaced."""
    entry = add_entry(hass, entry_data(sim))
    hass.config_entries.async_update_entry(entry, options={CONF_OVERRIDES: ["hidden"]})
    await set_up_entry(hass, entry)
    assert "The customisation in the options is not readable: ['hidden']" in caplog.text
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["menu_options"] == ["settings", "customise"]
    await customise(hass, entry, KETTLE_PRODUCT, "status", entity_type="hidden")
    assert entry.options[CONF_OVERRIDES] == {KETTLE_PRODUCT: {"status": {"entity_type": "hidden"}}}
    await reloaded(hass, entry)


async def test_diagnostics_show_overrides_and_the_mapping_report(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    """Entry and device diagnostics: the active overrides, and each property's entity and rule."""
    entry = setup_integration
    await customise(hass, entry, KETTLE_PRODUCT, "water_temp", entity_type="sensor", scale=0.1)
    await reloaded(hass, entry)
    await customise(hass, entry, KETTLE_PRODUCT, "boil_count", entity_type="hidden")
    await reloaded(hass, entry)
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, KETTLE), entry.entry_id)
    assert device is not None
    device_diagnostics = await async_get_device_diagnostics(hass, entry, device)
    kettle = device_diagnostics["device"]
    assert kettle["overrides"] == {
        "boil_count": {"entity_type": "hidden"},
        "water_temp": {"entity_type": "sensor", "scale": 0.1},
    }
    assert kettle["ignored_overrides"] == []
    assert kettle["mapping"]["water_temp"] == {
        "entity_id": entity_id(hass, "sensor", KETTLE, "water_temp"),
        "platform": "sensor",
        "key": "water_temp",
        "rule": "override",
        "customised": True,
    }
    assert kettle["mapping"]["boil_count"] == {
        "entity_id": None,
        "platform": None,
        "key": None,
        "rule": "override",
        "customised": False,
    }
    assert kettle["mapping"]["power_switch"]["rule"] == "standard_switch"
    assert kettle["mapping"]["keep_warm"]["rule"] == "fallback"

    entry_diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert entry_diagnostics["devices"][KETTLE]["mapping"] == kettle["mapping"]
    assert entry_diagnostics["entry"]["options"][CONF_OVERRIDES][KETTLE_PRODUCT] == {
        "boil_count": {"entity_type": "hidden"},
        "water_temp": {"entity_type": "sensor", "scale": 0.1},
    }


async def test_through_the_frontend_api(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, setup_integration: MockConfigEntry
) -> None:
    """The frontend's HTTP flow API: every form serialises, and the customisation is stored."""
    assert await async_setup_component(hass, "config", {})
    client = await hass_client()
    base = "/api/config/config_entries/options/flow"

    async def post(path: str, data: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(path, json=data)
        assert response.status == 200, await response.text()
        result: dict[str, Any] = await response.json()
        return result

    result = await post(base, {"handler": setup_integration.entry_id})
    assert result["type"] == "menu"
    flow = f"{base}/{result['flow_id']}"
    result = await post(flow, {"next_step_id": "customise"})
    result = await post(flow, {"product": KETTLE_PRODUCT})
    result = await post(flow, {"property": "water_temp"})
    fields = {field["name"]: field for field in result["data_schema"]}
    assert fields["entity_type"]["selector"]["select"]["translation_key"] == "entity_type"
    assert fields["unit"]["selector"]["select"]["custom_value"] is True
    assert fields["enabled"]["default"] is True
    result = await post(flow, {"entity_type": "sensor", "unit": "L", "scale": 0.5})
    assert result["type"] == "create_entry"
    await reloaded(hass, setup_integration)
    assert state(hass, entity_id(hass, "sensor", KETTLE, "water_temp")).state == "117.5"
