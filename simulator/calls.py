"""What an action handler receives, and the handler signatures."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from simulator.cloud import Cloud
from simulator.model import State, User
from simulator.params import Params

type Result = dict[str, object]


@dataclass(slots=True)
class AppCall:
    """A signed appapi call."""

    cloud: Cloud
    params: Params
    request_id: str

    @property
    def state(self) -> State:
        """The cloud's data."""
        return self.cloud.state


@dataclass(slots=True)
class TokenCall(AppCall):
    """A tokenapi call, already resolved to its user."""

    user: User


type AppHandler = Callable[[AppCall], Awaitable[Result]]
type TokenHandler = Callable[[TokenCall], Awaitable[Result]]
