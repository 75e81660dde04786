"""place_country: the one country a free-text job location names, else None."""

from __future__ import annotations

import pytest

from crawler.normalize.places import place_country


@pytest.mark.parametrize(
    "location, country",
    [
        ("San Francisco, CA", "US"),
        ("Austin, TX", "US"),
        ("Boston, MA.", "US"),
        ("NYC", "US"),
        ("LA", "US"),  # the city, not Laos
        ("SF Bay Area", "US"),
        ("New York, NY / Remote", "US"),
        ("Remote (US)", "US"),
        ("USA", "US"),
        ("London", "GB"),
        ("London, UK", "GB"),
        ("Berlin, Germany", "DE"),
        ("Zürich, Switzerland", "CH"),
        ("Montréal, QC", "CA"),
        ("Toronto, Canada", "CA"),
        ("Amsterdam", "NL"),
        ("Bengaluru, India", "IN"),
        # Two countries, a region, a bare code that is also a state, or nothing known.
        ("London, ON", None),
        ("NYC or London", None),
        ("US/Canada", None),
        ("Remote (EU)", None),
        ("Europe", None),
        ("Worldwide", None),
        ("CA", None),
        ("Remote", None),
        ("Gotham", None),
        ("", None),
        (None, None),
    ],
)
def test_place_country(location, country):
    assert place_country(location) == country
