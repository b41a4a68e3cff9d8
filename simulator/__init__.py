"""A local simulator of the Tencent Cloud IoT Explorer application-side cloud.

Written from the API reference alone: it shares no code with the integration, so a misreading of
the protocol on either side shows up as a failing test instead of hiding in a common helper.
"""

from simulator.errors import ApiError
from simulator.simulator import Account, CloudSimulator

__all__ = ["Account", "ApiError", "CloudSimulator"]
