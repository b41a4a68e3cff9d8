"""What happens in the simulated Quectel cloud, each change pushed as the doc describes.

Devices report, go on- and offline, raise events, are controlled, bound, unbound and shared.
"""

from collections.abc import Mapping
import secrets
from typing import Any

from simulator.quectel.model import Device, QuecError, Share, State, as_text, check_value, now_ms
from simulator.quectel.push import PushHub

# Message types of a subscription.
ONLINE = "ONLINE"
REPORT = "MATTR-REPORT"
# The doc's message types (1 notification, 2 alarm, 3 fault) per TSL event type.
_MESSAGE_TYPES = {"INFO": 1, "WARN": 2, "ERROR": 3}
# ENDUSER `value`: 0 a device was taken away, 1 one was added.
_REMOVED, _ADDED = 0, 1


class QuectelCloud:
    """The cloud's operations on its state, with their pushes."""

    def __init__(self, state: State, hub: PushHub) -> None:
        """Work on `state`; pushes go through `hub`."""
        self.state = state
        self.hub = hub

    async def report(
        self, device: Device, values: Mapping[str, Any], *, check_access: bool = False
    ) -> None:
        """The device reports values (read-only ones too): stored, kept in history, pushed."""
        checked: dict[str, Any] = {}
        for code, value in values.items():
            spec = device.product.property(code)
            if spec is None:
                raise QuecError(4028, f"{code!r} is not a property of {device.product.product_key}")
            if check_access and "W" not in str(spec.get("subType", "R")).upper():
                raise QuecError(4028, f"{code!r} is read-only")
            checked[code] = check_value(spec, value, code)
        stamp = now_ms()
        device.values.update(checked)
        for code, value in checked.items():
            device.history.setdefault(code, []).append((stamp, value))
        kv = (
            {code: as_text(value) for code, value in checked.items()}
            if self.hub.options.kv_as_text
            else checked
        )
        body = self.hub.message(device, "MATTR", "REPORT", {"packetId": 1, "kv": kv})
        await self.hub.publish(device, REPORT, body)

    async def set_online(self, device: Device, online: bool) -> None:
        """Take a device (and a gateway's sub-devices) on- or offline."""
        devices = [device, *(d for d in self.state.devices.values() if d.gateway == device.key)]
        for each in devices:
            each.online = online
            body = self.hub.message(each, "ONLINE", "", {"value": int(online)})
            await self.hub.publish(each, ONLINE, body)

    async def raise_event(self, device: Device, code: str, params: Mapping[str, Any]) -> None:
        """The device raises a TSL event: pushed, kept for deviceEventList, warnings become messages."""
        event = device.product.entry("events", code)
        if event is None:
            raise QuecError(4028, f"{code!r} is not an event of {device.product.product_key}")
        kind = str(event.get("type", "INFO")).upper()
        stamp = now_ms()
        device.events.append(
            {
                "eventCode": code,
                "eventName": event.get("name", code),
                "eventType": kind,
                "outputData": as_text(dict(params)),
                "createTimeTs": stamp,
                "id": secrets.token_hex(6),
            }
        )
        kv = {key: as_text(value) for key, value in params.items()}
        body = self.hub.message(device, "MEVENT", kind, {"packetId": 1, "code": code, "kv": kv})
        await self.hub.publish(device, f"MEVENT-{kind}", body)
        if kind in ("WARN", "ERROR"):
            self.add_message(
                device.owner,
                first_label=3,
                msg_type=_MESSAGE_TYPES[kind],
                title=str(event.get("name", code)),
                content=f"{device.name}: {event.get('name', code)}",
                device=device,
            )

    def add_message(
        self,
        uid: str,
        *,
        first_label: int,
        msg_type: int,
        title: str,
        content: str,
        device: Device | None = None,
    ) -> dict[str, Any]:
        """Leave a message in a user's inbox."""
        message = {
            "id": secrets.token_hex(8),
            "uid": uid,
            "firstLabel": first_label,
            "msgType": msg_type,
            "title": title,
            "content": content,
            "addTime": now_ms(),
            "isRead": False,
            "pk": device.product.product_key if device else "",
            "dk": device.device_key if device else "",
        }
        self.state.messages.append(message)
        return message

    async def control(self, device: Device, values: Mapping[str, Any], source: str) -> None:
        """Values written by a user: the device applies them and reports them back."""
        if not device.online:
            raise QuecError(4030, "device offline")
        await self.report(device, values, check_access=True)
        self.state.controls.append(
            {"Time": now_ms(), "DeviceId": device.key, "Data": dict(values), "Source": source}
        )

    async def call_service(self, device: Device, code: str, params: Mapping[str, Any]) -> None:
        """A TSL service called: its input is checked and recorded."""
        service = device.product.entry("services", code)
        if service is None:
            raise QuecError(4028, f"{code!r} is not a service of {device.product.product_key}")
        if not device.online:
            raise QuecError(4030, "device offline")
        members = {m.get("code"): m for m in service.get("inputData", []) if isinstance(m, dict)}
        checked = {}
        for key, value in params.items():
            if key not in members:
                raise QuecError(4028, f"{code}: unknown input {key!r}")
            checked[key] = check_value(members[key], value, f"{code}.{key}")
        self.state.controls.append(
            {"Time": now_ms(), "DeviceId": device.key, "Data": checked, "Source": f"service:{code}"}
        )

    async def bind(self, device: Device) -> None:
        """A new device is bound to its owner: the owner's connections hear ENDUSER value 1."""
        self.state.devices[device.key] = device
        await self._enduser(device, device.owner, _ADDED, "USER-BIND")

    async def unbind(self, device: Device) -> None:
        """A device (and a gateway's sub-devices) leaves its owner and everyone it was shared with."""
        for each in [device, *(d for d in self.state.devices.values() if d.gateway == device.key)]:
            del self.state.devices[each.key]
            for uid in {each.owner, *each.shares}:
                await self._enduser(each, uid, _REMOVED, "USER-UNBIND")

    async def share(self, device: Device, uid: str, expire_at: int | None) -> Share:
        """Share a device: the recipient's connections hear ENDUSER value 1."""
        share = Share(secrets.token_hex(6), uid, expire_at)
        device.shares[uid] = share
        await self._enduser(device, uid, _ADDED, "USER-SHARE")
        return share

    async def unshare(self, device: Device, uid: str) -> None:
        """Take a share back: the recipient's connections hear ENDUSER value 0."""
        device.shares.pop(uid, None)
        await self._enduser(device, uid, _REMOVED, "USER-UNSHARE")

    async def _enduser(self, device: Device, uid: str, value: int, subtype: str) -> None:
        body = self.hub.message(
            device,
            "ENDUSER",
            subtype,
            {"endUserId": uid, "endUserDomain": self.state.user_domain, "value": value},
        )
        body["deviceName"] = device.name
        await self.hub.publish_to_user(uid, body)
