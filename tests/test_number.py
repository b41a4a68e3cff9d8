"""Numbers: writable numeric properties."""

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator

from .platform_common import (
    PLUG,
    SPEAKER,
    call_service,
    controls_of,
    state,
    subscribed_entity,
    wait_for_state,
)


async def test_eq(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Values go out as the model's type and come back by push; the range is the model's."""
    eq_level = await subscribed_entity(hass, sim, "number", SPEAKER, "eq_level")
    assert state(hass, eq_level).state == "0"
    assert (state(hass, eq_level).attributes["min"], state(hass, eq_level).attributes["max"]) == (
        -6,
        6,
    )

    await call_service(hass, "number.set_value", eq_level, value=-3)
    assert controls_of(sim, SPEAKER)[-1] == {"eq_level": -3}
    await wait_for_state(hass, eq_level, "-3")

    with pytest.raises(ServiceValidationError):
        await call_service(hass, "number.set_value", eq_level, value=7)


async def test_duration(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A countdown in seconds is a duration number."""
    countdown = await subscribed_entity(hass, sim, "number", PLUG, "countdown")
    assert state(hass, countdown).attributes["device_class"] == "duration"
    await call_service(hass, "number.set_value", countdown, value=600)
    assert controls_of(sim, PLUG)[-1] == {"countdown": 600}
    await wait_for_state(hass, countdown, "600")
