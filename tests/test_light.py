"""Lights: state from the simulator, and each control round trip through the cloud."""

from homeassistant.components.light.const import LightEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import DOMAIN
from simulator import CloudSimulator

from .platform_common import (
    BULB,
    CEILING,
    STRIP,
    call_service,
    controls_of,
    count_state_writes,
    entity_id,
    state,
    subscribed_entity,
    wait_for,
    wait_for_state,
)


async def test_colour_bulb(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Brightness, colour temperature and colour go out as changed ids and come back by push."""
    light = await subscribed_entity(hass, sim, "light", BULB, "light")
    current = state(hass, light)
    assert current.state == "on"
    assert current.attributes["supported_color_modes"] == ["color_temp", "hs"]
    assert current.attributes["color_mode"] == "color_temp"
    assert current.attributes["brightness"] == 204
    assert current.attributes["color_temp_kelvin"] == 4000
    assert (
        current.attributes["min_color_temp_kelvin"],
        current.attributes["max_color_temp_kelvin"],
    ) == (2700, 6500)

    await call_service(hass, "light.turn_on", light, brightness=128)
    assert controls_of(sim, BULB)[-1] == {"brightness": 50}
    await wait_for_state(hass, light, "on", brightness=128)

    await call_service(hass, "light.turn_on", light, color_temp_kelvin=3000)
    assert controls_of(sim, BULB)[-1] == {"color_temp": 3000}
    await wait_for_state(hass, light, color_temp_kelvin=3000)

    await call_service(hass, "light.turn_on", light, hs_color=(120, 50))
    # The colour keeps the brightness shown (50 %): HSV's value was still 80.
    assert controls_of(sim, BULB)[-1] == {
        "hue": 120,
        "saturation": 50,
        "color_mode": 1,
        "value": 50,
    }
    await wait_for_state(hass, light, color_mode="hs", hs_color=(120.0, 50.0))

    # In colour mode the brightness is HSV's value.
    await call_service(hass, "light.turn_on", light, brightness=255)
    assert controls_of(sim, BULB)[-1] == {"value": 100}
    await wait_for_state(hass, light, brightness=255)

    await call_service(hass, "light.turn_on", light, color_temp_kelvin=6500)
    assert controls_of(sim, BULB)[-1] == {"color_temp": 6500, "color_mode": 0, "brightness": 100}
    await wait_for_state(hass, light, color_mode="color_temp", color_temp_kelvin=6500)

    # Nothing to change: the power command is sent anyway.
    await call_service(hass, "light.turn_on", light)
    assert controls_of(sim, BULB)[-1] == {"power_switch": 1}

    await call_service(hass, "light.turn_off", light)
    assert controls_of(sim, BULB)[-1] == {"power_switch": 0}
    await wait_for_state(hass, light, "off")

    await call_service(hass, "light.turn_on", light, brightness=26)
    assert controls_of(sim, BULB)[-1] == {"power_switch": 1, "brightness": 10}
    await wait_for_state(hass, light, "on", brightness=26)


async def test_scene_mode_keeps_the_last_mode(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A color_mode the light cannot show (a scene) reports the mode last asked for."""
    light = await subscribed_entity(hass, sim, "light", BULB, "light")
    await call_service(hass, "light.turn_on", light, hs_color=(240, 100))
    await wait_for_state(hass, light, color_mode="hs")
    await sim.report(BULB, {"color_mode": 2})
    await wait_for_state(hass, light, color_mode="hs")
    await sim.report(BULB, {"color_mode": 0})
    await wait_for_state(hass, light, color_mode="color_temp")


async def test_rgb_strip(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """An rgb_color struct is read and written member by member."""
    light = await subscribed_entity(hass, sim, "light", STRIP, "light")
    current = state(hass, light)
    assert current.attributes["color_mode"] == "rgb"
    assert current.attributes["rgb_color"] == (255, 120, 40)

    await call_service(hass, "light.turn_on", light, rgb_color=(0, 0, 255))
    assert controls_of(sim, STRIP)[-1] == {"rgb_color": {"red": 0, "green": 0, "blue": 255}}
    await wait_for_state(hass, light, rgb_color=(0, 0, 255))

    await sim.report(STRIP, {"rgb_color": {"red": 1}})
    await wait_for_state(hass, light, rgb_color=None)


async def test_effects(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The strip's effect enum is the light's effect list, set through light.turn_on."""
    light = entity_id(hass, "light", STRIP, "light")
    assert er.async_get(hass).async_get_entity_id("select", DOMAIN, f"{STRIP}/effect") is None
    await sim.wait_for_subscription(STRIP)
    current = state(hass, light)
    assert current.attributes["supported_features"] == LightEntityFeature.EFFECT
    assert current.attributes["effect_list"] == [
        "静态 Static",
        "呼吸 Breath",
        "彩虹 Rainbow",
        "律动 Music",
    ]
    assert current.attributes["effect"] == "呼吸 Breath"

    await call_service(hass, "light.turn_on", light, effect="彩虹 Rainbow")
    assert controls_of(sim, STRIP)[-1] == {"effect": "rainbow"}
    await wait_for_state(hass, light, effect="彩虹 Rainbow")

    # The model's key is accepted too; anything else is refused with the model's reason.
    await call_service(hass, "light.turn_on", light, effect="music", brightness=255)
    assert controls_of(sim, STRIP)[-1] == {"effect": "music", "brightness": 100}
    await wait_for_state(hass, light, effect="律动 Music", brightness=255)
    with pytest.raises(ServiceValidationError) as err:
        await call_service(hass, "light.turn_on", light, effect="Disco")
    assert err.value.translation_key == "invalid_value"

    await sim.report(STRIP, {"effect": "static"})
    await wait_for_state(hass, light, effect="静态 Static")


async def test_dimmable_ceiling_light(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A light with power and brightness only."""
    light = await subscribed_entity(hass, sim, "light", CEILING, "light")
    assert state(hass, light).state == "off"
    assert state(hass, light).attributes["supported_color_modes"] == ["brightness"]
    await call_service(hass, "light.turn_on", light)
    assert controls_of(sim, CEILING)[-1] == {"power_switch": 1}
    await wait_for_state(hass, light, "on", color_mode="brightness")


async def test_push_of_another_property_leaves_the_light(
    hass: HomeAssistant,
    sim: CloudSimulator,
    setup_integration: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A push changing only a property the light does not show does not rewrite the light."""
    values = setup_integration.runtime_data.coordinator.devices[STRIP].values
    light = await subscribed_entity(hass, sim, "light", STRIP, "light")
    await hass.async_block_till_done()
    written = count_state_writes(monkeypatch)
    await sim.report(STRIP, {"segments": [1, 2, 3]})
    await wait_for(hass, lambda: values.get("segments") == [1, 2, 3])
    assert written[light] == 0

    await sim.report(STRIP, {"brightness": 10})
    await wait_for(hass, lambda: written[light] == 1)
    assert values["brightness"] == 10


async def test_colour_keeps_the_brightness(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A colour picked at 31 % is sent at 31 %: HSV's value carries the brightness shown."""
    light = await subscribed_entity(hass, sim, "light", BULB, "light")
    await call_service(hass, "light.turn_on", light, brightness_pct=31)
    assert controls_of(sim, BULB)[-1] == {"brightness": 31}
    shown = (await wait_for_state(hass, light, "on", color_mode="color_temp")).attributes[
        "brightness"
    ]

    await call_service(hass, "light.turn_on", light, hs_color=(0, 100))
    assert controls_of(sim, BULB)[-1] == {"hue": 0, "saturation": 100, "color_mode": 1, "value": 31}
    await wait_for_state(hass, light, color_mode="hs", brightness=shown)
    assert sim.device_state(BULB)["Data"]["value"] == 31  # type: ignore[index]

    # Another colour keeps it; back to white, the colour's brightness goes along.
    await call_service(hass, "light.turn_on", light, hs_color=(240, 100))
    assert controls_of(sim, BULB)[-1] == {"hue": 240}
    await call_service(hass, "light.turn_on", light, brightness_pct=60)
    assert controls_of(sim, BULB)[-1] == {"value": 60}
    await wait_for_state(hass, light, brightness=153)
    await call_service(hass, "light.turn_on", light, color_temp_kelvin=3000)
    assert controls_of(sim, BULB)[-1] == {"color_temp": 3000, "color_mode": 0, "brightness": 60}
    await wait_for_state(hass, light, color_mode="color_temp", brightness=153)
