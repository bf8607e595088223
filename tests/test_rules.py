"""The rules of a value (``screenings.rules``), on their own: what every door relies on."""

from __future__ import annotations

import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screenings import rules, tables
from screenings.errors import InvalidInput
from screenings.rules import canonical_zone, check_url, clean_text, day_order


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/paris", "Europe/Paris"),
        (" Asia/Tokyo ", "Asia/Tokyo"),
        # A country's own zone stays as typed, though tzdata makes it a link.
        ("Europe/Amsterdam", "Europe/Amsterdam"),
        ("Europe/Oslo", "Europe/Oslo"),
        # Other links become their target.
        ("US/Eastern", "America/New_York"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("GB", "Europe/London"),
        ("UTC", "Etc/UTC"),
        ("Etc/GMT+5", "Etc/GMT+5"),
    ],
)
def test_the_zone_rule_keeps_country_zones_and_follows_other_links(typed: str, kept: str) -> None:
    assert canonical_zone(typed, what="--timezone") == kept


@pytest.mark.parametrize(
    "typed",
    ["right/Europe/London", "posix/Europe/London", "RIGHT/Europe/London", "posixrules",
     "Factory", "localtime", "Mars/Olympus", "", "Europe/London\x00"],
)  # fmt: skip
def test_the_zone_rule_refuses_what_is_no_zone_or_another_zone_s_rules(typed: str) -> None:
    with pytest.raises(InvalidInput, match=r"^--timezone: unknown time zone "):
        canonical_zone(typed, what="--timezone")


def test_every_zone_the_rule_gives_is_one_zoneinfo_loads_and_is_a_fixed_point() -> None:
    spelled, listed, links = rules._zone_table()
    for name in spelled.values():
        if name.lower().startswith(("posix", "right/", "factory", "localtime")):
            continue
        kept = canonical_zone(name, what="zone")
        zoneinfo.ZoneInfo(kept)
        assert canonical_zone(kept, what="zone") == kept
        assert kept in listed or kept not in links


@pytest.mark.parametrize(
    "address",
    ["https://exa mple.com/a b", "https://t.example/a b\r\nX-INJ:1", "ftp://example.org/",
     "https://", "example.org/tickets", "https://example.org/\x7fx", "javascript:alert(1)",
     "https://[::1/x", "http://[zz]/", "https://@", "https://:0", "http://a:99999/",
     "https://exa\u200bmple.org/"],
)  # fmt: skip
def test_the_url_rule_refuses_what_is_no_web_address(address: str) -> None:
    with pytest.raises(InvalidInput, match=r"^--ticket-url: .* is not a web address"):
        check_url(address, what="--ticket-url")


def test_the_url_rule_keeps_a_web_address_trimmed_and_refuses_a_long_one() -> None:
    assert check_url(" https://Example.org/a?b=1 ", what="w") == "https://Example.org/a?b=1"
    with pytest.raises(InvalidInput, match=r"^w: 1,001 characters; at most 1,000$"):
        check_url("https://example.org/" + "a" * 981, what="w")


@pytest.mark.parametrize("control", ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\x9b"])
def test_text_hygiene_refuses_control_characters(control: str) -> None:
    for multiline in (False, True):
        with pytest.raises(InvalidInput, match=r"^--name: holds a control character \(U\+"):
            clean_text(f"The{control}Defector", what="--name", multiline=multiline)


def test_one_line_of_text_has_its_whitespace_collapsed_and_several_keep_their_lines() -> None:
    assert clean_text("  The \t Defector\n(2012) ", what="n") == "The Defector (2012)"
    assert clean_text(" Q&A\r\nafter\tthe film \n", what="n", multiline=True) == (
        "Q&A\nafter\tthe film"
    )
    assert clean_text("Sep\u00adarate \u202eRTL", what="n") == "Sep\u00adarate \u202eRTL"


def test_text_longer_than_its_column_is_refused_once_tidied() -> None:
    assert clean_text("  " + "a" * 200 + "  ", what="--city", limit=200) == "a" * 200
    with pytest.raises(InvalidInput, match=r"^--city: 5,000 characters; at most 200$"):
        clean_text("a" * 5000, what="--city", limit=200)


@given(st.text())
def test_what_text_hygiene_keeps_it_keeps_as_it_is(text: str) -> None:
    try:
        kept = clean_text(text, what="t")
    except InvalidInput:
        return
    assert clean_text(kept, what="t") == kept
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in kept)


def test_the_schema_s_widths_are_the_rules_lengths() -> None:
    from sqlalchemy import String, Text

    for table in tables.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String) and not isinstance(column.type, Text):
                assert column.type.length == rules.length(table.name, column.name), column
            elif table.name in rules.LENGTHS:
                assert column.name not in rules.LENGTHS[table.name], column


def test_both_day_orders_at_once_are_refused() -> None:
    assert [day_order(*flags, what="date order") for flags in ((1, 0), (0, 1), (0, 0))] == [
        True,
        False,
        None,
    ]
    with pytest.raises(InvalidInput, match=r"^date order: both orders given"):
        day_order(True, True, what="date order")


def test_a_closed_word_is_kept_in_the_catalogue_s_spelling_or_refused_naming_the_choices() -> None:
    kept = rules.closed_word(" Special  Mention ", rules.NOMINATION_RESULTS, what="--result")
    assert kept == "special_mention"
    with pytest.raises(InvalidInput) as caught:
        rules.closed_word("maybe", rules.SELECTION_STATUSES, what="--status")
    assert caught.value.message == (
        "--status: expected one of selected, competition, out_of_competition, withdrawn, "
        "got 'maybe'"
    )
    with pytest.raises(InvalidInput, match="control character"):
        rules.closed_word("won\x07", rules.NOMINATION_RESULTS, what="--result")


@pytest.mark.parametrize(
    ("word", "allowed", "kept"),
    [("Canceled", rules.SCREENING_STATUSES, "cancelled"),
     ("confirmed", rules.SCREENING_STATUSES, "scheduled"),
     ("Winner", rules.NOMINATION_RESULTS, "won")],
)  # fmt: skip
def test_a_synonym_is_read_as_its_word_at_every_door(
    word: str, allowed: tuple[str, ...], kept: str
) -> None:
    # An option, a lineup's cell and a feed's parameter all ask closed_word.
    assert rules.closed_word(word, allowed, what="w") == kept
