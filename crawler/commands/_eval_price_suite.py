"""`jobtrends eval --price-suite PATH`: amount and currency on price-parser's public suite.

The suite is the test data of the price-parser library (``tests/test_price_parsing.py``
of github.com/scrapinghub/price-parser, also in its sdist: ``pip download price-parser
--no-binary :all: --no-deps``): real price strings collected from web pages of many
countries, each an ``Example(currency_raw, price_raw, currency, amount_text,
amount_float)``.  The file is read as data: parsed with :mod:`ast`, never imported or
run, and never copied into this project.

What each reader is given, as a page would show it:

* ``parse_pay`` (``text``): ``price_raw``, the price element's text, alone.  No country
  and no source hint are known.
* ``parse_pay`` (``text + context``): the same, with the currency of ``currency_raw``
  (another element of the page: a currency box, a label, an older price) passed as the
  source's hint when it names exactly one currency.  ``currency_raw`` is not glued to
  the text: it often holds another price (``$3.99`` next to ``$14.99``), whose amount
  is not this one.
* price-parser: ``Price.fromstring(price_raw, currency_hint=currency_raw)``, its own
  intended use; its currency text is mapped to ISO codes with the same CLDR table.

How the labels are judged:

* **amount**: the label's ``amount_float``; a label with no price wants no amount.
  ``Free!`` is labeled 0: parse_pay reads 0 as "no pay" (None) by design, which counts
  as right (tallied as ``free_as_none``).
* **currency**: judged only where the label's currency text names exactly one ISO
  currency in the project's CLDR table (``Kč``, ``руб``, ``SGD``, ``€``).  A sign of
  several currencies (``$``, ``¥``, ``kr``) with no country is ambiguous: an empty
  currency is the policy, not a failure; a currency picked anyway is counted
  (``ambiguous_picked``).  A label with no currency counts a currency invented by the
  reader (``invented``).  Signs outside CLDR (``₶``, the old ``DEM``) are not judged.
* **non-dollar read as USD**: the label's sign names no dollar of the US, the reader
  says USD (target 0); ``usd_without_sign`` counts USD where the label has no currency.

Lists: the seven lists price-parser's tests expect to pass (``main``); its two lists of known
failures (``xfail``: strings it gets wrong, currencies it lacks) are scored apart.  The
decimal-separator list is left out: its labels depend on a separator given by hand.
Some labels are debatable (which of two prices is "the" price): :data:`DEBATABLE` names
them by a hash of their text, with the reason, and a label giving an amount for a text
with no figure cannot be met by any reader: both are counted apart, the parser is not
bent to them.
"""

from __future__ import annotations

import ast
import hashlib
import math
import unicodedata
from collections import Counter
from pathlib import Path

from crawler.errors import UserError

MAIN_LISTS = (
    "PRICE_PARSING_EXAMPLES_BUGS_CAUGHT",
    "PRICE_PARSING_EXAMPLES_NEW",
    "PRICE_PARSING_EXAMPLES",
    "PRICE_PARSING_EXAMPLES_2",
    "PRICE_PARSING_EXAMPLES_3",
    "PRICE_PARSING_EXAMPLES_NO_PRICE",
    "PRICE_PARSING_EXAMPLES_NO_CURRENCY",
)
XFAIL_LISTS = (
    "PRICE_PARSING_EXAMPLES_XFAIL",
    "PRICE_PARSING_EXAMPLES_XFAIL_CURRENCIES_TO_BE_ADDED",
)

# sha1(currency_raw + "\x1f" + price_raw)[:12] -> why the label is debatable (the
# README lists them).  Measured on price-parser 0.5.1's file.
DEBATABLE: dict[str, str] = {
    "4ae577eac928": "a leading-dot decimal then a comma group: labeled 75,333 here,"
    " 0.75333 or 75.333 in the same file's decimal-separator examples",
    "56d7193fe123": "a was/now pair whose current price is 0: labeled with the"
    " crossed-out price",
    "32f6ab221ba6": "a free-shipping threshold ($49+) labeled as no price",
    "acd859f5aab8": "'1 K' labeled the kina, where K is also the thousands suffix",
}


def case_key(currency_raw: str | None, price_raw: str | None) -> str:
    text = f"{currency_raw or ''}\x1f{price_raw or ''}"
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _value(node: ast.expr):
    """A literal argument; ``Decimal("1.5")`` -> 1.5."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Decimal"
        and len(node.args) == 1
    ):
        return float(str(ast.literal_eval(node.args[0])))
    return ast.literal_eval(node)


def load_suite(path: str | Path) -> dict[str, list[dict]]:
    """``{"main": [...], "xfail": [...], "skipped": n}`` from the suite file; each case
    ``{"list", "currency_raw", "price_raw", "currency", "amount"}``.  A call that is not
    ``Example`` with five literal arguments is skipped and counted."""
    p = Path(path)
    try:
        tree = ast.parse(p.read_text(encoding="utf-8"), filename=str(p))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as exc:
        raise UserError(
            f"--price-suite {path}: not a readable Python file ({type(exc).__name__});"
            " give price-parser's tests/test_price_parsing.py"
        ) from None
    out: dict = {"main": [], "xfail": [], "skipped": 0}
    for node in tree.body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.List)
        ):
            continue
        name = node.targets[0].id
        group = (
            "main" if name in MAIN_LISTS else "xfail" if name in XFAIL_LISTS else None
        )
        if group is None:
            continue
        for elt in node.value.elts:
            try:
                if not (
                    isinstance(elt, ast.Call)
                    and isinstance(elt.func, ast.Name)
                    and elt.func.id == "Example"
                    and len(elt.args) == 5
                ):
                    raise ValueError("not Example(5 arguments)")
                cur_raw, price_raw, currency, _text, amount = map(_value, elt.args)
                if amount is not None:
                    amount = float(amount)
                if not all(
                    v is None or isinstance(v, str)
                    for v in (cur_raw, price_raw, currency)
                ):
                    raise ValueError("not text")
            except (ValueError, TypeError, SyntaxError):
                out["skipped"] += 1
                continue
            out[group].append(
                {
                    "list": name,
                    "currency_raw": cur_raw,
                    "price_raw": price_raw,
                    "currency": currency,
                    "amount": amount,
                }
            )
    if not out["main"]:
        raise UserError(
            f"--price-suite {path}: no Example(...) rows in lists named"
            f" {MAIN_LISTS[2]} ...; give price-parser's tests/test_price_parsing.py"
        )
    return out


def label_currency(text: str | None) -> str | tuple[str, ...] | None:
    """The label's currency text as an ISO code, candidates when ambiguous, else None."""
    from crawler.normalize.currency import sign_after, sign_before

    if not text or not text.strip():
        return None
    # Fullwidth signs ("￡") as their ordinary forms, as parse_pay reads them.
    text = "".join(
        unicodedata.normalize("NFKC", ch) if "\uff01" <= ch <= "\uffee" else ch
        for ch in text.strip()
    )
    after = sign_after(text, 0)[0]
    before = sign_before(text, len(text))[0]  # "AU $": a prefix written apart
    signs = [s[1] for s in (after, before) if s is not None]
    return next((v for v in signs if isinstance(v, str)), signs[0] if signs else None)


def code_in(text: str | None) -> str | None:
    """The first sign in ``text`` that names one currency (its ISO code), else None."""
    from crawler.normalize.currency import sign_after

    if not text:
        return None
    for i, ch in enumerate(text):
        if ch.isspace() or ch.isdigit() or (i and text[i - 1].isalpha()):
            continue
        sign = sign_after(text, i)[0]
        if sign is not None and isinstance(sign[1], str):
            return sign[1]
    return None


def _ours(with_context: bool):
    from crawler.normalize import parse_pay

    def read(case: dict):
        """(amount, ISO code or None)."""
        hint = code_in(case["currency_raw"]) if with_context else None
        pay = parse_pay(case["price_raw"], currency_hint=hint)
        if pay is None:
            return None, None
        return (pay.min if pay.min is not None else pay.max), pay.currency

    return read


def _price_parser(case: dict):
    from price_parser import Price

    price = Price.fromstring(case["price_raw"], currency_hint=case["currency_raw"])
    amount = None if price.amount is None else float(price.amount)
    code = label_currency(price.currency)
    return amount, code if isinstance(code, str) else None


# name -> (reader, sees currency_raw)
READERS = {
    "parse_pay (text)": (_ours(False), False),
    "parse_pay (text + context)": (_ours(True), True),
    "price-parser": (_price_parser, True),
}


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def _broken(case: dict) -> str | None:
    """Why a label cannot be right whatever reads it: an amount for a text with no digit."""
    if case["amount"] and not any(ch.isdigit() for ch in case["price_raw"] or ""):
        return "an amount for a text with no figure"
    return None


def score(cases: list[dict], reader, sees_context: bool = True) -> dict:
    """Counts and failures of one reader on ``cases`` (see the module's doc).  A reader
    that does not see ``currency_raw`` is judged on the currency only where the label's
    currency is written in ``price_raw``."""
    t: Counter = Counter()
    failures = []
    for case in cases:
        amount, got = reader(case)
        debatable = DEBATABLE.get(
            case_key(case["currency_raw"], case["price_raw"])
        ) or _broken(case)
        if debatable:
            t["debatable"] += 1
            t["debatable_amount_right"] += _close(amount, case["amount"])
            continue
        label = label_currency(case["currency"])
        if label is None and case["currency"] and case["currency"].strip():
            t["sign_outside_table"] += 1  # "₶", "DEM", "تومان": not judged
            t["outside_table_read"] += got is not None
        if (
            label is not None
            and not sees_context
            and case["currency"].strip() not in (case["price_raw"] or "")
        ):
            t["currency_elsewhere"] += 1
            label = None if got is None else label
        want = case["amount"]
        if want is None and amount is None:
            label = got = None  # no price: no currency is asked for
        free = want == 0 and amount is None
        amount_ok = _close(amount, want) or free
        t["free_as_none"] += free
        if free:  # no pay: no currency either
            got = label if isinstance(label, str) else got
        if isinstance(label, str):
            t["currency_judged"] += 1
            currency_ok = got == label
            t["currency_right"] += currency_ok
            t["non_usd_as_usd"] += got == "USD" and label != "USD"
        else:
            currency_ok = label is not None or got is None
            if label is None and got is not None:
                t["invented"] += 1
                t["usd_without_sign"] += got == "USD"
            elif label is not None:
                t["ambiguous"] += 1
                t["ambiguous_picked"] += got is not None
                t["non_usd_as_usd"] += got == "USD" and "USD" not in label
        t["n"] += 1
        t["amount_right"] += amount_ok
        t["both_right"] += amount_ok and currency_ok
        if not (amount_ok and currency_ok):
            failures.append(
                {
                    "input": case["price_raw"],
                    "context": case["currency_raw"],
                    "expected": {"amount": want, "currency": case["currency"]},
                    "got": {"amount": amount, "currency": got},
                    "what": "amount"
                    if not amount_ok
                    else "currency"
                    if label is not None
                    else "invented currency",
                }
            )
    return {**t, "failures": failures}


def eval_price_suite(path: str | Path) -> dict:
    """Every reader on both parts of the suite: ``{"main": {reader: counts}, ...}``."""
    suite = load_suite(path)
    return {
        "path": str(path),
        "skipped": suite["skipped"],
        **{
            part: {
                name: score(suite[part], read, sees)
                for name, (read, sees) in READERS.items()
            }
            for part in ("main", "xfail")
            if suite[part]
        },
    }


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({a / b:.1%})" if b else "n/a"


def format_price_suite(report: dict, show_failures: int) -> list[str]:
    """The lines `jobtrends eval` prints; failures are listed for parse_pay on the text."""
    lines = [
        f"price suite {report['path']} (price-parser's tests; price-parser was"
        " developed on the main part: its figure there is in-sample)"
    ]
    if report["skipped"]:
        lines.append(
            f"  {report['skipped']} calls skipped (not Example with 5 literals)"
        )
    for part in ("main", "xfail"):
        for name, r in report.get(part, {}).items():
            n = r.get("n", 0)
            lines.append(
                f"  {part:<5} {name:<27} amount {_pct(r.get('amount_right', 0), n)},"
                f" currency {_pct(r.get('currency_right', 0), r.get('currency_judged', 0))},"
                f" both {_pct(r.get('both_right', 0), n)}; non-dollar as USD"
                f" {r.get('non_usd_as_usd', 0)}"
                + (
                    f" (currency only in the context, not judged:"
                    f" {r['currency_elsewhere']})"
                    if r.get("currency_elsewhere")
                    else ""
                )
            )
            lines.append(
                f"        ambiguous sign: {r.get('ambiguous', 0)} labels, a currency"
                f" picked on {r.get('ambiguous_picked', 0)}; no currency in the label:"
                f" one invented {r.get('invented', 0)} (USD {r.get('usd_without_sign', 0)});"
                f" Free as none {r.get('free_as_none', 0)}; debatable labels"
                f" {r.get('debatable', 0)} (amount right on"
                f" {r.get('debatable_amount_right', 0)}); label sign outside the"
                f" CLDR table {r.get('sign_outside_table', 0)} (a currency given on"
                f" {r.get('outside_table_read', 0)})"
            )
            if name.startswith("parse_pay (text)"):
                for f in r["failures"][:show_failures]:
                    lines.append(
                        f"      [{f['what']}] {f['input']!r} (context"
                        f" {f['context']!r}): expected {f['expected']} got {f['got']}"
                    )
    return lines
