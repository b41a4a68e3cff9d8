"""ICU MessageFormat syntax, checked the way Home Assistant's frontend reads translations.

The frontend builds every translated string with `new IntlMessageFormat(text, language)` and shows
"Translation error: <kind>" when that throws. This parser follows the one inside intl-messageformat
(@formatjs/icu-messageformat-parser) rule for rule and names its errors by the same kinds, so a
string it accepts is one the frontend can show:

- `{name}` is a placeholder; `{name, number|date|time[, style]}` a formatted one;
  `{name, select|plural|selectordinal, key {message} ... other {message}}` chooses a message.
- An apostrophe quotes only before `{`, `}`, `<`, `>` (and `#` inside plural), up to the next
  single apostrophe; `''` is one apostrophe; any other apostrophe is plain text.
- A `}` outside any placeholder is plain text; a `{` always opens a placeholder.
- `<tag>...</tag>` is rich text that the frontend can only format with a value it never passes,
  so it fails here as it would there (as INVALID_TAG, whether intl-messageformat fails while
  parsing or while formatting); `<tag/>` is plain text.

Not checked: the inside of number and date skeletons (`{n, number, ::currency/EUR}`).
"""

from dataclasses import dataclass, field
import re
from typing import Final

# Characters that end an identifier: Unicode White_Space and Pattern_Syntax (the parser's own table).
_IDENTIFIER: Final = re.compile(
    r"[^\t-\r -/:-@\[-^`{-~\x85\xa0-\xa7\xa9\xab\xac\xae\xb0\xb1\xb6\xbb\xbf\xd7\xf7\u1680"
    r"\u2000-\u200a\u2010-\u2029\u202f-\u203e\u2041-\u2053\u2055-\u205f\u2190-\u245f"
    r"\u2500-\u2775\u2794-\u2bff\u2e00-\u2e7f\u3000-\u3003\u3008-\u3020\u3030\ufd3e\ufd3f"
    r"\ufe45\ufe46]*"
)
# The parser skips only these between tokens (not, for example, a no-break space).
_SPACE: Final = re.compile(r"[\t-\r \x85\u200e\u200f\u2028\u2029]*")
_TAG_NAME: Final = re.compile(
    r"[a-zA-Z][-.0-9_a-zA-Z\xb7\xc0-\xd6\xd8-\xf6\xf8-\u037d\u037f-\u1fff\u200c\u200d\u203f\u2040"
    r"\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff]*"
)
_INTEGER: Final = re.compile(r"[+-]?[0-9]*")
_QUOTABLE: Final = frozenset("{}<>")
_PLURAL_TYPES: Final = frozenset({"plural", "selectordinal"})


class MessageSyntaxError(ValueError):
    """A string the frontend cannot format; `kind` is intl-messageformat's name for the error."""

    def __init__(self, kind: str, offset: int) -> None:
        """Name the error and where in the string the parser stopped."""
        super().__init__(f"{kind} at character {offset}")
        self.kind = kind
        self.offset = offset


@dataclass
class ParsedMessage:
    """What a valid message holds: the names it needs and its plain text (quotes resolved)."""

    placeholders: set[str] = field(default_factory=set)
    text: str = ""


def parse_message(message: str) -> ParsedMessage:
    """Parse a translated string as the frontend does; raise MessageSyntaxError where it fails."""
    parser = _Parser(message)
    parser.parse_message(depth=0, parent_type="")
    return parser.result


class _Parser:
    def __init__(self, message: str) -> None:
        self.message = message
        self.pos = 0
        self.result = ParsedMessage()

    def fail(self, kind: str) -> MessageSyntaxError:
        return MessageSyntaxError(kind, self.pos)

    def at_end(self) -> bool:
        return self.pos >= len(self.message)

    def char(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.message[index] if index < len(self.message) else ""

    def skip_if(self, prefix: str) -> bool:
        if self.message.startswith(prefix, self.pos):
            self.pos += len(prefix)
            return True
        return False

    def match(self, pattern: re.Pattern[str]) -> str:
        found = pattern.match(self.message, self.pos)
        assert found is not None  # every pattern here also matches the empty string
        self.pos = found.end()
        return found[0]

    def skip_space(self) -> None:
        self.match(_SPACE)

    def parse_message(self, depth: int, parent_type: str) -> None:
        """Read elements up to the end, or up to the `}` that closes a nested message."""
        while not self.at_end():
            char = self.char()
            if char == "{":
                self.parse_placeholder(depth)
            elif char == "}" and depth > 0:
                return
            elif char == "#" and parent_type in _PLURAL_TYPES:
                self.pos += 1  # the number of a plural
            elif char == "<" and self.char(1) == "/":
                raise self.fail("UNMATCHED_CLOSING_TAG")
            elif char == "<" and self.char(1).isascii() and self.char(1).isalpha():
                self.parse_tag()
            elif char == "'":
                self.result.text += self.parse_apostrophe(parent_type)
            else:
                self.result.text += char
                self.pos += 1

    def parse_apostrophe(self, parent_type: str) -> str:
        """An escaped apostrophe, a quoted run of text, or a plain apostrophe."""
        if self.skip_if("''"):
            return "'"
        following = self.char(1)
        if following not in _QUOTABLE and not (following == "#" and parent_type in _PLURAL_TYPES):
            self.pos += 1
            return "'"
        self.pos += 2
        quoted = following
        while not self.at_end():
            if self.skip_if("''"):
                quoted += "'"
            elif self.skip_if("'"):
                break
            else:
                quoted += self.char()
                self.pos += 1
        return quoted

    def parse_tag(self) -> None:
        self.pos += 1
        name = self.match(_TAG_NAME)
        self.skip_space()
        if self.skip_if("/>"):
            self.result.text += f"<{name}/>"
            return
        # An opening tag needs a formatting function as its value; the frontend passes none.
        raise self.fail("INVALID_TAG")

    def parse_placeholder(self, depth: int) -> None:
        self.pos += 1  # {
        self.skip_space()
        if self.at_end():
            raise self.fail("EXPECT_ARGUMENT_CLOSING_BRACE")
        if self.char() == "}":
            raise self.fail("EMPTY_ARGUMENT")
        if not (name := self.match(_IDENTIFIER)):
            raise self.fail("MALFORMED_ARGUMENT")
        self.result.placeholders.add(name)
        self.skip_space()
        if self.at_end():
            raise self.fail("EXPECT_ARGUMENT_CLOSING_BRACE")
        if self.skip_if("}"):
            return
        if not self.skip_if(","):
            raise self.fail("MALFORMED_ARGUMENT")
        self.skip_space()
        if self.at_end():
            raise self.fail("EXPECT_ARGUMENT_CLOSING_BRACE")
        match self.match(_IDENTIFIER):
            case "":
                raise self.fail("EXPECT_ARGUMENT_TYPE")
            case "number" | "date" | "time":
                self.parse_style()
            case "select" | "plural" | "selectordinal" as kind:
                self.parse_choices(depth, kind)
            case _:
                raise self.fail("INVALID_ARGUMENT_TYPE")
        self.close_placeholder()

    def close_placeholder(self) -> None:
        if not self.skip_if("}"):
            raise self.fail("EXPECT_ARGUMENT_CLOSING_BRACE")

    def parse_style(self) -> None:
        """The optional `, style` of a number, date or time, up to its closing brace."""
        self.skip_space()
        if not self.skip_if(","):
            return
        self.skip_space()
        start = self.pos
        # The first `}` outside quotes ends the style: intl-messageformat counts nested braces
        # but still closes on the first one.
        while not self.at_end() and self.char() != "}":
            if self.char() == "'":
                if (end := self.message.find("'", self.pos + 1)) < 0:
                    raise self.fail("UNCLOSED_QUOTE_IN_ARGUMENT_STYLE")
                self.pos = end
            self.pos += 1
        if not self.message[start : self.pos].rstrip():
            raise self.fail("EXPECT_ARGUMENT_STYLE")

    def parse_choices(self, depth: int, kind: str) -> None:
        """`, [offset:n] key {message} ...` of a select or plural; `other` is required."""
        plural = kind in _PLURAL_TYPES
        family = "PLURAL" if plural else "SELECT"
        self.skip_space()
        if not self.skip_if(","):
            raise self.fail("EXPECT_SELECT_ARGUMENT_OPTIONS")
        self.skip_space()
        key = self.match(_IDENTIFIER)
        if plural and key == "offset":
            if not self.skip_if(":"):
                raise self.fail("EXPECT_PLURAL_ARGUMENT_OFFSET_VALUE")
            self.skip_space()
            self.parse_integer("EXPECT_PLURAL_ARGUMENT_OFFSET_VALUE")
            self.skip_space()
            key = self.match(_IDENTIFIER)
        keys: set[str] = set()
        while key or (plural and self.char() == "="):
            if not key:
                start = self.pos
                self.pos += 1
                self.parse_integer("EXPECT_PLURAL_ARGUMENT_SELECTOR")
                key = self.message[start : self.pos]
            if key in keys:
                raise self.fail(f"DUPLICATE_{family}_ARGUMENT_SELECTOR")
            keys.add(key)
            self.skip_space()
            if not self.skip_if("{"):
                raise self.fail(f"EXPECT_{family}_ARGUMENT_SELECTOR_FRAGMENT")
            self.parse_message(depth + 1, kind)
            self.close_placeholder()
            self.skip_space()
            key = self.match(_IDENTIFIER)
        if not keys:
            raise self.fail(f"EXPECT_{family}_ARGUMENT_SELECTOR")
        if "other" not in keys:
            raise self.fail("MISSING_OTHER_CLAUSE")

    def parse_integer(self, error_kind: str) -> None:
        if not any(digit.isdigit() for digit in self.match(_INTEGER)):
            raise self.fail(error_kind)
