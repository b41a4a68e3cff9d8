"""Config flow for Tencent IoT Explorer: app keys, endpoint, account login and family."""

from collections.abc import Iterable, Mapping
from typing import Any, Final, override
from urllib.parse import urlsplit

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio

from .api import (
    CloudClient,
    Family,
    NumberDefine,
    Product,
    Property,
    TencentIoTAccountLockedError,
    TencentIoTConnectionError,
    TencentIoTError,
    TencentIoTInvalidApp,
    TencentIoTInvalidCredentials,
    TencentIoTNotSupportedError,
    TencentIoTTokenError,
    TencentIoTWrongPasswordError,
    Token,
    User,
)
from .api.quectel import ACCOUNT_FAMILY_ID
from .connection import (
    async_login,
    async_send_code,
    create_client,
    data_centre_endpoints,
    is_quectel,
    region_endpoints,
    token_data,
)
from .const import (
    ACCOUNT_TYPES,
    CLOUD_QUECTEL,
    CONF_ACCESS_TOKEN,
    CONF_ACCOUNT,
    CONF_ACCOUNT_TYPE,
    CONF_API_URL,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    CONF_CLOUD,
    CONF_CODE,
    CONF_COUNTRY_CODE,
    CONF_DATA_CENTRE,
    CONF_FAMILY_ID,
    CONF_FOLLOW_ROOMS,
    CONF_HISTORY_DAYS,
    CONF_OVERRIDES,
    CONF_PASSWORD,
    CONF_REFRESH_EXPIRE_AT,
    CONF_REFRESH_TOKEN,
    CONF_REGION,
    CONF_ROOMS,
    CONF_TOKEN_EXPIRE_AT,
    CONF_USE_PUSH,
    CONF_USER_DOMAIN,
    CONF_USER_DOMAIN_SECRET,
    CONF_USER_ID,
    CONF_WS_URL,
    DATA_CENTRE_CUSTOM,
    DATA_CENTRES,
    DEFAULT_COUNTRY_CODE,
    DEFAULT_HISTORY_DAYS,
    DOMAIN,
    LOGGER,
    MAX_HISTORY_DAYS,
    REGION_CUSTOM,
    REGIONS,
)
from .customise import (
    async_follow_overrides,
    description_of,
    options_overrides,
    options_with,
    options_without,
    product_mapping,
    stored_overrides,
)
from .mapping import device_mapping
from .mapping.descriptions import TencentIoTEntityDescription
from .mapping.overrides import (
    DEVICE_CLASS,
    ENABLED,
    ENTITY_TYPE,
    KNOWN_UNITS,
    MAX_PRECISION,
    PRECISION,
    SCALE,
    UNIT,
    EntityType,
    PropertyOverride,
    allowed_units,
    device_classes,
    entity_types,
    problems,
    typed_description,
)
from .mapping.report import Decision
from .models import TencentIoTConfigEntry

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_REGION = SelectSelector(SelectSelectorConfig(options=list(REGIONS), translation_key=CONF_REGION))
# The first step's choice: a Tencent region, or a Quectel app (whose step follows).
_REGION_OR_CLOUD = SelectSelector(
    SelectSelectorConfig(options=[*REGIONS, CLOUD_QUECTEL], translation_key=CONF_REGION)
)
_DATA_CENTRE = SelectSelector(
    SelectSelectorConfig(options=list(DATA_CENTRES), translation_key=CONF_DATA_CENTRE)
)
_ACCOUNT_TYPE = SelectSelector(
    SelectSelectorConfig(
        options=list(ACCOUNT_TYPES),
        translation_key=CONF_ACCOUNT_TYPE,
        mode=SelectSelectorMode.LIST,
    )
)

APP_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_REGION, default="china"): _REGION,
        probatio.Required(CONF_APP_KEY): str,
        probatio.Required(CONF_APP_SECRET): _PASSWORD,
    }
)
# A Quectel app has no AppKey: the keys are asked for (and checked) only for a Tencent one.
USER_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_REGION, default="china"): _REGION_OR_CLOUD,
        probatio.Optional(CONF_APP_KEY): str,
        probatio.Optional(CONF_APP_SECRET): _PASSWORD,
    }
)
QUECTEL_APP_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_DATA_CENTRE, default="europe"): _DATA_CENTRE,
        probatio.Required(CONF_USER_DOMAIN): str,
        probatio.Required(CONF_USER_DOMAIN_SECRET): _PASSWORD,
    }
)
ENDPOINT_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_API_URL): _URL,
        probatio.Required(CONF_WS_URL): _URL,
    }
)
LOGIN_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_ACCOUNT_TYPE, default="phone"): _ACCOUNT_TYPE,
        probatio.Required(CONF_COUNTRY_CODE, default=DEFAULT_COUNTRY_CODE): str,
        probatio.Required(CONF_ACCOUNT): str,
        probatio.Optional(CONF_PASSWORD, default=""): _PASSWORD,
    }
)
# Without a login by code, the password is required.
PASSWORD_LOGIN_SCHEMA = LOGIN_SCHEMA.extend(
    {
        probatio.Required(CONF_ACCOUNT_TYPE, default="email"): _ACCOUNT_TYPE,
        probatio.Required(CONF_PASSWORD): _PASSWORD,
    }
)
CODE_SCHEMA = probatio.Schema({probatio.Required(CONF_CODE): str})
REAUTH_SCHEMA = probatio.Schema({probatio.Optional(CONF_PASSWORD, default=""): _PASSWORD})
PASSWORD_REAUTH_SCHEMA = probatio.Schema({probatio.Required(CONF_PASSWORD): _PASSWORD})

# Entry data of each cloud: what was entered, the account's ids and its tokens.
_ACCOUNT_KEYS: Final = (
    CONF_API_URL,
    CONF_WS_URL,
    CONF_ACCOUNT_TYPE,
    CONF_COUNTRY_CODE,
    CONF_ACCOUNT,
    CONF_PASSWORD,
    CONF_USER_ID,
    CONF_FAMILY_ID,
    CONF_ACCESS_TOKEN,
    CONF_TOKEN_EXPIRE_AT,
)
TENCENT_KEYS: Final = (CONF_REGION, CONF_APP_KEY, CONF_APP_SECRET, *_ACCOUNT_KEYS)
QUECTEL_KEYS: Final = (
    CONF_CLOUD,
    CONF_DATA_CENTRE,
    CONF_USER_DOMAIN,
    CONF_USER_DOMAIN_SECRET,
    *_ACCOUNT_KEYS,
    CONF_REFRESH_TOKEN,
    CONF_REFRESH_EXPIRE_AT,
)
# Quectel's code of a refused login signature: the user domain secret is wrong.
_SIGNATURE_REFUSED: Final = "5420"

# The options flow's pickers of the product and the property to customise.
CONF_PRODUCT = "product"
CONF_PROPERTY = "property"
# How a property without an entity (hidden) shows in the pickers.
_NO_ENTITY = "-"

# Values never offered back in a re-shown form.
_SECRETS = (CONF_APP_SECRET, CONF_USER_DOMAIN_SECRET, CONF_PASSWORD, CONF_CODE)


def _url_ok(url: str, schemes: tuple[str, ...]) -> bool:
    parts = urlsplit(url)
    return parts.scheme in schemes and bool(parts.netloc)


def _url_errors(user_input: Mapping[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not _url_ok(user_input[CONF_API_URL], ("http", "https")):
        errors[CONF_API_URL] = "invalid_url"
    if not _url_ok(user_input[CONF_WS_URL], ("ws", "wss")):
        errors[CONF_WS_URL] = "invalid_url"
    return errors


def _without_secrets(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if key not in _SECRETS}


class TencentIoTConfigFlow(ConfigFlow, domain=DOMAIN):
    """Log in to a Tencent IoT Explorer or Quectel app and pick a family."""

    VERSION = 1
    # 1.2: the poll interval is no longer an option (async_migrate_entry drops it).
    MINOR_VERSION = 2

    def __init__(self) -> None:
        """Start with nothing entered."""
        self._data: dict[str, Any] = {}
        self._client: CloudClient | None = None
        self._user: User | None = None
        self._families: dict[str, Family] = {}
        # What the last error message names (attempts left, minutes locked).
        self._error_placeholders: dict[str, str] = {}

    @staticmethod
    @callback
    @override
    def async_get_options_flow(config_entry: TencentIoTConfigEntry) -> OptionsFlowHandler:
        """Options: push, rooms and history."""
        return OptionsFlowHandler()

    @property
    def _quectel(self) -> bool:
        return is_quectel(self._data)

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the region and the app's AppKey and AppSecret, or for a Quectel app."""
        if user_input is not None:
            if user_input[CONF_REGION] == CLOUD_QUECTEL:
                self._data = {CONF_CLOUD: CLOUD_QUECTEL}
                return await self.async_step_quectel_app()
            if missing := {
                key: "required"
                for key in (CONF_APP_KEY, CONF_APP_SECRET)
                if not user_input.get(key, "").strip()
            }:
                return self._show_app_form("user", user_input, missing)
            self._data.update(user_input)
            if user_input[CONF_REGION] == REGION_CUSTOM:
                return await self.async_step_endpoint()
            self._data.update(region_endpoints(user_input[CONF_REGION]))
            return await self._async_after_app_step()
        return self._show_app_form("user")

    async def async_step_quectel_app(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the Quectel app's data centre, user domain and user domain secret."""
        if user_input is None:
            return self._show_app_form("quectel_app")
        self._data.update(user_input)
        self._data[CONF_USER_DOMAIN] = user_input[CONF_USER_DOMAIN].strip()
        return await self._async_endpoints_of(user_input[CONF_DATA_CENTRE])

    async def async_step_endpoint(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the HTTP and WebSocket URLs of a custom deployment."""
        return await self._async_endpoint_step("endpoint", user_input)

    async def async_step_quectel_endpoint(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the HTTP and WebSocket URLs of a Quectel data centre not listed."""
        return await self._async_endpoint_step("quectel_endpoint", user_input)

    async def _async_endpoint_step(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None and not (errors := _url_errors(user_input)):
            self._data.update({key: value.rstrip("/") for key, value in user_input.items()})
            return await self._async_after_app_step()
        suggested = user_input or {
            key: self._data[key] for key in (CONF_API_URL, CONF_WS_URL) if key in self._data
        }
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(ENDPOINT_SCHEMA, suggested),
            errors=errors,
        )

    async def _async_endpoints_of(self, data_centre: str) -> ConfigFlowResult:
        """The URLs of a named Quectel data centre, or the step asking for custom ones."""
        if data_centre == DATA_CENTRE_CUSTOM:
            return await self.async_step_quectel_endpoint()
        self._data.update(data_centre_endpoints(data_centre))
        return await self._async_after_app_step()

    async def _async_after_app_step(self) -> ConfigFlowResult:
        if self.source == SOURCE_RECONFIGURE:
            return await self._async_finish_reconfigure()
        return await self.async_step_login()

    async def async_step_login(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the account and its password (empty: log in with a code, where there is one)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            self._data.update(user_input)
            self._data[CONF_ACCOUNT] = user_input[CONF_ACCOUNT].strip()
            if not user_input.get(CONF_PASSWORD):
                return await self._async_send_code("login")
            if (result := await self._async_login("login", errors)) is not None:
                return result
        return self._show_login_form(user_input or self._data, errors)

    async def async_step_verification_code(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the verification code the cloud sent to the account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            code = user_input[CONF_CODE].strip()
            if (result := await self._async_login("verification_code", errors, code)) is not None:
                return result
        return self._show_account_form("verification_code", CODE_SCHEMA, errors)

    async def async_step_family(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask which family (home) of the account to add."""
        if user_input is not None:
            return await self._async_create(self._families[user_input[CONF_FAMILY_ID]])
        options = [
            SelectOptionDict(value=family.family_id, label=family.name)
            for family in self._families.values()
        ]
        return self.async_show_form(
            step_id="family",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_FAMILY_ID): SelectSelector(
                        SelectSelectorConfig(options=options, mode=SelectSelectorMode.LIST)
                    )
                }
            ),
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start re-authentication when the stored login stopped working."""
        self._data = dict(entry_data)
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the password again (empty: log in with a code, where there is one)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            self._data[CONF_PASSWORD] = user_input.get(CONF_PASSWORD, "")
            if not self._data[CONF_PASSWORD]:
                return await self._async_send_code("reauth_confirm")
            if (result := await self._async_login("reauth_confirm", errors)) is not None:
                return result
        return self._show_account_form("reauth_confirm", self._reauth_schema, errors)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the region, endpoints or app keys of an entry."""
        entry = self._get_reconfigure_entry()
        if is_quectel(entry.data):
            return await self.async_step_reconfigure_quectel()
        if user_input is not None:
            self._data = {**entry.data, **user_input}
            if not user_input.get(CONF_APP_SECRET):
                self._data[CONF_APP_SECRET] = entry.data[CONF_APP_SECRET]
            if user_input[CONF_REGION] == REGION_CUSTOM:
                return await self.async_step_endpoint()
            self._data.update(region_endpoints(user_input[CONF_REGION]))
            return await self._async_finish_reconfigure()
        return self._show_app_form("reconfigure", entry.data)

    async def async_step_reconfigure_quectel(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the data centre, endpoints, user domain or secret of a Quectel entry."""
        entry = self._get_reconfigure_entry()
        if user_input is None:
            return self._show_app_form("reconfigure_quectel", entry.data)
        self._data = {**entry.data, **user_input}
        self._data[CONF_USER_DOMAIN] = user_input[CONF_USER_DOMAIN].strip()
        if not user_input.get(CONF_USER_DOMAIN_SECRET):
            self._data[CONF_USER_DOMAIN_SECRET] = entry.data[CONF_USER_DOMAIN_SECRET]
        return await self._async_endpoints_of(user_input[CONF_DATA_CENTRE])

    def _show_app_form(
        self,
        step_id: str,
        values: Mapping[str, Any] | None = None,
        errors: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        """The form of the app's credentials: the first step's, Quectel's, or reconfigure's."""
        schema = {
            "user": USER_SCHEMA,
            "quectel_app": QUECTEL_APP_SCHEMA,
            "reconfigure": APP_SCHEMA.extend({probatio.Optional(CONF_APP_SECRET): _PASSWORD}),
            "reconfigure_quectel": QUECTEL_APP_SCHEMA.extend(
                {probatio.Optional(CONF_USER_DOMAIN_SECRET): _PASSWORD}
            ),
        }[step_id]
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, _without_secrets(values or {})),
            errors=errors,
        )

    def _app_step(self) -> str:
        """The step where the app's credentials are entered, for this flow and cloud."""
        if self.source == SOURCE_RECONFIGURE:
            return "reconfigure_quectel" if self._quectel else "reconfigure"
        return "quectel_app" if self._quectel else "user"

    async def _async_finish_reconfigure(self) -> ConfigFlowResult:
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if (user := await self._async_check_account(errors)) is not None:
            if user.user_id != entry.data[CONF_USER_ID]:
                return self.async_abort(reason="wrong_account")
            return self.async_update_reload_and_abort(entry, data=self._token_data())
        if errors.get("base") in ("invalid_auth", "wrong_password"):
            # The app keys work but the stored login does not: that is reauth's job.
            return self.async_abort(reason="reauth_required")
        return self._show_app_form(self._app_step(), self._data, errors)

    async def _async_check_account(self, errors: dict[str, str]) -> User | None:
        """Log in with the changed settings and read the account, filling errors on failure."""
        self._client = create_client(self.hass, self._data, on_token=self._store_token)
        try:
            if self._data.get(CONF_PASSWORD):
                await async_login(self._client, self._data)
            return await self._client.get_user()
        except Exception as err:  # noqa: BLE001
            self._fill_errors(err, errors)
        return None

    async def _async_send_code(self, return_step: str) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        self._client = create_client(self.hass, self._data)
        try:
            await async_send_code(self._client, self._data)
        except Exception as err:  # noqa: BLE001
            self._fill_errors(err, errors)
        if errors:
            return await self._async_show_error(return_step, errors)
        return await self.async_step_verification_code()

    async def _async_login(
        self, step_id: str, errors: dict[str, str], code: str | None = None
    ) -> ConfigFlowResult | None:
        """Log in, read the account and its families; None with errors filled on failure."""
        self._client = create_client(self.hass, self._data, on_token=self._store_token)
        try:
            await async_login(self._client, self._data, code)
            self._user = await self._client.get_user()
            if self.source == SOURCE_REAUTH:
                return self._finish_reauth(self._user)
            families = await self._client.get_families()
        except Exception as err:  # noqa: BLE001
            self._fill_errors(err, errors)
            if _app_rejected(errors) and step_id == "login":
                return self._show_app_form(self._app_step(), self._data, errors)
            return None
        if not families:
            return self.async_abort(reason="no_families")
        self._families = {family.family_id: family for family in families}
        if len(families) == 1:
            return await self._async_create(families[0])
        return await self.async_step_family()

    async def _async_show_error(self, step_id: str, errors: dict[str, str]) -> ConfigFlowResult:
        if _app_rejected(errors) and self.source != SOURCE_REAUTH:
            return self._show_app_form(self._app_step(), self._data, errors)
        if step_id == "reauth_confirm":
            return self._show_account_form(step_id, self._reauth_schema, errors)
        return self._show_login_form(self._data, errors)

    @property
    def _reauth_schema(self) -> probatio.Schema:
        return PASSWORD_REAUTH_SCHEMA if self._quectel else REAUTH_SCHEMA

    def _show_login_form(
        self, values: Mapping[str, Any], errors: dict[str, str]
    ) -> ConfigFlowResult:
        schema = PASSWORD_LOGIN_SCHEMA if self._quectel else LOGIN_SCHEMA
        return self.async_show_form(
            step_id="login",
            data_schema=self.add_suggested_values_to_schema(schema, _without_secrets(values)),
            errors=errors,
            description_placeholders=self._error_placeholders or None,
        )

    def _show_account_form(
        self, step_id: str, schema: probatio.Schema, errors: dict[str, str]
    ) -> ConfigFlowResult:
        """A form that names the account being logged in."""
        return self.async_show_form(
            step_id=step_id,
            data_schema=schema,
            errors=errors,
            description_placeholders={
                CONF_ACCOUNT: self._data[CONF_ACCOUNT],
                **self._error_placeholders,
            },
        )

    def _finish_reauth(self, user: User) -> ConfigFlowResult:
        entry = self._get_reauth_entry()
        if user.user_id != entry.data[CONF_USER_ID]:
            return self.async_abort(reason="wrong_account")
        return self.async_update_reload_and_abort(entry, data=self._token_data())

    async def _async_create(self, family: Family) -> ConfigFlowResult:
        user = self._user
        if user is None:  # pragma: no cover - the family step follows a login
            return self.async_abort(reason="unknown")
        await self.async_set_unique_id(f"{user.user_id}/{family.family_id}")
        self._abort_if_unique_id_configured()
        # The same home through another account would build the same devices and entities.
        # (An account without families has its own devices only, under the same id as others.)
        if family.family_id != ACCOUNT_FAMILY_ID and any(
            entry.data.get(CONF_FAMILY_ID) == family.family_id
            and is_quectel(entry.data) == self._quectel
            for entry in self._async_current_entries(include_ignore=False)
        ):
            return self.async_abort(
                reason="home_added_by_other_account",
                description_placeholders={"home": family.name},
            )
        self._data[CONF_USER_ID] = user.user_id
        self._data[CONF_FAMILY_ID] = family.family_id
        who = user.nick_name or self._data[CONF_ACCOUNT]
        # A Quectel account without family mode has one nameless home: its devices.
        title = f"{who} · {family.name}" if family.name else who
        return self.async_create_entry(title=title, data=self._token_data())

    @callback
    def _store_token(self, token: Token) -> None:
        if self._client is not None:
            self._data.update(token_data(self._client, token))

    def _token_data(self) -> dict[str, Any]:
        """Entry data: everything entered plus the token, minus transient values."""
        keys = QUECTEL_KEYS if self._quectel else TENCENT_KEYS
        return {key: self._data.get(key, "") for key in keys}

    def _fill_errors(self, err: Exception, errors: dict[str, str]) -> None:
        """The form errors (and what their messages name) of a failed login."""
        self._error_placeholders = {}
        match err:
            case TencentIoTInvalidApp() if self._quectel:
                if err.code == _SIGNATURE_REFUSED:
                    errors[CONF_USER_DOMAIN_SECRET] = "invalid_user_domain_secret"
                else:
                    errors[CONF_USER_DOMAIN] = "invalid_user_domain"
            case TencentIoTWrongPasswordError(attempts_left=int(left)):
                errors["base"] = "wrong_password"
                self._error_placeholders["attempts_left"] = str(left)
            case TencentIoTAccountLockedError():
                errors["base"] = "account_locked"
                self._error_placeholders["minutes"] = str(round((err.retry_after or 0) / 60))
            case TencentIoTNotSupportedError():
                errors["base"] = "password_required"
            case _:
                errors["base"] = self._error_key(err)

    @staticmethod
    def _error_key(err: Exception) -> str:
        if isinstance(err, TencentIoTInvalidApp):
            return "invalid_app"
        if isinstance(err, TencentIoTInvalidCredentials | TencentIoTTokenError):
            return "invalid_auth"
        if isinstance(err, TencentIoTConnectionError):
            return "cannot_connect"
        if isinstance(err, TencentIoTError):
            LOGGER.warning("The cloud refused the login: %s", err)
        else:
            LOGGER.exception("Unexpected error during login")
        return "unknown"


def _app_rejected(errors: Mapping[str, str]) -> bool:
    """Whether the app's credentials (not the account) were refused."""
    return errors.get("base") == "invalid_app" or bool(
        {CONF_USER_DOMAIN, CONF_USER_DOMAIN_SECRET} & errors.keys()
    )


class OptionsFlowHandler(OptionsFlowWithReload):
    """The entry's settings, and the customisation of its products' entities."""

    def __init__(self) -> None:
        """Nothing picked yet."""
        self._product: Product | None = None
        self._property: Property | None = None

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Offer the settings and customising a product; undoing it once there is any."""
        menu = ["settings", "customise"]
        if stored_overrides(self.config_entry.options):
            menu.append("reset")
        return self.async_show_menu(step_id="init", menu_options=menu)

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the settings form."""
        if user_input is not None:
            # The number selector hands back a float.
            user_input[CONF_HISTORY_DAYS] = int(user_input[CONF_HISTORY_DAYS])
            return self.async_create_entry(data={**self.config_entry.options, **user_input})
        entry: TencentIoTConfigEntry = self.config_entry
        rooms = [
            SelectOptionDict(value=room.room_id, label=room.name)
            for room in entry.runtime_data.coordinator.rooms.values()
        ]
        schema = probatio.Schema(
            {
                probatio.Required(CONF_USE_PUSH, default=True): BooleanSelector(),
                probatio.Optional(CONF_ROOMS, default=[]): SelectSelector(
                    SelectSelectorConfig(options=rooms, multiple=True)
                ),
                probatio.Required(CONF_FOLLOW_ROOMS, default=False): BooleanSelector(),
                probatio.Required(CONF_HISTORY_DAYS, default=DEFAULT_HISTORY_DAYS): NumberSelector(
                    NumberSelectorConfig(
                        min=0,
                        max=MAX_HISTORY_DAYS,
                        step=1,
                        unit_of_measurement="d",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="settings",
            data_schema=self.add_suggested_values_to_schema(schema, entry.options),
        )

    def _entry(self) -> TencentIoTConfigEntry:
        entry: TencentIoTConfigEntry = self.config_entry
        return entry

    def _products(self) -> dict[str, Product]:
        """The products of the home's devices, by ProductId."""
        states = self._entry().runtime_data.coordinator.devices.values()
        return {state.product.product_id: state.product for state in states}

    async def async_step_customise(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask which product to customise."""
        products = self._products()
        if not products:
            return self.async_abort(reason="no_products")
        if user_input is not None:
            self._product = products[user_input[CONF_PRODUCT]]
            return await self.async_step_customise_property()
        options = [
            SelectOptionDict(value=product_id, label=_product_label(product))
            for product_id, product in sorted(
                products.items(), key=lambda item: (item[1].name, item[0])
            )
        ]
        return self.async_show_form(
            step_id="customise",
            data_schema=probatio.Schema({probatio.Required(CONF_PRODUCT): _dropdown(options)}),
        )

    async def async_step_customise_property(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask which property of the product to customise."""
        if (product := self._product) is None:  # pragma: no cover - the product step sets it
            return self.async_abort(reason="no_products")
        properties = product.thing_model.properties
        if not properties:
            return self.async_abort(reason="no_properties")
        if user_input is not None:
            self._property = properties[user_input[CONF_PROPERTY]]
            return await self.async_step_customise_entity()
        decisions = product_mapping(self._entry(), product).decisions
        options = [
            SelectOptionDict(
                value=decision.property_id,
                label=_property_label(properties[decision.property_id], decision),
            )
            for decision in decisions
        ]
        return self.async_show_form(
            step_id="customise_property",
            data_schema=probatio.Schema({probatio.Required(CONF_PROPERTY): _dropdown(options)}),
            description_placeholders={CONF_PRODUCT: _product_label(product)},
        )

    async def async_step_customise_entity(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask what to change of the property's entity; check it fits before storing it."""
        product, prop = self._product, self._property
        if product is None or prop is None:  # pragma: no cover - the earlier steps set them
            return self.async_abort(reason="no_products")
        entry = self._entry()
        current = entry.runtime_data.overrides.get(product.product_id, ())
        others = tuple(override for override in current if override.property_id != prop.id)
        # What the rules make of the property: what "automatic" means.
        ruled = description_of(device_mapping(product, others), prop.id)
        errors: dict[str, str] = {}
        placeholders = {"device_class": "", "units": ""}
        if user_input is not None:
            entity_type = EntityType(user_input[ENTITY_TYPE])
            built = (
                ruled
                if entity_type is EntityType.AUTOMATIC
                else typed_description(prop, entity_type)
            )
            override = _override(prop, entity_type, user_input, built)
            if not (errors := problems(prop, override, built)):
                options = options_with(entry.options, product.product_id, [override])
                async_follow_overrides(
                    self.hass, entry, product, options_overrides(options, product.product_id)
                )
                return self.async_create_entry(data=options)
            if errors.get(UNIT) == "unit_misfit" and built is not None and override.device_class:
                placeholders = _unit_placeholders(built, override.device_class)
        shown = product_mapping(entry, product)
        decision = next(item for item in shown.decisions if item.property_id == prop.id)
        existing = next(
            (override for override in current if override.property_id == prop.id),
            PropertyOverride(prop.id),
        )
        description = description_of(shown, prop.id)
        # The entities it can be: the rules' one, and one per type it fits (after automatic).
        schema = _entity_schema(
            prop,
            [ruled, *(typed_description(prop, kind) for kind in entity_types(prop)[1:])],
            enabled=description is None or description.entity_registry_enabled_default,
        )
        return self.async_show_form(
            step_id="customise_entity",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or existing.as_options()
            ),
            errors=errors,
            description_placeholders={
                CONF_PRODUCT: _product_label(product),
                CONF_PROPERTY: f"{prop.name} ({prop.id})",
                "entity": decision.platform or _NO_ENTITY,
                "rule": decision.rule,
                **placeholders,
            },
        )

    async def async_step_reset(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask which customisations to undo."""
        entry = self._entry()
        products = self._products()
        errors: dict[str, str] = {}
        if user_input is not None:
            chosen = [_split_choice(value) for value in user_input[CONF_OVERRIDES]]
            if chosen:
                options = options_without(entry.options, chosen)
                for product_id in sorted({product_id for product_id, _ in chosen}):
                    if (product := products.get(product_id)) is not None:
                        async_follow_overrides(
                            self.hass, entry, product, options_overrides(options, product_id)
                        )
                return self.async_create_entry(data=options)
            errors["base"] = "nothing_selected"
        choices = sorted(
            (
                SelectOptionDict(
                    value=f"{product_id}/{property_id}",
                    label=_override_label(products.get(product_id), product_id, property_id),
                )
                for product_id, properties in stored_overrides(entry.options).items()
                for property_id in properties
            ),
            key=lambda choice: choice["label"],
        )
        return self.async_show_form(
            step_id="reset",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_OVERRIDES, default=[]): SelectSelector(
                        SelectSelectorConfig(
                            options=choices, multiple=True, mode=SelectSelectorMode.LIST
                        )
                    )
                }
            ),
            errors=errors,
        )


def _dropdown(options: list[SelectOptionDict]) -> SelectSelector:
    return SelectSelector(SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN))


def _product_label(product: Product) -> str:
    return f"{product.name or product.product_id} ({product.product_id})"


def _property_label(prop: Property, decision: Decision) -> str:
    """Name, id, type and mode of a property, and the platform of its entity now."""
    return f"{prop.name} ({prop.id}, {prop.define.kind}, {prop.mode}) → {decision.platform or _NO_ENTITY}"


def _override_label(product: Product | None, product_id: str, property_id: str) -> str:
    """A stored override, named as the product's model names it (if the home still has it)."""
    if product is None:
        return f"{product_id}: {property_id}"
    prop = product.thing_model.properties.get(property_id)
    name = f"{prop.name} ({property_id})" if prop is not None else property_id
    return f"{_product_label(product)}: {name}"


def _unit_placeholders(
    description: TencentIoTEntityDescription, device_class: str
) -> dict[str, str]:
    """What the unit error names: the device class and the units it takes."""
    units = allowed_units(description, device_class) or set()
    return {
        "device_class": device_class,
        "units": ", ".join(sorted(str(unit) for unit in units if unit)),
    }


def _split_choice(value: str) -> tuple[str, str]:
    product_id, _, property_id = value.partition("/")
    return product_id, property_id


def _entity_schema(
    prop: Property, candidates: Iterable[TencentIoTEntityDescription | None], *, enabled: bool
) -> probatio.Schema:
    """The override form of a property: only what can apply to it is asked."""
    fields: dict[Any, Any] = {
        probatio.Required(ENTITY_TYPE, default=EntityType.AUTOMATIC.value): SelectSelector(
            SelectSelectorConfig(
                options=[kind.value for kind in entity_types(prop)],
                translation_key=ENTITY_TYPE,
                mode=SelectSelectorMode.DROPDOWN,
            )
        )
    }
    classes = sorted(
        {
            device_class
            for description in candidates
            if description is not None
            for device_class in device_classes(description, prop)
        }
    )
    if classes:
        fields[probatio.Optional(DEVICE_CLASS)] = SelectSelector(
            SelectSelectorConfig(options=classes, mode=SelectSelectorMode.DROPDOWN)
        )
    if isinstance(prop.define, NumberDefine):
        fields[probatio.Optional(UNIT)] = SelectSelector(
            SelectSelectorConfig(
                options=list(KNOWN_UNITS), custom_value=True, mode=SelectSelectorMode.DROPDOWN
            )
        )
        fields[probatio.Optional(SCALE)] = NumberSelector(
            NumberSelectorConfig(step="any", mode=NumberSelectorMode.BOX)
        )
        fields[probatio.Optional(PRECISION)] = NumberSelector(
            NumberSelectorConfig(min=0, max=MAX_PRECISION, step=1, mode=NumberSelectorMode.BOX)
        )
    fields[probatio.Required(ENABLED, default=enabled)] = BooleanSelector()
    return probatio.Schema(fields)


def _override(
    prop: Property,
    entity_type: EntityType,
    user_input: Mapping[str, Any],
    built: TencentIoTEntityDescription | None,
) -> PropertyOverride:
    """The override the form asks for; "enabled" only when it is not what the entity has."""
    if built is None:
        return PropertyOverride(prop.id, entity_type)
    enabled: bool = user_input[ENABLED]
    precision = user_input.get(PRECISION)
    return PropertyOverride(
        prop.id,
        entity_type,
        device_class=user_input.get(DEVICE_CLASS) or None,
        unit=user_input.get(UNIT) or None,
        scale=user_input.get(SCALE),
        precision=None if precision is None else int(precision),
        enabled=None if enabled == built.entity_registry_enabled_default else enabled,
    )
