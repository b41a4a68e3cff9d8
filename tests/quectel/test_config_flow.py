"""The config flow of a Quectel app: each step, each login error, reauth and reconfigure."""

from typing import Any
from unittest.mock import AsyncMock

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.tencent_iot.api.quectel import DATA_CENTRES, DataCentreEndpoints
from custom_components.tencent_iot.const import (
    CONF_ACCESS_TOKEN,
    CONF_ACCOUNT,
    CONF_ACCOUNT_TYPE,
    CONF_API_URL,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    CONF_CLOUD,
    CONF_COUNTRY_CODE,
    CONF_DATA_CENTRE,
    CONF_FAMILY_ID,
    CONF_PASSWORD,
    CONF_REFRESH_EXPIRE_AT,
    CONF_REFRESH_TOKEN,
    CONF_REGION,
    CONF_TOKEN_EXPIRE_AT,
    CONF_USER_DOMAIN,
    CONF_USER_DOMAIN_SECRET,
    CONF_USER_ID,
    CONF_WS_URL,
    DOMAIN,
)
from simulator.quectel import QuectelSimulator
from simulator.quectel.model import Family
from tests.conftest import add_entry
from tests.quectel_common import FAMILY, GUEST, quectel_entry_data
from tests.test_config_flow import fields, mock_setup_entry, placeholder, suggested

QUECTEL_ENTRY_KEYS = {
    CONF_CLOUD,
    CONF_DATA_CENTRE,
    CONF_API_URL,
    CONF_WS_URL,
    CONF_USER_DOMAIN,
    CONF_USER_DOMAIN_SECRET,
    CONF_ACCOUNT_TYPE,
    CONF_COUNTRY_CODE,
    CONF_ACCOUNT,
    CONF_PASSWORD,
    CONF_USER_ID,
    CONF_FAMILY_ID,
    CONF_ACCESS_TOKEN,
    CONF_TOKEN_EXPIRE_AT,
    CONF_REFRESH_TOKEN,
    CONF_REFRESH_EXPIRE_AT,
}
NEW_PASSWORD = "N3w@Passw0rd"
# Imported for the marker below; pytest finds fixtures by name in the module.
__all__ = ["mock_setup_entry"]

pytestmark = pytest.mark.usefixtures("mock_setup_entry")


@pytest.fixture
def europe_is_sim(quectel_sim: QuectelSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """The named data centres point at the simulator (the real cloud is unreachable)."""
    for name in DATA_CENTRES:
        monkeypatch.setitem(
            DATA_CENTRES, name, DataCentreEndpoints(quectel_sim.api_url, quectel_sim.ws_url)
        )


def app_input(sim: QuectelSimulator, data_centre: str = "custom", **changes: str) -> dict[str, Any]:
    """The `quectel_app` step's input for the simulator's app."""
    return {
        CONF_DATA_CENTRE: data_centre,
        CONF_USER_DOMAIN: sim.user_domain,
        CONF_USER_DOMAIN_SECRET: sim.user_domain_secret,
        **changes,
    }


def endpoint_input(sim: QuectelSimulator) -> dict[str, str]:
    """The `quectel_endpoint` step's input for the simulator."""
    return {CONF_API_URL: sim.api_url, CONF_WS_URL: sim.ws_url}


def email_login(sim: QuectelSimulator, uid: str | None = None, password: str | None = None) -> Any:
    """The `login` step's input for a user's email (the demo user's by default)."""
    user = sim.state.users[uid] if uid else sim.demo_user
    return {
        CONF_ACCOUNT_TYPE: "email",
        CONF_COUNTRY_CODE: user.country_code,
        CONF_ACCOUNT: user.email,
        CONF_PASSWORD: user.password if password is None else password,
    }


async def start(hass: HomeAssistant) -> Any:
    """A user flow past the first step, on the Quectel app form."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_REGION: "quectel"}
    )


async def start_login(hass: HomeAssistant, sim: QuectelSimulator, **app_changes: str) -> Any:
    """A user flow for the simulator's custom endpoints, on the login form."""
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(sim, **app_changes)
    )
    assert result["step_id"] == "quectel_endpoint"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], endpoint_input(sim))
    assert result["step_id"] == "login"
    return result


async def login(hass: HomeAssistant, sim: QuectelSimulator, **changes: Any) -> Any:
    """Submit the login form of a fresh flow; the result."""
    result = await start_login(hass, sim)
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {**email_login(sim), **changes}
    )


async def test_quectel_app_form(hass: HomeAssistant) -> None:
    """Picking a Quectel app asks for its data centre, user domain and secret."""
    result = await start(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "quectel_app"
    assert fields(result) == {CONF_DATA_CENTRE, CONF_USER_DOMAIN, CONF_USER_DOMAIN_SECRET}
    schema = result["data_schema"]
    assert schema is not None
    assert schema({CONF_USER_DOMAIN: "d", CONF_USER_DOMAIN_SECRET: "s"})[CONF_DATA_CENTRE] == (
        "europe"
    )


async def test_tencent_needs_its_keys(hass: HomeAssistant) -> None:
    """The first step's keys are optional for Quectel, but a Tencent app must give them."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_REGION: "china", CONF_APP_KEY: " ", CONF_APP_SECRET: "s"}
    )
    assert result["step_id"] == "user"
    assert result["errors"] == {CONF_APP_KEY: "required"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_REGION: "china"}
    )
    assert result["errors"] == {CONF_APP_KEY: "required", CONF_APP_SECRET: "required"}


async def test_custom_endpoints_email_login_one_family(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, mock_setup_entry: AsyncMock
) -> None:
    """Custom URLs (checked, a trailing slash dropped), an email login, the only family."""
    sim = quectel_sim
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(sim, **{CONF_USER_DOMAIN: f" {sim.user_domain} "})
    )
    assert result["step_id"] == "quectel_endpoint"
    assert fields(result) == {CONF_API_URL, CONF_WS_URL}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_URL: "iot-api.example.com", CONF_WS_URL: "https://x/ws"}
    )
    assert result["errors"] == {CONF_API_URL: "invalid_url", CONF_WS_URL: "invalid_url"}
    assert suggested(result, CONF_API_URL) == "iot-api.example.com"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_URL: f"{sim.api_url}/", CONF_WS_URL: sim.ws_url}
    )
    assert result["step_id"] == "login"
    schema = result["data_schema"]
    assert schema is not None
    defaults = schema({CONF_ACCOUNT: "x", CONF_PASSWORD: "p"})
    assert defaults[CONF_ACCOUNT_TYPE] == "email"
    assert defaults[CONF_COUNTRY_CODE] == "86"

    result = await hass.config_entries.flow.async_configure(result["flow_id"], email_login(sim))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Demo · My Home"
    entry = result["result"]
    assert entry.unique_id == f"C1001/{FAMILY}"
    data = result["data"]
    assert set(data) == QUECTEL_ENTRY_KEYS
    session = sim.state.sessions[data[CONF_ACCESS_TOKEN]]
    assert data == {
        CONF_CLOUD: "quectel",
        CONF_DATA_CENTRE: "custom",
        CONF_API_URL: sim.api_url,
        CONF_WS_URL: sim.ws_url,
        CONF_USER_DOMAIN: sim.user_domain,
        CONF_USER_DOMAIN_SECRET: sim.user_domain_secret,
        CONF_ACCOUNT_TYPE: "email",
        CONF_COUNTRY_CODE: "86",
        CONF_ACCOUNT: sim.demo_user.email,
        CONF_PASSWORD: sim.demo_user.password,
        CONF_USER_ID: "C1001",
        CONF_FAMILY_ID: FAMILY,
        CONF_ACCESS_TOKEN: session.access_token,
        CONF_TOKEN_EXPIRE_AT: session.access_expire // 1000,
        CONF_REFRESH_TOKEN: session.refresh_token,
        CONF_REFRESH_EXPIRE_AT: session.refresh_expire // 1000,
    }
    mock_setup_entry.assert_awaited_once()


@pytest.mark.parametrize("data_centre", ["china", "europe", "north_america"])
@pytest.mark.usefixtures("europe_is_sim")
async def test_named_data_centre_phone_login(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, data_centre: str
) -> None:
    """A named data centre stores its URLs and goes straight to the login; phones sign in too."""
    sim = quectel_sim
    result = await start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(sim, data_centre)
    )
    assert result["step_id"] == "login"
    phone = sim.phone_account
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_ACCOUNT_TYPE: "phone",
            CONF_COUNTRY_CODE: phone.country_code,
            CONF_ACCOUNT: phone.account,
            CONF_PASSWORD: phone.password,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_DATA_CENTRE] == data_centre
    assert result["data"][CONF_API_URL] == DATA_CENTRES[data_centre].api_url  # type: ignore[index]
    assert result["data"][CONF_ACCOUNT] == phone.account


async def test_family_step_when_the_account_has_two(
    hass: HomeAssistant, quectel_sim: QuectelSimulator
) -> None:
    """With family mode and two homes, the family step picks one."""
    quectel_sim.state.families["F200"] = Family("F200", "Cabin", {"C1001": 1}, {})
    result = await login(hass, quectel_sim)
    assert result["step_id"] == "family"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_FAMILY_ID: "F200"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Demo · Cabin"
    assert result["result"].unique_id == "C1001/F200"


async def test_account_without_family_mode(
    hass: HomeAssistant, quectel_sim: QuectelSimulator
) -> None:
    """Without family mode the account's own and shared devices are its home, named after it."""
    result = await start_login(hass, quectel_sim)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], email_login(quectel_sim, GUEST)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Guest"
    assert result["result"].unique_id == f"{GUEST}/account"
    assert result["data"][CONF_FAMILY_ID] == "account"


async def test_accounts_without_family_mode_are_not_one_home(
    hass: HomeAssistant, quectel_sim: QuectelSimulator
) -> None:
    """Two accounts without families both add their own devices: their home ids are alike."""
    add_entry(hass, quectel_entry_data(quectel_sim, uid=GUEST, family_id="account"))
    quectel_sim.set_family_mode(False)
    result = await login(hass, quectel_sim)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == "C1001/account"


async def test_duplicate_and_same_home_through_another_account(
    hass: HomeAssistant, quectel_sim: QuectelSimulator
) -> None:
    """The same home of the same account aborts; so does it through a family member."""
    add_entry(hass, quectel_entry_data(quectel_sim))
    result = await login(hass, quectel_sim)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"

    quectel_sim.state.families[FAMILY].members[GUEST] = 3
    quectel_sim.set_family_mode(True, GUEST)
    result = await start_login(hass, quectel_sim)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], email_login(quectel_sim, GUEST)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "home_added_by_other_account"


async def test_wrong_password_counts_down_then_locks(
    hass: HomeAssistant, quectel_sim: QuectelSimulator
) -> None:
    """Each wrong password names the attempts left; the last one locks the account."""
    result = await start_login(hass, quectel_sim)
    for left in (4, 3, 2, 1):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], email_login(quectel_sim, password="Wrong@0000")
        )
        assert result["step_id"] == "login"
        assert result["errors"] == {"base": "wrong_password"}
        assert placeholder(result, "attempts_left") == str(left)
        assert suggested(result, CONF_ACCOUNT) == quectel_sim.demo_user.email
        assert suggested(result, CONF_PASSWORD) is None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], email_login(quectel_sim, password="Wrong@0000")
    )
    assert result["errors"] == {"base": "account_locked"}
    assert placeholder(result, "minutes") == "20"
    # Locked: the right password is refused too, until the lock ends.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], email_login(quectel_sim)
    )
    assert result["errors"] == {"base": "account_locked"}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({CONF_USER_DOMAIN: "E.SP.NOPE"}, {CONF_USER_DOMAIN: "invalid_user_domain"}),
        (
            {CONF_USER_DOMAIN_SECRET: "WrongSecret"},
            {CONF_USER_DOMAIN_SECRET: "invalid_user_domain_secret"},
        ),
    ],
    ids=["unknown_domain", "wrong_secret"],
)
async def test_rejected_app_returns_to_the_app_step(
    hass: HomeAssistant,
    quectel_sim: QuectelSimulator,
    changes: dict[str, str],
    errors: dict[str, str],
) -> None:
    """An unknown user domain or a refused signature shows the app form, secret not offered."""
    result = await start_login(hass, quectel_sim, **changes)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], email_login(quectel_sim)
    )
    assert result["step_id"] == "quectel_app"
    assert result["errors"] == errors
    assert suggested(result, CONF_DATA_CENTRE) == "custom"
    assert suggested(result, CONF_USER_DOMAIN_SECRET) is None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(quectel_sim)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], endpoint_input(quectel_sim)
    )
    assert suggested(result, CONF_ACCOUNT) == quectel_sim.demo_user.email
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], email_login(quectel_sim)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({CONF_ACCOUNT: "nobody@example.com"}, "invalid_auth"),
        ({CONF_PASSWORD: ""}, "password_required"),
    ],
    ids=["unknown_account", "no_password"],
)
async def test_login_errors(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, changes: dict[str, str], error: str
) -> None:
    """An unknown account, and an empty password (there is no login by code)."""
    result = await login(hass, quectel_sim, **changes)
    assert result["step_id"] == "login"
    assert result["errors"] == {"base": error}


async def test_cloud_errors(hass: HomeAssistant, quectel_sim: QuectelSimulator) -> None:
    """A cloud in trouble: cannot_connect; an error nobody documented: unknown."""
    quectel_sim.fail_next(1, action="emailPwdLogin")
    result = await login(hass, quectel_sim)
    assert result["errors"] == {"base": "cannot_connect"}
    quectel_sim.error_next(9999, action="emailPwdLogin")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], email_login(quectel_sim)
    )
    assert result["errors"] == {"base": "unknown"}


# Re-authentication and reconfiguration


async def test_reauth(hass: HomeAssistant, quectel_sim: QuectelSimulator) -> None:
    """The password changed: the form needs one; a wrong one names the attempts left."""
    entry = add_entry(hass, quectel_entry_data(quectel_sim))
    quectel_sim.set_password(NEW_PASSWORD)
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert fields(result) == {CONF_PASSWORD}
    assert placeholder(result, CONF_ACCOUNT) == quectel_sim.demo_user.email
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "Demo@1234"}
    )
    assert result["errors"] == {"base": "wrong_password"}
    assert placeholder(result, "attempts_left") == "4"
    assert placeholder(result, CONF_ACCOUNT) == quectel_sim.demo_user.email
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: NEW_PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == NEW_PASSWORD
    assert set(entry.data) == QUECTEL_ENTRY_KEYS
    session = quectel_sim.state.sessions[entry.data[CONF_ACCESS_TOKEN]]
    assert entry.data[CONF_REFRESH_TOKEN] == session.refresh_token


async def test_reauth_with_another_account(
    hass: HomeAssistant, quectel_sim: QuectelSimulator
) -> None:
    """The stored email now belongs to someone else: wrong_account."""
    data = quectel_entry_data(quectel_sim)
    entry = add_entry(hass, {**data, CONF_USER_ID: "C9999"})
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: quectel_sim.demo_user.password}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"


async def test_reconfigure_new_secret_and_endpoints(
    hass: HomeAssistant, quectel_sim: QuectelSimulator
) -> None:
    """The Quectel form offers what is stored but the secret; custom endpoints follow."""
    old = {**quectel_entry_data(quectel_sim), CONF_USER_DOMAIN_SECRET: "RotatedAway"}
    entry = add_entry(hass, old)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure_quectel"
    assert fields(result) == {CONF_DATA_CENTRE, CONF_USER_DOMAIN, CONF_USER_DOMAIN_SECRET}
    assert suggested(result, CONF_DATA_CENTRE) == "custom"
    assert suggested(result, CONF_USER_DOMAIN) == quectel_sim.user_domain
    assert suggested(result, CONF_USER_DOMAIN_SECRET) is None
    # The stored secret is kept when none is given: it is wrong.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_DATA_CENTRE: "custom", CONF_USER_DOMAIN: quectel_sim.user_domain},
    )
    assert result["step_id"] == "quectel_endpoint"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], endpoint_input(quectel_sim)
    )
    assert result["step_id"] == "reconfigure_quectel"
    assert result["errors"] == {CONF_USER_DOMAIN_SECRET: "invalid_user_domain_secret"}
    assert entry.data == old

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(quectel_sim)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], endpoint_input(quectel_sim)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_USER_DOMAIN_SECRET] == quectel_sim.user_domain_secret
    assert entry.data[CONF_ACCESS_TOKEN] in quectel_sim.state.sessions


@pytest.mark.usefixtures("europe_is_sim")
async def test_reconfigure_to_a_named_data_centre(
    hass: HomeAssistant, quectel_sim: QuectelSimulator
) -> None:
    """A named data centre replaces the custom URLs without another step."""
    entry = add_entry(hass, quectel_entry_data(quectel_sim))
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(quectel_sim, "north_america")
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_DATA_CENTRE] == "north_america"
    assert entry.data[CONF_API_URL] == DATA_CENTRES["north_america"].api_url


@pytest.mark.parametrize(
    ("change", "reason"),
    [(lambda sim: sim.set_password(NEW_PASSWORD), "reauth_required"), (None, "wrong_account")],
    ids=["stale_login", "other_account"],
)
async def test_reconfigure_aborts(
    hass: HomeAssistant, quectel_sim: QuectelSimulator, change: Any, reason: str
) -> None:
    """The app works but the login does not (reauth's job), or it is another account."""
    data = quectel_entry_data(quectel_sim)
    if change is None:
        data[CONF_USER_ID] = "C9999"
    else:
        change(quectel_sim)
    entry = add_entry(hass, data)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(quectel_sim)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], endpoint_input(quectel_sim)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason
    assert entry.data == data
