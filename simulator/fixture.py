"""Loading a fixture (JSON in the API's own shapes) into a `State`, plus synthetic devices.

Everything is validated on load, against the thing models, so a broken fixture fails at start
with a message instead of misbehaving later. See README.md for the format.
"""

from collections.abc import Mapping
import json
from pathlib import Path
from typing import cast

from simulator.cloud import parse_json_object, validate_members
from simulator.errors import ApiError
from simulator.model import (
    Automation,
    Device,
    Family,
    Product,
    PropValue,
    Room,
    Scene,
    State,
    Timer,
    User,
    now_ms,
)
from simulator.motor import MotorSpec
from simulator.thing_model import ThingModel, default_value

DEFAULT_FIXTURE = Path(__file__).parent / "fixtures" / "default_home.json"
# Days of property history a fixture device has unless its "HistoryDays" says otherwise.
FIXTURE_HISTORY_DAYS = 30

type Obj = Mapping[str, object]


class FixtureError(ValueError):
    """The fixture is inconsistent."""


def _items(source: Obj, key: str) -> list[Obj]:
    return cast(list[Obj], source.get(key) or [])


def _text(item: Obj, key: str, default: str = "") -> str:
    return str(item.get(key, default))


def _number(item: Obj, key: str, default: int = 0) -> int:
    return int(cast(int, item.get(key, default)))


def _product(item: Obj) -> Product:
    raw_template = item["DataTemplate"]
    template = cast(
        Obj, json.loads(raw_template) if isinstance(raw_template, str) else raw_template
    )
    model = ThingModel.parse(template)
    motor = None
    if (raw_motor := item.get("Motor")) is not None:
        try:
            motor = MotorSpec.parse(cast(Obj, raw_motor), model.properties)
        except (KeyError, ValueError) as err:
            raise FixtureError(f"product {item.get('ProductId')}: {err}") from err
    return Product(
        product_id=_text(item, "ProductId"),
        name=_text(item, "Name"),
        description=_text(item, "Description"),
        category_id=_number(item, "CategoryId"),
        product_type=_number(item, "ProductType"),
        net_type=_text(item, "NetType", "wifi"),
        template_json=json.dumps(template, separators=(",", ":"), ensure_ascii=False),
        model=model,
        firmware=_text(item, "FirmwareVersion"),
        motor=motor,
    )


def _family(item: Obj) -> Family:
    members = {_text(m, "UserID"): _number(m, "Role") for m in _items(item, "Members")}
    owner = next((user_id for user_id, role in members.items() if role == 1), "")
    family = Family(
        _text(item, "FamilyId"), _text(item, "FamilyName"), _text(item, "Address"), owner, members
    )
    for room in _items(item, "RoomList"):
        family.rooms[_text(room, "RoomId")] = Room(_text(room, "RoomId"), _text(room, "RoomName"))
    return family


def _device(state: State, item: Obj) -> Device:
    product = state.products.get(_text(item, "ProductId"))
    if product is None:
        raise FixtureError(
            f"device {item.get('DeviceName')}: unknown product {item.get('ProductId')}"
        )
    device = Device(
        product=product,
        device_name=_text(item, "DeviceName"),
        alias=_text(item, "AliasName"),
        family_id=_text(item, "FamilyId"),
        room_id=_text(item, "RoomId", "0"),
        device_type=_number(item, "DeviceType"),
        gateway_id=_text(item, "GatewayId"),
        online=bool(item.get("Online", 1)),
        fw_version=_text(item, "FwVersion", "1.0.0"),
        icon_url=_text(item, "IconUrl"),
        history_days=_number(item, "HistoryDays", FIXTURE_HISTORY_DAYS),
    )
    family = state.families.get(device.family_id)
    if family is None or (device.room_id != "0" and device.room_id not in family.rooms):
        raise FixtureError(f"{device.device_id}: unknown family or room")
    values = validate_members(
        product.model.properties, cast(Obj, item.get("Data", {})), "property", writable=False
    )
    stamp = now_ms()
    for key, member in product.model.properties.items():
        device.data[key] = PropValue(values.get(key, default_value(member.define)), stamp)
    device.shared_with = {
        str(user_id): device.created for user_id in cast(list[str], item.get("SharedWith", []))
    }
    return device


def _check_data(state: State, device_id: str, data: object, where: str) -> None:
    device = state.devices.get(device_id)
    if device is None:
        raise FixtureError(f"{where}: unknown device {device_id}")
    validate_members(
        device.product.model.properties, parse_json_object(data, "Data"), "property", writable=True
    )


def _scene(state: State, item: Obj) -> Scene:
    family_id = _text(item, "FamilyId")
    actions = [dict(action) for action in _items(item, "Actions")]
    for action in actions:
        if action.get("ActionType") == 0:
            device_id = f"{action.get('ProductId')}/{action.get('DeviceName')}"
            _check_data(state, device_id, action.get("Data"), f"scene {item.get('SceneId')}")
    owner = state.families[family_id].owner_id
    return Scene(
        _text(item, "SceneId"),
        family_id,
        _text(item, "SceneName"),
        _text(item, "SceneIcon"),
        actions,
        owner,
    )


def _timer(state: State, item: Obj) -> Timer:
    device_id = f"{item.get('ProductId')}/{item.get('DeviceName')}"
    _check_data(state, device_id, item.get("Data"), f"timer {item.get('TimerId')}")
    return Timer(
        timer_id=_text(item, "TimerId"),
        device_id=device_id,
        name=_text(item, "TimerName"),
        days=_text(item, "Days"),
        time_point=_text(item, "TimePoint"),
        repeat=_number(item, "Repeat"),
        data=_text(item, "Data"),
        status=_number(item, "Status", 1),
    )


def load(source: Obj, *, token_ttl: int, synthetic: int = 0) -> State:
    """Build the cloud's state from a decoded fixture."""
    app = cast(Obj, source.get("App", {}))
    state = State(_text(app, "AppKey"), _text(app, "AppSecret"), token_ttl)
    try:
        for item in _items(source, "Users"):
            user = User(
                user_id=_text(item, "UserID"),
                nickname=_text(item, "NickName"),
                password=_text(item, "Password"),
                country_code=_text(item, "CountryCode", "86"),
                phone=_text(item, "PhoneNumber"),
                email=_text(item, "Email"),
                avatar=_text(item, "Avatar"),
            )
            state.users[user.user_id] = user
        for item in _items(source, "Products"):
            product = _product(item)
            state.products[product.product_id] = product
        for item in _items(source, "Families"):
            family = _family(item)
            state.families[family.family_id] = family
        for item in _items(source, "Devices"):
            state.attach(_device(state, item))
        for item in _items(source, "Scenes"):
            scene = _scene(state, item)
            state.scenes[scene.scene_id] = scene
        for item in _items(source, "Automations"):
            body = {
                key: value for key, value in item.items() if key not in {"AutomationId", "FamilyId"}
            }
            automation = Automation(_text(item, "AutomationId"), _text(item, "FamilyId"), body)
            state.automations[automation.automation_id] = automation
        for item in _items(source, "Timers"):
            timer = _timer(state, item)
            state.timers[timer.timer_id] = timer
    except (ApiError, KeyError) as err:
        raise FixtureError(f"invalid fixture: {err}") from err
    add_synthetic_devices(state, synthetic)
    return state


def read(path: Path) -> Obj:
    """Read a fixture file."""
    return cast(Obj, json.loads(path.read_text(encoding="utf-8")))


def add_synthetic_devices(state: State, count: int) -> None:
    """Add `count` devices to the first family, cycling over its rooms and ordinary devices."""
    if count <= 0:
        return
    family = next(iter(state.families.values()), None)
    prototypes = (
        [state.devices[d] for d in family.device_ids if state.devices[d].device_type == 0]
        if family
        else []
    )
    if family is None or not prototypes:
        raise FixtureError("--devices needs a first family with at least one ordinary device")
    rooms = list(family.rooms) or ["0"]
    stamp = now_ms()
    for i in range(count):
        prototype = prototypes[i % len(prototypes)]
        device = Device(
            product=prototype.product,
            device_name=f"sim_{i:04d}",
            alias=f"{prototype.alias} #{i + 1}",
            family_id=family.family_id,
            room_id=rooms[i % len(rooms)],
            fw_version=prototype.fw_version,
            history_days=prototype.history_days,
        )
        device.data = {key: PropValue(prop.value, stamp) for key, prop in prototype.data.items()}
        state.attach(device)
