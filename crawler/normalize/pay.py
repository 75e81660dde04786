"""Pay text -> :class:`Pay` (kind, range, ISO currency, period), pure and total.

Rules, in order (each documented decision is tested in tests/test_normalize_pay.py):

* **Kind prefix.** Upwork's ``Hourly Range: ...`` means hourly/hour; ``Budget: ...`` and
  ``Fixed price`` mean fixed/project.
* **Explicit unit wins.** ``/hr``, ``per hour``, ``an hour``, ``hourly``, ``/Std``,
  ``par heure``, ``時給`` -> hour; ``/day``, ``daily``, ``Tagessatz`` -> day; ``/wk`` ->
  week; ``/mo``, ``monthly``, ``brutto/Monat``, ``/мес``, ``月薪`` -> month; ``/yr``,
  ``a year``, ``p.a.``, ``annual``, ``RAL``, ``年収`` -> year.  Pay type follows the
  period: hour/day/week are time-based contract rates (``hourly``), month/year are
  salaries (``salary``), project is ``fixed``.  With a stated unit the size of the number
  is never used to second-guess it.
* **No unit.** An amount written with a multiplier (``k``, ``lakh``) or >= 10,000 is a
  yearly salary; a smaller amount <= 250 is an hourly rate; anything in between
  (250 < x < 10,000) is a fixed project budget.  These size rules apply only when no
  unit is stated.
* **Currency** (:mod:`crawler.normalize.currency`, CLDR's symbols, names and codes in
  every script).  A sign next to the amount that names one currency wins (rule ``code``
  for an ISO code, ``symbol`` otherwise: ``€``, ``Kč``, ``zł``, ``руб.``, ``CA$``,
  ``euros``); an ambiguous sign (``$``, ``kr``, ``¥``, ``Rs``) takes ``currency_hint``
  (``hint``) or the posting's ``country`` (``country``) when it is one of the sign's
  currencies (a ``$`` in a country with no dollar of its own is USD, rule
  ``dollar_abroad``; ``元`` in Taiwan is TWD, ``lei`` in Moldova MDL); no sign takes the
  hint (a number word of one language is a sign: ``triệu`` the dong, ``万`` ambiguous).  Otherwise the currency is **None** (rule
  ``ambiguous:<sign>`` or ``no_currency``): the amounts are kept, no USD figure is made,
  and the caller records why.  Nothing defaults to USD.
* **Numbers** of every locale: ``1,200.50``, ``1.200,50``, ``1 200,50`` (spaces, no-break
  and narrow no-break spaces), ``120'000``, Indian ``1,50,000`` and ``.75`` all read as
  written.  A single ``,``/``.`` followed by exactly three digits groups thousands unless
  the integer part is 0, the currency has three decimals (``423.923 KD``) or a ``k``
  follows (``1.250k``); any other digit count after it is a decimal (``34.992001``).
  Split cents (``35€ 99``, ``$119. 95``) join the amount.  Multipliers only as a suffix of
  a number: ``k`` (never the K of ``Kč``), ``mil``, ``M``/``Mio``/``million``, ``lakh``/
  ``LPA``, ``crore``, ``万``/``만``, ``千``; a multiplier on the upper bound of ``50-70k``
  applies to a lower bound written smaller.
* **Ranges.** ``a-b``, ``a – b``, ``a to b`` (also ``bis``, ``à``, ``hasta``, ``до``,
  ``~``); swapped bounds are put in order; ``Up to X`` -> (None, X); ``From X``/``X+`` ->
  (X, None); a 0 bound means "none".
* Words without a figure (``DOE``, ``Competitive``, ``Negotiable``) -> None with reason
  ``words_only:<word>``; with no sign anywhere, figures that are not money (``30%``,
  dates (``July, 2004``, ``30-06``), phone numbers, ``40 hours``, ``9 ft``, ``founded in
  1998``, ``Size 42``, ``Qty 3``) are dropped
  (``not_money`` when none is left).  A crossed-out price (``was 120 € now 99 €``) loses
  to the current one.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from crawler.normalize.currency import (
    clean_hint,
    decimal_comma,
    decimals,
    dollar_abroad,
    has_local_reading,
    local_reading,
    resolve,
    settle,
    sign_after,
    sign_before,
    sign_value,
)

PAY_TYPES = ("hourly", "fixed", "salary")
PERIODS = ("hour", "day", "week", "month", "year", "project")

# Inputs longer than this are cut: pay fields are short, and this bounds the work.
MAX_PAY_TEXT = 400


@dataclass(frozen=True)
class Pay:
    """One posting's pay: ``Pay("hourly", 15.0, 35.0, "USD", "hour", "$15-35/hr", "hint")``.

    ``currency`` is None when the text's sign is ambiguous or absent and neither hint nor
    country settles it; ``currency_rule`` then says why (``ambiguous:$``, ``no_currency``).
    """

    pay_type: str
    min: float | None
    max: float | None
    currency: str | None
    period: str
    raw: str
    currency_rule: str


_PERIOD_PAY_TYPE = {
    "hour": "hourly",
    "day": "hourly",
    "week": "hourly",
    "month": "salary",
    "year": "salary",
    "project": "fixed",
}

_NO_FIGURE_WORDS = (
    "depends on experience",
    "doe",
    "competitive",
    "negotiable",
    "tbd",
    "to be discussed",
    "to be determined",
    "not specified",
    "not disclosed",
    "undisclosed",
    "n/a",
    "unpaid",
    "volunteer",
    "commission",
    "equity",
    "market rate",
    "open",
)

_UNITS: tuple[tuple[str, str], ...] = (
    (
        (
            r"per\s+hour|an\s+hour|a\s+hour|/\s*hour|/\s*hr|/\s*h\b|hourly|p/?h\b|hrly|ph\b"
            r"|/\s*hora|por\s+hora|la\s+hora|/\s*std\b|pro\s+stunde|stundensatz|stundenlohn"
            r"|/\s*heure|par\s+heure|de\s+l'heure|/\s*ora\b|all'ora|l'ora|per\s+uur|/\s*uur"
            r"|/\s*час|в\s+час|/\s*godz|za\s+godzin|na\s+godzin|/\s*hod\b|za\s+hodinu"
            r"|/\s*tim\b|/\s*timme|i\s+timmen|per\s+timme|/\s*t\b|/\s*óra|за\s+годину"
            r"|saatlik|/\s*saat|時給|时薪|/\s*時間|시급|/\s*시간"
            r"|/\s*時|timepris|timel[øo]nn?|p(?:e)?r\.?\s+time(?=\s|$)|/\s*jam\b|per\s+jam"
            r"|/\s*ชั่วโมง|ต่อชั่วโมง|/\s*giờ|mỗi\s+giờ"
        ),
        "hour",
    ),
    (
        (
            r"per\s+day|a\s+day|/\s*day|/\s*d\b|daily|p\.?d\.?(?=\s|$)|day\s+rate"
            r"|/\s*tag\b|pro\s+tag|tagessatz|/\s*jour|par\s+jour|/\s*d[ií]a\b|por\s+d[ií]a"
            r"|al\s+d[ií]a|/\s*giorno|al\s+giorno|/\s*день|в\s+день|/\s*dzie|日給|日薪|일급"
            r"|/\s*天|每天|일당|/\s*วัน|ต่อวัน|\btjm\b"
            r"|a\s+giornata|/\s*giornata|/\s*MD\b|/\s*ថ្ងៃ|/\s*hari\b|per\s+hari"
        ),
        "day",
    ),
    (
        (
            r"per\s+week|a\s+week|/\s*week|/\s*wk|weekly|p\.?w\.?(?=\s|$)|/\s*woche"
            r"|pro\s+woche|par\s+semaine|/\s*semaine|/\s*semana|por\s+semana|/\s*неделю|週給|周薪"
            r"|p/w\b|per\s+vecka|/\s*vecka"
        ),
        "week",
    ),
    (
        (
            r"per\s+month|a\s+month|/\s*month|/\s*mo\b|/\s*mth|monthly|p\.?m\.?(?=\s|$)|/\s*mes"
            r"|/\s*mois|par\s+mois|mensuel|pro\s+monat|/\s*monat|monatlich|brutto\s*/\s*monat"
            r"|al\s+mes|por\s+mes|mensual|/\s*m[eê]s\b|por\s+m[eê]s|mensais|al\s+mese|/\s*mese"
            r"|mensili|per\s+maand|/\s*maand|/\s*мес|в\s+месяц|на\s+месяц|/\s*mies|miesi[eę]cznie"
            r"|/\s*m[eě]s[ií]c|m[eě]s[ií][cč]n[eě]|/\s*m[aå]n|i\s+m[aå]naden|/\s*kk\b|kuukaudessa"
            r"|aylık|/\s*ay\b|/\s*hó|havonta|lunar|/\s*lun[aă]|月給|月薪|/\s*月|월급|/\s*월"
            r"|شهري|في\s+الشهر|प्रति\s+माह|/\s*माह|bulanan|/\s*bulan|mỗi\s+tháng|/\s*tháng"
            r"|ต่อเดือน|/\s*เดือน|เงินเดือน|/\s*міс|месечно|на\s+месец|á\s+mánuði|לחודש"
            r"|i\s+m[aå]neden|pr\.?\s+m[aå]ned|/\s*m[aå]ned|per\s+bulan|/\s*bulan"
            r"|per\s+m[aå]n[ae]d|pr\.?\s*mnd|mese[cč]no|mjese[cč]no|mesa[cč]ne|në\s+muaj"
            r"|[зн]а\s+месяц|[зн]а\s+місяць|в\s+місяць|kwa\s+mwezi|sebulan|/\s*mėn"
            r"|mēnesī|μήνα|\bpcm\b|\bkuus\b|/\s*kuu\b"
            r"|im\s+monat|pe\s+lun[aă]|na\s+mesec|mensal\b|om\s+m[aå]neden|每月|每個月|每个月"
            r"|ماہانہ|/\s*মাস|মাসিক|मासिक|/\s*ເດືອນ|\bсард\b|oyiga|oylik|თვეში"
            r"|ամսական|aylıq|ماهانه|በወር"
        ),
        "month",
    ),
    (
        (
            r"per\s+year|a\s+year|/\s*year|/\s*yr|/\s*y\b|yearly|annually|annual|per\s+annum"
            r"|p\.?\s?a\.?(?=\s|$|\))|/\s*an\b|\bote\b|salary|/\s*jahr|pro\s+jahr|j[aä]hrlich"
            r"|brutto\s+jahr|par\s+an\b|annuel|/\s*a[nñ]o\b|al\s+a[nñ]o|por\s+a[nñ]o|anual"
            r"|/\s*ano\b|por\s+ano|all'anno|annu[oi]\b|\bral\b|per\s+jaar|/\s*jaar|/\s*год"
            r"|в\s+год|/\s*rok|rocznie|ročně|/\s*år|per\s+år|om\s+året|vuodessa|yıllık|年収|年薪"
            r"|/\s*年|연봉|/\s*년|سنوي|प्रति\s+वर्ष|\blpa\b"
        ),
        "year",
    ),
    (
        (
            r"fixed[\s-]*price|fixed|budget|per\s+project|/\s*project|flat\s+fee|one[\s-]time"
            r"|festpreis|pauschal|prix\s+fixe|forfait|precio\s+fijo|por\s+proyecto|/\s*proyecto"
            r"|prezzo\s+fisso|a\s+progetto|за\s+проект|/\s*projekt|rozpo[cč]et|presupuesto"
            r"|or[cç]amento|budżet|бюджет"
            # Piece rates are paid per deliverable, not per unit of time.
            r"|(?:per|/|a|an|each)\s*(?:article|word|post|blog|video|page|item|task|image|logo"
            r"|design|minute of audio|audio minute|lead|call|sale|unit|piece|deliverable)s?\b"
        ),
        "project",
    ),
)
# One scan for all units: the leftmost unit wins, at one position the first period
# listed.
_UNIT_RE = re.compile("|".join(f"(?P<{period}>{p})" for p, period in _UNITS), re.I)

# One number as any locale writes it, then an optional multiplier suffix.
_NUM_RE = re.compile(
    r"(?<!\d)(?<!\d[.,])(?:"  # not inside a number; "Rs.500" starts at 5
    r"(?P<ind>\d{1,2}(?:,\d\d)+,\d{3}(?![\d,])(?:\.\d{1,2}(?!\d))?)"  # 1,50,000
    r"|(?P<grp>\d{1,3}(?P<sep>[,.' ’])\d{3}(?:(?P=sep)\d{3})*(?!\d)(?:[.,]\d+)?)"
    r"|(?P<plain>\d+(?:[.,]\d+)?)"
    r"|(?<!\w)(?P<lead>[.,]\d{1,2})(?!\d)"  # .75
    r")(?:\s?(?P<mult>[kK]|mil|[Mm]io\.?|millions?|MM|M|[Ll]akhs?|[Ll]acs?|LPA|[Cc]rores?"
    r"|[Cc]r\.?|тыс\.?|тис\.?|млн\.?|mln\.?|tys\.?|tis\.?|juta|jt|ribu|rb|triệu|bin"
    r"|ezer|e(?=\s?Ft\b)|(?<=\d)tr|(?<=\d)L|(?<=\d)m|Tsd\.?|milli[óo]|mill[oó]n(?:es)?"
    r"|milh(?:ões|ão)|milion[ei])(?![^\W\d_])"
    # written onto a sign or in a script whose words follow without a space
    r"|(?P<cjk>[万萬만千]|\s?हज़ार|\s?हजार|\s?T(?=\s?€|EUR\b)|\s?t(?=kr\b)))?"
)
_CODE_RE = re.compile(r"\b[A-Z]{3}\b")
_DIGIT_RE = re.compile(r"\d")
_DECIMAL_TAIL_RE = re.compile(r"[.,]\d+$")
_MULTIPLIERS = {"k": 1e3, "mil": 1e3, "тыс": 1e3, "tys": 1e3, "tis": 1e3, "千": 1e3}
_MULTIPLIERS["万"] = 1e4
_MULTIPLIERS.update({"만": 1e4, "mio": 1e6, "million": 1e6, "m": 1e6, "lakh": 1e5})
_MULTIPLIERS.update(
    {"lac": 1e5, "lpa": 1e5, "crore": 1e7, "juta": 1e6, "ribu": 1e3, "rb": 1e3}
)
_MULTIPLIERS.update({"cr": 1e7, "jt": 1e6, "triệu": 1e6, "tr": 1e6, "l": 1e5})
_MULTIPLIERS.update({"mm": 1e6, "млн": 1e6, "mln": 1e6, "тис": 1e3, "bin": 1e3})
_MULTIPLIERS.update({"e": 1e3, "ezer": 1e3})
_MULTIPLIERS.update({"tsd": 1e3, "t": 1e3, "萬": 1e4, "हज़ार": 1e3, "हजार": 1e3})
_MULTIPLIERS.update(dict.fromkeys(("millió", "millio", "millón", "millon"), 1e6))
_MULTIPLIERS.update(dict.fromkeys(("millones", "milhões", "milhão"), 1e6))
_MULTIPLIERS.update(dict.fromkeys(("milioni", "milione"), 1e6))
# What joins two amounts into a range (a unit may sit after the lower bound too:
# "$35/h - $45/h").
_JOIN_RE = re.compile(
    r"\s*(?:/\s?[^\s\d-]{1,6}\.?\s*)?"
    r"(?:-|~|〜|～|to|until|till|bis|à|a|hasta|até|do|до|až|tot|au)\s*$",
    re.I,
)
_BETWEEN_RE = re.compile(
    r"\b(?:between|entre|zwischen|tra|tussen|mezi|между)\s+(.{1,30}?)\s+"
    r"(?:and|et|und|y|e|en|a|и)\s+",
    re.I,
)
_UP_TO_RE = re.compile(
    r"\b(?:up\s+to|upto|max(?:imum)?|under|less\s+than|below|bis\s+zu|jusqu'à|hasta"
    r"|até|до)\s*:?\s*$",
    re.I,
)
_FROM_RE = re.compile(
    r"\b(?:from|starting\s+(?:at|from)|min(?:imum)?|at\s+least|over|above|ab|à\s+partir"
    r"\s+de|desde|a\s+partir\s+de|от|od)\s*:?\s*$",
    re.I,
)
_HOURLY_PREFIX_RE = re.compile(r"^\s*hourly(?:\s+range|\s+rate)?\s*:?", re.I)
_BUDGET_PREFIX_RE = re.compile(
    r"^\s*(?:fixed[\s-]price\s+)?budget\s*:?|^\s*fixed[\s-]price\s*:?", re.I
)
# "$119. 95" and "35€ 99": cents written apart from the amount; "130, 38 zł" (a comma
# then a space) only when a currency sign follows the cents.
_SPLIT_CENTS_RE = re.compile(r"(\d)\.\s(\d\d)(?=\s*(?:$|[^\w\s]))")
_SPLIT_COMMA_CENTS_RE = re.compile(r"(?<=\d), (\d\d)(?![\d.,])")
_SIGN_CENTS_RE = re.compile(r"(\d)\s?([€$£¥₹₽₺₪₩₦₱₫])\s(\d\d)(?=\s*$)")
_SPACES_RE = re.compile(r" {2,}")
# Figures that are not money, blanked when no amount carries a currency sign:
# percentages, dates and times of day, phone numbers, counted things ("40 hours/week", "250 employees",
# "4.8 out of 5 stars"), years after a year word ("founded in 1998") and numbers after a
# label ("Size 42", "Ref. 12").
# Month names (English, German, French, Spanish; English abbreviations): "July, 2004".
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november"
    "|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|januar|februar|märz|juni"
    "|juli|oktober|dezember|janvier|février|mars|avril|mai|juin|juillet|août|septembre"
    "|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto"
    "|septiembre|octubre|noviembre|diciembre"
)
# Things counted or measured, written right after a number or a range of numbers ("5+
# years", "3-5 Jahre", "12 engineers", "39 Std.", "経験3年", "от 3 лет", "1,5 kg").
_COUNTED = (
    # English
    r"years?|yrs?|months?|mos|weeks?|wks?|days?|hours?|hrs?|h|minutes?|mins|seconds?"
    r"|shifts?|employees|engineers|developers|designers|people|persons|staff|users"
    r"|members|customers|clients|countries|cities|offices|languages|projects|positions"
    r"|openings|vacancies|candidates|references|seats|students|time\s?zones?|out\s+of"
    r"|stars?|reviews?|ratings?|votes|downloads|followers|rooms?|beds?|bedrooms?|floors?"
    # German, French, Spanish, Portuguese, Italian, Dutch
    r"|jahren?|jahre|monaten?|wochen|tagen?|stunden|std\.?|mitarbeiter(?:innen)?"
    r"|personen|bewertungen|sterne|ans|années?|mois|semaines?|jours?|heures?|salariés"
    r"|employés|personnes|collaborateurs|avis|étoiles|años|anos|meses|semanas|d[ií]as"
    r"|horas|empleados|personas|pessoas|funcionários|colaboradores|anni|mesi|giorni"
    r"|settimane|ore|dipendenti|persone|jaar|jaren|maanden|weken|dagen|uur|medewerkers"
    # Nordic, Polish, Czech/Slovak, Hungarian, Turkish, Russian/Ukrainian, Vietnamese
    r"|år|års|månader|måneder|veckor|uker|uger|dagar|dager|timmar|timer|anställda"
    r"|ansatte|lat|lata|miesięcy|tygodni|dni|godzin|osób|pracowników|let|roky|rokov"
    r"|měsíců|mesiacov|dní|hodin|hodín|év|hónap|nap|óra|fő|yıl|gün|saat|kişi"
    r"|лет|года?|месяц(?:а|ев)|недел[ьи]|дн(?:я|ей)|час(?:а|ов)|человек|сотрудник(?:а|ов)"
    r"|років|роки|місяців|днів|годин|năm|ngày|giờ"
    # measures
    r"|sq\.?\s?ft|m2|m²|miles?|ft|feet|foot|inch(?:es)?|cm|mm|kg|lbs?|oz|ml|gb|tb"
    r"|mb|ghz|mhz|kw|pcs"
)
# The same in scripts written without spaces ("週5日勤務", "3-5年", "8時間").
_COUNTED_CJK = r"年(?![収薪俸])|ヶ月|か月|カ月|个月|個月|日|天|時間|小时|小時|人|名|歳|岁|년|개월|시간|명|★|⭐|☆"
_NUM_OR_RANGE = (
    r"(?<![\d.,])\d+(?:[.,]\d+)?\+?"
    r"(?:\s*(?:-|~|to|a|à|bis|до|do)\s*\d+(?:[.,]\d+)?\+?)?"
)
_NOT_MONEY_RE = re.compile(
    r"[-+]?(?<![\d.,])\d+(?:[.,]\d+)?\s?%"
    r"|\b\d{4}([-/.])\d{1,2}\1\d{1,2}\b|\b\d{1,2}([-/.])\d{1,2}\2\d{2,4}\b"
    r"|\b\d{1,2}:\d\d(?::\d\d)?\b"
    # times of day: "7 a.m.", "3pm", "8 a 17 h" (covered by counted "h")
    r"|\b(?:1[0-2]|0?[1-9])\s?(?:[ap]\.\s?m\.|[ap]m\b)"
    r"|\b\d{1,2}[-/]0\d\b(?![-/]\d)|\b(?:19|20)\d\d[-/](?:0[1-9]|1[0-2])\b(?![-/]\d)"
    rf"|\b(?:{_MONTHS})\b\.?,?\s+(?:de\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?"
    r"(?:19|20)\d\d\b"
    r"|\+\d{1,3}[\s.-]?\(?\d[\d\s().-]{6,}\d"
    r"|\b(?:tel|phone|call|fax|mob|mobile|whatsapp|тел|телефон)\.?:?\s*(?:us\s+)?"
    r"(?:on\s+|at\s+)?\+?\(?\d[\d\s().-]{5,}\d"
    rf"|{_NUM_OR_RANGE}\s*(?:{_COUNTED})(?!\w)"
    rf"|{_NUM_OR_RANGE}\s*(?:{_COUNTED_CJK})"
    # ordinals, ratings "4,7/5", "24/7"
    r"|\b\d+(?:st|nd|rd|th)\b|(?<![\d.,/])\d(?:[.,]\d{1,2})?\s*/\s*(?:5|10)(?![\d.,/])"
    r"|\b24\s*/\s*7\b"
    r"|\b(?:in|since|seit|depuis|desde|founded|est\.|established|©|copyright|posted"
    r"|updated|model|employer|award|edition|class\s+of|fy)\s*:?\s*(?:19|20)\d\d\b"
    r"(?![-/.]\d)"
    # numbers after a label: "Size 42", "Room 305", "Zip code 10001", "ISO 9001",
    # "Model: RTX 4090", "Version 2.5.1", "Ages 18-25", "Top 100"
    r"|\b(?:size|gr\.|größe|taille|talla|ref|no\.|nr\.?|sku|art\.\s?nr\.?|id|zip"
    r"|(?:zip|postal|post)\s?code|plz|room|raum|zimmer|suite|floor|building|gate"
    r"|platform|apt\.?|iso|din|model|modell|modelo|modèle|rtx|gtx|version|ver\.|v(?=\d)"
    r"|ages?|aged|top|level|step|phase|grade"
    r"|qty|quantity|moq|order|заказ|кол-во|количество|шт)(?![^\W\d_])"
    r"\s*[.:#]?\s*(?:[a-z]{1,5}[\s-]?)?[\w/-]*\d[\w/.-]*",
    re.I,
)


# Words before a crossed-out price: "was 120 € now 99 €", "statt 129 €", "M.R.P.".
_OLD_PRICE_RE = re.compile(
    r"(?:\b(?:was|statt|uvp|rrp|before|før|förr|avant|antes|prima|vorher|regular"
    r"|reg\.|list\s+price|m\.?r\.?p\.?|было|replaces|previously|originally"
    r"|compare\s+at|(?:regular|original|old|normal)\s+price|старая\s+цена|была"
    r"|precio\s+(?:anterior|normal|regular|original)|preço\s+(?:anterior|original)"
    r"|ancien\s+prix|prix\s+barré|alter\s+preis|streichpreis|prezzo\s+(?:precedente"
    r"|originale)|normalpris|ordinarie\s+pris|ordinært|førpris|pôvodne|pôvodná\s+cena"
    r"|původně|původní\s+cena|stara\s+cena|poprzednia\s+cena|eski\s+fiyat"
    r"|oude\s+prijs|van)|原价|原價|定価|通常価格|정가)\s*:?\s*(?:[^\w\s]{1,4}\s?)?$",
    re.I,
)
# "De R$ 199,90 por R$ 149,90" (Portuguese and Spanish offers): from the old to the new.
_DE_POR_RE = re.compile(
    r"\s*de\s+(?:\S{1,4}\s?)?\d[\d.,]*\s+por\s+(?:\S{1,4}\s?)?\d", re.I
)
# Crossed-out markup: "<del>€59,99</del> €44,99", "<s>$120</s>", "~~$40~~ $32".
_STRUCK_RE = re.compile(r"<(del|s|strike)\b[^>]*>.*?</\1\s*>|~~[^~]+~~", re.I | re.S)
# "49p", "99p!": pence written onto the number (not the "p" of "p/h", "p.a.").
_PENCE_RE = re.compile(r"p(?![\w/.])")
# Number words of one language stand for its currency when no sign is written: lakh
# and crore for "Rs", triệu for the dong, juta for the rupiah, 万 for yuan/yen/NT$ ...
_MULT_SIGNS = dict.fromkeys(
    ("lakh", "lakhs", "lac", "lacs", "lpa", "crore", "crores", "cr"), "Rs"
)
_MULT_SIGNS.update({"triệu": "đ", "tr": "đ", "juta": "Rp", "jt": "Rp", "rb": "Rp"})
_MULT_SIGNS.update({"ribu": "Rp", "万": "万", "만": "원", "тис": "грн", "bin": "TL"})
_MULT_SIGNS.update({"tys": "zł", "萬": "万"})
_CLEAN = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "‒": "-",
        "−": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u2007": " ",
        "\u200e": None,
        "\u200f": None,
        "\u200b": None,
        "\u066b": ".",  # Arabic decimal separator
        "\u066c": ",",  # Arabic thousands separator
    }
)
# Fullwidth forms ("１２，８００円") as their ASCII letters, digits and signs; superscript
# cents ("19,⁹⁹ €") as digits.
_WIDE = str.maketrans(
    {
        **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},
        **dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789", strict=True)),
        **dict(zip("\uffe0\uffe1\uffe5\uffe6", "¢£¥₩", strict=True)),  # ￡ ￥ ￦
    }
)
_WIDE_RE = re.compile("[\uff01-\uff5e\uffe0-\uffe6\u2070-\u2079\u00b2\u00b3\u00b9]")


def _number(
    m: re.Match, currency: str | None, comma_thousands: bool = False
) -> tuple[float | None, float]:
    """(value, multiplier) of one ``_NUM_RE`` match read in ``currency``'s conventions
    (``comma_thousands``: a comma before three digits groups thousands even where the
    currency's countries write a decimal comma)."""
    mult_text = m["mult"] or m["cjk"]
    mult = 1.0
    if mult_text:
        key = mult_text.strip().rstrip(".").lower()
        mult = _MULTIPLIERS.get(key) or _MULTIPLIERS.get(key[:-1], 1.0)  # lakhs
    if m["ind"]:
        s = m["ind"].replace(",", "")
    elif m["grp"]:
        s, sep = m["grp"], m["sep"]
        body = s.replace(sep, "")
        groups = s.count(sep)
        tail = _DECIMAL_TAIL_RE.search(body)
        if tail and tail.group()[0] != sep:
            s = body[: tail.start()] + "." + tail.group()[1:]
        elif (
            groups == 1
            and sep in ",."
            and (
                s[0] == "0"
                or (sep == "." and decimals(currency) == 3)
                or (sep == "," and decimal_comma(currency) and not comma_thousands)
                or (sep == "." and mult_text and mult_text in "kK")
            )
        ):
            s = s.replace(sep, ".")  # 0.500, 423.923 KD, 1.250k
        else:
            s = body.replace(",", "").replace(".", "")
    elif m["plain"]:
        s = m["plain"].replace(",", ".")
    else:
        s = "0" + m["lead"].replace(",", ".")
    try:
        value = float(s) * mult
    except ValueError:
        return None, mult
    return (value if math.isfinite(value) else None), mult


def _no_figure_reason(low: str) -> str:
    for word in _NO_FIGURE_WORDS:
        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", low):
            return f"words_only:{word.replace(' ', '_')}"
    return "no_figure"


def parse_pay_detail(
    text: str, *, currency_hint: str | None = None, country: str | None = None
) -> tuple[Pay | None, str | None]:
    """Like :func:`parse_pay` with a reason when None: ``parse_pay_detail("DOE")`` ->
    ``(None, "words_only:doe")``."""
    try:
        pay, reason, local_sign = _parse_cached(text, currency_hint)
        if pay is not None and country and pay.currency_rule.startswith("ambiguous:"):
            # The country settles an ambiguous sign after the cache, so postings of many
            # countries share one cached parse of the same text.
            written = pay.currency_rule[len("ambiguous:") :]
            code = settle(written, country)
            if code:
                pay = replace(pay, currency=code, currency_rule="country")
            elif dollar_abroad(written, country):
                pay = replace(pay, currency="USD", currency_rule="dollar_abroad")
        elif local_sign and country:
            code = local_reading(local_sign, country)
            if code:  # "元" in Taiwan: the new Taiwan dollar
                pay = replace(pay, currency=code, currency_rule="country")
        return pay, reason
    except Exception as exc:  # noqa: BLE001 - recorded: the issue row names the failure
        return None, f"unparsed:{type(exc).__name__}"


def parse_pay(
    text: str, *, currency_hint: str | None = None, country: str | None = None
) -> Pay | None:
    """Pay stated in ``text``, or None: ``parse_pay("$15-35/hr", currency_hint="USD")``
    -> ``Pay("hourly", 15.0, 35.0, "USD", "hour", "$15-35/hr", "hint")``;
    ``parse_pay("299 Kč")`` -> ``Pay("fixed", 299.0, 299.0, "CZK", "project", ...)``.

    ``currency_hint`` is the source's own currency (an ISO code); ``country`` the
    posting's country (ISO code or English name), used only to settle an ambiguous sign.
    """
    return parse_pay_detail(text, currency_hint=currency_hint, country=country)[0]


@lru_cache(maxsize=8192)
def _parse_cached(
    text: str, currency_hint: str | None
) -> tuple[Pay | None, str | None, str | None]:
    """(pay, reason, sign): ``sign`` is set when the currency came from a sign some
    countries read as their own ("元", "lei"), for the caller to settle by country."""
    pay, reason = _parse(text, currency_hint)
    if pay is not None and pay.currency_rule.startswith("symbol:"):
        return replace(pay, currency_rule="symbol"), reason, pay.currency_rule[7:]
    return pay, reason, None


class _Amount:
    """One number in the text with the currency signs written next to it."""

    __slots__ = ("end", "m", "sign", "start")

    def __init__(self, s: str, m: re.Match) -> None:
        self.m = m
        before, self.start = sign_before(s, m.start())
        after, self.end = sign_after(s, m.end())
        if after is None and _PENCE_RE.match(s, m.end()):
            after, self.end = ("p", "GBP"), m.end() + 1  # "49p": hundredths of a pound
        # "$60,000 USD": the sign naming one currency wins over an ambiguous one.
        if before is None or (_ambiguous(before) and not _ambiguous(after)):
            self.sign = after or before
        else:
            self.sign = before


def _ambiguous(sign) -> bool:
    """True for a sign CLDR gives to several currencies ("$", "kr"); False for None."""
    return sign is not None and not isinstance(sign[1], str)


def _parse(text, currency_hint):
    if text is None or not isinstance(text, str):
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)
        else:
            return None, "empty"
    raw = text.strip()
    if not raw:
        return None, "empty"
    s = raw[:MAX_PAY_TEXT]
    if "&" in s:
        s = html.unescape(s)
    s = s.translate(_CLEAN)
    if _WIDE_RE.search(s):
        s = s.translate(_WIDE)
    if "  " in s:  # "USD  90 000": a run of spaces is one space
        s = _SPACES_RE.sub(" ", s)
    if ". " in s:
        s = _SPLIT_CENTS_RE.sub(r"\1.\2", s)
    if ", " in s:
        s = _SPLIT_COMMA_CENTS_RE.sub(
            lambda m: f",{m[1]}" if sign_after(s, m.end())[0] else m[0], s
        )
    if s[-3:-2] == " ":
        s = _SIGN_CENTS_RE.sub(r"\1.\3\2", s)
    if "<" in s or "~~" in s:  # a crossed-out price loses when another is written
        struck = _STRUCK_RE.sub(lambda m: " " * len(m.group()), s)
        if _DIGIT_RE.search(struck):
            s = struck
    # "between $30 and $40": the only place "and" joins two bounds.
    s = _BETWEEN_RE.sub(r"\1 - ", s)
    if _DIGIT_RE.search(s) is None:
        return None, _no_figure_reason(s.lower())

    kind_period = None
    m = _HOURLY_PREFIX_RE.match(s)
    if m:
        kind_period = "hour"
        s = s[m.end() :]
    else:
        m = _BUDGET_PREFIX_RE.match(s)
        if m:
            kind_period = "project"
            s = s[m.end() :]

    amounts = [_Amount(s, mm) for mm in _NUM_RE.finditer(s)]
    if amounts and not any(x.sign for x in amounts):
        # No sign: drop the figures that are not money ("Save 30%", "Posted 2024-03-15").
        blanked = _NOT_MONEY_RE.sub(lambda m: " " * len(m.group()), s)
        if blanked != s:
            s = blanked
            amounts = [_Amount(s, mm) for mm in _NUM_RE.finditer(s)]
            if not amounts:
                return None, "not_money"
    if not amounts:
        return None, "unparsed"
    # Ranges: an amount joined to the next by "-", "to", "bis" ...
    spans: list[tuple[_Amount, _Amount | None]] = []
    i = 0
    while i < len(amounts):
        a = amounts[i]
        b = amounts[i + 1] if i + 1 < len(amounts) else None
        if b is not None and _JOIN_RE.match(s[a.end : b.start]) and b.start >= a.end:
            spans.append((a, b))
            i += 2
        else:
            spans.append((a, None))
            i += 1
    # Prefer the first amount carrying a currency sign; else the first amount; a price
    # crossed out ("was 120 €") only when there is no other.
    if len(spans) > 1:
        old_first = _DE_POR_RE.match(s) is not None
        spans = [
            ab
            for k, ab in enumerate(spans)
            if not (k == 0 and old_first)
            and not _OLD_PRICE_RE.search(s, max(0, ab[0].start - 24), ab[0].start)
        ] or spans
    signed = [ab for ab in spans if ab[0].sign or (ab[1] is not None and ab[1].sign)]
    a, b = signed[0] if signed else spans[0]
    if len(signed) > 1 and not _period_after(s, (b or a).end):
        # "$2.5M seed round, hiring at $95k/year": the figure a pay period follows
        # wins over an earlier one no period follows (a company's funding, a bonus).
        a, b = next(
            (ab for ab in signed[1:] if _period_after(s, (ab[1] or ab[0]).end)), (a, b)
        )
    sign = a.sign
    if sign is None and (b is None or b.sign is None):
        mult = (b.m["mult"] or b.m["cjk"] if b is not None else None) or (
            a.m["mult"] or a.m["cjk"]
        )
        written = _MULT_SIGNS.get(mult.strip().rstrip(".").lower()) if mult else None
        if written:  # "8-10 LPA": rupees, settled by country; "15 triệu": dong
            sign = (written, sign_value(written))
    if b is not None and (sign is None or (_ambiguous(sign) and b.sign is not None)):
        sign = b.sign if not _ambiguous(b.sign) else sign or b.sign
    if _ambiguous(sign):  # "$40 - $60/hr (USD)": a code elsewhere that settles it
        code = next((c for c in _CODE_RE.findall(s) if c in sign[1]), None)
        if code:
            sign = (code, code)
    currency, rule = resolve(sign, hint=currency_hint, country=None)
    if rule == "symbol" and has_local_reading(sign[0]):
        rule = f"symbol:{sign[0]}"  # "元": the yuan, unless the country reads it as its own

    # "LYD 1,500 monthly": in pay with a period a comma before three digits is thousands,
    # even for the currencies whose countries write a decimal comma ("TND 89,000" = 89).
    thousands = decimal_comma(currency) and _period_after(s, (b or a).end, 60)
    lo, a_mult = _number(a.m, currency, thousands)
    hi, b_mult = _number(b.m, currency, thousands) if b is not None else (None, 1.0)
    if sign is not None and sign[0] == "p" and a.sign is sign:  # "49p": pence
        lo = lo / 100 if lo is not None else None
        hi = hi / 100 if hi is not None else None
    if lo is not None and hi is not None and b_mult > 1 == a_mult and lo * b_mult <= hi:
        lo *= b_mult  # "50-70k", "5-7 lakhs": the multiplier is shared
    if lo is None and hi is None:
        return None, "unparsed"
    end = (b or a).end
    before = s[: a.start]
    if b is None:
        if _UP_TO_RE.search(before):
            lo, hi = None, lo
        elif s[end : end + 1] == "+" or s[end:].strip() == "+":
            hi = None  # "$100+"; not the "+" of "A$130k + super"
        elif _FROM_RE.search(before):
            hi = None
        else:
            hi = lo
    lo = lo if lo else None  # 0 means none
    hi = hi if hi else None
    if lo is None and hi is None:
        return None, "zero"
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo

    period = kind_period
    after = s[end:]
    if period is None or period == "project":
        mults = (a.m["mult"] or "", b.m["mult"] or "" if b is not None else "")
        unit = "year" if "LPA" in mults else _find_unit(after) or _find_unit(before)
        if unit and (period is None or unit != "project"):
            # "Budget: $30/hr" is odd but an explicit unit still wins.
            period = unit
    if period is None:
        top = hi if hi is not None else lo
        if a_mult > 1 or b_mult > 1 or top >= 10_000:
            period = "year"
        elif top <= 250:
            period = "hour"
        else:
            period = "project"
    return Pay(_PERIOD_PAY_TYPE[period], lo, hi, currency, period, raw, rule), None


def _period_after(s: str, pos: int, reach: int = 12) -> bool:
    """True when a pay period other than a project's starts within ``reach`` characters
    after ``pos`` with no other figure between ("$95k/year", "1,500 monthly")."""
    m = _UNIT_RE.search(s, pos, pos + reach)
    return (
        m is not None
        and m.lastgroup != "project"
        and _DIGIT_RE.search(s, pos, m.start()) is None
    )


def _find_unit(fragment: str) -> str | None:
    m = _UNIT_RE.search(fragment, 0, 60)
    return m.lastgroup if m else None


# make_pay's readings of a structured period and, when it has none, of the pay type.
_PERIOD_WORDS = {
    "hr": "hour",
    "hourly": "hour",
    "yr": "year",
    "annual": "year",
    "yearly": "year",
    "monthly": "month",
    "mo": "month",
    "fixed": "project",
    "weekly": "week",
    "daily": "day",
}
_TYPE_PERIOD = {"hourly": "hour", "fixed": "project", "salary": "year"}


def make_pay(
    min: float | None,
    max: float | None,
    *,
    currency: str | None,
    period: str | None,
    pay_type: str | None,
    raw: str = "",
    currency_rule: str = "source",
) -> Pay | None:
    """Pay from structured fields: ``make_pay(50, 25, currency="usd", period="hour",
    pay_type="hourly", raw="")`` -> ``Pay("hourly", 25.0, 50.0, "USD", "hour", "", "source")``.

    0/None/garbage bounds mean "none"; both none -> None.  A single bound gives min == max.
    A missing period is taken from pay_type (hourly -> hour, fixed -> project, salary ->
    year) and vice versa; a missing or unknown currency is None with rule
    ``no_currency``/``unknown_currency:<text>`` (amounts kept, no USD figure).
    """
    try:
        lo = _clean_bound(min)
        hi = _clean_bound(max)
        if lo is None and hi is None:
            return None
        if lo is None:
            lo = hi
        if hi is None:
            hi = lo
        if lo > hi:
            lo, hi = hi, lo
        period = period.lower().strip() if isinstance(period, str) else None
        period = _PERIOD_WORDS.get(period, period)
        pay_type = pay_type.lower().strip() if isinstance(pay_type, str) else None
        if period not in PERIODS:
            period = _TYPE_PERIOD.get(pay_type)
        if period is None:
            return None
        if pay_type not in PAY_TYPES:
            pay_type = _PERIOD_PAY_TYPE[period]
        cur = clean_hint(currency)
        if cur is None:
            currency_rule = (
                f"unknown_currency:{str(currency).strip()[:12]}"
                if isinstance(currency, str) and currency.strip()
                else "no_currency"
            )
        return Pay(
            pay_type,
            lo,
            hi,
            cur,
            period,
            raw if isinstance(raw, str) else "",
            currency_rule,
        )
    except (TypeError, ValueError):  # odd field shapes: no pay, never a crash
        return None


def _clean_bound(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f) or f <= 0:
        return None
    return f
