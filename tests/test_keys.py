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
