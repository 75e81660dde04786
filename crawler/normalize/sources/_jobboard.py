"""Helpers shared by the job-board mappings (remoteok, remotive, weworkremotely, greenhouse).

Job boards publish salaried postings whose pay, when stated at all, sits in a sentence
of the description ("The annual base salary range for this role is $120,000 - $150,000
USD"); these helpers find that sentence, read escaped HTML and read a location line.
"""

from __future__ import annotations

import html
import re

from crawler.normalize.sources._text import html_to_text

# A money figure: a currency sign or code next to a number ("$120,000", "€4.000",
# "120k USD", "USD 90,000").
_MONEY_RE = re.compile(
    r"(?:[$€£]|\b(?:USD|EUR|GBP|CAD|AUD|CHF)\b)\s?\d[\d,.]*\s?[kK]?"
    r"|\d[\d,.]*\s?[kK]?\s?(?:USD|EUR|GBP|CAD|AUD|CHF)\b"
)
_PAY_WORDS_RE = re.compile(
    r"salary|salaries|compensation|\bpay\b|wage|\bOTE\b|hourly|per hour|/\s?h(?:ou)?r\b|"
    r"\bbase\b|remuneration|earnings|\brate\b",
    re.IGNORECASE,
)
# Money that is not the job's pay: perks, budgets, company figures.
_NOT_PAY_RE = re.compile(
    r"budget|stipend|allowance|reimburs|raised|funding|revenue|valuation|\bARR\b",
    re.IGNORECASE,
)
# Sentence ends are a stop followed by a space and a capital, so "$1.5k" stays whole.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_ESCAPED_TAG_RE = re.compile(r"&lt;/?[a-zA-Z][^&]{0,40}&gt;")
_REAL_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")
_MAX_PAY_TEXT = 300

_COUNTRIES = {
    "united states": "United States",
    "usa": "United States",
    "us": "United States",
    "u.s.": "United States",
    "united kingdom": "United Kingdom",
    "uk": "United Kingdom",
    "canada": "Canada",
    "germany": "Germany",
    "france": "France",
    "spain": "Spain",
    "netherlands": "Netherlands",
    "ireland": "Ireland",
    "portugal": "Portugal",
    "poland": "Poland",
    "india": "India",
    "brazil": "Brazil",
    "mexico": "Mexico",
    "australia": "Australia",
    "japan": "Japan",
    "singapore": "Singapore",
    "philippines": "Philippines",
    "argentina": "Argentina",
    "israel": "Israel",
}
_LOCATION_NOISE_RE = re.compile(r"\b(?:remote|only|based)\b", re.IGNORECASE)
_REMOTE_RE = re.compile(
    r"\bremote\b|\banywhere\b|\bworldwide\b|work from home", re.IGNORECASE
)
_ONSITE_RE = re.compile(r"\bon-?site\b|\bin[- ]office\b|\bhybrid\b", re.IGNORECASE)


def rich_text(fragment: str | None) -> str:
    """Plain text of HTML that may arrive escaped once more: ``"&lt;p&gt;Hi&lt;/p&gt;"`` -> ``"Hi"``.

    Greenhouse's ``content`` is HTML whose tags are written as entities; unescaping once
    turns it into ordinary HTML, which ``html_to_text`` then strips.
    """
    if not fragment:
        return ""
    if _ESCAPED_TAG_RE.search(fragment) and not _REAL_TAG_RE.search(fragment):
        fragment = html.unescape(fragment)
    return html_to_text(fragment)


def pay_sentence(text: str | None) -> str | None:
    """The first sentence of plain text that states pay, or None.

    ``pay_sentence("We ship. The salary range is $90,000 - $120,000 USD. Apply!")``
    -> ``"The salary range is $90,000 - $120,000 USD."``
    """
    if not text:
        return None
    for line in text.split("\n"):
        if not _MONEY_RE.search(line):
            continue
        for sentence in _SENTENCE_END_RE.split(line.strip()):
            if (
                _MONEY_RE.search(sentence)
                and _PAY_WORDS_RE.search(sentence)
                and not _NOT_PAY_RE.search(sentence)
            ):
                return sentence[:_MAX_PAY_TEXT]
    return None


def country_from_location(location: str | None) -> str | None:
    """A country when the location names exactly one: ``"USA"`` -> ``"United States"``.

    Regions ("Worldwide", "Europe", "Americas") and lists of countries give None.
    """
    if not location:
        return None
    parts = re.split(r"\s*(?:[,;/|(]|\bor\b|\band\b)\s*", location)
    found = {
        _COUNTRIES.get(_LOCATION_NOISE_RE.sub("", p).strip(" -)").lower())
        for p in parts
    }
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def remote_from(*texts: str | None) -> bool | None:
    """True if any text says remote, False if one says on-site/hybrid, else None.

    ``remote_from("Remote - US")`` -> ``True``; ``remote_from("Hybrid - Berlin")`` -> ``False``.
    """
    joined = " ".join(t for t in texts if t)
    if _REMOTE_RE.search(joined) and not _ONSITE_RE.search(joined):
        return True
    if _ONSITE_RE.search(joined):
        return False
    return None
