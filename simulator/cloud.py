"""What happens in the cloud when something changes: state updates plus the pushes they cause.

Both the API handlers and the admin surface go through here, so a control sent by the app and a
report injected by a test produce exactly the same frames.
"""

import asyncio
from collections.abc import Coroutine, Iterable, Mapping
import json
from typing import Any
import uuid

from simulator import errors
from simulator.errors import ApiError
from simulator.model import (
    Device,
    EventRecord,
    Family,
    OtaTask,
    PropValue,
    Scene,
    State,
    now_ms,
    now_s,
)
from simulator.motor import Motors
from simulator.push import Connection, PushHub, device_change
from simulator.thing_model import InvalidValueError, Member, default_value, validate

# AppDescribeFirmwareUpdateStatus codes.
OTA_DOWNLOADING, OTA_BURNING, OTA_FAILED, OTA_DONE = 3, 4, 5, 6
_OTA_FINISHED = frozenset({OTA_FAILED, OTA_DONE})
OTA_STEP = 25  # percent gained per status read


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """Order "1.10.0" after "1.9.2"; non-numeric parts compare as text."""
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in version.split("."))


def validate_members(
    members: Mapping[str, Member], values: Mapping[str, object], what: str, *, writable: bool
) -> dict[str, object]:
    """Check `values` against thing-model members; raise InvalidParameterValue on any problem."""
    result: dict[str, object] = {}
    for key, value in values.items():
        member = members.get(key)
        if member is None:
            raise ApiError(errors.INVALID_PARAM, f"{what} {key!r} is not in the thing model")
        if writable and member.mode != "rw":
            raise ApiError(errors.INVALID_PARAM, f"{what} {key!r} is read-only")
        try:
            result[key] = validate(member.define, value, key)
        except InvalidValueError as err:
            raise ApiError(errors.INVALID_PARAM, str(err)) from err
    return result


def parse_json_object(text: object, what: str) -> dict[str, object]:
    """Decode a parameter that carries a JSON object as a string (Data, InputParams...)."""
    if not isinstance(text, str):
        raise ApiError(errors.INVALID_PARAM, f"{what} must be a JSON string")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise ApiError(errors.INVALID_PARAM, f"{what} is not valid JSON") from err
    if not isinstance(value, dict):
        raise ApiError(errors.INVALID_PARAM, f"{what} must be a JSON object")
    return value


class Cloud:
    """State changes with their side effects."""

    def __init__(
        self,
        state: State,
        hub: PushHub,
        *,
        scene_delay_scale: float = 1.0,
        motor_tick: float | None = 1.0,
    ) -> None:
        """Work on `state`, pushing through `hub`; motors step every `motor_tick` s (None: when told)."""
        self.state = state
        self.hub = hub
        self.scene_delay_scale = scene_delay_scale
        self._tasks: set[asyncio.Task[None]] = set()
        self.motors = Motors(self.report, self.spawn, motor_tick)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run something later (scene delays, async action replies); `close` cancels it."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Cancel everything still scheduled."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # Pushes.

    async def push(
        self,
        device: Device,
        kind: str,
        sub_kind: str,
        topic: str,
        payload: object,
        *,
        targets: Iterable[Connection] | None = None,
    ) -> str:
        """Send a DeviceChange with the device's next Seq; return the frame text."""
        if self.hub.seq_in_seconds:
            device.seq = now_s()
        else:  # grows per device and looks like the reference's (a ms timestamp)
            device.seq = max(device.seq + 1, now_ms())
        text = device_change(
            device.device_id,
            kind,
            sub_kind,
            topic,
            payload,
            seq=device.seq,
            style=self.hub.payload_style,
        )
        await self.hub.send(
            self.hub.subscribers(device.device_id) if targets is None else targets, text
        )
        return text

    async def report(
        self, device: Device, params: dict[str, object], kind: str = "Property"
    ) -> None:
        """Apply already validated values as the device reporting them, and push the report."""
        stamp = now_ms()
        replaced: dict[str, object] = {}
        for key, value in params.items():
            old = device.data.get(key)
            replaced[key] = value if old is None else old.value
            device.data[key] = PropValue(value, stamp)
        payload: dict[str, object] = {
            "method": "report",
            "clientToken": uuid.uuid4().hex,
            "timestamp": stamp,
            "params": params,
        }
        topic = f"$thing/up/property/{device.device_id}"
        device.last_report = await self.push(device, kind, "Report", topic, payload)
        device.replaced = replaced

    async def report_raw(self, device: Device, values: Mapping[str, object], kind: str) -> None:
        """Validate values by type and range (read-only ones too) and report them."""
        params = validate_members(
            device.product.model.properties, values, "property", writable=False
        )
        await self.report(device, params, kind)

    async def control(self, device: Device, values: Mapping[str, object], source: str) -> None:
        """Validate a control, deliver it and let the device report the new values."""
        if not values:
            raise ApiError(errors.INVALID_PARAM, "Data has no property to set")
        params = validate_members(
            device.product.model.properties, values, "property", writable=True
        )
        if not device.online:
            raise ApiError(errors.DEVICE_OFFLINE, "The device is offline")
        self.state.record_control(device, params, source)
        control: dict[str, object] = {
            "method": "control",
            "clientToken": uuid.uuid4().hex,
            "params": params,
        }
        await self.push(
            device, "Template", "Push", f"$thing/down/property/{device.device_id}", control
        )
        await self.report(device, params)
        self.motors.controlled(device, params)

    async def replay_out_of_order(self, device: Device) -> None:
        """Re-send the last report as is, then one with an older Seq and the values it replaced."""
        if device.last_report is None:
            raise ApiError(errors.INVALID_PARAM, f"{device.device_id} has pushed no report yet")
        subscribers = self.hub.subscribers(device.device_id)
        await self.hub.send(subscribers, device.last_report)
        stamp = now_ms() - 60_000
        payload: dict[str, object] = {
            "method": "report",
            "clientToken": uuid.uuid4().hex,
            "timestamp": stamp,
            "params": device.replaced,
        }
        topic = f"$thing/up/property/{device.device_id}"
        frame = device_change(
            device.device_id,
            "Property",
            "Report",
            topic,
            payload,
            seq=device.seq - 1,
            style=self.hub.payload_style,
        )
        await self.hub.send(subscribers, frame)

    async def set_online(self, device: Device, online: bool) -> None:
        """Change availability; a gateway takes its sub-devices with it."""
        status = "Online" if online else "Offline"
        for target in [device, *self.state.sub_devices(device)]:
            target.online = online
            payload: dict[str, object] = {"Status": status, "timestamp": now_ms()}
            await self.push(target, "StatusChange", status, "", payload)

    async def post_event(self, device: Device, event_id: str, params: Mapping[str, object]) -> None:
        """Post an event from the device: record it, notify on alerts and faults, push it."""
        spec = device.product.model.events.get(event_id)
        if spec is None:
            raise ApiError(errors.INVALID_PARAM, f"event {event_id!r} is not in the thing model")
        values = validate_members(spec.params, params, "event parameter", writable=False)
        stamp = now_ms()
        device.events.append(EventRecord(stamp // 1000, event_id, spec.type, values))
        if spec.type in {"alert", "fault"}:
            family = self.state.families.get(device.family_id)
            content = f"{device.alias}: {spec.name}"
            self.state.notify(
                family, category=1, msg_type=100, title=spec.name, content=content, device=device
            )
        payload: dict[str, object] = {
            "method": "event_post",
            "clientToken": uuid.uuid4().hex,
            "version": "1.0",
            "eventId": event_id,
            "type": spec.type,
            "timestamp": stamp,
            "params": values,
        }
        await self.push(device, "Event", "Report", f"$thing/up/event/{device.device_id}", payload)

    # Binding.

    def _watchers(self, device: Device) -> set[Connection]:
        family = self.state.families.get(device.family_id)
        users = [*(family.members if family else ()), *device.shared_with]
        return self.hub.of_users(users) | self.hub.subscribers(device.device_id)

    async def bind(
        self, device: Device, family: Family, room_id: str, gateway: Device | None = None
    ) -> None:
        """Bind a device to a family (or pair a sub-device to a gateway) and tell who watches.

        As Tencent's SDK reads them: a device pushes `StatusChange`/`Bind`; a sub-device pushes
        `Gateway`/`bind` on its gateway, with the list of paired sub-devices as the payload.
        """
        device.family_id = family.family_id
        device.room_id = room_id
        device.created = device.updated = now_s()
        if gateway is not None:
            device.device_type = 2
            device.gateway_id = gateway.device_id
        for key, member in device.product.model.properties.items():
            device.data.setdefault(key, PropValue(default_value(member.define), now_ms()))
        self.state.attach(device)
        if gateway is not None:
            await self._push_sub_devices(gateway, "bind", [device])
            return
        await self._push_bind_change(device, "bind")

    async def unbind(self, device: Device) -> None:
        """Unbind a device and tell who could see it.

        A gateway takes its sub-devices along (one `Gateway`/`unbind` listing them, then its own
        `StatusChange`/`Unbind`); a sub-device alone is unpaired with `Gateway`/`unbind`.
        """
        if subs := self.state.sub_devices(device):
            await self._push_sub_devices(device, "unbind", subs)
            for sub in subs:
                self._detach(sub)
        if device.gateway_id and (gateway := self.state.devices.get(device.gateway_id)):
            await self._push_sub_devices(gateway, "unbind", [device])
            self._detach(device)
            return
        await self._push_bind_change(device, "unbind")
        self._detach(device)

    def _detach(self, device: Device) -> None:
        self.motors.forget(device)
        self.state.detach(device)
        self.hub.forget_device(device.device_id)

    async def _push_bind_change(self, device: Device, method: str) -> None:
        """Tell who watches a device that it was bound or unbound (`StatusChange`/`Bind` or `Unbind`)."""
        payload = {
            "method": method,
            "DeviceId": device.device_id,
            "FamilyId": device.family_id,
            "timestamp": now_ms(),
        }
        await self.push(
            device,
            "StatusChange",
            method.capitalize(),
            "",
            payload,
            targets=self._watchers(device),
        )

    async def _push_sub_devices(self, gateway: Device, sub_kind: str, subs: list[Device]) -> None:
        listed = [
            {"ProductId": sub.product.product_id, "DeviceName": sub.device_name} for sub in subs
        ]
        await self.push(gateway, "Gateway", sub_kind, "", listed, targets=self._watchers(gateway))

    # Sharing, names and rooms: the reference defines no push for them, so none is sent.

    def share(self, device: Device, user_id: str) -> None:
        """Share a device with a user (as an accepted invitation does)."""
        if user_id not in self.state.users:
            raise ApiError(errors.USER_NOT_EXISTS, f"User {user_id} does not exist")
        family = self.state.families.get(device.family_id)
        if family is not None and user_id in family.members:
            raise ApiError(errors.CANNOT_BIND_OWN_DEVICE, "Cannot share a device with its family")
        device.shared_with.setdefault(user_id, now_s())

    def unshare(self, device: Device, user_id: str) -> None:
        """End a share: the user no longer sees the device, nor gets its pushes."""
        if device.shared_with.pop(user_id, None) is None:
            raise ApiError(errors.APP_DEVICE_NOT_EXIST, "No bound devices were found")
        self.hub.forget_user_device(user_id, device.device_id)

    def rename(self, device: Device, alias: str) -> None:
        """Give a device another name (AliasName)."""
        if not alias.strip():
            raise ApiError(errors.INVALID_PARAM, "AliasName is empty")
        device.alias = alias
        device.updated = now_s()

    def move(self, device: Device, room_id: str) -> None:
        """Put a device into another room of its family ("0" is the default room)."""
        family = self.state.families[device.family_id]
        if room_id != "0" and room_id not in family.rooms:
            raise ApiError(
                errors.INVALID_PARAM, f"Room {room_id} is not in family {family.family_id}"
            )
        device.room_id = room_id
        device.updated = now_s()

    # Actions.

    async def call_action(
        self, device: Device, action_id: str, inputs: Mapping[str, object], *, wait: bool
    ) -> tuple[str, dict[str, object]]:
        """Invoke an action; the reply is pushed now (sync) or a moment later (async)."""
        spec = device.product.model.actions.get(action_id)
        if spec is None:
            raise ApiError(errors.INVALID_PARAM, f"action {action_id!r} is not in the thing model")
        params = validate_members(spec.input, inputs, "input parameter", writable=False)
        if not device.online:
            raise ApiError(errors.DEVICE_OFFLINE, "The device is offline")
        self.state.record_control(device, params, f"action:{action_id}")
        # The device echoes an input into the output of the same id, and defaults the rest.
        output = {
            key: params[key] if key in params else default_value(member.define)
            for key, member in spec.output.items()
        }
        client_token = uuid.uuid4().hex
        request: dict[str, object] = {
            "method": "action",
            "clientToken": client_token,
            "actionId": action_id,
            "timestamp": now_s(),
            "params": params,
        }
        reply: dict[str, object] = {
            "method": "action_reply",
            "clientToken": client_token,
            "code": 0,
            "status": "succ",
            "response": output,
        }
        if wait:
            await self._action_exchange(device, request, reply)
        else:
            self.spawn(self._action_exchange(device, request, reply, delay=0.2))
        return client_token, output

    async def _action_exchange(
        self,
        device: Device,
        request: dict[str, object],
        reply: dict[str, object],
        *,
        delay: float = 0.0,
    ) -> None:
        """Push the action to the device, then the device's reply."""
        await asyncio.sleep(delay)
        await self.push(device, "Action", "Push", f"$thing/down/action/{device.device_id}", request)
        await self.push(device, "Action", "Report", f"$thing/up/action/{device.device_id}", reply)

    # Scenes.

    async def run_scene(self, scene: Scene) -> None:
        """Run a scene: what comes before its first delay now, the rest in the background."""
        if scene.running or scene.forced_running:
            raise ApiError(errors.SCENE_RUNNING, "The scene is already running")
        split = next(
            (i for i, action in enumerate(scene.actions) if action.get("ActionType") == 1),
            len(scene.actions),
        )
        for action in scene.actions[:split]:
            await self._scene_action(scene, action)
        if split < len(scene.actions):
            scene.running = True
            self.spawn(self._scene_rest(scene, scene.actions[split:]))

    async def _scene_rest(self, scene: Scene, actions: list[dict[str, object]]) -> None:
        try:
            for action in actions:
                if action.get("ActionType") == 1:
                    await asyncio.sleep(
                        float(str(action.get("Data", "0"))) * self.scene_delay_scale
                    )
                else:
                    await self._scene_action(scene, action)
        finally:
            scene.running = False

    async def _scene_action(self, scene: Scene, action: dict[str, object]) -> None:
        match action.get("ActionType"):
            case 0:
                device = self.state.devices.get(
                    f"{action.get('ProductId')}/{action.get('DeviceName')}"
                )
                if device is None or not device.online:
                    return  # the cloud skips devices that left or dropped off
                await self.control(device, parse_json_object(action.get("Data"), "Data"), "scene")
            case 2:
                other = self.state.scenes.get(str(action.get("Data")))
                if (
                    other is not None
                    and other is not scene
                    and not (other.running or other.forced_running)
                ):
                    await self.run_scene(other)
            case 3:
                family = self.state.families.get(scene.family_id)
                content = str(action.get("Data", ""))
                self.state.notify(
                    family, category=3, msg_type=300, title=scene.name, content=content
                )

    # Firmware.

    def firmware_target(self, device: Device) -> str:
        """Return the newest firmware for the device, or its own version when it is up to date."""
        newest = device.product.firmware
        if newest and version_key(newest) > version_key(device.fw_version):
            return newest
        return device.fw_version

    def start_ota(self, device: Device) -> None:
        """Start the upgrade the user confirmed."""
        target = self.firmware_target(device)
        if target == device.fw_version:
            raise ApiError(errors.DEVICE_HAS_NO_FIRMWARE, "No newer firmware for this device")
        if not device.online:
            raise ApiError(errors.DEVICE_OFFLINE, "The device is offline")
        if device.ota is None or device.ota.status in _OTA_FINISHED:
            device.ota = OtaTask(device.fw_version, target)

    def advance_ota(
        self, device: Device, *, percent: int | None = None, status: int | None = None
    ) -> OtaTask:
        """Move an upgrade on: one step, or to the given percent/status."""
        task = device.ota
        if task is None:
            raise ApiError(
                errors.FIRMWARE_TASK_NOT_EXIST, "No firmware upgrade task for this device"
            )
        if percent is None and status is None:
            # pending 0% -> downloading 25/50/75% -> burning 100% -> done
            if task.status in _OTA_FINISHED:
                return task
            if task.status == OTA_BURNING:
                task.status = OTA_DONE
            else:
                task.percent = min(100, task.percent + OTA_STEP)
                task.status = OTA_DOWNLOADING if task.percent < 100 else OTA_BURNING
        else:
            task.percent = task.percent if percent is None else max(0, min(100, percent))
            task.status = task.status if status is None else status
            task.err_msg = "upgrade failed" if task.status == OTA_FAILED else ""
        if task.status == OTA_DONE:
            task.percent, task.err_msg = 100, ""
            device.fw_version = task.dst_version
        return task
