"""parse_header: "Who is hiring?" header lines of many shapes, table-driven.

Each row: the line, then (company, title, location, remote, pay_text, kinds).  The
title is a role or None, never a location or a flag; a URL never stays in the company.
"""

from __future__ import annotations

import pytest

from crawler.normalize.sources._hn_header import parse_header

CASES = [
    # The thread's canonical order, every part present.
    (
        "Acme (acme.com) | Senior Engineer | NYC, NY | Remote | $150k-$200k | Full-time",
        ("Acme", "Senior Engineer", "NYC, NY", True, "$150k-$200k", ["Full-time"]),
    ),
    # Location before the role, a role with a comma, a flag before the role.
    (
        "Stripe | San Francisco | ONSITE | Full-time | Software Engineer, Payments",
        (
            "Stripe",
            "Software Engineer, Payments",
            "San Francisco",
            False,
            None,
            ["Full-time"],
        ),
    ),
    (
        "Foo (https://foo.io) | ML Engineer | Remote | 120-160k EUR",
        ("Foo", "ML Engineer", None, True, "120-160k EUR", []),
    ),
    (
        "Barn | Hybrid | Designer | Austin, TX",
        ("Barn", "Designer", "Austin, TX", False, None, []),
    ),
    # No role part: title empty, the location stays a location.
    (
        "Acme | NYC, NY | ONSITE | Full-time",
        ("Acme", None, "NYC, NY", False, None, ["Full-time"]),
    ),
    ("Globex | REMOTE | $120k", ("Globex", None, None, True, "$120k", [])),
    ("Initech | London, UK", ("Initech", None, "London, UK", None, None, [])),
    # URL glued to the company, with and without parentheses or scheme.
    (
        "Hooli https://hooli.xyz | Staff SRE | Remote (US)",
        ("Hooli", "Staff SRE", None, True, None, []),
    ),
    (
        "Pied Piper [www.piedpiper.com] | Backend Developer | Palo Alto, CA",
        ("Pied Piper", "Backend Developer", "Palo Alto, CA", None, None, []),
    ),
    (
        "https://vandelay.io | Data Engineer | Berlin, Germany | €70-90k",
        ("vandelay.io", "Data Engineer", "Berlin, Germany", None, "€70-90k", []),
    ),
    (
        "Umbrella Corp | ML Engineer | https://umbrella.ai/careers | SF Bay Area",
        ("Umbrella Corp", "ML Engineer", "SF Bay Area", None, None, []),
    ),
    # Other separators: dashes, slashes, middle dots.
    (
        "Stark Industries - Frontend Engineer - Remote (EU) - Full-time",
        ("Stark Industries", "Frontend Engineer", None, True, None, ["Full-time"]),
    ),
    (
        "Wayne Enterprises — Security Engineer — Gotham, NJ — $180k–$220k",
        (
            "Wayne Enterprises",
            "Security Engineer",
            "Gotham, NJ",
            None,
            "$180k–$220k",
            [],
        ),
    ),
    (
        "Tyrell / Product Designer / Los Angeles, CA / Hybrid",
        ("Tyrell", "Product Designer", "Los Angeles, CA", False, None, []),
    ),
    (
        "Cyberdyne · Robotics Engineer · Toronto, Canada · CAD 140k",
        ("Cyberdyne", "Robotics Engineer", "Toronto, Canada", None, "CAD 140k", []),
    ),
    # A slash inside a role is not a separator when pipes are used.
    (
        "Soylent | Backend/Infra Engineer | Remote | Contract",
        ("Soylent", "Backend/Infra Engineer", None, True, None, ["Contract"]),
    ),
    # Emoji, non-ASCII places and names.
    (
        "🚀 Zürich Labs 🚀 | Software Engineer | Zürich, Switzerland | CHF 120k–150k",
        (
            "Zürich Labs",
            "Software Engineer",
            "Zürich, Switzerland",
            None,
            "CHF 120k–150k",
            [],
        ),
    ),
    (
        "Nubank | Engenheira de Software Sênior | São Paulo, Brasil | Híbrido",
        (
            "Nubank",
            "Engenheira de Software Sênior",
            "São Paulo, Brasil",
            False,
            None,
            [],
        ),
    ),
    (
        "Müller & Söhne GmbH | München | Full-time | Senior Data Scientist",
        (
            "Müller & Söhne GmbH",
            "Senior Data Scientist",
            "München",
            None,
            None,
            ["Full-time"],
        ),
    ),
    # A flag first, type and visa parts, pay with words.
    (
        "Remote (Americas) | Lumon | Platform Engineer | Competitive salary + equity",
        ("Lumon", "Platform Engineer", None, True, "Competitive salary + equity", []),
    ),
    (
        "Massive Dynamic | Research Scientist, NLP | Boston, MA | ONSITE | Visa sponsorship",
        (
            "Massive Dynamic",
            "Research Scientist, NLP",
            "Boston, MA",
            False,
            None,
            ["Visa sponsorship"],
        ),
    ),
    (
        "Aperture | Intern | Seattle, WA | $45/hr",
        ("Aperture", "Intern", "Seattle, WA", None, "$45/hr", []),
    ),
    (
        "Black Mesa | Multiple roles: Backend, Frontend, ML | SF or Remote (US) | $140k-$190k",
        (
            "Black Mesa",
            "Multiple roles: Backend, Frontend, ML",
            "SF or Remote (US)",
            True,
            "$140k-$190k",
            [],
        ),
    ),
    (
        "Oscorp | Founding Engineer | New York City | In-office | 0.5-1.5% equity",
        ("Oscorp", "Founding Engineer", "New York City", False, "0.5-1.5% equity", []),
    ),
    (
        "InGen|Senior Backend Engineer (Go)|Remote, US timezones|$160-190k",
        (
            "InGen",
            "Senior Backend Engineer (Go)",
            "Remote, US timezones",
            True,
            "$160-190k",
            [],
        ),
    ),
    (
        "Prestige Worldwide | EMEA | Customer Success Manager | Part-time",
        (
            "Prestige Worldwide",
            "Customer Success Manager",
            "EMEA",
            None,
            None,
            ["Part-time"],
        ),
    ),
    # Prose first lines are no header.
    ("We are hiring lots of people in Paris", (None, None, None, None, None, [])),
    (
        "We're a small team building tools for farmers - come join us / remote OK",
        (None, None, None, None, None, []),
    ),
    (
        "Hi HN! Dunder Mifflin is hiring a Python developer - remote friendly.",
        (None, None, None, None, None, []),
    ),
]


@pytest.mark.parametrize("line, expected", CASES, ids=[c[0][:40] for c in CASES])
def test_parse_header(line, expected):
    got = parse_header(line)
    assert (
        got["company"],
        got["title"],
        got["location"],
        got["remote"],
        got["pay_text"],
        got["kinds"],
    ) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Acme | NYC, NY",
        "Acme | REMOTE",
        "Acme | Remote (US) | Full-time",
        "Acme | Berlin | Hybrid",
        "Acme | USA | $100k",
        "Acme | Worldwide",
    ],
)
def test_a_place_or_flag_is_never_the_title(line):
    assert parse_header(line)["title"] is None


@pytest.mark.parametrize(
    "line",
    [
        "Acme (https://acme.com) | Engineer",
        "Acme (acme.com/jobs) | Engineer",
        "Acme https://acme.com | Engineer",
        "Acme - acme.io | Engineer",
        "Acme [www.acme.com] | Engineer",
        "Acme <acme.dev> | Engineer",
    ],
)
def test_a_url_never_stays_in_the_company(line):
    assert parse_header(line)["company"] == "Acme"


@pytest.mark.parametrize(
    "line, country",
    [
        ("Acme (acme.com) | Senior Engineer | NYC, NY | Remote | $150k-$200k", "US"),
        ("Hooli https://hooli.xyz | Staff SRE | Remote (US)", "US"),
        ("Acme | SRE | SF or Remote (US) | $140k-$190k", "US"),
        ("https://vandelay.io | Data Engineer | Berlin, Germany | €70-90k", "DE"),
        ("Initech | London, UK", "GB"),
        ("Maple | Backend Engineer | Toronto, Canada | $120k", "CA"),
        # No country, or more than one: None, never a guess.
        ("Globex | REMOTE | $120k", None),
        ("Stark Industries - Frontend Engineer - Remote (EU) - Full-time", None),
        ("Acme | Engineer | NYC or London | $150k", None),
        ("Acme | Engineer | London, ON", None),
    ],
)
def test_country_of_the_location_and_flags(line, country):
    assert parse_header(line)["country"] == country
