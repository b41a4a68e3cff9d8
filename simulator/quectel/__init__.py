"""A local Quectel Developer Center cloud (QuecThing end-user API), written from Quectel's docs.

Like the Tencent simulator beside it, it imports nothing from `custom_components`.
"""

from simulator.quectel.model import QuecError
from simulator.quectel.push import WsRefusal
from simulator.quectel.simulator import QuecAccount, QuectelSimulator

__all__ = ["QuecAccount", "QuecError", "QuectelSimulator", "WsRefusal"]
