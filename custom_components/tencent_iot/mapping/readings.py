"""Readings and states among writable properties, and what an enum's options mean.

Template authors often mark a measurement writable ("rw"): a battery level, a current, a gas
state, a blood pressure. Shown as a number or a select it would invite the user to overwrite
what the device measured, so such a property is shown as the reading it is. Besides standard
ids (see `properties.py`), its id or its name says so: it measures something (current, left,
result, fault, pressure, pulse...) and says nothing of a setting (set, switch, mode, reset...).
A bool is a reading only by its standard id: one word is too little to take a switch away.
"""

from collections.abc import Callable, Sequence
from typing import Any, Final

from custom_components.tencent_iot.api import (
    BoolDefine,
    EnumDefine,
    Property,
    StringEnumDefine,
)

from .common import classify, mentions

# Words of an id, and parts of a model's name, that say a value is measured.
READING_WORDS: Final = frozenset(
    {
        "current",
        "cur",
        "left",
        "remain",
        "remaining",
        "result",
        "fault",
        "error",
        "err",
        "pressure",
        "pulse",
        "heart",
        "bpm",
        "weight",
        "quality",
        "sensor",
        "co",
        "tvoc",
        "consumption",
        "detected",
        "measured",
    }
)
READING_NAME_WORDS: Final = (
    "当前",
    "检测",
    "剩余",
    "结果",
    "故障",
    "心率",
    "脉搏",
    "血压",
    "收缩压",
    "舒张压",
    "体重",
    "质量",
    "耗电",
    "累计",
    "电量",
)
# Words and name parts that make a property a setting whatever else it says.
CONTROL_WORDS: Final = frozenset(
    {
        "set",
        "setting",
        "switch",
        "enable",
        "reset",
        "mode",
        "lock",
        "timer",
        "countdown",
        "delay",
        "limit",
        "target",
        "threshold",
        "calibration",
    }
)
CONTROL_NAME_WORDS: Final = (
    "设置",
    "设定",
    "开关",
    "调节",
    "模式",
    "重置",
    "复位",
    "倒计时",
    "定时",
    "档位",
)


def looks_like_reading(prop: Property) -> bool:
    """Whether a property that is not a bool names a measurement and no setting."""
    if isinstance(prop.define, BoolDefine):
        return False
    if mentions(prop, CONTROL_WORDS, CONTROL_NAME_WORDS):
        return False
    return mentions(prop, READING_WORDS, READING_NAME_WORDS)


# What the options of a state enum mean (first row wins): "normal" before "alarm", and
# "未拆卸" (not removed) before "拆卸" (removed).
STATE_KEYWORDS: Final[Sequence[tuple[bool, tuple[str, ...]]]] = (
    (False, ("normal", "正常", "无人", "未", "none", "clear", "idle", "closed", "关闭")),
    (
        True,
        (
            "alarm",
            "报警",
            "告警",
            "有人",
            "detect",
            "leak",
            "漏水",
            "tamper",
            "拆卸",
            "open",
            "打开",
            "trigger",
            "charging",
            "充电",
            # a battery state: low is what a "battery low" sensor is on for
            "low",
            "低",
        ),
    ),
)


def active_keys(prop: Property) -> frozenset[int | str]:
    """The keys of an enum or string enum that mean "active".

    When some options say "normal" (or "nobody", "not removed"), every other option is on: a
    muted smoke alarm still has smoke. Otherwise the options that say "alarm", "low"... are.
    """
    define = prop.define
    if not isinstance(define, EnumDefine | StringEnumDefine):
        return frozenset()
    meanings: dict[int | str, bool | None] = {}
    for key, label in define.mapping.items():
        meaning = classify(label, STATE_KEYWORDS)
        meanings[key] = meaning if meaning is not None else classify(str(key), STATE_KEYWORDS)
    if False in meanings.values():
        return frozenset(key for key, meaning in meanings.items() if meaning is not False)
    return frozenset(key for key, meaning in meanings.items() if meaning)


def state_value_fn(prop: Property) -> Callable[[Any], bool | None] | None:
    """How a binary sensor reads an enum state by its options' meaning; None: as a number."""
    keys = active_keys(prop)
    if not keys:
        if isinstance(prop.define, StringEnumDefine):
            keys = frozenset({"1", "true"})
        else:
            return None
    return lambda value: None if value is None else value in keys
