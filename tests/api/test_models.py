"""Models built leniently from replies, and the value readers they use."""

import math
import time

import pytest

from custom_components.tencent_iot.api import (
    ActionResult,
    Automation,
    BindTokenState,
    Device,
    DeviceStatus,
    EventRecord,
    Family,
    FirmwareInfo,
    FirmwareStatus,
    LoginCredentials,
    Message,
    Product,
    PropertyValue,
    Room,
    Scene,
    Timer,
    Token,
    User,
)
from custom_components.tencent_iot.api.parsing import (
    as_bool,
    as_float,
    as_int,
    as_mapping,
    as_records,
    as_str,
    dumps,
    first,
    json_value,
)

# Readers


def test_first() -> None:
    """The first key with a non-null value."""
    assert first({"a": None, "b": 0, "c": 1}, "a", "b", "c") == 0
    assert first({"a": None}, "a", "z") is None


def test_as_str() -> None:
    """Numbers become text; booleans and other types give the default."""
    assert as_str("x") == "x"
    assert as_str(12) == "12"
    assert as_str(1.5) == "1.5"
    assert as_str(None, "d") == "d"
    assert as_str(True, "d") == "d"
    assert as_str([1]) == ""


def test_as_int() -> None:
    """Integers from ints, integral floats and numeric strings."""
    assert as_int(True) == 1
    assert as_int(7) == 7
    assert as_int(7.0) == 7
    assert as_int(7.5) is None
    assert as_int(" 42 ") == 42
    assert as_int("3.0") == 3
    assert as_int("3.5") is None
    assert as_int("x") is None
    assert as_int(None) is None
    assert as_int([1]) is None


def test_as_float() -> None:
    """Finite numbers only."""
    assert as_float(False) == 0.0
    assert as_float(3) == 3.0
    assert as_float(" 2.5 ") == 2.5
    assert as_float("x") is None
    assert as_float("inf") is None
    assert as_float(math.nan) is None
    assert as_float(None) is None


def test_as_bool() -> None:
    """true/false, 0/1 and their strings."""
    assert as_bool(True) is True
    assert as_bool(0) is False
    assert as_bool(1.0) is True
    assert as_bool(2) is None
    assert as_bool(" TRUE ") is True
    assert as_bool("0") is False
    assert as_bool("yes") is None
    assert as_bool(None) is None


def test_json_fields() -> None:
    """JSON-in-a-string fields, objects and records."""
    assert json_value('{"a": 1}') == {"a": 1}
    assert json_value("  ") is None
    assert json_value({"a": 1}) == {"a": 1}
    with pytest.raises(ValueError):  # noqa: PT011 (json's own error)
        json_value("{bad")
    assert as_mapping('{"a": 1}') == {"a": 1}
    assert as_mapping({"a": 1}) == {"a": 1}
    assert as_mapping("{bad") == {}
    assert as_mapping("[1]") == {}
    assert as_mapping(None) == {}
    assert as_records([{"a": 1}, 2, "x", {"b": 2}]) == [{"a": 1}, {"b": 2}]
    assert as_records({"a": 1}) == []
    assert dumps({"名": True, "n": [1, 2]}) == '{"名":true,"n":[1,2]}'


# Models


def test_token_and_credentials() -> None:
    """Secrets stay out of reprs; expiry is judged against now."""
    token = Token.from_api({"AccessToken": "tok-secret", "ExpireAt": str(int(time.time()) + 30)})
    assert token.token == "tok-secret"
    assert "tok-secret" not in repr(token)
    assert token.expires_within(60)
    assert not token.expires_within(10)
    assert not Token("t").expires_within(10**9)
    credentials = LoginCredentials(account_type="email", account="a@b.c", password="pw-secret")
    assert "pw-secret" not in repr(credentials)
    assert credentials.country_code == "86"


def test_user_family_room() -> None:
    """Alternative key spellings and numbers as strings."""
    user = User.from_api({"UserId": 123, "Nickname": "N", "Unknown": 1})
    assert (user.user_id, user.nick_name, user.email) == ("123", "N", "")
    assert Family.from_api({"FamilyId": "f", "Name": "Home", "Role": "1"}) == Family("f", "Home", 1)
    assert Family.from_api({"FamilyId": "f"}).role == 0
    assert Room.from_api({"RoomId": 0, "Name": "Default"}) == Room("0", "Default")


def test_device() -> None:
    """A device named by DeviceId only is split into its parts."""
    device = Device.from_api({"DeviceId": "PID/name", "DeviceType": "1", "CreateTime": "5"})
    assert (device.product_id, device.device_name, device.key) == ("PID", "name", "PID/name")
    assert device.is_gateway
    assert device.create_time == 5
    plain = Device.from_api({"ProductID": "P", "DeviceName": "d", "BindStatus": 1})
    assert plain.device_id == "P/d"
    assert plain.device_type == 0
    assert not plain.is_gateway
    assert plain.bind_status == 1
    broken = Device.from_api({"DeviceId": "no-slash"})
    assert (broken.product_id, broken.device_name) == ("", "")


def test_product() -> None:
    """DataTemplate as a JSON string or an object; a broken one leaves a problem."""
    template = '{"properties": [{"id": "p", "mode": "rw", "define": {"type": "bool"}}]}'
    product = Product.from_api({"ProductID": "P", "DataTemplate": template, "ProductType": "2"})
    assert product.product_id == "P"
    assert product.product_type == 2
    assert list(product.thing_model.properties) == ["p"]
    assert product.data_template["properties"][0]["id"] == "p"
    broken = Product.from_api({"ProductId": "P", "DataTemplate": "{oops"})
    assert broken.thing_model.problems == ("DataTemplate is not valid JSON",)
    assert broken.data_template == {}
    assert Product.from_api({"ProductId": "P"}).thing_model == product.thing_model.__class__()


def test_status_and_values() -> None:
    """Online is 1; ids may come split; raw values are kept as they are."""
    assert DeviceStatus.from_api({"DeviceId": "P/d", "Online": 1}) == DeviceStatus("P/d", True)
    assert DeviceStatus.from_api({"ProductId": "P", "DeviceName": "d", "Online": "0"}) == (
        DeviceStatus("P/d", False)
    )
    assert DeviceStatus.from_api({}) == DeviceStatus("", False)
    assert PropertyValue.from_api({"Value": 3, "LastUpdate": "9"}) == PropertyValue(3, 9)
    assert PropertyValue.from_api(5) == PropertyValue(5, None)
    assert PropertyValue.from_api({"other": 1}) == PropertyValue({"other": 1})


def test_scene_automation_timer() -> None:
    """Lists and JSON strings inside scenes, automations and timers."""
    scene = Scene.from_api({"SceneId": "s", "Name": "n", "Icon": "i", "Actions": [{"a": 1}, 2]})
    assert (scene.name, scene.icon, scene.actions) == ("n", "i", ({"a": 1},))
    automation = Automation.from_api({"AutomationId": "a", "Status": "1"})
    assert automation.enabled
    assert not Automation.from_api({"AutomationId": "a"}).enabled
    timer = Timer.from_api({"TimerId": "t", "Data": "{bad", "Repeat": 0})
    assert (timer.days, timer.data, timer.repeat, timer.enabled) == ("0000000", {}, False, False)


def test_firmware() -> None:
    """Update availability and upgrade states."""
    assert FirmwareInfo.from_api({"CurrentVersion": "1.0", "DstVersion": "1.1"}).update_available
    assert not FirmwareInfo.from_api(
        {"CurrentVersion": "1.0", "DstVersion": "1.0"}
    ).update_available
    assert not FirmwareInfo.from_api({"CurrentVersion": "1.0"}).update_available
    for busy in (1, 2, 3, 4, 7, 20):
        assert FirmwareStatus(busy).in_progress
    for idle in (None, 5, 6, 8):
        assert not FirmwareStatus(idle).in_progress
    assert FirmwareStatus(5).failed
    assert not FirmwareStatus(6).failed
    assert FirmwareStatus.from_api({"Status": "3", "Percent": None}).percent == 0


def test_small_records() -> None:
    """Bind token state, action results, event records and messages."""
    assert BindTokenState(2).usable
    assert not BindTokenState(1).usable
    assert not BindTokenState(None).usable
    result = ActionResult.from_api({"ClientToken": "c", "Status": "ok", "OutputParams": '{"r":1}'})
    assert result == ActionResult("c", "ok", {"r": 1})
    record = EventRecord.from_api({"EventId": "e", "Timestamp": "1553484903", "ProductID": "P"})
    assert (record.timestamp, record.product_id, record.data) == (1553484903, "P", {})
    # In seconds as the reference says, or in ms as Tencent Cloud's samples show.
    assert EventRecord.from_api({"EventId": "e", "TimeStamp": 1553484903123}).timestamp == (
        1553484903
    )
    message = Message.from_api({"MsgID": 1, "Category": "1", "MsgTimestamp": 1574855521420})
    assert (message.msg_id, message.category, message.timestamp) == ("1", 1, 1574855521420)
    assert Message.from_api({"MsgID": 1, "MsgTimestamp": 1574855521}).timestamp == 1574855521000
