"""Icons of the entities the fallback pass names as the model does, by a word of the id.

Entities with a translation key take their icon from icons.json, those with a device class from
the frontend; the rest would all show the same generic icon.
"""

import re
from typing import Final

# The first row with a word of the property id gives the icon.
ICON_WORDS: Final[tuple[tuple[frozenset[str], str], ...]] = (
    (frozenset({"filter"}), "mdi:air-filter"),
    (frozenset({"aqi", "quality"}), "mdi:leaf"),
    (frozenset({"smoke"}), "mdi:smoke"),
    (frozenset({"zigbee"}), "mdi:zigbee"),
)

# "filter_life", "filterLife" and "FILTER-LIFE" have the words "filter" and "life".
_WORD: Final = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def id_words(prop_id: str) -> frozenset[str]:
    """The words of a thing-model id, lower case."""
    return frozenset(word.lower() for word in _WORD.findall(prop_id))


def icon_for(prop_id: str) -> str | None:
    """The icon a property's id calls for, if any."""
    words = id_words(prop_id)
    return next((icon for keys, icon in ICON_WORDS if not keys.isdisjoint(words)), None)
