"""Icons of the entities the fallback pass names as the model does, by a word of the id.

Entities with a translation key take their icon from icons.json, those with a device class from
the frontend; the rest would all show the same generic icon. A word of the id gives them a
translation key of its own: icons.json has its icon, for every platform the fallback makes,
and no translation names it, so the entity keeps the model's name.
"""

import re
from typing import Final

# The first row with a word of the property id gives the translation key of the icon.
ICON_WORDS: Final[tuple[tuple[frozenset[str], str], ...]] = (
    (frozenset({"filter"}), "filter"),
    (frozenset({"aqi", "quality"}), "air_quality"),
    (frozenset({"smoke"}), "smoke_density"),
    (frozenset({"zigbee"}), "zigbee"),
)

# "filter_life", "filterLife" and "FILTER-LIFE" have the words "filter" and "life".
_WORD: Final = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def id_words(prop_id: str) -> frozenset[str]:
    """The words of a thing-model id, lower case."""
    return frozenset(word.lower() for word in _WORD.findall(prop_id))


def icon_key_for(prop_id: str) -> str | None:
    """The translation key of the icon a property's id calls for, if any."""
    words = id_words(prop_id)
    return next((key for words_of, key in ICON_WORDS if not words_of.isdisjoint(words)), None)
