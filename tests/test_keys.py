"""Name keys and slugs: the forms names are matched and addressed by."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screenings.keys import name_key, slugify


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Sheffield Doc/Fest", "sheffield doc/fest"),
        ("  SHEFFIELD \t doc/fest\n", "sheffield doc/fest"),
        ("Festival de Cinéma", "festival de cinema"),
        ("Søren Ærø", "soren aero"),
        ("Straße", "strasse"),
        ("ÉCOLE", "ecole"),
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Sheffield Doc/Fest 2013", "sheffield-doc-fest-2013"),
        ("The Defector: Escape from North Korea", "the-defector-escape-from-north-korea"),
        ("IDFA", "idfa"),
        ("???", "untitled"),
        ("Åsa-Nisse", "asa-nisse"),
        # Other scripts are transliterated (#22 item 3), not "untitled".
        ("Москва", "moskva"),
        ("東京国際映画祭", "dong-jing-guo-ji-ying-hua-ji"),
        ("القاهرة", "lqhrh"),
        ("서울독립영화제", "seo-ul-dog-lib-yeong-hwa-je"),
        ("Ελληνικά", "ellinika"),
        ("Ｆｉｌｍ", "film"),  # fullwidth letters are letters
        ("🎬 Film", "film"),  # a symbol is left out
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@given(st.text())
def test_a_key_is_stable_and_tidy(text: str) -> None:
    key = name_key(text)
    assert name_key(key) == key
    assert key == key.strip()
    assert "  " not in key


@given(st.text())
def test_a_slug_is_url_safe_and_never_empty(text: str) -> None:
    slug = slugify(text)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert len(slug) <= 80


def test_new_uids_are_distinct_version_7_uuids_that_sort_by_time() -> None:
    """A calendar client keys an event by its UID: each must be a real UUID, never reused,
    and a later batch sorts after an earlier one (the uid index grows at one end)."""
    import time
    import uuid

    from screenings.keys import new_uid, new_uids

    first = new_uids("feeds.example.org", 2000)
    time.sleep(0.002)
    later = [*new_uids("feeds.example.org", 10), new_uid("feeds.example.org")]
    assert len(set(first + later)) == len(first) + len(later)
    for uid in first + later:
        text, domain = uid.split("@")
        value = uuid.UUID(text)
        assert (str(value), domain) == (text, "feeds.example.org")
        assert (value.version, value.variant) == (7, uuid.RFC_4122)
    assert max(first) < min(later)
