"""Selects: enum and string-enum properties, with the model's labels as options."""

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator

from .platform_common import (
    SPEAKER,
    SWITCH3,
    call_service,
    controls_of,
    entity_id,
    state,
    subscribed_entity,
    wait_for_state,
)


async def test_enum_and_string_enum(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """An option goes out as its key (int or str) and comes back by push."""
    indicator = entity_id(hass, "select", SWITCH3, "indicator_mode")
    play_mode = await subscribed_entity(hass, sim, "select", SPEAKER, "play_mode")
    assert state(hass, indicator).state == "开关状态 Relay"
    assert state(hass, play_mode).attributes["options"] == [
        "顺序 Sequence",
        "随机 Shuffle",
        "单曲 Repeat one",
    ]

    await call_service(hass, "select.select_option", indicator, option="常亮 Always on")
    assert controls_of(sim, SWITCH3)[-1] == {"indicator_mode": 2}
    await wait_for_state(hass, indicator, "常亮 Always on")

    await call_service(hass, "select.select_option", play_mode, option="随机 Shuffle")
    assert controls_of(sim, SPEAKER)[-1] == {"play_mode": "shuffle"}
    await wait_for_state(hass, play_mode, "随机 Shuffle")
