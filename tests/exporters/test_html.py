"""The schedule pages' pure pieces: addresses, dates, which URLs may be links."""

from __future__ import annotations

import datetime as dt

import pytest

from screenings.exporters.html import date_span, safe_url, webcal


def test_the_subscribe_link_is_the_feed_with_the_webcal_scheme() -> None:
    assert webcal("https://films.example.org/feeds/all.ics") == (
        "webcal://films.example.org/feeds/all.ics"
    )
    assert webcal("http://127.0.0.1:8000/feeds/x.ics") == "webcal://127.0.0.1:8000/feeds/x.ics"


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://thedefectormovie.com", True),
        ("http://example.org/a?b=c", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//evil.example.org", False),
        ("https://example.org/a b", False),
        ("https://", False),
        (None, False),
    ],
)
def test_only_web_addresses_become_links(url: str | None, kept: bool) -> None:
    assert (safe_url(url) == url) is kept if url else safe_url(url) is None


def test_date_spans_read_naturally() -> None:
    d = dt.date
    assert date_span(d(2013, 6, 12), d(2013, 6, 16)) == "12–16 June 2013"
    assert date_span(d(2013, 5, 30), d(2013, 6, 2)) == "30 May – 2 June 2013"
    assert date_span(d(2012, 12, 30), d(2013, 1, 2)) == "30 December 2012 – 2 January 2013"
    assert date_span(d(2013, 6, 12), None) == "12 June 2013"
    assert date_span(None, None) is None
