"""Data centres, paths and limits of Quectel's Developer Center end-user API (QuecThing)."""

from dataclasses import dataclass
from typing import Final, Literal

type DataCentre = Literal["china", "europe", "north_america"]


@dataclass(frozen=True, slots=True)
class DataCentreEndpoints:
    """HTTP base and WebSocket URL of one data centre."""

    api_url: str
    ws_url: str  # what live apps use (`/ws/v2`, port 8443); the doc's `/ws/v1` is the fallback


DATA_CENTRES: Final[dict[DataCentre, DataCentreEndpoints]] = {
    "china": DataCentreEndpoints(
        "https://iot-api.quectelcn.com", "wss://iot-south.quectelcn.com:8443/ws/v2"
    ),
    "europe": DataCentreEndpoints(
        "https://iot-api.acceleronix.io", "wss://iot-south.acceleronix.io:8443/ws/v2"
    ),
    "north_america": DataCentreEndpoints(
        "https://iot-api.landecia.com", "wss://iot-south.landecia.com:8443/ws/v2"
    ),
}

LIVE_WS_PATH: Final = "/ws/v2"
DOC_WS_PATH: Final = "/ws/v1"

# What live apps send with every request (the Pecron app's values: any app id is accepted).
APP_HEADERS: Final = {"appId": "633", "appVersion": "1.9.0", "appSystemType": "android"}

DEFAULT_TIMEOUT: Final = 10.0
MAX_IN_FLIGHT: Final = 10
DEFAULT_RETRY_DELAYS: Final = (0.5, 1.0)
# The lists default to 10 items a page; 100 keeps a big home to a few requests.
PAGE_SIZE: Final = 100
# Stops paging when a service ignores `page` and keeps returning full pages.
MAX_PAGES: Final = 200
# Online states asked for within this many seconds of a device list read come from that list
# (the integration reads the statuses right after the lists).
LISTED_STATES_FRESH: Final = 5.0
# Renew the access token this long before it expires rather than wait for a rejection.
EXPIRY_MARGIN: Final = 300.0

# Push: the guide's heartbeat is `{"cmd":"pong"}` every 40 s; the server drops a client after 130 s.
DEFAULT_HEARTBEAT_INTERVAL: Final = 40.0
DEFAULT_REPLY_TIMEOUT: Final = 10.0
DEFAULT_BACKOFF_MIN: Final = 2.0
DEFAULT_BACKOFF_MAX: Final = 60.0
MESSAGE_TYPES: Final = (
    "ONLINE",
    "STATUS",
    "MATTR-REPORT",
    "MEVENT-INFO",
    "MEVENT-WARN",
    "MEVENT-ERROR",
)

# A Quectel account without family mode has no family: its devices are the account's own and
# those shared with it. The integration sees them as one family with this id.
ACCOUNT_FAMILY_ID: Final = "account"

# Where a product's `data_template` keeps its TSL (a Tencent DataTemplate has no such key).
TSL_KEY: Final = "_tsl"
