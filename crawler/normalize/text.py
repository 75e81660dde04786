"""Text repairs applied to every listing at normalize time (pure).

* Mojibake, UTF-8 read as Windows-1252 or Latin-1 somewhere upstream ("donâ€™t",
  "CafÃ©"), is repaired with ftfy's ``fix_encoding``, which only undoes such encoding
  mix-ups (it does not straighten quotes or touch correct text).  ASCII text and text
  without the telltale characters skip ftfy: most listings pay one ``isascii``.
* Titles also get HTML entities decoded ("R&amp;D" -> "R&D", "&#x27;" -> "'"): feeds
  that escape twice leave them after the source mapping's own decoding.
"""

from __future__ import annotations

import html
import re

# A Windows-1252/Latin-1 reading of a UTF-8 lead byte (Â..ô) followed by a reading of
# a continuation byte (0x80-0xBF: € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ,
# or U+0080-U+00BF themselves).
_MOJIBAKE_RE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6"
    "\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc"
    "\u2122\u0161\u203a\u0153\u017e\u0178]"
)


# Every common mojibake holds one of these: "Ã" (accented Latin letters), "Â" (no-break
# space, £, °), "â€" (’ “ ” – — …), "Ð"/"Ñ" (Cyrillic).  Looking for them is a fast
# substring search; the regex then confirms a lead/continuation pair.
_LEADS = ("Ã", "Â", "â€", "Ð", "Ñ")


def repair_mojibake(text: str) -> str:
    """``repair_mojibake("donâ€™t")`` -> ``"don’t"``; correct text comes back as is."""
    if text.isascii() or not any(lead in text for lead in _LEADS):
        return text
    if not _MOJIBAKE_RE.search(text):
        return text
    import ftfy  # imported on first need: 0.14 s, and most runs never need it

    return ftfy.fix_encoding(text)


def clean_title(title: str) -> str:
    """A title with mojibake repaired and entities decoded, spaces collapsed:
    ``clean_title("R&amp;D Engineer â€“ Berlin")`` -> ``"R&D Engineer – Berlin"``."""
    if "&" in title:
        title = html.unescape(title)
    title = repair_mojibake(title)
    if "  " in title or "\n" in title or "\t" in title:
        title = " ".join(title.split())
    return title
