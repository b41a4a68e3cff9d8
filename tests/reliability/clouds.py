"""The fault scenarios that are the same on both clouds, told once: each cloud's words for them.

A scenario parametrised with `cloud` (`@pytest.mark.parametrize("cloud", CLOUDS,
indirect=True)`) gets a `Cloud`: the simulator of that cloud, an entry of its demo home (not
set up), two of its devices, and its names for the requests the scenario disturbs.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import CloudSimulator
from simulator.quectel import QuectelSimulator
from simulator.quectel.app import DOC_WS_PATH, LIVE_WS_PATH
from simulator.quectel.push import WsRefusal
from tests.platform_common import BULB, PLUG
from tests.quectel_common import KETTLE_PLUG, LAMP

CLOUDS: Final = ["tencent", "quectel"]

type Simulator = CloudSimulator | QuectelSimulator


@dataclass(frozen=True, slots=True)
class Requests:
    """A cloud's name (the request's action) for each request the scenarios disturb."""

    device_data: str
    device_list: str
    products: str
    statuses: str
    rooms: str
    scenes: str
    login: str
    # The requests (or handshakes) push connection attempts make.
    push: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Cloud:
    """One cloud's simulator, entry and words for the shared scenarios."""

    name: str
    sim: Simulator
    entry: MockConfigEntry
    requests: Requests
    # A device with an int `brightness`, and one with a bool switch.
    bulb: str
    plug: str
    plug_switch: str
    # A kind of entity of the bulb.
    bulb_domain: str
    # A product whose new devices the scenarios bind.
    plug_product: str

    def refuse_push(self, refused: bool = True) -> None:
        """Keep push from connecting (or let it again)."""
        if isinstance(self.sim, CloudSimulator):
            self.sim.refuse_subscriptions(refused)
            return
        for path in (LIVE_WS_PATH, DOC_WS_PATH):
            self.sim.refuse_ws_path(path, WsRefusal.NOT_FOUND if refused else None)

    def push_attempts(self) -> int:
        """How many times push tried to connect since the counts were reset."""
        counts = self.sim.request_counts()
        return sum(counts.get(name, 0) for name in self.requests.push)

    def expire_tokens(self, *, revoke: bool = False) -> None:
        """Every access token expires; revoked, none can be renewed but by the password."""
        if isinstance(self.sim, CloudSimulator):
            self.sim.expire_tokens(revoke=revoke)
        else:
            self.sim.expire_tokens(refresh=revoke)

    def token_valid(self, token: str) -> bool:
        """Whether the cloud accepts this access token."""
        return token in self.sim.state.sessions

    async def add_device(self, device_name: str, alias: str) -> str:
        """Bind a new device of the plug's product to the home; its id."""
        if isinstance(self.sim, CloudSimulator):
            return await self.sim.add_device(self.plug_product, device_name, alias=alias)
        return await self.sim.add_device(self.plug_product, device_name, name=alias)

    def switch_value(self, on: bool) -> object:
        """The plug's switch as its cloud reports it."""
        return on if isinstance(self.sim, QuectelSimulator) else int(on)


TENCENT_REQUESTS: Final = Requests(
    device_data="AppGetDeviceData",
    device_list="AppGetFamilyDeviceList",
    products="AppGetProducts",
    statuses="AppGetDeviceStatuses",
    rooms="AppGetRoomList",
    scenes="AppGetSceneList",
    login="AppGetToken",
    push=("ActivePush",),
)
QUECTEL_REQUESTS: Final = Requests(
    device_data="getDeviceBusinessAttributes",
    device_list="getFamilyDeviceList",
    products="productTSL",
    # The online states come with the device list.
    statuses="getFamilyDeviceList",
    rooms="getFamilyRoomList",
    scenes="selectSceneList",
    login="emailPwdLogin",
    # A refused handshake at /ws/v2 is tried at /ws/v1 next.
    push=("v2", "v1"),
)


def make_cloud(name: str, fixture: Callable[[str], Any]) -> Cloud:
    """The `Cloud` of this name, its simulator and entry taken from the test's fixtures."""
    if name == "tencent":
        return Cloud(
            name,
            fixture("sim"),
            fixture("config_entry"),
            TENCENT_REQUESTS,
            bulb=BULB,
            plug=PLUG,
            plug_switch="power_switch",
            bulb_domain="light",
            plug_product=PLUG.partition("/")[0],
        )
    return Cloud(
        name,
        fixture("quectel_sim"),
        fixture("quectel_entry"),
        QUECTEL_REQUESTS,
        bulb=LAMP,
        plug=KETTLE_PLUG,
        plug_switch="switch",
        bulb_domain="number",
        plug_product=KETTLE_PLUG.partition("/")[0],
    )
