"""The Quectel simulator's demo home as the tests use it: device ids, entry data, push down."""

from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot.const import (
    CONF_ACCESS_TOKEN,
    CONF_ACCOUNT,
    CONF_ACCOUNT_TYPE,
    CONF_API_URL,
    CONF_CLOUD,
    CONF_COUNTRY_CODE,
    CONF_DATA_CENTRE,
    CONF_FAMILY_ID,
    CONF_PASSWORD,
    CONF_REFRESH_EXPIRE_AT,
    CONF_REFRESH_TOKEN,
    CONF_TOKEN_EXPIRE_AT,
    CONF_USER_DOMAIN,
    CONF_USER_DOMAIN_SECRET,
    CONF_USER_ID,
    CONF_WS_URL,
)
from simulator.quectel import QuectelSimulator
from simulator.quectel.app import DOC_WS_PATH, LIVE_WS_PATH
from tests.platform_common import connected_push, coordinator_of, wait_for

# The demo home of the Quectel simulator ("My Home", family mode on).
POWER_STATION = "p11ps1/PS0001"
LAMP = "p11lt1/LT0001"
KETTLE_PLUG = "p11pg1/PG0001"
HUB = "p11gw1/GW0001"
CLIMATE = "p11th1/TH0001"
FAMILY = "F100"
# The guest account has no family mode: its home is its own and shared devices.
GUEST = "C1002"


def quectel_entry_data(
    sim: QuectelSimulator, *, uid: str | None = None, family_id: str = FAMILY
) -> dict[str, Any]:
    """Entry data of an email login of a user (the demo user by default) to the simulator."""
    user = sim.state.users[uid] if uid else sim.demo_user
    return {
        CONF_CLOUD: "quectel",
        CONF_DATA_CENTRE: "custom",
        CONF_API_URL: sim.api_url,
        CONF_WS_URL: sim.ws_url,
        CONF_USER_DOMAIN: sim.user_domain,
        CONF_USER_DOMAIN_SECRET: sim.user_domain_secret,
        CONF_ACCOUNT_TYPE: "email",
        CONF_COUNTRY_CODE: user.country_code,
        CONF_ACCOUNT: user.email,
        CONF_PASSWORD: user.password,
        CONF_USER_ID: user.uid,
        CONF_FAMILY_ID: family_id,
        CONF_ACCESS_TOKEN: "",
        CONF_TOKEN_EXPIRE_AT: None,
        CONF_REFRESH_TOKEN: "",
        CONF_REFRESH_EXPIRE_AT: None,
    }


async def take_push_down(
    hass: HomeAssistant, sim: QuectelSimulator, entry: MockConfigEntry
) -> None:
    """Once push is connected: drop it and keep it down (both paths refused)."""
    push = await connected_push(hass, entry)
    for path in (LIVE_WS_PATH, DOC_WS_PATH):
        sim.refuse_ws_path(path)
    await sim.drop_websockets()
    await wait_for(hass, lambda: not push.connected)


async def bring_push_back(
    hass: HomeAssistant, sim: QuectelSimulator, entry: MockConfigEntry
) -> None:
    """Serve push again; until the entry's push is healthy."""
    for path in (LIVE_WS_PATH, DOC_WS_PATH):
        sim.refuse_ws_path(path, None)
    await wait_for(hass, lambda: coordinator_of(entry).push_healthy)
