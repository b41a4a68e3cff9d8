"""Endpoints and limits of the Tencent Cloud IoT Explorer application-side API."""

from dataclasses import dataclass
from typing import Final, Literal

type Region = Literal["china", "overseas"]


@dataclass(frozen=True, slots=True)
class RegionEndpoints:
    """HTTP base URL, WebSocket URLs and RegionId of one cloud region."""

    api_url: str
    ws_url: str  # the push path of Tencent's own app SDK, tried first
    ws_fallback_url: str  # the path the API reference names, used when the first is refused
    region_id: int  # sent as RegionId with every tokenapi call and ActivePush


REGIONS: Final[dict[Region, RegionEndpoints]] = {
    "china": RegionEndpoints(
        api_url="https://iot.cloud.tencent.com/api/exploreropen",
        ws_url="wss://iot.cloud.tencent.com/ws/explorer",
        ws_fallback_url="wss://iot.cloud.tencent.com/iotstudio_v2_weapp_1",
        region_id=1,
    ),
    # The doc names no WebSocket host for the overseas platform; the HTTP host
    # with the mainland paths is the best guess, and users can override it.
    "overseas": RegionEndpoints(
        api_url="https://oversea.iotcloud.tencentiotcloud.com/api/exploreropen",
        ws_url="wss://oversea.iotcloud.tencentiotcloud.com/ws/explorer",
        ws_fallback_url="wss://oversea.iotcloud.tencentiotcloud.com/iotstudio_v2_weapp_1",
        region_id=22,
    ),
}

SIGNED_API_PATH: Final = "/appapi"  # before login: AppKey + signature
SESSION_API_PATH: Final = "/tokenapi"  # after login: AccessToken

DEFAULT_TIMEOUT: Final = 10.0
MAX_IN_FLIGHT: Final = 10
DEFAULT_RETRY_DELAYS: Final = (0.5, 1.0)
# A read the cloud refuses for too many requests is sent again this often, each time after
# the rate limit's back-off; then the refusal is raised.
RATE_LIMIT_RETRIES: Final = 2

PAGE_SIZE: Final = 50
# The app reference gives no maximum for these id arrays. Products are few and their thing
# models large, so they go in small batches. Tencent's SDK documents AppGetDeviceStatuses as
# "at most 1000 devices per call"; should a service reject that many, the client falls back to
# STATUS_FALLBACK_BATCH_SIZE for good.
PRODUCT_BATCH_SIZE: Final = 20
STATUS_BATCH_SIZE: Final = 1000
STATUS_FALLBACK_BATCH_SIZE: Final = 50
# Stops paging when a service ignores Offset and keeps returning full pages.
MAX_PAGES: Final = 200

DEFAULT_HEARTBEAT_INTERVAL: Final = 50.0
DEFAULT_REPLY_TIMEOUT: Final = 10.0
DEFAULT_BACKOFF_MIN: Final = 2.0
DEFAULT_BACKOFF_MAX: Final = 60.0
