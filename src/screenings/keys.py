"""Normalised keys and slugs for the names people type.

A key is what two spellings of one name have in common: case-folded,
accents stripped, whitespace collapsed. ``"Sheffield  Doc/Fest"`` and
``"sheffield doc/fest"`` share a key; ``"Hot Docs"`` and ``"Hot Docs 2013"``
do not. Keys are for matching, never for display.
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
from functools import lru_cache

_SPACE = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")

# Letters that NFKD does not decompose into a base letter and an accent.
_FOLD = str.maketrans(
    {
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "ħ": "h",
        "\u0131": "i",  # dotless i
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "þ": "th",
    }
)


def strip_accents(text: str) -> str:
    """``"Kierkegaard Café"`` -> ``"Kierkegaard Cafe"``: letters kept, marks dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=32768)  # an import asks for the same festival, venue and city keys
def name_key(text: str) -> str:
    """The matching key of a name: case-folded, accents stripped, whitespace collapsed.

    Idempotent: ``name_key(name_key(x)) == name_key(x)``.
    """
    if text.isascii():  # no accent to strip, and casefold() is lower() (the usual case)
        return " ".join(text.lower().split())
    # Twice: case-folding can make new accents to strip ("ẞ", mathematical letters).
    folded = text
    for _ in range(2):
        folded = strip_accents(folded).casefold().translate(_FOLD)
    return _SPACE.sub(" ", folded).strip()


def city_key(city: str | None) -> str | None:
    """The key a venue is found by in its city (``name_key``); None for no city, or a
    blank one: the importer, a venue's lookup and a row's fingerprint read a city alike."""
    return name_key(city or "") or None


def slugify(text: str, *, max_length: int = 80) -> str:
    """A URL- and file-safe slug: ``"Sheffield Doc/Fest 2013"`` -> ``"sheffield-doc-fest-2013"``.

    A name in another script is transliterated (``anyascii``): ``"Москва"`` ->
    ``"moskva"``, ``"القاهرة"`` -> ``"lqhrh"``; each syllable of Chinese, Japanese or
    Korean is a word of its own (``"東京"`` -> ``"dong-jing"``), and a symbol (an
    emoji) is left out. Never empty: a name with no letter or digit gives
    ``"untitled"``.
    """
    key = name_key(text if text.isascii() else _transliterated(text))
    slug = _NON_SLUG.sub("-", key).strip("-")
    slug = slug[:max_length].rstrip("-")
    return slug or "untitled"


def _transliterated(text: str) -> str:
    from anyascii import anyascii  # only for a name that needs it

    out = []
    for char in text:
        if char.isascii():
            out.append(char)
            continue
        said = anyascii(char)
        if said.startswith(":") and said.endswith(":"):  # a symbol's name: ":clapper:"
            said = " "
        elif unicodedata.east_asian_width(char) == "W":  # a syllable of CJK or Hangul
            said = f" {said} "
        out.append(said.lower())
    return "".join(out)


def new_uid(domain: str) -> str:
    """A screening's calendar UID, ``<uuid>@<domain>``, made once and never changed.

    The UUID is of version 7 (RFC 9562): the time in milliseconds, then 74 random bits.
    Unique like any UUID, and new ones sort together, so that the database's index on
    them grows at one end rather than everywhere (a bulk import's pages stay in cache).
    """
    return new_uids(domain, 1)[0]


def new_uids(domain: str, count: int) -> list[str]:
    """``count`` new UIDs at once (``new_uid``), for a bulk import: one read of the
    system's random bytes for all."""
    millis = (time.time_ns() // 1_000_000) & (2**48 - 1)
    noise = os.urandom(10 * count)
    uids = []
    for at in range(0, 10 * count, 10):
        value = millis << 80 | int.from_bytes(noise[at : at + 10], "big")
        value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
        value = (value & ~(0x3 << 62)) | (0x2 << 62)  # the RFC 4122/9562 variant
        h = f"{value:032x}"  # as str(uuid.UUID(int=value)) writes it
        uids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}@{domain}")
    return uids
