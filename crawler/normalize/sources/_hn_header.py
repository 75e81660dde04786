"""The header line of an "Ask HN: Who is hiring?" comment, split into named parts.

By the thread's rules a comment starts with ``Company | Role | Location | REMOTE | Pay |
Full-time`` in any order, and posters vary the separator (``|``, `` - ``, `` / ``,
`` · ``, dashes), wrap the company's site in parentheses, add emoji.  Each part is
classified by what it looks like: a URL, pay, an employment type, a remote/on-site flag,
a location, a role.  The rules put safety first:

* the title is only ever a part that names a role ("Senior Engineer", "Multiple roles:
  Backend, ML"): a header without one leaves the title empty, never a location
  ("NYC, NY") or a flag ("REMOTE");
* a URL never stays glued to the company ("Acme (acme.com)", "Acme https://acme.io",
  "acme.io" alone -> ``acme.io``);
* a part that is none of the above is the location when no part looked like one
  (posters write bare city names the rules cannot know).

``parse_header("Acme (acme.com) | Senior Engineer | NYC, NY | Remote | $150k-$200k |
Full-time")`` -> ``{"company": "Acme", "title": "Senior Engineer", "location": "NYC,
NY", "remote": True, "pay_text": "$150k-$200k", "kinds": ["Full-time"], "country":
"US"}``: ``country`` is the one country the location and flags name
(:func:`crawler.normalize.places.place_country`), else None.
"""

from __future__ import annotations

import re

from crawler.normalize.places import place_country

_PIPE_RE = re.compile(r"\s*[|｜¦]\s*")
# Looser separators, tried in this order when a line has no pipe.
_LOOSE_SEPARATORS = (
    re.compile(r"\s+[—–]\s+"),
    re.compile(r"\s+-{1,2}\s+"),
    re.compile(r"\s+/\s+"),
    re.compile(r"\s+[·•]\s+"),
)
_PAY_RE = re.compile(
    r"[$€£¥₹]\s?\d|\d\s?[kK]\b|\b(?:USD|EUR|GBP|CAD|AUD|CHF|SEK|NOK|DKK|INR|PLN)\b"
    r"|\d{2,3}[,.]\d{3}|\b(?:salary|equity|compensation|comp|/hr|per hour|/yr|"
    r"per year|OTE)\b",
    re.IGNORECASE,
)
_REMOTE_RE = re.compile(
    r"\bremote\b|\bwfh\b|\banywhere\b|\bdistributed\b", re.IGNORECASE
)
_ONSITE_RE = re.compile(
    r"\bon-?site\b|\bin[- ]office\b|\bhybrid\b|\bin[- ]person\b|\bh[íi]brido\b|\bhybride\b",
    re.IGNORECASE,
)
# A part that is only a flag: "REMOTE", "Remote (US)", "ONSITE", "Hybrid (2 days)".
_ONLY_FLAG_RE = re.compile(
    r"^\(?\s*(?:fully\s+)?(?:remote(?:[- ]?(?:first|friendly|ok|only))?|on-?site|"
    r"hybrid|wfh|in[- ]office|in[- ]person)\s*(?:\([^)]*\))?\s*\)?$",
    re.IGNORECASE,
)
_KIND_RE = re.compile(
    r"\b(?:full[- ]?time|part[- ]?time|contract(?:[- ]to[- ]hire)?|contractor|"
    r"intern(?:ship)?s?|freelance|permanent|temporary|ft|pt|visa(?: sponsorship)?|"
    r"h-?1b|sponsorship|co-?op|fte)\b",
    re.IGNORECASE,
)
_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|io|ai|co|dev|org|net|app|"
    r"tech|xyz|so|sh|me|us|uk|de|fr|eu|ca|jobs|careers)\b(?:/\S*)?",
    re.IGNORECASE,
)
_PAREN_URL_RE = re.compile(
    r"\s*[(\[<]\s*(?:https?://|www\.)?[^()\[\]<>\s]+\.[a-z]{2,}"
    r"[^()\[\]<>]*[)\]>]",
    re.IGNORECASE,
)
_ROLE_RE = re.compile(
    r"engineer|developer|programmer|scientist|designer|manager|\blead\b|architect|"
    r"analyst|devops|\bsre\b|\bswe\b|researcher|head of|director|writer|marketer|"
    r"recruiter|\bproduct\b|frontend|front-end|backend|back-end|full[- ]?stack|"
    r"\bml\b|\bai\b|\bdata\b|security|founding|\bcto\b|\bvp\b|administrator|"
    r"specialist|consultant|support|\broles?\b|positions?|openings?|hiring|"
    r"technician|operator|advocate|\bqa\b|\bsdet\b|tester|accountant|counsel|"
    r"\bintern\b|associate|coordinator|representative|\bexec|executive|editor|"
    r"\bpm\b|mobile|\bios\b|android|infrastructure|platform|firmware|embedded|"
    # a few non-English role words
    r"ingenier|ingénieu|engenheir|desarrollador|desenvolvedor|développeu|"
    r"entwickler|programador|diseñador|designer",
    re.IGNORECASE,
)
# Places the rules know without a list of cities: "City, ST", a country or region name,
# a time zone, "Bay Area", "NYC or Remote".
_PLACE_RE = re.compile(
    r",\s*[A-Z]{2}\b|\b(?:USA?|UK|EU|EMEA|APAC|LATAM|Americas|Europe|Asia|Africa|"
    r"Worldwide|Global|North America|South America|Bay Area|Area|Metro|"
    r"NYC|SF|LA|DC|SFBA|UTC|GMT|CET|CEST|EST|PST|PT|ET|CT|MT|timezones?|"
    r"time zones?)\b",
)
# A first part that reads as a sentence: loose separators there are prose dashes.
_PROSE_RE = re.compile(
    r"[!?]|\b(?:is|are|we|we're|our|hiring|looking)\b|^(?:\S+\s+){6,}", re.IGNORECASE
)
_EDGE_JUNK_RE = re.compile(r"^[^\w$€£¥₹(]+|[^\w)$€£¥₹%+]+$")


def _split(line: str) -> list[str]:
    if "|" in line or "｜" in line or "¦" in line:
        parts = _PIPE_RE.split(line)
    else:
        parts = [line]
        for sep in _LOOSE_SEPARATORS:
            if sep.search(line):
                parts = sep.split(line)
                break
        if len(parts) > 1 and _PROSE_RE.search(parts[0]):
            return [line]  # "Hi HN! Acme is hiring - remote": a sentence, no header
    return [p for p in (_EDGE_JUNK_RE.sub("", part.strip()) for part in parts) if p]


def _company(part: str) -> str | None:
    """``"Acme (https://acme.com)"`` -> ``"Acme"``; ``"acme.io"`` -> ``"acme.io"``."""
    name = _PAREN_URL_RE.sub("", part).strip()
    bare = _URL_RE.sub("", name).strip(" -–—:,[]")
    if bare.count("(") != bare.count(")"):
        bare = bare.strip("()")
    if bare:
        return _EDGE_JUNK_RE.sub("", bare) or None
    # Only a URL: its host is the best name there is.
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", name, flags=re.IGNORECASE)
    return host.split("/")[0] or None


def _is_place(part: str) -> bool:
    from crawler.normalize.countries import parse_country

    if _PLACE_RE.search(part):
        return True
    words = re.split(r"\s*(?:,|\bor\b|/|&|\band\b|\()\s*", part.strip(" )"))
    return any(parse_country(w) for w in words if w)


def parse_header(line: str) -> dict:
    """Company, title, location, remote flag, pay text and employment types of an HN
    header line; every value None (kinds empty) when the line is prose."""
    out: dict = {
        "company": None,
        "title": None,
        "location": None,
        "pay_text": None,
        "remote": None,
        "kinds": [],
        "country": None,
    }
    parts = _split(line)
    if len(parts) < 2:  # no header line: the text is free prose
        return out
    roles, places, others, flags = [], [], [], []
    if _ONLY_FLAG_RE.match(parts[0]):  # "Remote (EU) | Acme | ...": a flag first
        parts.append(parts.pop(0))
    out["company"] = _company(parts[0])
    for part in parts[1:]:
        if _REMOTE_RE.search(part):
            out["remote"] = True
        elif _ONSITE_RE.search(part) and out["remote"] is None:
            out["remote"] = False
        if _URL_RE.fullmatch(part.strip()):
            continue
        role = _ROLE_RE.search(part)
        if _ONLY_FLAG_RE.match(part):
            flags.append(part)  # "Remote (US)": the parenthesis may name a country
            continue
        if _PAY_RE.search(part) and out["pay_text"] is None and not role:
            out["pay_text"] = part
        elif _KIND_RE.search(part) and not role and len(part) < 30:
            out["kinds"].append(part)
        elif role:
            roles.append(part)
        elif _is_place(part):
            places.append(part)
        else:
            others.append(part)
    if roles:
        out["title"] = roles[0]
    if places:
        out["location"] = places[0]
    elif others and len(others[0].split()) <= 4 and not re.search(r"\d", others[0]):
        out["location"] = others[0]
    out["country"] = place_country(" / ".join([out["location"] or "", *flags]))
    return out
