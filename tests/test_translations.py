"""Every translated string formats in the frontend and needs what the English one needs."""

from collections.abc import Iterator
import json
from pathlib import Path
import re
from typing import Any

import pytest

from custom_components.tencent_iot.const import DOMAIN

from .icu_message import MessageSyntaxError, parse_message

TRANSLATIONS = Path(__file__).parent.parent / "custom_components" / DOMAIN / "translations"
LANGUAGE_FILES = sorted(TRANSLATIONS.glob("*.json"))
# References HA resolves to its own common strings, such as [%key:common::config_flow::abort::x%].
REFERENCE = re.compile(r"\[%key:[^%]*%\]")


def strings(path: Path) -> Iterator[tuple[str, str]]:
    """(dotted key, string) for every string of a translation file."""

    def walk(node: Any, prefix: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for name, value in node.items():
                yield from walk(value, f"{prefix}.{name}" if prefix else name)
        else:
            yield prefix, node

    yield from walk(json.loads(path.read_text(encoding="utf-8")), "")


@pytest.mark.parametrize("path", LANGUAGE_FILES, ids=lambda path: path.name)
def test_strings_format_in_the_frontend(path: Path) -> None:
    """Every string parses as an ICU message, with braces only around placeholders.

    A brace meant as text (a JSON example) would need apostrophe quoting; the strings say the
    same in words instead, so any brace left in the text is an error too.
    """
    problems = []
    for key, text in strings(path):
        try:
            literal = parse_message(text).text
        except MessageSyntaxError as err:
            problems.append(f"{path.name} {key}: {err} in {text!r}")
            continue
        if "{" in literal or "}" in literal:
            problems.append(f"{path.name} {key}: a brace as text in {text!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "path",
    [path for path in LANGUAGE_FILES if path.name != "en.json"],
    ids=lambda path: path.name,
)
def test_placeholders_as_in_english(path: Path) -> None:
    """Each string uses the placeholders and HA references of its English original, no others."""
    english = dict(strings(TRANSLATIONS / "en.json"))
    problems = []
    for key, text in strings(path):
        if key not in english:
            continue  # the key parity test names it
        original = english[key]
        if parse_message(text).placeholders != parse_message(original).placeholders:
            problems.append(f"{path.name} {key}: placeholders of {text!r} differ from {original!r}")
        if sorted(REFERENCE.findall(text)) != sorted(REFERENCE.findall(original)):
            problems.append(f"{path.name} {key}: references of {text!r} differ from {original!r}")
    assert not problems, "\n".join(problems)


# The error kinds are those intl-messageformat 12.1.5 (@formatjs/icu-messageformat-parser
# 3.5.23) gives for the same strings; an opening tag fails there while formatting.
@pytest.mark.parametrize(
    ("message", "placeholders", "text"),
    [
        ("{device} has no property “{property}”.", {"device", "property"}, " has no property “”."),
        ("It's {name}, isn''t it", {"name"}, "It's , isn't it"),
        ("'{name}' is quoted", set(), "{name} is quoted"),
        ("a } alone", set(), "a } alone"),
        ("a <br/> and a < b", set(), "a <br/> and a < b"),
        ("{count, plural, one {# timer} other {# timers}}", {"count"}, " timer timers"),
        ("{count, plural, offset:1 =0 {none} other {'#'}}", {"count"}, "none#"),
        ("{mode, select, on {On at {time}} other {Off}}", {"mode", "time"}, "On at Off"),
        ("{level, number, percent} at {when, time, short}", {"level", "when"}, " at "),
    ],
)
def test_parser_accepts(message: str, placeholders: set[str], text: str) -> None:
    """Placeholders, quoting, plural and select come out as intl-messageformat reads them."""
    parsed = parse_message(message)
    assert parsed.placeholders == placeholders
    assert parsed.text == text


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ('Property values, for example {"power_switch": true}.', "MALFORMED_ARGUMENT"),
        ("{power_switch: true}", "MALFORMED_ARGUMENT"),
        ("{device name}", "MALFORMED_ARGUMENT"),
        ("Empty {}", "EMPTY_ARGUMENT"),
        ("Open {device", "EXPECT_ARGUMENT_CLOSING_BRACE"),
        ("{device, colour}", "INVALID_ARGUMENT_TYPE"),
        ("{device,}", "EXPECT_ARGUMENT_TYPE"),
        ("{level, number, }", "EXPECT_ARGUMENT_STYLE"),
        ("{level, number, 'open}", "UNCLOSED_QUOTE_IN_ARGUMENT_STYLE"),
        ("{mode, select}", "EXPECT_SELECT_ARGUMENT_OPTIONS"),
        ("{mode, select, on {On}}", "MISSING_OTHER_CLAUSE"),
        ("{mode, select, on On other {Off}}", "EXPECT_SELECT_ARGUMENT_SELECTOR_FRAGMENT"),
        ("{mode, select, =1 {On} other {Off}}", "EXPECT_SELECT_ARGUMENT_SELECTOR"),
        ("{mode, select, on {a} on {b} other {c}}", "DUPLICATE_SELECT_ARGUMENT_SELECTOR"),
        ("{count, plural, =x {none} other {#}}", "EXPECT_PLURAL_ARGUMENT_SELECTOR"),
        ("{count, plural, offset:x other {#}}", "EXPECT_PLURAL_ARGUMENT_OFFSET_VALUE"),
        ("{count, plural, one {a} one {b} other {c}}", "DUPLICATE_PLURAL_ARGUMENT_SELECTOR"),
        ("Press <b>OK</b>", "INVALID_TAG"),
        ("Press <b", "INVALID_TAG"),
        ("</b>", "UNMATCHED_CLOSING_TAG"),
    ],
)
def test_parser_rejects(message: str, kind: str) -> None:
    """Strings the frontend shows as "Translation error" fail, with its name for the error."""
    with pytest.raises(MessageSyntaxError) as err:
        parse_message(message)
    assert err.value.kind == kind
