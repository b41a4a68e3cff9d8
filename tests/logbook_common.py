"""Reading the logbook in tests, as the frontend does: through its websocket API."""

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.tencent_iot.const import DOMAIN


async def logbook_lines(hass: HomeAssistant, ws: WebSocketGenerator) -> list[dict[str, Any]]:
    """Every line of the logbook of the last day."""
    await async_wait_recording_done(hass)
    client = await ws()
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": (dt_util.utcnow() - timedelta(days=1)).isoformat(),
        }
    )
    reply = await client.receive_json()
    assert reply["success"], reply
    lines: list[dict[str, Any]] = reply["result"]
    return lines


def own_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines the integration describes itself."""
    return [line for line in lines if line.get("domain") == DOMAIN]
