"""Constants for the Tencent IoT Explorer integration."""

from typing import Final

DOMAIN: Final = "tencent_iot"
