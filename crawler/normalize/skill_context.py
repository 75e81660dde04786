"""Which skill mentions in a posting's text are about the job (pure, rule-based).

A posting names skills it does not ask for: "Please do not use ChatGPT", "trusted by
OpenAI and PayPal", "include a cover letter", an equal-opportunity notice, a footer's
"Privacy Policy".  ``skills.py`` finds every alias; this module keeps the ones whose
clause is job content.  The text is read as sentences and clauses: ``skills.py`` puts a
boundary token (:data:`MARK`) at every sentence end, ``;``, line break and bullet, so a
*segment* is the run of words between two marks.  Cue phrases (an Aho-Corasick
automaton over the same lower-cased words, leftmost-longest like the skills) give each
segment its kind:

* ``negation`` cues ("do not use", "no", "without", "not looking for", "instead of")
  and ``blurb`` cues ("trusted by", "our clients include", "backed by", "ex-")
  govern the words that follow them, up to :data:`MAX_SCOPE` words, until a clause
  reset ("but", "we", "you", "must", "build"...) or the segment's end: a skill there is
  dropped.  Words before the cue are untouched ("React is a plus, not required").
* ``ban`` cues ("prohibited", "will be rejected", "human-written") drop every skill in
  the segment; ``detect`` cues ("AI detectors", "Turnitin", "plagiarism") do too,
  unless the segment builds something ("train an AI-detection model").
* ``spot`` cues ("detects", "distinguish", "humanize", "identify ai") drop an AI alias
  that names where content came from ("AI-generated", "ChatGPT-written") up to
  :data:`SPOT_SCOPE` words on: the job looks at such content, it does not ask for the
  skill ("a classifier that detects AI-generated essays").
* ``legal`` cues (equal-opportunity, privacy and recruiting-agency notices, "by
  applying you agree") drop every skill in the segment.
* ``instructions`` phrases ("to apply", "include your", "in your proposal") drop the
  skills that application instructions name without asking for them
  (:data:`INSTRUCTION_PRONE`), unless the client speaks of their own ("my resume");
  they are looked for only in the sentence of such a hit.
* ``anti`` cues ("not only", "no-code", "if you don't", "no problem") are phrases that
  hold a negation word without negating a skill; they win over the shorter cue inside.

Separately, an alias listed in skills.json's ``needs_context`` (a brand such as
"OpenAI" or "PayPal", boilerplate words such as "cover letter", "privacy policy",
"recruiting") counts only when its segment holds a word of that context (an API, an
integration, a checkout; writing a letter; drafting a policy; sourcing candidates), or
when it is in the title (``trusted=True``).

The cue phrases ride in skills.py's text automaton, so finding them costs no extra pass
over the text; segments are worked out only around hits, and only when a cue or a
context-bound alias is met.
"""

from __future__ import annotations

MARK = "\x01"  # the boundary token skills.py writes between sentences and clauses
MAX_SCOPE = 12  # words a negation or blurb cue governs at most

# fmt: off
NEGATION = (
    "not", "no", "don t", "dont", "do not", "does not", "doesn t", "did not",
    "didn t", "never", "without", "avoid", "avoiding", "nor", "neither", "instead of",
    "rather than", "other than", "no more", "refrain from", "stay away from",
    "not looking for", "not seeking", "not hiring", "not interested in",
    "don t need", "do not need", "don t want", "do not want", "no need for",
    "not use", "isn t", "aren t", "won t", "can t", "cannot", "shouldn t", "mustn t",
    "wouldn t", "haven t", "hasn t", "free of", "except", "nothing", "none of",
    # a few cheap non-English ones
    "sin", "sans", "ohne", "kein", "keine", "keinen", "nicht", "não", "nao",
)
ANTI = (
    "not only", "not just", "no code", "low code no code", "not limited to",
    "including but not limited to", "if you don t", "if you do not", "if you have no",
    "if you haven t", "if you are not", "if you re not", "if you can t",
    "if you cannot", "unless you", "no matter", "not sure", "no problem",
    "no problems", "no later than", "whether or not", "no less than",
    "not less than", "no fewer than", "no longer", "don t hesitate",
    "do not hesitate", "don t miss", "not required", "not necessary",
    "not mandatory", "nothing but", "no doubt", "not a must", "not a requirement",
)
BLURB = (
    "trusted by", "loved by", "relied on by", "chosen by", "backed by", "funded by",
    "invested by", "investors include", "our investors", "used by millions",
    "used by thousands", "used by over", "used by teams", "used by companies",
    "used by leading", "used by brands", "clients include", "customers include",
    "partners include", "our clients are", "our customers are", "our partners are",
    "our clients range", "clients range from", "our client list", "client list",
    "clients like", "customers like", "clients such as", "customers such as",
    "companies like", "companies such as", "brands like", "brands such as",
    "we partnered with", "we ve partnered with", "we have partnered with",
    "partnered with companies", "partnered with brands", "worked with brands",
    "worked with companies", "worked with clients", "worked with startups",
    "worked with leading", "work with brands", "work with companies",
    "work with startups", "helped companies", "helping companies", "featured in",
    "as seen in", "as seen on", "mentioned in", "alumni", "founded by", "formerly",
    "previously at", "ex google", "ex meta", "ex facebook", "ex amazon",
    "ex microsoft", "ex apple", "ex openai", "ex stripe", "ex uber", "ex faang",
    "ex netflix", "ex airbnb", "former google", "former openai", "fortune 500",
    "recognized by", "certified partner", "official partner", "premier partner",
    "partner of", "portfolio includes", "our portfolio",
    # a few cheap non-English ones
    "reconnue par", "reconnu par", "utilisé par", "clients comme", "clientes como",
    "kunden wie", "vertraut von",
)
BAN = (
    "prohibited", "not allowed", "not permitted", "not accepted", "forbidden",
    "banned", "be rejected", "be declined", "be disqualified", "disqualified",
    "be ignored", "be penalized", "zero tolerance", "no tolerance", "not be accepted",
    "not be tolerated", "not tolerated", "not acceptable", "unacceptable",
    "automatic rejection", "immediate rejection", "instant rejection",
    "auto reject", "ai free", "human written", "written by a human",
    "written by humans", "100% human", "100% original", "human only", "human made",
    "strictly no", "will not be considered", "won t be considered", "anyone caught",
    "caught using", "termination", "grounds for",
)
DETECT = (
    "ai detector", "ai detectors", "ai detection", "ai checker", "ai checkers",
    "detection tool", "detection tools", "detector", "detectors", "gptzero",
    "zerogpt", "turnitin", "copyleaks", "originality ai", "originality",
    "originality.ai", "copyscape", "plagiarism", "checked for ai", "check for ai",
    "flagged as", "undetectable",
)
# Verbs whose object is content an AI made ("a classifier that detects AI-generated
# essays", "humanize AI-written text"): an AI alias that names where the content came
# from ("AI-generated", "ChatGPT-written") right after one is what the job looks at,
# not a skill it asks for.  Common verbs count only before "ai" (fewer slow paths).
SPOT = (
    "detect", "detects", "detecting", "detection of", "identify ai", "identifies ai",
    "identifying ai", "flag ai", "flags ai", "flagging ai", "spot ai", "spots ai",
    "spotting ai", "catch ai", "catches ai", "classify ai", "classifies ai",
    "distinguish", "distinguishes", "distinguishing", "tell apart", "humanize",
    "humanise", "humanizes", "humanises", "humanizing", "humanising", "humanizer",
)
LEGAL = (
    "equal opportunity", "equal employment", "eeo", "eeoc", "affirmative action",
    "without regard", "regardless of race", "race color", "color religion",
    "sexual orientation", "gender identity", "national origin", "veteran status",
    "protected veteran", "protected characteristic", "protected characteristics",
    "protected status", "genetic information", "reasonable accommodation",
    "reasonable accommodations", "e verify", "everify", "background check",
    "background checks", "drug test", "drug screening", "by applying",
    "by submitting", "you agree to", "you consent", "consent to", "personal data",
    "personal information", "data protection", "applicant privacy",
    "candidate privacy", "privacy notice", "privacy statement",
    "unsolicited", "recruitment agencies", "recruiting agencies", "staffing agencies",
    "staffing firms", "third party recruiters", "third party agencies",
    "agency submissions", "agency resumes", "headhunters", "no recruiters",
    "recruiters please", "all qualified applicants", "qualified applicants",
    "pay transparency", "fraudulent", "scam", "scams", "phishing", "impersonating",
    "all rights reserved", "respective owners", "trademarks of", "cookie policy",
    "value diversity", "celebrate diversity", "committed to diversity",
    "diversity and inclusion", "diverse and inclusive", "inclusive workplace", "fair chance", "criminal history",
    "conviction records",
)
INSTRUCTIONS = (
    "to apply", "how to apply", "apply with", "apply via", "apply through",
    "apply now", "apply here", "when applying", "when you apply", "before applying",
    "your application", "your proposal", "your bid", "your cover letter",
    "your resume", "your cv", "your linkedin", "cover letter required",
    "include a", "include your", "please include", "attach", "attached",
    "please send", "send us", "send your", "send me your", "submit your",
    "please submit", "please apply", "please share", "share your", "please provide",
    "please write", "start your proposal", "begin your proposal",
    "applications without", "applicants", "candidates who", "why you", "tell us",
    "describe your", "let us know", "shortlisted", "interview process",
    "hiring process", "recruitment process", "recruiting process", "our recruiter",
    "our recruiters", "recruiting team", "recruitment team", "our talent team",
    "talent acquisition team", "hiring manager",
)
# fmt: on
KINDS = {
    "negation": NEGATION,
    "anti": ANTI,
    "blurb": BLURB,
    "ban": BAN,
    "detect": DETECT,
    "spot": SPOT,
    "legal": LEGAL,
    "instructions": INSTRUCTIONS,
}

# Words that end the clause a negation or blurb cue governs.
RESET = frozenset(
    [
        "but",
        "however",
        "instead",
        "rather",
        "though",
        "although",
        "yet",
        "while",
        "whereas",
        "we",
        "you",
        "i",
        "must",
        "should",
        "need",
        "needs",
        "required",
        "require",
        "requires",
        "seeking",
        "want",
        "wants",
        "is",
        "are",
        "will",
        "can",
        "build",
        "develop",
        "create",
        "design",
        "implement",
        "deliver",
        "help",
        "hire",
        "hiring",
        "looking",
        "seek",
        # a few non-English ones
        "aber",
        "sondern",
        "wir",
        "suchen",
        "pero",
        "buscamos",
        "necesitamos",
        "mais",
        "nous",
        "cherchons",
        "mas",
        "procuramos",
        "precisamos",
    ]
)
# A segment with one of these builds something: "detect" cues do not ban it.
BUILDS = frozenset(
    [
        "build",
        "building",
        "develop",
        "developing",
        "train",
        "training",
        "create",
        "creating",
        "implement",
        "implementing",
        "design",
        "designing",
        "model",
        "models",
        "engineer",
        "classifier",
        "dataset",
        "research",
    ]
)
# An alias followed by one of these (or ending in one) names where content came from.
ORIGIN = frozenset(
    ["generated", "written", "created", "made", "produced", "authored", "assisted"]
)
SPOT_SCOPE = 7  # words from a spot cue's first word to the origin alias at most
# Skills that application instructions name without asking for them.
INSTRUCTION_PRONE = frozenset({"Resume Writing", "Human Resources"})
OWN = frozenset({"my"})  # "rewrite my resume and cover letter": the client's own

# needs_context kind (skills.json) -> words that make the segment that kind of work.
CONTEXT = {
    "tech": frozenset(
        [
            "api",
            "apis",
            "sdk",
            "integrate",
            "integrated",
            "integrating",
            "integration",
            "integrations",
            "implement",
            "implementing",
            "implementation",
            "setup",
            "configure",
            "configuring",
            "connect",
            "checkout",
            "gateway",
            "gateways",
            "webhook",
            "webhooks",
            "subscription",
            "subscriptions",
            "billing",
            "recurring",
            "plugin",
            "plugins",
            "woocommerce",
            "shopify",
            "website",
            "site",
            "store",
            "app",
            "apps",
            "backend",
            "frontend",
            "code",
            "coding",
            "developer",
            "development",
            "develop",
            "build",
            "building",
            "engineer",
            "model",
            "models",
            "gpt",
            "llm",
            "llms",
            "assistant",
            "assistants",
            "embeddings",
            "fine",
            "tune",
            "tuning",
            "prompt",
            "prompts",
            "chatbot",
            "bot",
            "agent",
            "agents",
            "completions",
            "key",
            "keys",
            "python",
            "node",
            "javascript",
            "typescript",
            "react",
            "automation",
            "automate",
            "workflow",
            "zapier",
            "experience",
            "familiar",
            "familiarity",
            "knowledge",
            "expertise",
            "skills",
        ]
    ),
    "writing": frozenset(
        [
            "write",
            "writing",
            "writer",
            "writers",
            "rewrite",
            "rewriting",
            "draft",
            "drafting",
            "edit",
            "editing",
            "editor",
            "polish",
            "tailor",
            "tailored",
            "optimize",
            "optimise",
            "optimization",
            "optimized",
            "improve",
            "revamp",
            "update",
            "craft",
            "crafting",
            "create",
            "creating",
            "prepare",
            "proofread",
            "proofreading",
            "review",
            "reviewing",
            "professional",
            "ats",
            "resumes",
            "service",
            "services",
            "template",
            "templates",
        ]
    ),
    "legal": frozenset(
        [
            "draft",
            "drafting",
            "write",
            "writing",
            "writer",
            "review",
            "reviewing",
            "update",
            "updating",
            "create",
            "creating",
            "prepare",
            "preparing",
            "compliant",
            "compliance",
            "gdpr",
            "ccpa",
            "hipaa",
            "lawyer",
            "attorney",
            "legal",
            "lawyers",
            "template",
            "templates",
            "generate",
            "customize",
            "tailored",
            "need",
            "needed",
            "my",
        ]
    ),
    "hr": frozenset(
        [
            "candidates",
            "candidate",
            "sourcing",
            "source",
            "sourcer",
            "screen",
            "screening",
            "talent",
            "interviews",
            "interview",
            "interviewing",
            "headhunting",
            "headhunter",
            "ats",
            "pipeline",
            "cycle",
            "placement",
            "placements",
            "staffing",
            "onboarding",
            "payroll",
            "employee",
            "employees",
            "hr",
            "linkedin",
            "boolean",
            "experienced",
            "freelance",
        ]
    ),
}

_SCOPED = frozenset({"negation", "blurb"})
TITLE_END = "\x02"  # the token match_skills writes between a title and its text

# Every cue phrase -> its kind; skills.py puts them in its text automaton.
# Instructions are not among them: they matter only around the rare instruction-prone
# hit, whose sentence is searched for them then (common phrases such as "your
# proposal" would otherwise send most listings down the slow path).
CUES: dict[str, str] = {}
for _kind, _phrases in KINDS.items():
    for _phrase in _phrases if _kind != "instructions" else ():
        CUES.setdefault(_phrase, _kind)
_INSTRUCTION_KEYS = tuple(f" {phrase} " for phrase in INSTRUCTIONS)

# One selected alias hit, as skills.py makes it: (offset of its trailing space in the
# lower-cased text, width in words, skills, needs_context or None, names an
# instruction-prone skill, offset of its leading space in the lower-cased text).
Hit = tuple[int, int, list, "str | None", bool, int]


def _selected(cues: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Leftmost-longest cues as (start, end, kind) offsets, anti cues dropped.

    Keys are " phrase ": two neighbouring phrases share the space between them."""
    cues.sort()
    out = []
    next_free = 0
    for start, negative_length, kind in cues:
        if start >= next_free:
            next_free = start - negative_length - 1
            if kind != "anti":
                out.append((start, next_free, kind))
    return out


def keep_in_context(low: str, hits: list[Hit], cues: list) -> list[Hit]:
    """The hits of ``low`` (skills.py's spaced lower-cased words) that are job content.

    ``cues`` are skills.py's raw cue matches, (offset, -key length, kind).  A hit
    whose skills are only partly dropped comes back with the rest.  Words before
    :data:`TITLE_END` are the title: a context-bound alias there needs no context.
    """
    cues = _selected(cues)
    title_end = low.find(TITLE_END)
    kept = []
    for hit in hits:
        skills, needs, start = hit[2], hit[3], hit[5]
        segment = None
        if needs and start > title_end:
            segment = _segment_words(low, start)
            if segment.isdisjoint(CONTEXT[needs]):
                continue
        if hit[4]:  # an instruction-prone skill: is its sentence an instruction?
            text = _segment_text(low, start)
            if OWN.isdisjoint(text.split()) and any(
                key in text for key in _INSTRUCTION_KEYS
            ):
                skills = [s for s in skills if s.name not in INSTRUCTION_PRONE]
                if not skills:
                    continue
        drop = False
        for cue_start, cue_end, kind in cues:
            if kind in _SCOPED:
                if cue_end > start or MARK in low[cue_end:start]:
                    continue
                between = low[cue_end:start].split()
                drop = len(between) <= MAX_SCOPE and RESET.isdisjoint(between)
            elif low.find(MARK, min(cue_start, start), max(cue_start, start)) >= 0:
                continue  # another segment
            elif kind in ("ban", "legal"):
                drop = True
            elif kind == "detect":
                if segment is None:
                    segment = _segment_words(low, start)
                drop = segment.isdisjoint(BUILDS)
            elif kind == "spot":
                drop = cue_start < start and _names_origin(
                    low, cue_start, start, hit[1]
                )
            if drop:
                break
        if not drop:
            kept.append(hit if skills is hit[2] else (*hit[:2], skills, *hit[3:]))
    return kept


def _names_origin(low: str, cue_start: int, start: int, width: int) -> bool:
    """Whether the alias of ``width`` words at ``start``, at most SPOT_SCOPE words
    after the start of a spot cue (``cue_start``; "identify ai" holds the alias),
    names where content came from: its last
    word or the word after it is an ORIGIN word ("AI-generated", "ChatGPT written")."""
    if len(low[cue_start:start].split()) > SPOT_SCOPE:
        return False
    words = low[start : start + 200].split(maxsplit=width + 1)[: width + 1]
    return not ORIGIN.isdisjoint(words[width - 1 :])


def _segment_text(low: str, at: int) -> str:
    """The segment (between two marks) that holds offset ``at``, spaces around it."""
    end = low.find(MARK, at)
    return low[low.rfind(MARK, 0, at) + 1 : end if end >= 0 else len(low)]


def _segment_words(low: str, at: int) -> set[str]:
    """The words of the segment that holds offset ``at``."""
    return set(_segment_text(low, at).split())
