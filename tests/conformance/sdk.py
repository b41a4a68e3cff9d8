"""A Node process running Tencent's own app SDK (driver.js), seen from the test's event loop.

The process is an asyncio subprocess, so the simulator keeps serving in the same loop while the
SDK talks to it. Commands go in as JSON lines; results and events come back as JSON lines.
"""

import asyncio
from collections.abc import Callable
import contextlib
import itertools
import json
from pathlib import Path
import shutil
from typing import Any

HERE = Path(__file__).parent
DRIVER = HERE / "driver.js"
SDK_PACKAGE = HERE / "node_modules" / "qcloud-iotexplorer-appdev-sdk" / "package.json"
# Generous: the machine may be loaded, and the SDK waits a fixed 2 s before it reconnects.
WAIT_SECONDS = 30.0

type Event = dict[str, Any]


class SdkError(Exception):
    """A command the SDK failed: its error `{code, msg}`."""

    def __init__(self, command: str, error: Any) -> None:
        """Keep the SDK's error."""
        super().__init__(f"{command}: {error}")
        self.error = error


def node_or_fail() -> str:
    """The `node` binary, once the SDK is installed; otherwise a failure that says what to do."""
    node = shutil.which("node")
    if node is None:
        raise AssertionError("the conformance suite needs Node.js 20 or later on PATH")
    if not SDK_PACKAGE.exists():
        raise AssertionError(
            f"Tencent's SDK is not installed in {SDK_PACKAGE.parent.parent}: run scripts/setup"
        )
    return node


class SdkDriver:
    """Commands to, and events from, one driver.js process."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        """Start reading the process's output."""
        self._process = process
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self.events: list[Event] = []
        self._arrived = asyncio.Event()
        self._stderr: list[str] = []
        self._ended = False
        self._readers = [
            asyncio.create_task(self._read_stdout()),
            asyncio.create_task(self._read_stderr()),
        ]

    @classmethod
    async def start(cls) -> SdkDriver:
        """Start driver.js."""
        process = await asyncio.create_subprocess_exec(
            node_or_fail(),
            str(DRIVER),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=HERE,
            limit=16 * 1024 * 1024,
        )
        return cls(process)

    async def stop(self) -> None:
        """Close stdin (the driver exits on that); kill it if it does not."""
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                await self._process.wait()
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
        for reader in self._readers:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    async def _read_stdout(self) -> None:
        assert self._process.stdout is not None
        async for line in self._process.stdout:
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                self._stderr.append(f"(not protocol, on stdout) {line.decode(errors='replace')}")
                continue
            if "event" in message:
                self.events.append(message)
            elif (future := self._pending.pop(message["id"], None)) is not None:
                future.set_result(message)
            self._arrived.set()
        # The process is gone: wake whoever waits, who will see nothing more come.
        self._ended = True
        self._arrived.set()

    async def _read_stderr(self) -> None:
        assert self._process.stderr is not None
        async for line in self._process.stderr:
            self._stderr.append(line.decode(errors="replace"))

    def diagnostics(self) -> str:
        """What the driver printed on stderr, and the last events: for failure messages."""
        names = [event["event"] for event in self.events[-30:]]
        stderr = "".join(self._stderr[-25:]).strip() or "(nothing)"
        return f"last SDK events: {names}\ndriver stderr: {stderr}"

    async def call(self, command: str, **args: Any) -> Any:
        """Run a command; its result, or SdkError with the SDK's error."""
        assert self._process.stdin is not None
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        line = json.dumps({"id": request_id, "cmd": command, "args": args}) + "\n"
        self._process.stdin.write(line.encode())
        await self._process.stdin.drain()
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                reply = await future
        except TimeoutError:
            raise AssertionError(
                f"the SDK did not finish {command} within {WAIT_SECONDS:.0f} s\n"
                + self.diagnostics()
            ) from None
        if not reply["ok"]:
            raise SdkError(command, reply["error"])
        return reply["result"]

    async def api(self, action: str, **payload: Any) -> Any:
        """A tokenapi call through the SDK's own `requestApi`; a clear failure if it fails."""
        try:
            return await self.call("requestApi", action=action, payload=payload)
        except SdkError as err:
            raise AssertionError(f"the SDK's {action} failed: {err.error}") from None

    def seen(self, name: str, matches: Callable[[Any], bool] = lambda _: True) -> list[Any]:
        """The data of the events `name` so far that match."""
        return [
            event.get("data")
            for event in self.events
            if event["event"] == name and matches(event.get("data"))
        ]

    async def wait_for(
        self, name: str, what: str, matches: Callable[[Any], bool] = lambda _: True
    ) -> Any:
        """The data of the first event `name` (from now or before) that matches; else a failure.

        `what` says in words what was expected, for the failure message.
        """
        checked = 0
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                while True:
                    for event in self.events[checked:]:
                        if event["event"] == name and matches(event.get("data")):
                            return event.get("data")
                    checked = len(self.events)
                    if self._ended:
                        break
                    self._arrived.clear()
                    await self._arrived.wait()
        except TimeoutError:
            pass
        raise AssertionError(
            f"the SDK never emitted {name} ({what}) within {WAIT_SECONDS:.0f} s\n"
            + self.diagnostics()
        )

    def frames(self, direction: str) -> list[Event]:
        """WebSocket frames the SDK sent or received (`direction` "sent" or "received"), decoded."""
        return [json.loads(event["data"]) for event in self.events if event["event"] == direction]
