"""'Did you mean' for a reference that points at nothing: close ids, and ids whose names match.

A curator who writes ``rok-ministry-of-defence`` means the ministry named "Ministry of National
Defense" (``rok-mnd``), not the id that shares most letters (``rok-ministry-of-unification``). So
the words of the value are matched against the words of each id and its name; a plain typo
(``vladimir-putn``) still finds its id by spelling. Only the few distinct missing values are
looked up, through an index of words, never by scoring every row.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict

# How a row of each registry is added, said with the hint.
ADD = {"actors": "a new actor needs an entry in data/records/actors.yaml",
       "places": "a new place needs an entry in data/records/places.yaml",
       "treaties": "a new treaty needs an entry in data/records/treaties.yaml"}
# The words a name and an id share only through a common abbreviation.
_ALIASES = {"south korea": "rok", "north korea": "dprk", "republic of korea": "rok", "russia": "rus",
            "russian federation": "russia", "united states": "us", "united nations": "un"}


def _words(text: str) -> list[str]:
    text = text.lower()
    for long, short in _ALIASES.items():
        if long in text:
            text += f" {short}"
    return [w for w in re.split(r"[^a-z0-9]+", text) if w]


class Hints:
    """Suggestions among the keys of one table, given each key's names (possibly none)."""

    def __init__(self, keys: list[str], names: dict[str, list[str]] | None = None):
        self.keys = keys
        self.words: dict[str, set[str]] = {}
        self.index: dict[str, set[str]] = defaultdict(set)
        for key in keys:
            words = set(_words(key))
            for name in (names or {}).get(key, []):
                words.update(_words(name))
            self.words[key] = words
            for w in words:
                self.index[w].add(key)
        self.vocabulary = sorted(self.index)

    def suggest(self, value: str) -> str | None:
        close = difflib.get_close_matches(value, self.keys, n=1)
        wanted = [w for w in _words(value) if len(w) > 1 or w.isdigit()]
        if not wanted or not self.index:
            return close[0] if close else None
        score: dict[str, float] = defaultdict(float)
        for w in wanted:
            best: dict[str, float] = {}
            for near in difflib.get_close_matches(w, self.vocabulary, n=5, cutoff=0.8):
                ratio = difflib.SequenceMatcher(None, w, near).ratio()
                for key in self.index[near]:
                    best[key] = max(best.get(key, 0.0), ratio)
            for key, ratio in best.items():
                score[key] += ratio
        if not score:
            return close[0] if close else None
        top = max(score.values())
        # Every word of the value is matched: the names decide; else the spelling of the id.
        if top >= len(wanted) - 0.3:
            tied = [k for k, s in score.items() if s == top]
            return max(tied, key=lambda k: (difflib.SequenceMatcher(None, value, k).ratio(), k))
        return close[0] if close else None
