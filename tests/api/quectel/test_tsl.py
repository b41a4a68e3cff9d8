"""Quectel's TSL as the shared thing model, and values to and from the cloud."""

import json
from typing import Any

import pytest

from custom_components.tencent_iot.api import (
    ArrayDefine,
    BoolDefine,
    EnumDefine,
    NumberDefine,
    StringDefine,
    StringEnumDefine,
    StructDefine,
    TimestampDefine,
)
from custom_components.tencent_iot.api.quectel import thing_model_from_tsl
from custom_components.tencent_iot.api.quectel.models import (
    cron_job_from_api,
    device_from_api,
    message_from_api,
    scene_from_api,
    values_from_api,
    week_to_days,
)
from custom_components.tencent_iot.api.quectel.tsl import (
    command_values,
    value_from_cloud,
    value_to_cloud,
)

BOOL_SPECS = [{"value": "true", "name": "on"}, {"value": "false", "name": "off"}]
TSL: dict[str, Any] = {
    "properties": [
        {
            "id": 1,
            "code": "switch",
            "name": "Switch",
            "dataType": "BOOL",
            "subType": "RW",
            "specs": BOOL_SPECS,
        },
        {
            "id": 2,
            "code": "level",
            "dataType": "INT",
            "subType": "RW",
            "specs": {"min": "0", "max": "10", "step": "1", "unit": "%"},
        },
        {
            "id": 3,
            "code": "volts",
            "dataType": "FLOAT",
            "subType": "R",
            "specs": {"min": "0", "max": "5", "unit": "V"},
        },
        {"id": 4, "code": "energy", "dataType": "DOUBLE", "subType": "R", "specs": {"unit": "kWh"}},
        {
            "id": 5,
            "code": "mode",
            "dataType": "ENUM",
            "subType": "RW",
            "specs": [{"value": "0", "name": "eco"}, {"value": 1, "name": "boost"}],
        },
        {"id": 6, "code": "label", "dataType": "TEXT", "subType": "W", "specs": {"length": "8"}},
        {"id": 7, "code": "since", "dataType": "DATE", "subType": "R", "specs": {}},
        {
            "id": 8,
            "code": "pack",
            "dataType": "STRUCT",
            "subType": "R",
            "specs": [
                {
                    "id": 1,
                    "code": "temp",
                    "name": "Temperature",
                    "dataType": "FLOAT",
                    "specs": {"unit": "°C"},
                },
                {"id": 2, "code": "ok", "dataType": "BOOL", "specs": BOOL_SPECS},
            ],
        },
        {
            "id": 9,
            "code": "cells",
            "dataType": "ARRAY",
            "subType": "R",
            "specs": {
                "length": "4",
                "dataType": "STRUCT",
                "specs": [{"id": 1, "code": "v", "dataType": "FLOAT", "specs": {}}],
            },
        },
        {
            "id": 10,
            "code": "colour",
            "dataType": "ENUM",
            "subType": "RW",
            "specs": {"red": "Red", "blue": "Blue"},
        },
    ],
    "events": [
        {"id": 20, "code": "hello", "type": "info", "outputData": []},
        {"id": 21, "code": "hot", "type": "WARN", "outputData": [{"$ref": "#/properties/id/3"}]},
        {
            "id": 22,
            "code": "broken",
            "type": "error",
            "outputData": [{"id": 1, "code": "reason", "dataType": "TEXT", "specs": {}}],
        },
    ],
    "services": [
        {
            "id": 30,
            "code": "reset",
            "inputData": [
                {"$ref": "#/properties/id/2"},
                {"id": 2, "code": "hard", "dataType": "BOOL", "specs": BOOL_SPECS},
            ],
            "outputData": [{"id": 1, "code": "done", "dataType": "BOOL", "specs": BOOL_SPECS}],
        },
    ],
}


def test_every_data_type_and_access() -> None:
    """BOOL, INT, FLOAT, DOUBLE, ENUM, TEXT, DATE, STRUCT and ARRAY; R, W and RW."""
    model = thing_model_from_tsl({"tslJson": json.dumps(TSL)})
    assert model.problems == ()
    props = model.properties
    assert props["switch"].define == BoolDefine({1: "on", 0: "off"})
    assert props["switch"].writable
    assert props["switch"].name == "Switch"
    assert props["level"].define == NumberDefine("int", min=0, max=10, step=1, unit="%")
    assert props["volts"].define == NumberDefine("float", min=0, max=5, unit="V")
    assert not props["volts"].writable
    assert props["energy"].define == NumberDefine("float", unit="kWh")
    assert props["mode"].define == EnumDefine({0: "eco", 1: "boost"})
    assert props["label"].define == StringDefine(max_length=8)
    assert props["label"].writable
    assert props["since"].define == TimestampDefine()
    pack = props["pack"].define
    assert isinstance(pack, StructDefine)
    assert [(m.id, m.name) for m in pack.members] == [("temp", "Temperature"), ("ok", "ok")]
    cells = props["cells"].define
    assert isinstance(cells, ArrayDefine)
    assert isinstance(cells.item, StructDefine)
    assert props["colour"].define == StringEnumDefine({"red": "Red", "blue": "Blue"})


def test_events_and_services() -> None:
    """Event types in the shared words; parameters described or referenced by property id."""
    model = thing_model_from_tsl(TSL)
    assert {e.id: e.type for e in model.events.values()} == {
        "hello": "info",
        "hot": "alert",
        "broken": "fault",
    }
    assert [(m.id, m.define) for m in model.events["hot"].params] == [
        ("volts", NumberDefine("float", min=0, max=5, unit="V"))
    ]
    reset = model.actions["reset"]
    assert [m.id for m in reset.input] == ["level", "hard"]
    assert [m.id for m in reset.output] == ["done"]


@pytest.mark.parametrize(
    "data",
    [
        {"properties": TSL["properties"]},
        TSL["properties"],
        {"tslJson": TSL},
    ],
    ids=["object", "bare-list", "tslJson-object"],
)
def test_tsl_shapes(data: object) -> None:
    """The TSL comes as JSON text in tslJson, as an object, or as a bare list of properties."""
    assert "cells" in thing_model_from_tsl(data).properties


def test_bad_entries_are_skipped_and_described() -> None:
    """One bad entry does not cost the others."""
    model = thing_model_from_tsl(
        {
            "properties": [
                "nonsense",
                {"id": 1, "dataType": "INT"},
                {"id": 2, "code": "odd", "dataType": "BLOB"},
                {"id": 3, "code": "lim", "dataType": "INT", "specs": {"min": "low"}},
                {"id": 4, "code": "arr", "dataType": "ARRAY", "specs": {}},
                {"id": 5, "code": "st", "dataType": "STRUCT", "specs": {"x": 1}},
                {
                    "id": 6,
                    "code": "st2",
                    "dataType": "STRUCT",
                    "specs": [{"code": "m", "dataType": "NOPE"}],
                },
                {"id": 7, "code": "ok", "dataType": "BOOL", "specs": BOOL_SPECS},
                {"id": 8, "code": "ok", "dataType": "BOOL"},
            ],
            "events": [{"code": "e", "outputData": [{"$ref": "#/properties/id/99"}]}],
        }
    )
    assert list(model.properties) == ["ok"]
    assert len(model.problems) == 9
    assert any("duplicate" in p for p in model.problems)
    assert any("unknown reference" in p for p in model.problems)
    assert thing_model_from_tsl({"tslJson": "{not json"}).problems == ("tslJson is not valid JSON",)
    assert thing_model_from_tsl("text").problems == ("TSL is not an object",)
    assert thing_model_from_tsl({"tslJson": "[1]"}).problems == ("TSL is not an object",)


def test_values_from_and_to_the_cloud() -> None:
    """Text values read in their type; odd ones kept; booleans written as true/false."""
    assert value_from_cloud("true", "BOOL") is True
    assert value_from_cloud("0", "bool") is False
    assert value_from_cloud("42", "INT") == 42
    assert value_from_cloud("2.5", "DOUBLE") == 2.5
    assert value_from_cloud('{"a": 1}', "STRUCT") == {"a": 1}
    assert value_from_cloud("[1,2]", "ARRAY") == [1, 2]
    assert value_from_cloud("maybe", "BOOL") == "maybe"
    assert value_from_cloud("text", "TEXT") == "text"
    assert value_from_cloud(7, "INT") == 7
    model = thing_model_from_tsl(TSL)
    props = model.properties
    assert value_to_cloud(props["switch"].define, 1) is True
    assert value_to_cloud(props["pack"].define, {"temp": 1.5, "ok": 0, "extra": 3}) == {
        "temp": 1.5,
        "ok": False,
        "extra": 3,
    }
    assert value_to_cloud(props["cells"].define, [{"v": 1.0}]) == [{"v": 1.0}]
    assert value_to_cloud(props["level"].define, 3) == 3
    assert command_values('[{"a": 1}, {"b": true}]') == {"a": 1, "b": True}
    assert command_values({"a": 1}) == {"a": 1}
    assert command_values("nonsense") == {}


def test_records() -> None:
    """Device, value, scene, message and cron records read leniently."""
    record = device_from_api(
        {
            "productKey": "pk",
            "deviceKey": "dk",
            "accessType": "1",
            "onlineStatus": 1,
        }
    )
    assert (record.device.key, record.device.is_gateway, record.online) == ("pk/dk", True, True)
    values = values_from_api(
        {
            "customizeTslInfo": [
                {"resourceCode": "a", "resourceValue": "1", "dataType": "INT"},
                {"resourceCode": "b", "value": "x"},
                {"resourceValce": "no code"},
                "junk",
            ]
        }
    )
    assert {k: v.value for k, v in values.items()} == {"a": 1, "b": "x"}
    assert values_from_api(None) == {}
    assert scene_from_api({"sceneId": "s", "name": "n"}).scene_id == "s"
    message = message_from_api({"id": "m", "firstLabel": 9, "addTime": 1_700_000_000})
    assert (message.category, message.timestamp) == (None, 1_700_000_000_000)
    job = cron_job_from_api({"ruleId": "r", "type": "multi-section", "timers": []})
    assert (job.timer.days, job.timer.repeat, job.timer.enabled) == ("0000000", False, True)
    assert week_to_days("7,1,x") == "1100000"
