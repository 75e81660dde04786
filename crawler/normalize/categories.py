"""Canonical categories: the source's own category first, then a title classifier.

1. ``taxonomy``: the source's own category, looked up (case-insensitive) in
   data/taxonomy.json for that source, then under ``"*"``.  "Parent > Child" paths are
   tried child first (an Upwork occupation before its top category).  A *broad* source
   category (``{"default": ..., "refine": true, "within": [...]}``, e.g. Upwork's "Design
   & Creative") is refined by the classifier among the categories it may contain
   (``taxonomy+model``), never mapped flat when a title is there.
2. ``model`` / ``model-low``: the learned title classifier (classifier.py, trained by
   category_model.py) with its calibrated probability; ``model-low`` below
   :data:`CONFIDENT`.
3. ``rules``: weighted keyword rules over title, skills and text - used only when the
   title gives the model nothing (no known feature, or nothing likely), where text and
   skills still can.
4. ``none``: category "other" - nothing is likely.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

TAXONOMY_FILE = Path(__file__).with_name("data") / "taxonomy.json"
MIN_SCORE = 3.0
MIN_MARGIN = 1.5  # best must be at least this many times the runner-up
TEXT_CHARS = 2000

CANONICAL_CATEGORIES: list[str] = [
    "writing",
    "translation",
    "customer service",
    "video editing & production",
    "graphic design",
    "web design",
    "web & software development",
    "mobile development",
    "data science & analytics",
    "machine learning & AI",
    "data entry & annotation",
    "sales & marketing",
    "admin support",
    "accounting & finance",
    "engineering & architecture",
    "legal",
    "other",
]

(
    WRITING,
    TRANSLATION,
    CUSTOMER_SERVICE,
    VIDEO,
    GRAPHIC_DESIGN,
    WEB_DESIGN,
    SOFTWARE_DEV,
    MOBILE_DEV,
    DATA_SCIENCE,
    ML_AI,
    DATA_ENTRY,
    SALES_MARKETING,
    ADMIN_SUPPORT,
    FINANCE,
    ENGINEERING,
    LEGAL,
    OTHER,
) = CANONICAL_CATEGORIES


Entry = tuple[str, bool, "frozenset[str] | None", str]


def _key(value: str) -> str:
    return " ".join(value.casefold().split())


def _load_taxonomy():
    doc = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))
    # key -> (default category, broad?, categories a broad one may become, key)
    table: dict[str, dict[str, Entry]] = {}
    for source, mapping in doc["sources"].items():
        entries = {}
        for raw, target in mapping.items():
            key = _key(raw)
            if isinstance(target, dict):
                within = target.get("within")
                entries[key] = (
                    target["default"],
                    bool(target.get("refine")),
                    frozenset(within) if within else None,
                    key,
                )
            else:
                entries[key] = (target, False, None, key)
        table[source.casefold()] = entries
    for entries in table.values():
        for cat, _, within, _ in entries.values():
            for c in (cat, *(within or ())):
                if c not in CANONICAL_CATEGORIES:
                    raise ValueError(f"taxonomy.json maps to unknown category {c!r}")
    return doc.get("version", "?"), table


TAXONOMY_VERSION, _TAXONOMY = _load_taxonomy()


@lru_cache(maxsize=4096)
def _taxonomy_entry(source: str, value: str) -> Entry | None:
    key = _key(value)
    # Freelancer and others sometimes send "Parent > Child" or "Parent / Child" paths.
    candidates = [key] + [p.strip() for p in re.split(r"\s*>\s*", key) if p.strip()][
        ::-1
    ]
    for cand in candidates:
        for src in (source.casefold() if isinstance(source, str) else "", "*"):
            entry = _TAXONOMY.get(src, {}).get(cand)
            if entry:
                return entry
    return None


def broad_key(source: str, value: str | None) -> str | None:
    """The broad source category inside ``value`` (a "Top > Occupation" path or a
    single name), as the taxonomy key the model's priors use, or None:
    ``broad_key("upwork", "Design & Creative > Video Editing")`` -> ``"design & creative"``."""
    if not isinstance(value, str) or not value.strip():
        return None
    for part in re.split(r"\s*>\s*", value.strip()):
        entry = _taxonomy_entry(source or "", part) if part else None
        if entry and entry[1]:
            return entry[3]
    return None


def taxonomy_lookup(source: str, value: str | None) -> str | None:
    """Canonical category for a source's own category string, or None:
    ``taxonomy_lookup("upwork", "mobile app development")`` -> ``"mobile development"``."""
    if not isinstance(value, str) or not value.strip():
        return None
    entry = _taxonomy_entry(source or "", value.strip())
    return entry[0] if entry else None


def unmapped_values(source: str, values) -> list[str]:
    """The distinct ``values`` the taxonomy does not map for ``source`` (sorted):
    ``unmapped_values("upwork", ["Web Development", "Underwater Basketry"])`` ->
    ``["Underwater Basketry"]``."""
    out = set()
    for v in values:
        if isinstance(v, str) and v.strip() and taxonomy_lookup(source, v) is None:
            out.add(v.strip())
    return sorted(out)


# --- rules -----------------------------------------------------------------------------

# (pattern, category, weight) applied to the title.  Specific phrases weigh more than
# generic words so "Android developer" is mobile, not generic development.
_TITLE_RULES: list[tuple[str, str, float]] = [
    (
        r"\b(?:blog|article|articles|copywrit\w*|ghostwrit\w*|proofread\w*|content writ\w*|writer|writers|writing|ebook|e-book|essay|newsletter|editor(?! for video)|script ?writ\w*|storytell\w*)\b",
        WRITING,
        3,
    ),
    (
        r"\b(?:seo (?:article|blog|content)s?|product descriptions?|technical writ\w*|grant (?:writ\w*|proposal))\b",
        WRITING,
        2,
    ),
    (
        r"\b(?:translat\w*|interpret(?:er|ing)|locali[sz]ation|transcreation|bilingual .{0,20}translat\w*)\b",
        TRANSLATION,
        5,
    ),
    (
        r"\b(?:customer (?:service|support|success|care|experience)|support (?:agent|specialist|representative|rep|associate)|help ?desk|call cent(?:er|re)|chat (?:agent|support)|live chat|technical support|tech support|it support|client support|community manager|moderator)\b",
        CUSTOMER_SERVICE,
        4,
    ),
    (
        r"\b(?:video|videos|youtube|reels?|tiktok|shorts|animat\w*|motion graphics?|videograph\w*|premiere pro|after effects|davinci|podcast edit\w*|vlog|explainer)\b",
        VIDEO,
        3,
    ),
    (
        r"\b(?:video edit\w*|edit(?:ing)? (?:my |our |a |the )?(?:youtube |short |long )?videos?|video editor)\b",
        VIDEO,
        3,
    ),
    (
        r"\b(?:graphic|graphics|logo|logos|illustrat\w*|banner|banners|flyer|flyers|brochure|poster|branding|brand identity|thumbnail|thumbnails|infographic|photoshop|canva|book cover|t-?shirt design|packaging design|label design|business cards?|character design|pitch deck design|presentation design|icon design|vector)\b",
        GRAPHIC_DESIGN,
        3,
    ),
    (
        r"\b(?:web ?design(?:er)?|website design(?:er)?|ui/ux|ux/ui|ui ux|ux|ui designer|ui design|figma|landing page design|web page design|wireframes?|product designer|mockups?|redesign)\b",
        WEB_DESIGN,
        4,
    ),
    (
        r"\b(?:developer|development|programmer|programming|engineer|full[- ]?stack|back[- ]?end|front[- ]?end|web app|webapp|saas|api|apis|bug|bugs|fix|script|scripts|software|devops|wordpress|shopify|woocommerce|php|laravel|python|javascript|typescript|react|node\.?js|django|next\.?js|vue|angular|\.net|c#|java|golang|rust|ruby|database|backend|plugin|extension|website|web site|automation|bot|integration|deploy\w*|aws|docker|kubernetes|sql server|qa|tester|testing|crm)\b",
        SOFTWARE_DEV,
        2,
    ),
    (
        r"\b(?:mobile|android|ios|iphone|ipad|flutter|react native|swiftui|kotlin|app store|play store|mobile app|apk|xamarin)\b",
        MOBILE_DEV,
        5,
    ),
    (
        r"\b(?:data (?:analy\w*|scien\w*|visuali[sz]\w*|engineer\w*|pipeline|warehouse)|analytics|dashboards?|power ?bi|tableau|statistic\w*|spss|stata|sql|excel (?:expert|analyst|model\w*|dashboard|formulas?|automation|vba)|looker|bigquery|scrap(?:e|er|ing)|web scraping|etl|quantitative|forecast\w*|a/b test\w*|google sheets? expert|r programming|jupyter|pandas)\b",
        DATA_SCIENCE,
        4,
    ),
    (
        r"\b(?:machine learning|ml|deep learning|neural|ai|a\.i\.|artificial intelligence|llms?|gpt\w*|chatgpt|openai|langchain|rag|nlp|computer vision|prompt engineer\w*|fine[- ]?tun\w*|chatbot|chat ?bot|generative|genai|stable diffusion|pytorch|tensorflow|hugging ?face|ai agents?|agentic|vector (?:db|database)|embeddings|object detection|yolo|ocr)\b",
        ML_AI,
        4,
    ),
    (
        r"\b(?:data entry|data input|typing|typist|transcri\w*|annotat\w*|label(?:l)?ing|labell?ers?|tagging|copy ?paste|data collection|ai train\w*|ai data trainer|rlhf|form filling|captcha|bounding box\w*|data cleaning|data processing|pdf to (?:excel|word))\b",
        DATA_ENTRY,
        6,
    ),
    (
        r"\b(?:marketing|marketer|seo|sem|ppc|sales|salesperson|lead gen\w*|leads|social media|smm|instagram|facebook ads?|google ads|meta ads|tiktok ads|ads manager|appointment setter|cold call\w*|telemarket\w*|telesales|growth|email marketing|influencer|affiliate|business development|sdr|bdr|account executive|outreach|closer|ecommerce manager|amazon ppc|amazon (?:seller|listing|fba)|brand ambassador|pr|public relations|klaviyo|mailchimp|hubspot)\b",
        SALES_MARKETING,
        4,
    ),
    (
        r"\b(?:virtual assistant|va|assistant|admin|administrative|executive assistant|personal assistant|project manager|project coordinator|coordinator|scheduling|calendar|inbox|email management|research assistant|web research|internet research|office manager|operations assistant|secretary|receptionist|order processing|back office)\b",
        ADMIN_SUPPORT,
        4,
    ),
    (
        r"\b(?:account(?:ant|ing|s payable|s receivable)|bookkeep\w*|quickbooks|xero|tax returns?|tax prep\w*|tax filings?|payroll|cfo|fp&a|valuation|reconcil\w*|budget(?:ing)? analyst|cpa|sage|netsuite|financial (?:model\w*|statements?|analy\w*|report\w*))\b",
        FINANCE,
        5,
    ),
    (r"\b(?:tax|taxes|financial|finance|audit\w*|invest\w*)\b", FINANCE, 2),
    (
        r"\b(?:mechanical|civil|electrical|structural|chemical|industrial) (?:engineer\w*|design\w*|drawings?)|\b(?:cad|autocad|solidworks|fusion 360|revit|archicad|sketchup|3d model\w*|3d render\w*|cnc|pcb|circuit|schematic|floor ?plans?|interior design\w*|architectur\w* (?:design|drawing|render|plans?)|architect(?! \w+ ?(?:software|cloud|solution|data))|landscape design|hvac|mep|plc|firmware|embedded|arduino|product design engineer|injection mold\w*|drafting|drafter|blueprints?|permit drawings?)\b",
        ENGINEERING,
        5,
    ),
    (
        r"\b(?:legal|law firm|contract (?:draft\w*|review\w*)|drafting contracts?|trademark|patent|gdpr|terms (?:of service|and conditions)|privacy policy|immigration|litigation|notary|compliance officer|llc formation|nda)\b",
        LEGAL,
        3,
    ),
    # Role nouns: the person wanted decides more than the topic words around it.
    (
        r"\b(?:lawyer|attorney|paralegal|solicitor|counsel|legal (?:advisor|consultant|assistant))\b",
        LEGAL,
        6,
    ),
    (
        r"\b(?:writer|copywriter|ghostwriter|author|proofreader|copy ?editor|content creator|blogger|resume|cover letter|rewrit\w*)s?\b",
        WRITING,
        6,
    ),
    (r"\b(?:translators?|interpreters?)\b", TRANSLATION, 6),
    (
        r"\b(?:video editor|animator|videographer|motion designer|video producer|youtube editor)s?\b",
        VIDEO,
        6,
    ),
    (
        r"\b(?:(?:graphic|logo|thumbnail|flyer|brand|packaging|print|presentation|book cover|t-?shirt|banner|label|icon|social media) designers?|illustrators?|graphic artist)\b",
        GRAPHIC_DESIGN,
        6,
    ),
    (
        r"\b(?:(?:web|website|ui/ux|ux/ui|ui|ux|product|landing page) designers?)\b",
        WEB_DESIGN,
        6,
    ),
    (
        r"\b(?:prompt engineers?|ml engineers?|machine learning engineers?|ai engineers?|ai developers?|llm engineers?|ai agent developers?|data scientists? .{0,10}(?:nlp|llm))\b",
        ML_AI,
        6,
    ),
    (
        r"\b(?:data entry|annotators?|labell?ers?|transcribers?|transcriptionists?|ai trainers?|typists?)\b",
        DATA_ENTRY,
        6,
    ),
    (
        r"\b(?:cold callers?|appointment setters?|closers?|marketers?|seo specialists?|sales (?:rep|representative|manager|executive)s?|account executives?|account managers?|media buyers?|ads? managers?|social media managers?)\b",
        SALES_MARKETING,
        6,
    ),
    (
        r"\b(?:virtual assistants?|executive assistants?|personal assistants?|admin(?:istrative)? assistants?|project managers?|project coordinators?)\b",
        ADMIN_SUPPORT,
        6,
    ),
    (
        r"\b(?:(?:software|back[- ]?end|front[- ]?end|full[- ]?stack|web|wordpress|shopify|php|python|java|javascript|typescript|react|node(?:\.?js)?|devops|platform|qa|test|automation|\.net|c#|c\+\+|golang|go|ruby|rails|laravel|django|game|unity|site reliability|cloud|infrastructure|security|systems|embedded software|blockchain|solidity|salesforce) (?:developers?|engineers?|programmers?)|programmers?|software engineers?|sre|devops)\b",
        SOFTWARE_DEV,
        6,
    ),
    (r"\bdevelopers?\b", SOFTWARE_DEV, 2),
    (
        r"\b(?:(?:android|ios|mobile|flutter|react native|app|iphone|swift|kotlin) (?:developers?|engineers?|programmers?))\b",
        MOBILE_DEV,
        6,
    ),
    (
        r"\b(?:data (?:analysts?|scientists?|engineers?)|analytics engineers?|bi (?:analyst|developer)s?|business intelligence|quantitative analysts?)\b",
        DATA_SCIENCE,
        6,
    ),
    (
        r"\b(?:accountants?|bookkeepers?|financial analysts?)\b|^\W*(?:financial |finance |senior |assistant )?controller\W*$",
        FINANCE,
        6,
    ),
    # Broader vocabulary (tasks rather than roles), added after the first held-out check.
    (
        r"\b(?:edit(?:ing)?(?: and \w+)? (?:my |a |our )?(?:\w+ )?(?:book|manuscript|novel|thesis|dissertation)|email sequences?|sales letters?|product reviews?|case stud(?:y|ies)|press releases?|white ?papers?|speeches|captions)\b",
        WRITING,
        4,
    ),
    (
        r"\b(?:phone support|support reps?|order support|returns? handling|customer emails?|ticket\w*)\b",
        CUSTOMER_SERVICE,
        4,
    ),
    (
        r"\b(?:colou?r grading|b-?roll|intro|outro|subtitl\w+|captions? for videos?|clips?|footage)\b",
        VIDEO,
        3,
    ),
    (
        r"\b(?:menu design|carousels?|designs?|mockup|sticker|merch|emotes?|album cover|cover art)\b",
        GRAPHIC_DESIGN,
        2,
    ),
    (
        r"\b(?:magento|woocommerce|speed up|page speed|vba|macros?|apps? script|zapier|n8n|make\.com|webhook|migrat\w+|deploy\w*|hosting|server|ssl|dns)\b",
        SOFTWARE_DEV,
        3,
    ),
    (
        r"\b(?:bigquery|snowflake|dbt|data model\w*|redshift|databricks|attribution|cohort|kpis?|metrics|reporting)\b",
        DATA_SCIENCE,
        3,
    ),
    (
        r"\b(?:bookings?|coordinat\w+|compile (?:a )?list|list of|travel arrangements|errands|organi[sz]e|inbox)\b",
        ADMIN_SUPPORT,
        3,
    ),
    (
        r"\b(?:1099s?|w-?2s?|cash ?flow|p&l|profit and loss|balance sheet|invoic\w+|billing|sales tax|vat returns?)\b",
        FINANCE,
        4,
    ),
    (r"\b(?:contracts?|law|laws|lawsuit|legal notice|agreements?|nda)\b", LEGAL, 3),
    (
        r"\b(?:enter .{0,30} into|business cards|(?:evaluate|rate|rank|review) (?:ai|llm|chatbot|model)\w*|ai (?:model )?(?:answers|responses|outputs))\b",
        DATA_ENTRY,
        6,
    ),
    (
        r"\b(?:pinterest|linkedin|youtube channel|instagram|twitter|x account|reddit|ads|campaigns?|promot\w+|funnels?)\b",
        SALES_MARKETING,
        3,
    ),
]
_TITLE_RES = [(re.compile(p, re.I), cat, w) for p, cat, w in _TITLE_RULES]

# Skill name -> (category, weight).  Families give the default; names override.
_FAMILY_CATEGORY: dict[str, tuple[str, float]] = {
    "programming": (SOFTWARE_DEV, 1.5),
    "web": (SOFTWARE_DEV, 1.5),
    "database": (SOFTWARE_DEV, 1.0),
    "devops": (SOFTWARE_DEV, 1.5),
    "qa": (SOFTWARE_DEV, 1.5),
    "game": (SOFTWARE_DEV, 1.5),
    "cms_ecommerce": (SOFTWARE_DEV, 1.0),
    "mobile": (MOBILE_DEV, 2.5),
    "data": (DATA_SCIENCE, 1.5),
    "ai": (ML_AI, 2.0),
    "design": (GRAPHIC_DESIGN, 1.5),
    "video": (VIDEO, 2.0),
    "audio": (VIDEO, 1.0),
    "writing": (WRITING, 2.0),
    "translation": (TRANSLATION, 2.5),
    "languages": (TRANSLATION, 0.5),
    "marketing": (SALES_MARKETING, 2.0),
    "admin": (ADMIN_SUPPORT, 1.5),
    "finance": (FINANCE, 2.5),
    "legal": (LEGAL, 2.0),
    "engineering": (ENGINEERING, 2.5),
    "support": (CUSTOMER_SERVICE, 2.5),
    "education": (OTHER, 0.0),
}
_SKILL_CATEGORY: dict[str, tuple[str, float]] = {
    "Data Annotation": (DATA_ENTRY, 3.0),
    "AI Model Training": (DATA_ENTRY, 2.0),
    "Data Entry": (DATA_ENTRY, 3.0),
    "Transcription": (DATA_ENTRY, 2.5),
    "Copy Typing": (DATA_ENTRY, 2.5),
    "Data Cleaning": (DATA_ENTRY, 1.0),
    "AI Content Writing": (WRITING, 2.0),
    "AI Video Generation": (VIDEO, 2.0),
    "AI Image Editing": (GRAPHIC_DESIGN, 2.0),
    "Midjourney": (GRAPHIC_DESIGN, 1.0),
    "DALL-E": (GRAPHIC_DESIGN, 1.0),
    "Stable Diffusion": (ML_AI, 1.0),
    "ChatGPT": (ML_AI, 1.0),
    "Artificial Intelligence": (ML_AI, 1.0),
    "Generative AI": (ML_AI, 1.0),
    "Claude": (ML_AI, 1.0),
    "Google Gemini": (ML_AI, 1.0),
    "Web Design": (WEB_DESIGN, 3.0),
    "UI/UX Design": (WEB_DESIGN, 3.0),
    "Figma": (WEB_DESIGN, 2.0),
    "Adobe XD": (WEB_DESIGN, 2.0),
    "Sketch": (WEB_DESIGN, 1.5),
    "Webflow": (WEB_DESIGN, 1.5),
    "Wix": (WEB_DESIGN, 1.0),
    "Squarespace": (WEB_DESIGN, 1.0),
    "Landing Page": (WEB_DESIGN, 1.0),
    "Responsive Design": (WEB_DESIGN, 1.0),
    "WordPress": (SOFTWARE_DEV, 1.0),
    "Shopify": (SOFTWARE_DEV, 1.0),
    "Excel": (DATA_SCIENCE, 0.5),
    "Google Sheets": (DATA_SCIENCE, 0.5),
    "Spreadsheets": (DATA_SCIENCE, 0.5),
    "Web Scraping": (DATA_SCIENCE, 2.0),
    "Lead Generation": (SALES_MARKETING, 2.5),
    "Research": (ADMIN_SUPPORT, 1.0),
    "Project Management": (ADMIN_SUPPORT, 1.0),
    "Microsoft Office": (ADMIN_SUPPORT, 0.5),
    "Google Workspace": (ADMIN_SUPPORT, 0.5),
    "Human Resources": (OTHER, 0.0),
    "Photography": (OTHER, 0.5),
    "Photo Editing": (GRAPHIC_DESIGN, 1.5),
    "3D Modeling": (ENGINEERING, 1.5),
    "Interior Design": (ENGINEERING, 3.0),
    "Voice Over": (OTHER, 0.0),
    "Music Production": (OTHER, 0.0),
    "Python": (SOFTWARE_DEV, 1.0),
    "Technical Support": (CUSTOMER_SERVICE, 2.5),
    "Customer Onboarding": (CUSTOMER_SERVICE, 1.0),
    "Community Moderation": (CUSTOMER_SERVICE, 1.5),
    "Mathematics": (DATA_SCIENCE, 0.5),
    "Algorithms": (SOFTWARE_DEV, 0.5),
    "Software Development": (SOFTWARE_DEV, 1.5),
    "Consulting": (OTHER, 0.0),
    "Real Estate": (ADMIN_SUPPORT, 0.5),
    "Medical Billing": (ADMIN_SUPPORT, 1.0),
    "Teaching": (OTHER, 0.0),
}
# Words in the text: each hit adds TEXT_WEIGHT, at most TEXT_CAP per category.
TEXT_WEIGHT = 0.34
TEXT_CAP = 1.5
_TEXT_SEP_RE = re.compile(r"[^\w+#]+")
_TEXT_SEP = str.maketrans({c: " " for c in ",;:!?()[]{}<>\"'`*|=~-/.\n\r\t"})
_TEXT_WORDS: dict[str, str] = {
    **dict.fromkeys(
        [
            "writer",
            "writers",
            "writing",
            "copywriter",
            "copywriting",
            "blog",
            "articles",
            "article",
            "proofreading",
            "ghostwriter",
            "ghostwriting",
            "editor",
            "manuscript",
            "ebook",
        ],
        WRITING,
    ),
    **dict.fromkeys(
        [
            "translate",
            "translator",
            "translation",
            "translations",
            "translating",
            "localization",
            "localisation",
            "interpreter",
        ],
        TRANSLATION,
    ),
    **dict.fromkeys(
        [
            "customer",
            "customers",
            "support",
            "tickets",
            "zendesk",
            "helpdesk",
            "freshdesk",
            "inbound",
            "chat",
        ],
        CUSTOMER_SERVICE,
    ),
    **dict.fromkeys(
        [
            "video",
            "videos",
            "youtube",
            "footage",
            "premiere",
            "animation",
            "animator",
            "reels",
            "tiktok",
        ],
        VIDEO,
    ),
    **dict.fromkeys(
        [
            "logo",
            "logos",
            "graphic",
            "graphics",
            "illustration",
            "illustrator",
            "branding",
            "flyer",
            "banner",
            "photoshop",
            "canva",
            "poster",
            "thumbnail",
        ],
        GRAPHIC_DESIGN,
    ),
    **dict.fromkeys(
        [
            "figma",
            "wireframes",
            "wireframe",
            "ux",
            "ui",
            "mockups",
            "prototype",
            "webflow",
        ],
        WEB_DESIGN,
    ),
    **dict.fromkeys(
        [
            "developer",
            "developers",
            "backend",
            "frontend",
            "api",
            "apis",
            "code",
            "codebase",
            "bug",
            "bugs",
            "deploy",
            "software",
            "programming",
            "database",
            "server",
            "framework",
        ],
        SOFTWARE_DEV,
    ),
    **dict.fromkeys(
        [
            "android",
            "ios",
            "iphone",
            "flutter",
            "mobile",
            "app",
            "apps",
            "kotlin",
            "swift",
        ],
        MOBILE_DEV,
    ),
    **dict.fromkeys(
        [
            "analytics",
            "dashboard",
            "dashboards",
            "sql",
            "tableau",
            "statistics",
            "analysis",
            "analyst",
            "visualization",
            "etl",
            "pandas",
        ],
        DATA_SCIENCE,
    ),
    **dict.fromkeys(
        [
            "llm",
            "llms",
            "gpt",
            "chatgpt",
            "openai",
            "langchain",
            "rag",
            "ml",
            "pytorch",
            "tensorflow",
            "nlp",
            "embeddings",
            "model",
            "models",
            "ai",
        ],
        ML_AI,
    ),
    **dict.fromkeys(
        [
            "annotation",
            "annotate",
            "labeling",
            "labelling",
            "transcription",
            "transcribe",
            "typing",
            "spreadsheet",
        ],
        DATA_ENTRY,
    ),
    **dict.fromkeys(
        [
            "marketing",
            "seo",
            "leads",
            "sales",
            "ads",
            "campaigns",
            "campaign",
            "social",
            "instagram",
            "facebook",
            "outreach",
            "prospects",
        ],
        SALES_MARKETING,
    ),
    **dict.fromkeys(
        [
            "assistant",
            "scheduling",
            "calendar",
            "admin",
            "administrative",
            "inbox",
            "errands",
        ],
        ADMIN_SUPPORT,
    ),
    **dict.fromkeys(
        [
            "accounting",
            "bookkeeping",
            "quickbooks",
            "xero",
            "invoices",
            "reconciliation",
            "payroll",
            "tax",
            "financial",
        ],
        FINANCE,
    ),
    **dict.fromkeys(
        [
            "cad",
            "autocad",
            "solidworks",
            "engineering",
            "engineer",
            "drawings",
            "revit",
            "pcb",
            "architectural",
        ],
        ENGINEERING,
    ),
    **dict.fromkeys(
        ["legal", "lawyer", "attorney", "contract", "contracts", "law", "compliance"],
        LEGAL,
    ),
}


_TEXT_WORD_SET = frozenset(_TEXT_WORDS)


@lru_cache(maxsize=8192)
def _skill_weight(skill) -> tuple[str, float] | None:
    """(category, weight) a skill (or skill name) votes for; cached: few distinct skills."""
    name = getattr(skill, "name", skill)
    if not isinstance(name, str):
        return None
    if name in _SKILL_CATEGORY:
        return _SKILL_CATEGORY[name]
    family = getattr(skill, "family", None)
    if family is None:
        from crawler.normalize.skills import SKILLS

        known = SKILLS.get(name)
        family = known.family if known else None
    return _FAMILY_CATEGORY.get(family) if family else None


@lru_cache(maxsize=65536)
def _title_scores(title: str) -> tuple[tuple[str, float], ...]:
    """Title rule scores, cached: titles repeat a lot across postings."""
    scores: dict[str, float] = {}
    for regex, cat, weight in _TITLE_RES:
        if regex.search(title):
            scores[cat] = scores.get(cat, 0.0) + weight
    return tuple(scores.items())


def rule_scores(title: str, text: str, skills) -> dict[str, float]:
    """Rule score per category (for eval and debugging):
    ``rule_scores("Android developer", "", [])["mobile development"]`` -> ``7.0``."""
    title = title[:300] if isinstance(title, str) else ""
    text = text[:TEXT_CHARS] if isinstance(text, str) else ""
    scores = dict(_title_scores(title)) if title else {}
    if text:
        # Text is long: one word-set lookup per word (the title regexes would cost ~9 ms
        # on 2,000 characters).  Skills found in the text already count through `skills`.
        words = _TEXT_WORDS
        low = text.lower()
        # str.translate is fast on ASCII only; other text goes through the regex.
        split = (
            low.translate(_TEXT_SEP).split()
            if low.isascii()
            else _TEXT_SEP_RE.split(low)
        )
        # Set intersection and list.count run in C; a Python loop over every word
        # costs ~4x more.
        hits: dict[str, int] = {}
        # Categories enter in order of first mention, as ties are decided by that order.
        for w in sorted(_TEXT_WORD_SET.intersection(split), key=split.index):
            cat = words[w]
            hits[cat] = hits.get(cat, 0) + split.count(w)
        for cat, n in hits.items():
            scores[cat] = scores.get(cat, 0.0) + min(n * TEXT_WEIGHT, TEXT_CAP)
    seen = set()
    for skill in skills or ():
        cw = _skill_weight(skill)
        name = getattr(skill, "name", skill)
        if cw and name not in seen:
            seen.add(name)
            cat, w = cw
            if w:
                scores[cat] = scores.get(cat, 0.0) + w
    scores.pop(OTHER, None)
    return scores


def _decide(scores: dict[str, float]) -> str | None:
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best_cat, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best >= MIN_SCORE and best >= MIN_MARGIN * second:
        return best_cat
    # AI work is also development work: a clear AI signal wins over generic dev words.
    if (
        best_cat == SOFTWARE_DEV
        and scores.get(ML_AI, 0) >= MIN_SCORE
        and scores.get(ML_AI, 0) >= 0.75 * best
    ):
        return ML_AI
    return None


# A broad source category may only be refined into a category that can live inside it
# (Freelancer's "Websites, IT & Software" can become mobile or ML work, not legal).
_REFINABLE: dict[str, set[str]] = {
    SOFTWARE_DEV: {
        MOBILE_DEV,
        ML_AI,
        DATA_SCIENCE,
        WEB_DESIGN,
        DATA_ENTRY,
        GRAPHIC_DESIGN,
    },
    MOBILE_DEV: {SOFTWARE_DEV, GRAPHIC_DESIGN, WEB_DESIGN},
    WRITING: {TRANSLATION, SALES_MARKETING, DATA_ENTRY},
    GRAPHIC_DESIGN: {VIDEO, WEB_DESIGN, ENGINEERING},
    ADMIN_SUPPORT: {DATA_ENTRY, CUSTOMER_SERVICE, DATA_SCIENCE, FINANCE},
    ENGINEERING: {ML_AI, DATA_SCIENCE, SOFTWARE_DEV},
    DATA_SCIENCE: {ML_AI, DATA_ENTRY, SOFTWARE_DEV},
    FINANCE: {LEGAL, FINANCE, SALES_MARKETING, ADMIN_SUPPORT},
    OTHER: set(CANONICAL_CATEGORIES) - {OTHER},
}


def _compatible(default: str, ruled: str) -> bool:
    return ruled in _REFINABLE.get(default, set())


# --- the decision -------------------------------------------------------------------

# The classifier's best category is "model" at or above CONFIDENT, "model-low" below it
# (kept, and said so); "other" with method "none" only when nothing is likely: an empty
# title, a title sharing no feature with the model, or a best probability below
# NOTHING_LIKELY.
# On 4,995 real Upwork titles (5-fold CV, `python -m benchmarks.category_ceiling CSV
# --parts decision`) the model's pick is right 20 % of the time below 0.2, where the
# rules, when they decide, are right 57 %; from 0.2 up the rules do no better than the
# model.  Floors 0-0.2 score within 0.1 point of each other; 0.3 loses 0.5.
CONFIDENT = 0.5
NOTHING_LIKELY = 0.2
METHODS = ("taxonomy", "taxonomy+model", "model", "model-low", "rules", "none")


class Category(NamedTuple):
    """``classify(...)`` -> ``Category("web design", "taxonomy+model", 0.71)``."""

    category: str
    method: str
    confidence: float | None


@lru_cache(maxsize=1024)
def broad_allowed(entry: Entry) -> frozenset[str]:
    """The categories a broad taxonomy entry may be refined into."""
    default, _, within, _ = entry
    if within:
        return within | {default}
    return frozenset(_REFINABLE.get(default, set()) | {default})


def _model_best(title: str, within: frozenset[str] | None, broad: str | None = None):
    from crawler.normalize.classifier import default_classifier

    return _best_of(default_classifier(), title, within, broad)


@lru_cache(maxsize=8192)  # per model object: titles repeat within a broad category
def _best_of(model, title: str, within: frozenset[str] | None, broad: str | None):
    return model.best(title, within, broad)


def classify(
    source: str,
    source_category: str | None,
    title: str,
    text: str,
    skills: list,
) -> Category:
    """Category, method and confidence of one posting.

    1. the source category maps to one canonical category: ``taxonomy`` (1.0);
    2. a broad source category (Upwork's top categories, Freelancer's groups): the
       classifier picks among the categories it may be refined into
       (``taxonomy+model``, its probability renormalized over those); no usable title
       keeps the default (``taxonomy``);
    3. no source category: the title classifier (``model`` / ``model-low``), or
       ``other``/``none`` when nothing is likely.

    Rules (:func:`rule_scores`) decide only where the title alone says nothing the model
    knows but the text or skills are clear (``rules``)."""
    entry = None
    if isinstance(source_category, str) and source_category.strip():
        entry = _taxonomy_entry(
            source if isinstance(source, str) else "", source_category.strip()
        )
    if entry and not entry[1]:
        return Category(entry[0], "taxonomy", 1.0)
    title = title.strip() if isinstance(title, str) else ""
    if entry:
        best = _model_best(title, broad_allowed(entry), entry[3]) if title else None
        if best is None:
            return Category(entry[0], "taxonomy", None)
        return Category(best[0], "taxonomy+model", round(best[1], 4))
    best = _model_best(title, None) if title else None
    skill_names = tuple(
        getattr(s, "name", s)
        for s in (skills or ())
        if isinstance(getattr(s, "name", s), str)
    )
    return title_decision(best, title, text, skill_names)


def title_decision(
    best: tuple[str, float] | None, title: str, text: str, skill_names: tuple
) -> Category:
    """The decision for a posting with no source category, given the classifier's best
    (category, probability) for its title: the model's category when it is likely,
    else the rules, else ``other``.  ``jobtrends eval`` scores this same decision."""
    if best is not None and best[1] >= NOTHING_LIKELY:
        cat, p = best
        return Category(cat, "model" if p >= CONFIDENT else "model-low", round(p, 4))
    ruled = _decide(rule_scores(title, text, skill_names))
    if ruled:
        return Category(ruled, "rules", None)
    return Category(OTHER, "none", None)


def categorize(
    source: str,
    source_category: str | None,
    title: str,
    text: str,
    skills: list,
) -> tuple[str, str]:
    """(canonical category, method): ``categorize("upwork", "Web Development", "", "", [])``
    -> ``("web & software development", "taxonomy")``; see :func:`classify`."""
    return classify(source, source_category, title, text, skills)[:2]


def count_unmapped(conn) -> list[tuple[str, str, int]]:
    """(source, source_category, postings) for every source category in ``jobs`` that the
    taxonomy does not map, most frequent first - unmapped values are counted, never
    silently dropped: ``count_unmapped(conn)`` -> ``[("upwork", "Basketry", 12)]``."""
    rows = conn.execute(
        "SELECT source, source_category, count(*) FROM jobs WHERE source_category IS NOT NULL"
        " AND source_category != '' GROUP BY source, source_category"
    ).fetchall()
    out = [(s, v, int(n)) for s, v, n in rows if taxonomy_lookup(s, v) is None]
    return sorted(out, key=lambda r: (-r[2], r[0], r[1]))
