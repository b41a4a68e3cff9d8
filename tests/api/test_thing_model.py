"""Thing models: every product of the simulator's home, read over loopback, and value coercion."""

import json
from typing import Any

import pytest

from custom_components.tencent_iot.api import (
    Action,
    ArrayDefine,
    BoolDefine,
    EnumDefine,
    Member,
    NumberDefine,
    Property,
    StringDefine,
    StringEnumDefine,
    StructDefine,
    TencentIoTClient,
    TencentIoTCloudError,
    ThingModel,
    TimestampDefine,
)
from custom_components.tencent_iot.api.thing_model import InvalidValueError, parse_define
from simulator import CloudSimulator

from .common import PRODUCT_IDS, SPEAKER, home_family_id

_KINDS = {
    "bool": BoolDefine,
    "int": NumberDefine,
    "float": NumberDefine,
    "enum": EnumDefine,
    "stringenum": StringEnumDefine,
    "string": StringDefine,
    "timestamp": TimestampDefine,
    "struct": StructDefine,
    "array": ArrayDefine,
}


# Against the simulator


async def test_every_product_parses(client: TencentIoTClient, sim: CloudSimulator) -> None:
    """Each DataTemplate of the home parses without problems, entry for entry."""
    products = await client.get_products(PRODUCT_IDS)
    assert len(products) == len(PRODUCT_IDS)
    for product in products:
        template = json.loads(sim.state.products[product.product_id].template_json)
        model = product.thing_model
        assert model.problems == (), product.product_id
        assert list(model.properties) == [p["id"] for p in template.get("properties", [])]
        assert list(model.events) == [e["id"] for e in template.get("events", [])]
        assert list(model.actions) == [a["id"] for a in template.get("actions", [])]
        for raw in template.get("properties", []):
            prop = model.properties[raw["id"]]
            assert isinstance(prop.define, _KINDS[raw["define"]["type"]])
            assert prop.writable == (raw["mode"] == "rw")
            assert prop.name == raw["name"]


async def test_reported_values_decode_and_controls_encode(
    client: TencentIoTClient, sim: CloudSimulator
) -> None:
    """Every value the home reports decodes with its property; the encoded value is accepted."""
    home = home_family_id(sim)
    devices = [d for d in await client.get_devices(home) if d.product_id != "GW5X7N2R4B"]
    products = {p.product_id: p for p in await client.get_products(d.product_id for d in devices)}
    controlled = 0
    for device in devices:
        model = products[device.product_id].thing_model
        data = await client.get_device_data(device)
        assert set(data) == set(model.properties)
        values = {key: model.properties[key].decode(value.value) for key, value in data.items()}
        writable = {
            key: model.properties[key].encode(value)
            for key, value in values.items()
            if model.properties[key].writable
        }
        if writable and sim.state.devices[device.key].online:
            await client.control_device(device, writable)
            controlled += 1
    assert controlled >= 10


async def test_speaker_types(client: TencentIoTClient) -> None:
    """The speaker uses string, timestamp, struct, array and string-enum properties."""
    (speaker,) = await client.get_products([SPEAKER.product_id])
    props = speaker.thing_model.properties
    assert isinstance(props["display_text"].define, StringDefine)
    assert isinstance(props["alarm_time"].define, TimestampDefine)
    assert isinstance(props["now_playing"].define, StructDefine)
    assert isinstance(props["recent_songs"].define, ArrayDefine)
    assert isinstance(props["play_mode"].define, StringEnumDefine)
    play_song = speaker.thing_model.actions["play_song"]
    assert [m.id for m in play_song.input] == ["song_id", "start_position"]
    assert play_song.encode_input({"song_id": "kg_1", "start_position": "30"}) == {
        "song_id": "kg_1",
        "start_position": 30,
    }
    with pytest.raises(InvalidValueError, match="start_position"):
        play_song.encode_input({"start_position": 9999})
    text = props["display_text"]
    long_text = "x" * ((text.define.max_length or 0) + 1)  # type: ignore[union-attr]
    with pytest.raises(InvalidValueError):
        text.encode(long_text)
    with pytest.raises(TencentIoTCloudError):
        await client.control_device(SPEAKER, {"display_text": long_text})


# Value coercion


def test_bool() -> None:
    """0/1, true/false and the mapping's labels."""
    define = BoolDefine({0: "关", 1: "开"})
    assert [define.decode(v) for v in (1, "0", "true", True, 0.0)] == [
        True,
        False,
        True,
        True,
        False,
    ]
    assert define.encode(True) == 1
    assert define.encode("开") == 1
    assert define.encode("关") == 0
    for bad in ("maybe", 2, None):
        with pytest.raises(InvalidValueError):
            define.decode(bad)
        with pytest.raises(InvalidValueError):
            define.encode(bad)


def test_numbers() -> None:
    """Ints round when reported, must be integral when sent, and stay in range."""
    brightness = NumberDefine("int", min=1, max=100, step=1, unit="%")
    assert brightness.decode("2.6") == 3
    assert brightness.decode(7) == 7
    assert brightness.encode("42") == 42
    assert isinstance(brightness.encode(42.0), int)
    with pytest.raises(InvalidValueError, match="not an integer"):
        brightness.encode(2.5)
    with pytest.raises(InvalidValueError, match=r"out of range 1\.\.100"):
        brightness.encode(101)
    with pytest.raises(InvalidValueError, match=r"out of range 1\.\.100"):
        brightness.encode(0)
    with pytest.raises(InvalidValueError, match="not a number"):
        brightness.encode(True)
    with pytest.raises(InvalidValueError, match="not a number"):
        brightness.decode("bright")
    temperature = NumberDefine("float", max=30.5)
    assert temperature.decode("21.5") == 21.5
    assert temperature.encode(-40) == -40.0
    assert isinstance(temperature.encode(20), float)
    with pytest.raises(InvalidValueError, match=r"out of range \.\.30\.5"):
        temperature.encode(31)
    with pytest.raises(InvalidValueError, match=r"out of range 5\.\."):
        NumberDefine("int", min=5).encode(4)
    with pytest.raises(InvalidValueError):
        temperature.encode(float("nan"))


def test_enums() -> None:
    """Integer enums by key or label; string enums likewise; empty mappings accept any."""
    mode = EnumDefine({0: "cool", 1: "heat"})
    assert mode.decode("1") == 1
    assert mode.decode(7) == 7  # reported values are not checked
    assert mode.encode(1) == 1
    assert mode.encode("1") == 1
    assert mode.encode("heat") == 1
    for bad in (2, "dry", True, None):
        with pytest.raises(InvalidValueError, match=r"not one of \[0, 1\]"):
            mode.encode(bad)
    with pytest.raises(InvalidValueError):
        mode.decode("cool")
    assert EnumDefine().encode(9) == 9

    effect = StringEnumDefine({"static": "Static", "breath": "Breath"})
    assert effect.decode("breath") == "breath"
    assert effect.decode(3) == "3"
    with pytest.raises(InvalidValueError):
        effect.decode(None)
    assert effect.encode("static") == "static"
    assert effect.encode("Breath") == "breath"
    with pytest.raises(InvalidValueError, match="not one of"):
        effect.encode("rainbow")
    with pytest.raises(InvalidValueError):
        effect.encode(1)
    assert StringEnumDefine().encode("anything") == "anything"


def test_strings_and_timestamps() -> None:
    """Text with length bounds; timestamps as integers."""
    text = StringDefine(min_length=2, max_length=4)
    assert text.decode("ab") == "ab"
    assert text.decode(12) == "12"
    assert text.decode(1.5) == "1.5"
    with pytest.raises(InvalidValueError):
        text.decode(True)
    assert text.encode("abcd") == "abcd"
    with pytest.raises(InvalidValueError, match="longer than 4"):
        text.encode("abcde")
    with pytest.raises(InvalidValueError, match="shorter than 2"):
        text.encode("a")
    with pytest.raises(InvalidValueError, match="not a string"):
        text.encode(12)
    assert StringDefine().encode("") == ""

    stamp = TimestampDefine()
    assert stamp.decode("1700000000") == 1700000000
    assert stamp.encode(1700000000.0) == 1700000000
    for bad in ("soon", True, 1.5):
        with pytest.raises(InvalidValueError):
            stamp.encode(bad)
    with pytest.raises(InvalidValueError):
        stamp.decode("soon")


def test_struct_and_array() -> None:
    """Members are coerced one by one; errors name the member; JSON strings are accepted."""
    colour = StructDefine(
        (
            Member("red", "Red", NumberDefine("int", min=0, max=255)),
            Member("on", "On", BoolDefine()),
        )
    )
    assert colour.decode('{"red": "12", "on": 1, "extra": "kept"}') == {
        "red": 12,
        "on": True,
        "extra": "kept",
    }
    assert colour.encode({"red": 255, "on": False}) == {"red": 255, "on": 0}
    with pytest.raises(InvalidValueError, match="red: 256 is out of range"):
        colour.encode({"red": 256})
    with pytest.raises(InvalidValueError, match="red: "):
        colour.decode({"red": "x"})
    with pytest.raises(InvalidValueError, match="unknown member 'blue'"):
        colour.encode({"blue": 1})
    for bad in ("not json", "[1]", 5):
        with pytest.raises(InvalidValueError, match="not an object"):
            colour.decode(bad)
    with pytest.raises(InvalidValueError, match="not an object"):
        colour.encode([1])

    levels = ArrayDefine(NumberDefine("int", min=0, max=100))
    assert levels.decode("[1, 2.4]") == [1, 2]
    assert levels.decode([5]) == [5]
    assert levels.encode((1, "2")) == [1, 2]
    for bad in ("not json", '{"a": 1}', 3):
        with pytest.raises(InvalidValueError, match="not a list"):
            levels.decode(bad)
    with pytest.raises(InvalidValueError):
        levels.encode([101])
    with pytest.raises(InvalidValueError, match="not a list"):
        levels.encode("1,2")


def test_property_and_action() -> None:
    """Properties delegate to their define; actions check their input."""
    prop = Property("power_switch", "Power", BoolDefine(), mode="rw")
    assert prop.writable
    assert prop.decode("1") is True
    assert prop.encode(False) == 0
    assert not Property("p", "P", BoolDefine()).writable
    action = Action("blink", "Blink", input=(Member("times", "Times", NumberDefine("int")),))
    assert action.encode_input({"times": "3"}) == {"times": 3}
    with pytest.raises(InvalidValueError, match="unknown member"):
        action.encode_input({"speed": 1})


# Parsing DataTemplates


def _template(**sections: Any) -> str:
    return json.dumps({"version": "1.0", **sections})


def test_full_template() -> None:
    """Numbers as strings, mappings, struct members, array items, events and actions."""
    template = _template(
        properties=[
            {
                "id": "power",
                "name": "Power",
                "mode": "rw",
                "required": "1",
                "desc": "on/off",
                "define": {"type": "bool", "mapping": {"0": "off", "1": "on"}},
            },
            {
                "id": "level",
                "mode": "r",
                "define": {"type": "float", "min": "0", "max": "9.5", "step": "0.5", "unit": "V"},
            },
            {"id": "mode", "mode": "W", "define": {"type": "enum", "mapping": {"1": "a"}}},
            {"id": "name", "mode": "rw", "define": {"type": "string", "min": "", "max": "8"}},
            {"id": "when", "define": {"type": "timestamp"}},
            {
                "id": "pair",
                "mode": "rw",
                "define": {
                    "type": "struct",
                    "specs": [
                        {"id": "x", "name": "X", "dataType": {"type": "int", "max": "5"}},
                        {"id": "y", "define": {"type": "stringenum", "mapping": {"a": "A"}}},
                    ],
                },
            },
            {"id": "list", "define": {"type": "array", "arrayInfo": {"type": "string"}}},
        ],
        events=[
            {
                "id": "alarm",
                "name": "Alarm",
                "type": "alert",
                "params": [{"id": "v", "name": "V", "define": {"type": "int"}}],
            }
        ],
        actions=[
            {
                "id": "go",
                "name": "Go",
                "desc": "d",
                "input": [],
                "output": [{"id": "ok", "name": "OK", "define": {"type": "bool"}}],
            }
        ],
    )
    model = ThingModel.from_api(template)
    assert model.problems == ()
    props = model.properties
    assert props["power"] == Property(
        "power", "Power", BoolDefine({0: "off", 1: "on"}), "rw", "on/off", True
    )
    assert props["level"].define == NumberDefine("float", min=0, max=9.5, step=0.5, unit="V")
    assert props["level"].name == "level"  # the id when there is no name
    assert not props["level"].writable
    assert props["mode"].writable
    assert props["mode"].define == EnumDefine({1: "a"})
    assert props["name"].define == StringDefine(None, 8)
    assert props["when"].define == TimestampDefine()
    pair = props["pair"].define
    assert isinstance(pair, StructDefine)
    assert [(m.id, m.name) for m in pair.members] == [("x", "X"), ("y", "y")]
    assert pair.members[0].define == NumberDefine("int", max=5)
    assert props["list"].define == ArrayDefine(StringDefine())
    assert model.events["alarm"].type == "alert"
    assert model.events["alarm"].params[0].define == NumberDefine("int")
    assert model.actions["go"].output[0].define == BoolDefine()
    assert model.actions["go"].desc == "d"
    assert ThingModel.from_api(json.loads(template)) == model


def test_profile_nesting_and_empty() -> None:
    """Sections nested in "profile" are found; empty templates give empty models."""
    nested = ThingModel.from_api(
        {"profile": {"properties": [{"id": "p", "define": {"type": "bool"}}]}}
    )
    assert list(nested.properties) == ["p"]
    empties: list[object] = [None, "", "  ", {}]
    for empty in empties:
        assert ThingModel.from_api(empty) == ThingModel()


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{not json", "DataTemplate is not valid JSON"),
        ("[1, 2]", "DataTemplate is not an object"),
        ({"properties": ["x"]}, "property #0: not an object"),
        ({"properties": [{"define": {"type": "bool"}}]}, "property #0: no id"),
        ({"properties": [{"id": "p"}]}, "property p: missing define"),
        (
            {"properties": [{"id": "p", "define": {"type": "blob"}}]},
            "property p: unknown type 'blob'",
        ),
        (
            {"properties": [{"id": "p", "define": {"type": "struct", "specs": {"id": "x"}}}]},
            "property p: members are not a list",
        ),
        (
            {"properties": [{"id": "p", "define": {"type": "struct", "specs": [{"name": "x"}]}}]},
            "property p: member without id",
        ),
        (
            {"events": [{"id": "e", "params": [{"id": "m", "define": {"type": "?"}}]}]},
            "event e: member m: unknown type '?'",
        ),
        ({"actions": [{"id": "a", "input": "x"}]}, "action a: members are not a list"),
        ({"properties": [{"id": "p", "define": {"type": "array"}}]}, "property p: missing define"),
    ],
)
def test_template_problems(template: object, problem: str) -> None:
    """A bad entry is skipped and described; it never raises."""
    model = ThingModel.from_api(template if isinstance(template, str) else json.dumps(template))
    assert model.problems == (problem,)
    assert model.properties == {}


@pytest.mark.parametrize(
    ("define", "problem", "kept"),
    [
        (
            {"type": "int", "min": "low", "max": "9"},
            "min 'low' is not a number, ignored",
            NumberDefine("int", max=9),
        ),
        # Published templates: a unit in the step, and a web form's "undefined".
        (
            {"type": "int", "min": "0", "max": "10", "step": "s"},
            "step 's' is not a number, ignored",
            NumberDefine("int", min=0, max=10),
        ),
        (
            {"type": "float", "step": "undefined", "start": "undefined"},
            "step 'undefined' is not a number, ignored",
            NumberDefine("float"),
        ),
        (
            {"type": "enum", "mapping": ["a"]},
            "mapping is not an object, ignored",
            EnumDefine(),
        ),
        (
            {"type": "enum", "mapping": {"x": "a", "1": "b"}},
            "mapping keys 'x' are not integers, ignored",
            EnumDefine({1: "b"}),
        ),
        # Tencent's alarm host: a bool whose mapping names its modes.
        (
            {"type": "bool", "mapping": {"disarmed": "撤防", "arm": "布防", "home": "在家"}},
            "mapping keys 'disarmed', 'arm', 'home' are not integers, ignored",
            BoolDefine(),
        ),
        (
            {"type": "stringenum", "mapping": 3},
            "mapping is not an object, ignored",
            StringEnumDefine(),
        ),
    ],
)
def test_sloppy_attributes_are_left_out(define: dict[str, Any], problem: str, kept: object) -> None:
    """An attribute that cannot be read is left out and described; the property is kept."""
    model = ThingModel.from_api({"properties": [{"id": "p", "mode": "rw", "define": define}]})
    assert model.problems[0] == f"property p: {problem}"
    assert model.properties["p"].define == kept
    assert model.properties["p"].writable


def test_sloppy_member_keeps_its_action() -> None:
    """A member's unreadable step (Tencent's C SDK example) leaves the action usable."""
    model = ThingModel.from_api(
        {
            "actions": [
                {
                    "id": "blink",
                    "input": [
                        {
                            "id": "period",
                            "define": {"type": "int", "max": "100", "step": "undefined"},
                        }
                    ],
                }
            ]
        }
    )
    assert model.problems == (
        "action blink: member period: step 'undefined' is not a number, ignored",
    )
    assert model.actions["blink"].encode_input({"period": 3}) == {"period": 3}


def test_duplicates_and_good_entries_kept() -> None:
    """A duplicate id is reported; the other entries survive a bad neighbour."""
    model = ThingModel.from_api(
        {
            "properties": [
                {"id": "a", "define": {"type": "bool"}},
                {"id": "b", "define": {"type": "nope"}},
                {"id": "a", "define": {"type": "int"}},
                {"id": "c", "define": {"type": "int"}},
            ]
        }
    )
    assert list(model.properties) == ["a", "c"]
    assert model.properties["a"].define == BoolDefine()
    assert model.problems == (
        "property b: unknown type 'nope'",
        "property a: duplicate id, the first one is kept",
    )


def test_parse_define() -> None:
    """The define parser is usable on its own."""
    assert parse_define({"type": "int", "min": 1}) == NumberDefine("int", min=1)
    with pytest.raises(ValueError, match="missing define"):
        parse_define("int")
