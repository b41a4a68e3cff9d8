"""The config flow, reauth, reconfigure and options, through HA's flow manager and the simulator."""

from collections.abc import AsyncGenerator, Generator
from datetime import timedelta
import json
import socket
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_USER,
    ConfigEntryState,
    ConfigFlowResult,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType, InvalidData
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.tencent_iot import config_flow
from custom_components.tencent_iot.api import REGIONS, RegionEndpoints
from custom_components.tencent_iot.const import (
    CONF_ACCESS_TOKEN,
    CONF_ACCOUNT,
    CONF_ACCOUNT_TYPE,
    CONF_API_URL,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    CONF_CODE,
    CONF_COUNTRY_CODE,
    CONF_FAMILY_ID,
    CONF_FOLLOW_ROOMS,
    CONF_HISTORY_DAYS,
    CONF_PASSWORD,
    CONF_REGION,
    CONF_ROOMS,
    CONF_TOKEN_EXPIRE_AT,
    CONF_USE_PUSH,
    CONF_USER_ID,
    CONF_WS_URL,
    DOMAIN,
)
from simulator import CloudSimulator
from simulator.fixture import DEFAULT_FIXTURE
from simulator.model import User

from .conftest import add_entry, entry_data, home_family_id

# Exactly the keys interface.md lists for entry.data.
ENTRY_KEYS = {
    CONF_REGION,
    CONF_API_URL,
    CONF_WS_URL,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    CONF_ACCOUNT_TYPE,
    CONF_COUNTRY_CODE,
    CONF_ACCOUNT,
    CONF_PASSWORD,
    CONF_USER_ID,
    CONF_FAMILY_ID,
    CONF_ACCESS_TOKEN,
    CONF_TOKEN_EXPIRE_AT,
}
NEW_PASSWORD = "N3w@Passw0rd"


# Fixtures and helpers.


@pytest.fixture
def mock_setup_entry() -> Generator[AsyncMock]:
    """Flows that create an entry do not set the whole integration up."""
    with patch("custom_components.tencent_iot.async_setup_entry", return_value=True) as mock:
        yield mock


@pytest.fixture
def closed_urls(socket_enabled: None) -> Generator[tuple[str, str]]:
    """API and WebSocket URLs of a loopback port that is bound but refuses connections."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))  # never listens: a connect is refused
        port = sock.getsockname()[1]
        yield (
            f"http://127.0.0.1:{port}/api/exploreropen",
            f"ws://127.0.0.1:{port}/iotstudio_v2_weapp_1",
        )


@pytest.fixture
async def other_cloud(sim: CloudSimulator) -> AsyncGenerator[CloudSimulator]:
    """A second deployment with the same accounts and app, but other UserIDs."""
    text = DEFAULT_FIXTURE.read_text(encoding="utf-8")
    for user in sim.state.users.values():
        text = text.replace(f'"{user.user_id}"', f'"9{user.user_id}"')
    simulator = CloudSimulator(json.loads(text), scene_delay_scale=0.01)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
def china_is_sim(sim: CloudSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the named regions' endpoints at the simulator (the real cloud is unreachable)."""
    endpoints = RegionEndpoints(
        api_url=sim.api_url, ws_url=sim.ws_url, ws_fallback_url=sim.doc_ws_url, region_id=1
    )
    monkeypatch.setitem(REGIONS, "china", endpoints)
    monkeypatch.setitem(REGIONS, "overseas", endpoints)


def suggested(result: FlowResult[Any, Any], field: str) -> Any:
    """The value a shown form offers for a field (its suggested value), or None."""
    schema = result["data_schema"]
    assert schema is not None
    for key in schema.schema:
        if key.schema == field:
            description = key.description or {}
            return description.get("suggested_value")
    raise AssertionError(f"{field} is not in the form")


def fields(result: FlowResult[Any, Any]) -> set[str]:
    """The field names of a shown form."""
    schema = result["data_schema"]
    assert schema is not None
    return {key.schema for key in schema.schema}


def placeholder(result: FlowResult[Any, Any], name: str) -> Any:
    """A description placeholder of a shown form."""
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    return placeholders[name]


def select_options(result: FlowResult[Any, Any], field: str) -> list[dict[str, str]]:
    """The options of a select field of a shown form."""
    schema = result["data_schema"]
    assert schema is not None
    for key, selector in schema.schema.items():
        if key.schema == field:
            return list(selector.config["options"])
    raise AssertionError(f"{field} is not in the form")


async def open_settings(hass: HomeAssistant, entry: MockConfigEntry) -> FlowResult[Any, Any]:
    """Open the options and pick the settings from the menu: the settings form."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )


def app_input(sim: CloudSimulator, region: str = "custom", **changes: str) -> dict[str, Any]:
    """The `user` step's input for the simulator's app."""
    return {
        CONF_REGION: region,
        CONF_APP_KEY: sim.app_key,
        CONF_APP_SECRET: sim.app_secret,
        **changes,
    }


def endpoint_input(sim: CloudSimulator) -> dict[str, Any]:
    """The `endpoint` step's input for the simulator."""
    return {CONF_API_URL: sim.api_url, CONF_WS_URL: sim.ws_url}


def phone_login(user: User, password: str | None = None) -> dict[str, Any]:
    """The `login` step's input for a user's phone number."""
    return {
        CONF_ACCOUNT_TYPE: "phone",
        CONF_COUNTRY_CODE: user.country_code,
        CONF_ACCOUNT: user.phone,
        CONF_PASSWORD: user.password if password is None else password,
    }


def email_login(user: User, password: str | None = None) -> dict[str, Any]:
    """The `login` step's input for a user's email address."""
    return {
        CONF_ACCOUNT_TYPE: "email",
        CONF_COUNTRY_CODE: "86",
        CONF_ACCOUNT: user.email,
        CONF_PASSWORD: user.password if password is None else password,
    }


def user_with_families(sim: CloudSimulator, count: int) -> User:
    """A fixture user who belongs to exactly `count` families."""
    return next(u for u in sim.state.users.values() if len(sim.state.families_of(u)) == count)


async def start_login(
    hass: HomeAssistant, sim: CloudSimulator, **app_changes: str
) -> FlowResult[Any, Any]:
    """Start a user flow for the simulator's custom endpoints; returns the login form."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await submit_app_and_endpoint(hass, result, sim, **app_changes)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "login"
    return result


async def submit_app_and_endpoint(
    hass: HomeAssistant, result: ConfigFlowResult, sim: CloudSimulator, **app_changes: str
) -> ConfigFlowResult:
    """Submit the app's keys, then on the endpoint form the simulator's URLs; the last result."""
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(sim, **app_changes)
    )
    assert result["step_id"] == "endpoint"
    return await hass.config_entries.flow.async_configure(result["flow_id"], endpoint_input(sim))


# The user flow.


async def test_user_form(hass: HomeAssistant) -> None:
    """The flow starts with the region and the app's keys, china preselected."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert not result["errors"]
    assert fields(result) == {CONF_REGION, CONF_APP_KEY, CONF_APP_SECRET}
    schema = result["data_schema"]
    assert schema is not None
    assert schema({CONF_APP_KEY: "k", CONF_APP_SECRET: "s"})[CONF_REGION] == "china"


async def test_custom_region_phone_login_two_families(
    hass: HomeAssistant, sim: CloudSimulator, mock_setup_entry: AsyncMock
) -> None:
    """Custom endpoints, phone and password, then the family step picks the second home."""
    user = sim.demo_user
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], app_input(sim))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "endpoint"
    assert not result["errors"]
    assert fields(result) == {CONF_API_URL, CONF_WS_URL}
    # A trailing slash is dropped.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_URL: f"{sim.api_url}/", CONF_WS_URL: f"{sim.ws_url}/"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "login"
    assert fields(result) == {CONF_ACCOUNT_TYPE, CONF_COUNTRY_CODE, CONF_ACCOUNT, CONF_PASSWORD}
    schema = result["data_schema"]
    assert schema is not None
    defaults = schema({CONF_ACCOUNT: "x"})
    assert defaults[CONF_ACCOUNT_TYPE] == "phone"
    assert defaults[CONF_COUNTRY_CODE] == "86"
    assert defaults[CONF_PASSWORD] == ""

    result = await hass.config_entries.flow.async_configure(result["flow_id"], phone_login(user))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "family"
    families = sim.state.families_of(user)
    assert len(families) == 2
    assert select_options(result, CONF_FAMILY_ID) == [
        {"value": family.family_id, "label": family.name} for family in families
    ]
    mock_setup_entry.assert_not_called()

    second = families[1]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_FAMILY_ID: second.family_id}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"{user.nickname} · {second.name}"
    entry = result["result"]
    assert entry.unique_id == f"{user.user_id}/{second.family_id}"
    assert set(entry.data) == ENTRY_KEYS
    token = entry.data[CONF_ACCESS_TOKEN]
    session = sim.state.sessions[token]
    assert entry.data == {
        CONF_REGION: "custom",
        CONF_API_URL: sim.api_url,
        CONF_WS_URL: sim.ws_url,
        CONF_APP_KEY: sim.app_key,
        CONF_APP_SECRET: sim.app_secret,
        CONF_ACCOUNT_TYPE: "phone",
        CONF_COUNTRY_CODE: user.country_code,
        CONF_ACCOUNT: user.phone,
        CONF_PASSWORD: user.password,
        CONF_USER_ID: user.user_id,
        CONF_FAMILY_ID: second.family_id,
        CONF_ACCESS_TOKEN: token,
        CONF_TOKEN_EXPIRE_AT: session.expire_at,
    }
    assert entry.options == {}
    mock_setup_entry.assert_awaited_once()


async def test_email_login(
    hass: HomeAssistant, sim: CloudSimulator, mock_setup_entry: AsyncMock
) -> None:
    """An email account logs in with its password; the first home is picked."""
    user = sim.demo_user
    result = await start_login(hass, sim)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], email_login(user))
    assert result["step_id"] == "family"
    family_id = home_family_id(sim)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_FAMILY_ID: family_id}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"{user.nickname} · {sim.state.families[family_id].name}"
    assert result["result"].unique_id == f"{user.user_id}/{family_id}"
    data = result["data"]
    assert set(data) == ENTRY_KEYS
    assert data[CONF_ACCOUNT_TYPE] == "email"
    assert data[CONF_ACCOUNT] == user.email
    assert data[CONF_PASSWORD] == user.password
    assert data[CONF_ACCESS_TOKEN] in sim.state.sessions
    mock_setup_entry.assert_awaited_once()


async def test_one_family_creates_entry_directly(
    hass: HomeAssistant, sim: CloudSimulator, mock_setup_entry: AsyncMock
) -> None:
    """An account with a single home skips the family step; the account is trimmed."""
    user = user_with_families(sim, 1)
    (family,) = sim.state.families_of(user)
    result = await start_login(hass, sim)
    login = phone_login(user)
    login[CONF_ACCOUNT] = f"  {user.phone} "
    result = await hass.config_entries.flow.async_configure(result["flow_id"], login)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"{user.nickname} · {family.name}"
    assert result["result"].unique_id == f"{user.user_id}/{family.family_id}"
    assert result["data"][CONF_ACCOUNT] == user.phone
    assert result["data"][CONF_USER_ID] == user.user_id
    assert result["data"][CONF_FAMILY_ID] == family.family_id
    mock_setup_entry.assert_awaited_once()


async def test_title_without_nickname_uses_account(
    hass: HomeAssistant, sim: CloudSimulator, mock_setup_entry: AsyncMock
) -> None:
    """Without a nickname the title names the account."""
    user = user_with_families(sim, 1)
    user.nickname = ""
    (family,) = sim.state.families_of(user)
    result = await start_login(hass, sim)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], email_login(user))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"{user.email} · {family.name}"


async def test_account_without_family_aborts(
    hass: HomeAssistant, sim: CloudSimulator, mock_setup_entry: AsyncMock
) -> None:
    """An account that belongs to no home cannot be added."""
    user = user_with_families(sim, 0)
    result = await start_login(hass, sim)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], phone_login(user))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_families"
    mock_setup_entry.assert_not_called()


@pytest.mark.parametrize("region", ["china", "overseas"])
@pytest.mark.usefixtures("china_is_sim")
async def test_named_region_skips_endpoint_step(
    hass: HomeAssistant, sim: CloudSimulator, mock_setup_entry: AsyncMock, region: str
) -> None:
    """A named region goes straight to the login and stores that region's endpoints."""
    user = user_with_families(sim, 1)
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], app_input(sim, region)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "login"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], phone_login(user))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = result["data"]
    assert data[CONF_REGION] == region
    assert data[CONF_API_URL] == REGIONS[region].api_url  # type: ignore[index]
    assert data[CONF_WS_URL] == REGIONS[region].ws_url  # type: ignore[index]


@pytest.mark.parametrize(
    ("api_url", "ws_url", "errors"),
    [
        ("ftp://127.0.0.1/api", "ws://127.0.0.1/ws", {CONF_API_URL: "invalid_url"}),
        ("127.0.0.1:8780/api/exploreropen", "ws://h/ws", {CONF_API_URL: "invalid_url"}),
        ("http://127.0.0.1/api", "http://127.0.0.1/ws", {CONF_WS_URL: "invalid_url"}),
        ("https://h/api", "wss://", {CONF_WS_URL: "invalid_url"}),
        ("http://", "not a url", {CONF_API_URL: "invalid_url", CONF_WS_URL: "invalid_url"}),
    ],
)
async def test_endpoint_invalid_url(
    hass: HomeAssistant,
    sim: CloudSimulator,
    api_url: str,
    ws_url: str,
    errors: dict[str, str],
) -> None:
    """A URL without host or with the wrong scheme is flagged on its own field and kept."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], app_input(sim))
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_URL: api_url, CONF_WS_URL: ws_url}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "endpoint"
    assert result["errors"] == errors
    assert suggested(result, CONF_API_URL) == api_url
    assert suggested(result, CONF_WS_URL) == ws_url
    # Corrected, the flow goes on.
    result = await hass.config_entries.flow.async_configure(result["flow_id"], endpoint_input(sim))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "login"
    assert not result["errors"]


# Login errors.


@pytest.mark.parametrize(
    "changes",
    [{CONF_APP_SECRET: "WrongSecret"}, {CONF_APP_KEY: "UnknownAppKey"}],
    ids=["wrong_secret", "unknown_key"],
)
@pytest.mark.parametrize("password", [True, False], ids=["password", "code"])
async def test_invalid_app_returns_to_user_step(
    hass: HomeAssistant,
    sim: CloudSimulator,
    mock_setup_entry: AsyncMock,
    changes: dict[str, str],
    password: bool,
) -> None:
    """Rejected app keys show the user form again: values kept, AppSecret not offered back."""
    user = user_with_families(sim, 1)
    result = await start_login(hass, sim, **changes)
    login = phone_login(user, None if password else "")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], login)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": "invalid_app"}
    assert suggested(result, CONF_REGION) == "custom"
    assert suggested(result, CONF_APP_KEY) == changes.get(CONF_APP_KEY, sim.app_key)
    assert suggested(result, CONF_APP_SECRET) is None

    # Corrected, the endpoints and the account are offered again, the password is not.
    result = await hass.config_entries.flow.async_configure(result["flow_id"], app_input(sim))
    assert result["step_id"] == "endpoint"
    assert suggested(result, CONF_API_URL) == sim.api_url
    assert suggested(result, CONF_WS_URL) == sim.ws_url
    result = await hass.config_entries.flow.async_configure(result["flow_id"], endpoint_input(sim))
    assert result["step_id"] == "login"
    assert not result["errors"]
    assert suggested(result, CONF_ACCOUNT) == user.phone
    assert suggested(result, CONF_ACCOUNT_TYPE) == "phone"
    assert suggested(result, CONF_PASSWORD) is None
    result = await hass.config_entries.flow.async_configure(result["flow_id"], phone_login(user))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_APP_SECRET] == sim.app_secret
    assert result["data"][CONF_APP_KEY] == sim.app_key


async def test_wrong_password_invalid_auth(
    hass: HomeAssistant, sim: CloudSimulator, mock_setup_entry: AsyncMock
) -> None:
    """A wrong password keeps the login form with its values, minus the password."""
    user = sim.demo_user
    result = await start_login(hass, sim)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], email_login(user, "Wrong@0000")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "login"
    assert result["errors"] == {"base": "invalid_auth"}
    assert suggested(result, CONF_ACCOUNT_TYPE) == "email"
    assert suggested(result, CONF_ACCOUNT) == user.email
    assert suggested(result, CONF_COUNTRY_CODE) == "86"
    assert suggested(result, CONF_PASSWORD) is None
    result = await hass.config_entries.flow.async_configure(result["flow_id"], email_login(user))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "family"
    assert not result.get("errors")


@pytest.mark.parametrize("password", ["Any@1234", ""], ids=["password", "code"])
async def test_unknown_account_invalid_auth(
    hass: HomeAssistant, sim: CloudSimulator, mock_setup_entry: AsyncMock, password: str
) -> None:
    """An account the cloud does not know is rejected, with a password or a code."""
    result = await start_login(hass, sim)
    login = {
        CONF_ACCOUNT_TYPE: "phone",
        CONF_COUNTRY_CODE: "852",
        CONF_ACCOUNT: "55550000",
        CONF_PASSWORD: password,
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], login)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "login"
    assert result["errors"] == {"base": "invalid_auth"}
    assert suggested(result, CONF_COUNTRY_CODE) == "852"
    assert suggested(result, CONF_ACCOUNT) == "55550000"
    assert suggested(result, CONF_PASSWORD) is None


@pytest.mark.parametrize("password", [True, False], ids=["password", "code"])
async def test_closed_port_cannot_connect(
    hass: HomeAssistant,
    sim: CloudSimulator,
    closed_urls: tuple[str, str],
    mock_setup_entry: AsyncMock,
    password: bool,
) -> None:
    """An endpoint nobody listens on: cannot_connect on the login form."""
    user = sim.demo_user
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], app_input(sim))
    api_url, ws_url = closed_urls
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_URL: api_url, CONF_WS_URL: ws_url}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], phone_login(user, None if password else "")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "login"
    assert result["errors"] == {"base": "cannot_connect"}
    assert suggested(result, CONF_ACCOUNT) == user.phone
    assert suggested(result, CONF_PASSWORD) is None


@pytest.mark.parametrize(
    ("password", "action"),
    [(True, "AppGetToken"), (False, "AppSendVerificationCode")],
    ids=["password", "code"],
)
async def test_server_error_cannot_connect(
    hass: HomeAssistant,
    sim: CloudSimulator,
    mock_setup_entry: AsyncMock,
    password: bool,
    action: str,
) -> None:
    """An HTTP 500 from the cloud is cannot_connect; the next try succeeds."""
    user = user_with_families(sim, 1)
    result = await start_login(hass, sim)
    sim.fail_next(action=action)
    login = phone_login(user, None if password else "")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], login)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "login"
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], login)
    if password:
        assert result["type"] is FlowResultType.CREATE_ENTRY
    else:
        assert result["step_id"] == "verification_code"


async def test_other_cloud_error_unknown(
    hass: HomeAssistant, sim: CloudSimulator, mock_setup_entry: AsyncMock
) -> None:
    """A cloud error that is neither app, auth nor connection is `unknown`."""
    result = await start_login(hass, sim)
    # A blank phone number: the cloud answers ErrorRequiredParamNotFound.
    login = phone_login(sim.demo_user)
    login[CONF_ACCOUNT] = "   "
    result = await hass.config_entries.flow.async_configure(result["flow_id"], login)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "login"
    assert result["errors"] == {"base": "unknown"}
    assert suggested(result, CONF_PASSWORD) is None


async def test_duplicate_aborts(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """The same account and home cannot be added twice."""
    result = await start_login(hass, sim)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], phone_login(sim.demo_user)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_FAMILY_ID: config_entry.data[CONF_FAMILY_ID]}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert hass.config_entries.async_entries(DOMAIN) == [config_entry]
    mock_setup_entry.assert_not_called()


async def test_same_home_through_another_account_aborts(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """A member of an added home cannot add it again: both entries would build the same ids."""
    member = sim.state.users["2103481377"]  # Lily, of the demo user's home only
    assert [family.family_id for family in sim.state.families_of(member)] == [
        config_entry.data[CONF_FAMILY_ID]
    ]
    result = await start_login(hass, sim)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], phone_login(member))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "home_added_by_other_account"
    assert result["description_placeholders"] == {"home": "我的家 My Home"}
    assert hass.config_entries.async_entries(DOMAIN) == [config_entry]
    mock_setup_entry.assert_not_called()


async def test_other_home_of_an_account_next_to_an_added_one(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    mock_setup_entry: AsyncMock,
) -> None:
    """The account's other home is added next to the first: the check is per home."""
    other = next(
        family.family_id
        for family in sim.state.families_of(sim.demo_user)
        if family.family_id != config_entry.data[CONF_FAMILY_ID]
    )
    result = await start_login(hass, sim)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], phone_login(sim.demo_user)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_FAMILY_ID: other}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_FAMILY_ID] == other


# Verification code login.


@pytest.mark.parametrize("kind", ["phone", "email"])
async def test_verification_code_login(
    hass: HomeAssistant, sim: CloudSimulator, mock_setup_entry: AsyncMock, kind: str
) -> None:
    """An empty password sends a code; a wrong code is invalid_auth, the right one logs in."""
    user = user_with_families(sim, 1)
    result = await start_login(hass, sim)
    login = phone_login(user, "") if kind == "phone" else email_login(user, "")
    assert sim.last_verification_code() is None
    result = await hass.config_entries.flow.async_configure(result["flow_id"], login)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "verification_code"
    assert not result["errors"]
    assert fields(result) == {CONF_CODE}
    assert placeholder(result, CONF_ACCOUNT) == login[CONF_ACCOUNT]
    code = sim.last_verification_code()
    assert code

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CODE: "000000" if code != "000000" else "111111"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "verification_code"
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CODE: f" {code} "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = result["data"]
    assert set(data) == ENTRY_KEYS
    assert data[CONF_ACCOUNT_TYPE] == kind
    assert data[CONF_PASSWORD] == ""
    assert data[CONF_USER_ID] == user.user_id
    assert data[CONF_ACCESS_TOKEN] in sim.state.sessions
    assert data[CONF_TOKEN_EXPIRE_AT] == sim.state.sessions[data[CONF_ACCESS_TOKEN]].expire_at
    mock_setup_entry.assert_awaited_once()


async def test_verification_code_then_family(
    hass: HomeAssistant, sim: CloudSimulator, mock_setup_entry: AsyncMock
) -> None:
    """A code login of an account with two homes continues to the family step."""
    user = sim.demo_user
    result = await start_login(hass, sim)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], phone_login(user, "")
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CODE: sim.last_verification_code()}
    )
    assert result["step_id"] == "family"
    family_id = home_family_id(sim)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_FAMILY_ID: family_id}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == f"{user.user_id}/{family_id}"


# Re-authentication.


async def test_reauth_with_password(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """The password changed in the app: a wrong one is refused, the new one is stored."""
    entry = setup_integration
    old_token = entry.data[CONF_ACCESS_TOKEN]
    old_password = sim.demo_user.password
    sim.set_password(NEW_PASSWORD)
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert placeholder(result, CONF_ACCOUNT) == sim.phone_account.account
    assert fields(result) == {CONF_PASSWORD}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: old_password}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: NEW_PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_PASSWORD] == NEW_PASSWORD
    assert entry.data[CONF_ACCESS_TOKEN] != old_token
    assert entry.data[CONF_ACCESS_TOKEN] in sim.state.sessions
    assert set(entry.data) == ENTRY_KEYS
    unchanged = ENTRY_KEYS - {CONF_PASSWORD, CONF_ACCESS_TOKEN, CONF_TOKEN_EXPIRE_AT}
    old = entry_data(sim)
    assert {key: entry.data[key] for key in unchanged} == {key: old[key] for key in unchanged}
    # The entry was reloaded with the new login.
    assert entry.state is ConfigEntryState.LOADED
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_reauth_with_code(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """An empty password logs in with a code; the entry keeps no password then."""
    entry = setup_integration
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_PASSWORD: ""})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "verification_code"
    assert placeholder(result, CONF_ACCOUNT) == sim.phone_account.account
    code = sim.last_verification_code()
    assert code

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_CODE: "0"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "verification_code"
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_CODE: code})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_PASSWORD] == ""
    token = entry.data[CONF_ACCESS_TOKEN]
    assert entry.data[CONF_TOKEN_EXPIRE_AT] == sim.state.sessions[token].expire_at
    assert entry.data[CONF_USER_ID] == sim.demo_user.user_id
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.client.access_token == token


async def test_reauth_send_code_fails(
    hass: HomeAssistant, sim: CloudSimulator, config_entry: MockConfigEntry
) -> None:
    """A code that cannot be sent keeps the reauth form with the error."""
    result = await config_entry.start_reauth_flow(hass)
    sim.fail_next(action="AppSendVerificationCode")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_PASSWORD: ""})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "cannot_connect"}
    assert placeholder(result, CONF_ACCOUNT) == sim.phone_account.account
    assert config_entry.data == entry_data(sim)


async def test_reauth_invalid_app_stays_on_reauth(hass: HomeAssistant, sim: CloudSimulator) -> None:
    """With a stale AppSecret reauth shows invalid_app on its own form (reconfigure fixes it)."""
    entry = add_entry(hass, {**entry_data(sim), CONF_APP_SECRET: "StaleSecret"})
    result = await entry.start_reauth_flow(hass)
    for password in ("", sim.demo_user.password):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_PASSWORD: password}
        )
        assert result["type"] is FlowResultType.FORM
        assert result["step_id"] == "reauth_confirm"
        assert result["errors"] == {"base": "invalid_app"}


async def test_reauth_wrong_account(hass: HomeAssistant, sim: CloudSimulator) -> None:
    """The stored phone number now logs into another account: wrong_account, nothing stored."""
    other = user_with_families(sim, 1)
    data = {
        **entry_data(sim),
        CONF_COUNTRY_CODE: other.country_code,
        CONF_ACCOUNT: other.phone,
        CONF_PASSWORD: "",
    }
    entry = add_entry(hass, data)
    result = await entry.start_reauth_flow(hass)
    assert placeholder(result, CONF_ACCOUNT) == other.phone
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: other.password}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data == data


async def test_reauth_started_when_login_is_rejected(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Token revoked and password changed: HA starts reauth, the new password repairs it."""
    entry = setup_integration
    sim.set_password(NEW_PASSWORD)
    sim.expire_tokens(revoke=True)
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert len(flows) == 1
    assert flows[0]["context"]["source"] == SOURCE_REAUTH
    assert flows[0]["step_id"] == "reauth_confirm"

    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {CONF_PASSWORD: NEW_PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.data[CONF_PASSWORD] == NEW_PASSWORD
    assert entry.data[CONF_ACCESS_TOKEN] in sim.state.sessions


# Reconfiguration.


async def test_reconfigure_form(hass: HomeAssistant, config_entry: MockConfigEntry) -> None:
    """The form offers the stored region and AppKey, never the AppSecret, which is optional."""
    result = await config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert not result["errors"]
    assert fields(result) == {CONF_REGION, CONF_APP_KEY, CONF_APP_SECRET}
    assert suggested(result, CONF_REGION) == "custom"
    assert suggested(result, CONF_APP_KEY) == config_entry.data[CONF_APP_KEY]
    assert suggested(result, CONF_APP_SECRET) is None
    schema = result["data_schema"]
    assert schema is not None
    assert CONF_APP_SECRET not in schema({CONF_REGION: "custom", CONF_APP_KEY: "k"})


async def test_reconfigure_new_app_secret(hass: HomeAssistant, sim: CloudSimulator) -> None:
    """The app's secret was rotated: the new one is stored, the entry kept and reloaded."""
    old = {**entry_data(sim), CONF_APP_SECRET: "RotatedAway"}
    entry = add_entry(hass, old)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], app_input(sim))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "endpoint"
    assert suggested(result, CONF_API_URL) == sim.api_url
    assert suggested(result, CONF_WS_URL) == sim.ws_url
    result = await hass.config_entries.flow.async_configure(result["flow_id"], endpoint_input(sim))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert hass.config_entries.async_entries(DOMAIN) == [entry]
    assert set(entry.data) == ENTRY_KEYS
    assert entry.data[CONF_APP_SECRET] == sim.app_secret
    assert entry.data[CONF_ACCESS_TOKEN] in sim.state.sessions
    unchanged = ENTRY_KEYS - {CONF_APP_SECRET, CONF_ACCESS_TOKEN, CONF_TOKEN_EXPIRE_AT}
    assert {key: entry.data[key] for key in unchanged} == {key: old[key] for key in unchanged}
    assert entry.state is ConfigEntryState.LOADED


async def test_reconfigure_region_to_custom_keeps_secret(
    hass: HomeAssistant, sim: CloudSimulator
) -> None:
    """From a named region to custom endpoints; an empty AppSecret keeps the stored one."""
    china = REGIONS["china"]
    old = {
        **entry_data(sim),
        CONF_REGION: "china",
        CONF_API_URL: china.api_url,
        CONF_WS_URL: china.ws_url,
    }
    entry = add_entry(hass, old)
    result = await entry.start_reconfigure_flow(hass)
    assert suggested(result, CONF_REGION) == "china"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_REGION: "custom", CONF_APP_KEY: sim.app_key}
    )
    assert result["step_id"] == "endpoint"
    assert suggested(result, CONF_API_URL) == china.api_url
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_URL: "ftp://x", CONF_WS_URL: sim.ws_url}
    )
    assert result["step_id"] == "endpoint"
    assert result["errors"] == {CONF_API_URL: "invalid_url"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], endpoint_input(sim))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_REGION] == "custom"
    assert entry.data[CONF_API_URL] == sim.api_url
    assert entry.data[CONF_WS_URL] == sim.ws_url
    assert entry.data[CONF_APP_SECRET] == old[CONF_APP_SECRET]
    assert entry.data[CONF_USER_ID] == old[CONF_USER_ID]
    assert entry.data[CONF_FAMILY_ID] == old[CONF_FAMILY_ID]
    assert entry.unique_id == f"{old[CONF_USER_ID]}/{old[CONF_FAMILY_ID]}"
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.usefixtures("china_is_sim")
async def test_reconfigure_to_named_region(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """A named region needs no endpoint step; its URLs replace the custom ones."""
    entry = setup_integration
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_REGION: "overseas", CONF_APP_KEY: sim.app_key}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_REGION] == "overseas"
    assert entry.data[CONF_API_URL] == REGIONS["overseas"].api_url
    assert entry.data[CONF_APP_SECRET] == sim.app_secret
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    "changes",
    [{CONF_APP_SECRET: "WrongSecret"}, {CONF_APP_KEY: "UnknownAppKey"}],
    ids=["wrong_secret", "unknown_key"],
)
async def test_reconfigure_invalid_app(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    changes: dict[str, str],
) -> None:
    """Rejected keys show the reconfigure form with invalid_app; nothing is stored."""
    result = await config_entry.start_reconfigure_flow(hass)
    result = await submit_app_and_endpoint(hass, result, sim, **changes)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": "invalid_app"}
    assert suggested(result, CONF_APP_KEY) == changes.get(CONF_APP_KEY, sim.app_key)
    assert suggested(result, CONF_REGION) == "custom"
    assert suggested(result, CONF_APP_SECRET) is None
    assert config_entry.data == entry_data(sim)

    # Corrected, it goes through.
    result = await submit_app_and_endpoint(hass, result, sim)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()


async def test_reconfigure_cannot_connect(
    hass: HomeAssistant,
    sim: CloudSimulator,
    config_entry: MockConfigEntry,
    closed_urls: tuple[str, str],
) -> None:
    """Endpoints nobody listens on: cannot_connect, the entry unchanged."""
    result = await config_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], app_input(sim))
    api_url, ws_url = closed_urls
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_URL: api_url, CONF_WS_URL: ws_url}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": "cannot_connect"}
    assert config_entry.data == entry_data(sim)


async def test_reconfigure_wrong_account(
    hass: HomeAssistant,
    sim: CloudSimulator,
    other_cloud: CloudSimulator,
    config_entry: MockConfigEntry,
) -> None:
    """Another deployment where the account is a different user: wrong_account."""
    result = await config_entry.start_reconfigure_flow(hass)
    result = await submit_app_and_endpoint(hass, result, other_cloud)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert config_entry.data == entry_data(sim)


@pytest.mark.parametrize("stored_password", [True, False], ids=["password", "token_only"])
async def test_reconfigure_stale_login_needs_reauth(
    hass: HomeAssistant, sim: CloudSimulator, stored_password: bool
) -> None:
    """The keys work but the stored login does not: reauth_required, nothing stored."""
    data = entry_data(sim)
    if stored_password:
        sim.set_password(NEW_PASSWORD)
    else:
        data[CONF_PASSWORD] = ""
        data[CONF_ACCESS_TOKEN] = "RevokedToken"
        data[CONF_TOKEN_EXPIRE_AT] = 4_102_444_800
    entry = add_entry(hass, data)
    result = await entry.start_reconfigure_flow(hass)
    result = await submit_app_and_endpoint(hass, result, sim)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_required"
    assert entry.data == data


# Options.


async def test_options_flow(
    hass: HomeAssistant, sim: CloudSimulator, setup_integration: MockConfigEntry
) -> None:
    """Push, rooms, following rooms and history days are stored; the entry reloads with them."""
    entry = setup_integration
    coordinator = entry.runtime_data.coordinator
    family = sim.state.families[coordinator.family_id]
    result = await open_settings(hass, entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "settings"
    assert fields(result) == {CONF_USE_PUSH, CONF_ROOMS, CONF_FOLLOW_ROOMS, CONF_HISTORY_DAYS}
    assert select_options(result, CONF_ROOMS) == [
        {"value": room.room_id, "label": room.name} for room in family.rooms.values()
    ]
    schema = result["data_schema"]
    assert schema is not None
    assert schema({}) == {
        CONF_USE_PUSH: True,
        CONF_ROOMS: [],
        CONF_FOLLOW_ROOMS: False,
        CONF_HISTORY_DAYS: 7,
    }

    room_id = next(
        room_id
        for room_id in family.rooms
        if any(sim.state.devices[d].room_id == room_id for d in family.device_ids)
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_USE_PUSH: False,
            CONF_ROOMS: [room_id],
            CONF_FOLLOW_ROOMS: True,
            CONF_HISTORY_DAYS: 3.0,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    expected = {
        CONF_USE_PUSH: False,
        CONF_ROOMS: [room_id],
        CONF_FOLLOW_ROOMS: True,
        CONF_HISTORY_DAYS: 3,
    }
    assert result["data"] == expected
    assert type(result["data"][CONF_HISTORY_DAYS]) is int
    await hass.async_block_till_done()
    assert entry.options == expected

    # Reloaded: a new coordinator without push, polling at its own pace, only that room.
    assert entry.state is ConfigEntryState.LOADED
    reloaded = entry.runtime_data.coordinator
    assert reloaded is not coordinator
    assert reloaded.update_interval == timedelta(seconds=60)
    assert reloaded.push is None
    in_room = {d for d in family.device_ids if sim.state.devices[d].room_id == room_id}
    assert in_room <= set(reloaded.devices)
    assert len(reloaded.devices) < len(family.device_ids)

    # The form offers the stored options back.
    result = await open_settings(hass, entry)
    assert suggested(result, CONF_USE_PUSH) is False
    assert suggested(result, CONF_ROOMS) == [room_id]
    assert suggested(result, CONF_FOLLOW_ROOMS) is True
    assert suggested(result, CONF_HISTORY_DAYS) == 3


@pytest.mark.parametrize("days", [-1, 31])
async def test_options_history_days_range(
    hass: HomeAssistant, setup_integration: MockConfigEntry, days: int
) -> None:
    """Days of history outside 0-30 are refused by the form."""
    result = await open_settings(hass, setup_integration)
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_USE_PUSH: True, CONF_HISTORY_DAYS: days}
        )
    assert setup_integration.options == {}


async def test_unexpected_failure_is_unknown_and_logged(
    hass: HomeAssistant,
    sim: CloudSimulator,
    mock_setup_entry: AsyncMock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failure that is not the cloud's (a bug) is `unknown`, with its traceback in the log.

    No cloud answer makes one, so the login step itself fails here.
    """

    async def failing_login(*_args: Any) -> None:
        raise RuntimeError("a bug")

    result = await start_login(hass, sim)
    monkeypatch.setattr(config_flow, "async_login", failing_login)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], phone_login(sim.demo_user)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error during login" in caplog.text
    assert "RuntimeError: a bug" in caplog.text
