"""Text entities: writable string properties."""

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator

from .platform_common import (
    SPEAKER,
    call_service,
    controls_of,
    state,
    subscribed_entity,
    wait_for_state,
)


async def test_display_text(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Text goes out as is and comes back by push; the model's maximum length holds."""
    text = await subscribed_entity(hass, sim, "text", SPEAKER, "display_text")
    assert state(hass, text).state == "Hello 你好"
    assert state(hass, text).attributes["max"] == 32

    await call_service(hass, "text.set_value", text, value="晚安 Good night")
    assert controls_of(sim, SPEAKER)[-1] == {"display_text": "晚安 Good night"}
    await wait_for_state(hass, text, "晚安 Good night")

    # HA itself refuses a text longer than the entity's maximum.
    with pytest.raises(ValueError, match="too long"):
        await call_service(hass, "text.set_value", text, value="x" * 33)
