"""Asyncio client for Quectel's Developer Center end-user API (QuecThing, Acceleronix).

The second cloud's adapter: it speaks the package's shared models and raises its typed errors,
so the core runs a Quectel account as it runs a Tencent one (see `..cloud`).
"""

from .client import QuectelClient, saved_product
from .const import ACCOUNT_FAMILY_ID, DATA_CENTRES, TSL_KEY, DataCentre, DataCentreEndpoints
from .push import QuectelPushClient, QuectelPushIdentity, decode_message, push_urls
from .tsl import thing_model_from_tsl

__all__ = [
    "ACCOUNT_FAMILY_ID",
    "DATA_CENTRES",
    "TSL_KEY",
    "DataCentre",
    "DataCentreEndpoints",
    "QuectelClient",
    "QuectelPushClient",
    "QuectelPushIdentity",
    "decode_message",
    "push_urls",
    "saved_product",
    "thing_model_from_tsl",
]
