"""Constants for the Tencent IoT Explorer integration."""

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "tencent_iot"
# The products carry no brand: like tuya's "Tuya", the devices are named after the platform
# they are built on (which says where they come from without claiming Tencent made them).
MANUFACTURER: Final = "Tencent IoT Explorer"
LOGGER: Final = logging.getLogger(__package__)

CONF_REGION: Final = "region"
CONF_API_URL: Final = "api_url"
CONF_WS_URL: Final = "ws_url"
CONF_APP_KEY: Final = "app_key"
CONF_APP_SECRET: Final = "app_secret"  # noqa: S105
CONF_ACCOUNT_TYPE: Final = "account_type"
CONF_COUNTRY_CODE: Final = "country_code"
CONF_ACCOUNT: Final = "account"
CONF_PASSWORD: Final = "password"  # noqa: S105
CONF_CODE: Final = "code"
CONF_USER_ID: Final = "user_id"
CONF_FAMILY_ID: Final = "family_id"
CONF_ACCESS_TOKEN: Final = "access_token"  # noqa: S105
CONF_TOKEN_EXPIRE_AT: Final = "token_expire_at"  # noqa: S105
# Which cloud an entry's app lives in; an entry without it is a Tencent one.
CONF_CLOUD: Final = "cloud"
# A Quectel app's data centre, user domain and secret, and the account's refresh token.
CONF_DATA_CENTRE: Final = "data_centre"
CONF_USER_DOMAIN: Final = "user_domain"
CONF_USER_DOMAIN_SECRET: Final = "user_domain_secret"  # noqa: S105
CONF_REFRESH_TOKEN: Final = "refresh_token"  # noqa: S105
CONF_REFRESH_EXPIRE_AT: Final = "refresh_expire_at"

CONF_USE_PUSH: Final = "use_push"
CONF_ROOMS: Final = "rooms"
CONF_HISTORY_DAYS: Final = "history_days"
# Whether a device moved to another room in the app moves to that room's area in HA.
CONF_FOLLOW_ROOMS: Final = "follow_rooms"
# Per-product customisation: ProductId -> property id -> what the user changed.
CONF_OVERRIDES: Final = "overrides"

REGION_CUSTOM: Final = "custom"
REGIONS: Final = ("china", "overseas", REGION_CUSTOM)
CLOUD_TENCENT: Final = "tencent"
CLOUD_QUECTEL: Final = "quectel"
DATA_CENTRE_CUSTOM: Final = "custom"
DATA_CENTRES: Final = ("china", "europe", "north_america", DATA_CENTRE_CUSTOM)
ACCOUNT_TYPES: Final = ("phone", "email")
DEFAULT_COUNTRY_CODE: Final = "86"

# How often the devices' statuses are read, and, while push is down or off, some devices' data.
# After a failed poll the next waits twice as long, up to POLL_BACKOFF_MAX.
POLL_INTERVAL: Final = timedelta(seconds=60)
POLL_BACKOFF_MAX: Final = timedelta(minutes=5)
# The polls read at most this many devices' data a minute: devices owed a read first (came
# online, a failed read, push back after an outage), then, while push is down, the devices
# read longest ago. At 1,000 devices each device's data is then read every 17 minutes or so.
DATA_READS_PER_MINUTE: Final = 60
# How often the device list, scenes and automations are read again to find changes
# that no push announces.
DEVICE_LIST_REFRESH: Final = timedelta(minutes=10)
# How long push may stay down before a repair issue asks the user to check the URL.
PUSH_DOWN_REPAIR_AFTER: Final = timedelta(minutes=10)
# How long the cloud may refuse requests as too many before a repair issue says so.
THROTTLED_REPAIR_AFTER: Final = timedelta(minutes=15)
# Concurrent device-data reads during a full refresh.
DATA_READ_CONCURRENCY: Final = 8
# How long setup waits for push to subscribe before it reads device data (seconds): a change
# made before the subscription is then never missed. Past it, push catches up when it is there.
PUSH_SUBSCRIBE_WAIT: Final = 2.0
# Reconnect backoff of the push channel (seconds), doubled per failure with jitter.
PUSH_BACKOFF_MIN: Final = 2.0
PUSH_BACKOFF_MAX: Final = 60.0

# The missed-events catch-up reads at most this many pages of event history a minute
# (AppListEventHistory), the devices with events in turn; a device left for a later minute
# loses nothing, as its events are read from where it was read up to. After an outage, 300
# devices with events are read within 10 minutes (the polls read 1,000 devices' data within
# 17), instead of all at once. Half the polls' budget: missed events are for the logbook, not
# for the state of any entity.
EVENT_HISTORY_READS_PER_MINUTE: Final = 30

# Days of the cloud's property history imported into long-term statistics (0: none).
DEFAULT_HISTORY_DAYS: Final = 7
MAX_HISTORY_DAYS: Final = 30
# Cloud requests of the background reads (history, past events) beyond the first burst are
# spread out at this rate, like the firmware check, so a large home does not flood the cloud.
BACKGROUND_BURST: Final = 20
BACKGROUND_REQUESTS_PER_SECOND: Final = 10.0
# HA events: a message of the app's message centre, a device event that arrived live, and a
# device event read afterwards from the cloud (for the logbook only: it fires no automation).
EVENT_MESSAGE: Final = f"{DOMAIN}_message"
# A message's logbook line (for the logbook only), left out for the app's message about a
# device event that has its line already.
EVENT_MESSAGE_LOGGED: Final = f"{DOMAIN}_message_logged"
EVENT_DEVICE_EVENT: Final = f"{DOMAIN}_device_event"
EVENT_MISSED_DEVICE_EVENT: Final = f"{DOMAIN}_missed_device_event"
