"""The global default rule set, version 1: German and English, every category.

Migration 0002 installs it into a fresh database. Do not edit these rules to change a live
system: a published version is immutable. Change the rules in the admin (that creates the
next version), or add a migration that publishes a new version.

Descriptions are data, shown to users as the reason of a match: German rules have German
descriptions, English rules English ones, rules for every language carry both.
"""

DEFAULT_RULE_SET_NAME = "default"
DEFAULT_RULE_SET_DESCRIPTION = (
    "ViralForge defaults: medical claims, financial promises, taboo words, politics, "
    "platform limits and AI disclosure, in German and English."
)

DISEASES_DE = (
    r"krebs|tumor\w*|diabetes|depression\w*|corona|covid\w*|alzheimer|demenz|rheuma|arthrose|migräne|tinnitus|"
    r"bluthochdruck|adhs|autismus|herzinfarkt\w*|schlaganfall\w*"
)
DISEASES_EN = (
    r"cancer|tumou?rs?|diabetes|depression|covid(?:\W?19)?|coronavirus|alzheimer'?s?|dementia|arthritis|autism|"
    r"adhd|hypertension|high\W+blood\W+pressure|heart\W+disease|migraines?|tinnitus"
)
# Between words of one clause: spaces, commas, colons, hyphens, but no sentence end (. ! ? ;).
S = r"[\s,:\-]+"
MONEY_DE = r"rendite\w*|gewinne?|einkommen|einnahmen|zinsen|erträge?|ertrag|profite?|auszahlung\w*"

RULES = [
    # --- medical claims ------------------------------------------------------------------
    {
        "code": "medical-disease-claims-de",
        "category": "medical",
        "kind": "regex",
        "outcome": "hard_block",
        "languages": ["de"],
        "description": "Heilversprechen bei Krankheiten sind in der Werbung verboten (HWG).",
        "patterns": "\n".join(
            [
                r"(?<!\w)(?:heil\w*|geheilt|hilft|helfen|wirkt|wirken|bekämpf\w*|besieg\w*|beseitig\w*|"
                r"verhindert|verhindern|schützt|schützen)"
                + S
                + r"(?:\w+"
                + S
                + r"){0,3}?(?:"
                + DISEASES_DE
                + r")(?!\w)",
                r"(?<!\w)(?:"
                + DISEASES_DE
                + r")"
                + S
                + r"(?:\w+"
                + S
                + r"){0,2}?(?:geheilt|heilen|heilt|besiegt|besiegen)(?!\w)",
            ]
        ),
    },
    {
        "code": "medical-healing-de",
        "category": "medical",
        "kind": "phrases",
        "outcome": "needs_review",
        "languages": ["de"],
        "description": "Heilungs- oder Gesundheitsversprechen: bitte fachlich prüfen lassen.",
        "patterns": "\n".join(
            [
                "heil{t,te,ten,st}",
                "geheilt",
                "Heilung{en,}",
                "heilend{e,en,er,es,}",
                "Heilmittel",
                "Heilkraft",
                "Wundermittel",
                "Wunderheilung{en,}",
                "Wunderpille{n,}",
                "klinisch {getestet,geprüft,erwiesen,bewiesen}",
                "wissenschaftlich {erwiesen,bewiesen}",
                "ohne Nebenwirkungen",
                "stärkt {das,dein,Ihr,unser} Immunsystem",
                "Immunbooster",
                "Fatburner",
                "Abnehmen ohne {Diät,Sport,Hunger}",
                "ersetzt {den,jeden,deinen,Ihren} Arzt{besuch,}",
            ]
        ),
    },
    {
        "code": "medical-heilen-de",
        "category": "medical",
        "kind": "regex",
        "outcome": "needs_review",
        "languages": ["de"],
        "description": "Heilungsversprechen: bitte fachlich prüfen lassen.",
        # "heilen" is also the adjective in "eine heile Welt" ("in einer heilen Welt").
        "patterns": r"(?<!\w)heilen(?!\w)(?!" + S + r"welt)",
    },
    {
        "code": "medical-disease-claims-en",
        "category": "medical",
        "kind": "regex",
        "outcome": "hard_block",
        "languages": ["en"],
        "description": "Claims to cure, treat or prevent a disease are not allowed in advertising.",
        "patterns": "\n".join(
            [
                r"(?<!\w)(?:cures?|cured|heals?|healed|treats?|treated|reverses?|reversed|prevents?|prevented|"
                r"eliminates?|kills?)" + S + r"(?:\w+" + S + r"){0,2}?(?:" + DISEASES_EN + r")(?!\w)",
                r"(?<!\w)(?:cancer|diabetes|depression|dementia|arthritis|tinnitus)" + S + r"(?:\w+" + S + r"){0,2}?"
                r"(?:cured|reversed|eliminated)(?!\w)",
                r"(?<!\w)miracle" + S + r"(?:cure|cures|pill|pills|remedy|remedies)(?!\w)",
            ]
        ),
    },
    {
        "code": "medical-health-claims-en",
        "category": "medical",
        "kind": "phrases",
        "outcome": "needs_review",
        "languages": ["en"],
        "description": "Health or healing claim: have it checked by an expert.",
        "patterns": "\n".join(
            [
                "cures",
                "cure for",
                "heal{s,ed}",
                "healing power{s,}",
                "clinically {proven,tested}",
                "scientifically proven",
                "no side effects",
                "boost{s,} {your,the} immune system",
                "immune booster{s,}",
                "fat burn{er,ers}",
                "lose weight fast",
                "weight loss {pill,pills,tea,shake,shakes}",
                "replace{s,} your {doctor,medication,meds}",
                "doctors hate {this,him,her}",
            ]
        ),
    },
    {
        "code": "medical-detox",
        "category": "medical",
        "kind": "regex",
        "outcome": "needs_review",
        "languages": [],
        "description": "Detox claims need evidence / Entgiftungsversprechen brauchen Belege.",
        # A "digital detox" (time off the phone) is no health claim.
        "patterns": "\n".join(
            [
                r"(?<!\w)(?<!digital )(?<!digital-)(?<!digitaler )(?<!digitales )detox\w*",
                r"(?<!\w)entgifte[tn]?(?!\w)",
                r"(?<!\w)entgiftung(?!\w)",
            ]
        ),
    },
    {
        "code": "medical-weight-loss",
        "category": "medical",
        "kind": "regex",
        "outcome": "hard_block",
        "languages": [],
        "description": "Unrealistic weight-loss promise / Unrealistisches Abnehmversprechen.",
        "patterns": "\n".join(
            [
                # lose 10 kg in a week / drop 5 pounds in 3 days
                r"(?<!\w)(?:lose|losing|lost|drop|shed|burn)"
                + S
                + r"\d+(?:[.,]\d+)?\s*(?:kg|kilos?|kilograms?|lbs?|pounds)"
                + S
                + r"(?:\w+"
                + S
                + r"){0,2}?(?:in|within)"
                + S
                + r"(?:a|one|two|three|\d+)"
                + S
                + r"(?:days?|weeks?)(?!\w)",
                r"(?<!\w)(?:in|within)"
                + S
                + r"(?:a|one|two|three|\d+)"
                + S
                + r"(?:days?|weeks?)"
                + S
                + r"(?:\w+"
                + S
                + r"){0,2}?"
                r"(?:lose|drop|shed|burn)" + S + r"\d+(?:[.,]\d+)?\s*(?:kg|kilos?|kilograms?|lbs?|pounds)(?!\w)",
                # 10 kg in einer Woche abnehmen / in 7 Tagen 5 Kilo weniger
                r"(?<!\w)\d+(?:[.,]\d+)?\s*(?:kg|kilo\w*|pfund)"
                + S
                + r"(?:\w+"
                + S
                + r"){0,2}?(?:in|innerhalb)"
                + S
                + r"(?:einer|einem|eines|zwei|drei|\d+)"
                + S
                + r"(?:woche|wochen|tag|tagen|tages)(?!\w)",
                r"(?<!\w)(?:in|innerhalb)"
                + S
                + r"(?:einer|einem|eines|zwei|drei|sieben|\d+)"
                + S
                + r"(?:woche|wochen|tag|tagen)"
                + S
                + r"(?:\w+"
                + S
                + r"){0,2}?\d+(?:[.,]\d+)?\s*(?:kg|kilo\w*|pfund)(?!\w)",
            ]
        ),
    },
    # --- financial promises --------------------------------------------------------------
    {
        "code": "financial-guarantees-de",
        "category": "financial",
        "kind": "regex",
        "outcome": "hard_block",
        "languages": ["de"],
        "description": "Garantierte oder risikolose Renditen und Gewinne dürfen nicht versprochen werden.",
        "patterns": "\n".join(
            [
                r"(?<!\w)garantier\w*" + S + r"(?:\w+" + S + r"){0,2}?(?:" + MONEY_DE + r"|vermögen)(?!\w)",
                r"(?<!\w)(?:" + MONEY_DE + r")" + S + r"(?:\w+" + S + r"){0,2}?garantier\w*",
                r"(?<!\w)(?:risikofrei\w*|risikolos\w*|ohne"
                + S
                + r"risiko|100\W*(?:%|prozent)"
                + S
                + r"sicher\w*)"
                + S
                + r"(?:\w+"
                + S
                + r"){0,1}?(?:"
                + MONEY_DE
                + r"|geldanlage\w*|anlage\w*|investition\w*|investment\w*|"
                r"trading)(?!\w)",
            ]
        ),
    },
    {
        "code": "financial-get-rich-de",
        "category": "financial",
        "kind": "phrases",
        "outcome": "hard_block",
        "languages": ["de"],
        "description": "Versprechen schnellen Reichtums sind irreführend.",
        "patterns": "\n".join(
            [
                "schnell reich",
                "reich über Nacht",
                "über Nacht reich",
                "Geld verdoppeln",
                "verdopple dein Geld",
                "verdoppeln Sie Ihr Geld",
                "{Rendite,Gewinn,Einkommens}garantie",
            ]
        ),
    },
    {
        "code": "financial-review-de",
        "category": "financial",
        "kind": "phrases",
        "outcome": "needs_review",
        "languages": ["de"],
        "description": "Finanzthema: Aussagen zu Geldanlage und Einkommen prüfen lassen.",
        "patterns": "\n".join(
            [
                "Rendite{n,}",
                "passive{s,n,} Einkommen",
                "finanzielle{n,} Freiheit",
                "Krypto",
                "Kryptowährung{en,}",
                "Bitcoin{s,}",
                "Daytrading",
                "Trading{signale,}",
                "Forex",
                "Aktientipp{s,}",
                "100 % sicher",
                "100 Prozent sicher",
                "ohne Risiko",
                "risikofrei{e,en,er,es,}",
                "risikolos{e,en,er,es,}",
                "Geld verdienen",
                "Nebeneinkommen",
                "Gewinne machen",
            ]
        ),
    },
    {
        "code": "financial-get-rich-en",
        "category": "financial",
        "kind": "phrases",
        "outcome": "hard_block",
        "languages": [],
        "description": (
            "Promises of quick or guaranteed money are misleading / Versprechen schnellen Geldes sind irreführend."
        ),
        "patterns": "\n".join(
            [
                "get rich quick",
                "get rich fast",
                "double your money",
                "returns guaranteed",
                "profit{s,} guaranteed",
                "risk free {investment,investments,returns,profit,profits,income,trading}",
            ]
        ),
    },
    {
        "code": "financial-income-claims-en",
        "category": "financial",
        "kind": "regex",
        "outcome": "hard_block",
        "languages": [],
        "description": "Guaranteed returns or income claims / Garantierte Renditen oder Einkommensversprechen.",
        "patterns": "\n".join(
            [
                r"(?<!\w)guarantee[ds]?"
                + S
                + r"(?:\w+"
                + S
                + r"){0,2}?(?:returns?|profits?|income|gains|payouts?)(?!\w)",
                r"(?<!\w)(?:make|earn|making|earning)"
                + S
                + r"\$?\s?\d[\d,.]*\s*(?:k(?!\w))?\s*(?:\$|usd|dollars?|eur|euros?|€)?"
                + S
                + r"(?:a|per|every|each)"
                + S
                + r"(?:day|week|hour)(?!\w)",
            ]
        ),
    },
    {
        "code": "financial-review-en",
        "category": "financial",
        "kind": "phrases",
        "outcome": "needs_review",
        "languages": ["en"],
        "description": "Finance topic: have claims about investments and income checked.",
        "patterns": "\n".join(
            [
                "passive income",
                "financial freedom",
                "crypto{currency,currencies,}",
                "bitcoin{s,}",
                "forex",
                "day trading",
                "trading signals",
                "risk free",
                "no risk",
                "zero risk",
                "100 % safe",
                "investment opportunit{y,ies}",
                "make money {online,fast}",
                "make money from home",
            ]
        ),
    },
    # --- taboo list ----------------------------------------------------------------------
    {
        "code": "taboo-extremism-violence",
        "category": "taboo",
        "kind": "phrases",
        "outcome": "hard_block",
        "languages": [],
        "description": (
            "Extremist slogans and incitement to self-harm / Extremistische Parolen und Aufrufe zur Selbstverletzung."
        ),
        "patterns": "\n".join(
            [
                "Sieg Heil",
                "Heil Hitler",
                "Meine Ehre heißt Treue",
                "Blut und Ehre",
                "Ausländer raus",
                "Juden raus",
                "1488",
                "kill yourself",
                "kill urself",
                "kys",
                "bring dich um",
                "töte dich",
                "häng dich auf",
            ]
        ),
    },
    {
        "code": "taboo-profanity-de",
        "category": "taboo",
        "kind": "phrases",
        "outcome": "needs_review",
        "languages": ["de"],
        "description": "Vulgäre Sprache passt selten zur Marke: bitte prüfen.",
        "patterns": "\n".join(
            [
                "Scheiß*",
                "Arschl{och,öcher}",
                "Wichser",
                "Hurensohn",
                "verfickt{e,en,er,es,}",
                "fick{en,t,}",
                "Missgeburt",
            ]
        ),
    },
    {
        "code": "taboo-profanity-en",
        "category": "taboo",
        "kind": "phrases",
        "outcome": "needs_review",
        "languages": ["en"],
        "description": "Profanity rarely fits a brand: please review.",
        "patterns": "\n".join(
            [
                "fuck*",
                "motherfuck*",
                "shit{ty,s,}",
                "bullshit",
                "bitch{es,}",
                "asshole{s,}",
                "ass",
                "dickhead{s,}",
            ]
        ),
    },
    # --- restricted topics (politics) ----------------------------------------------------
    {
        "code": "politics-parties",
        "category": "restricted",
        "kind": "phrases",
        "outcome": "needs_review",
        "languages": [],
        "description": (
            "Political party: brand content stays out of politics / "
            "Politische Partei: Markeninhalte bleiben unpolitisch."
        ),
        "patterns": "\n".join(
            ["AfD", "CDU", "CSU", "SPD", "FDP", "BSW", "Linkspartei", "Partei Die Linke", "Bündnis 90", "Freie Wähler"]
        ),
    },
    {
        "code": "politics-de",
        "category": "restricted",
        "kind": "phrases",
        "outcome": "needs_review",
        "languages": ["de"],
        "description": "Politisches Thema: Wahlen und Parteipolitik nur nach Freigabe.",
        "patterns": "\n".join(
            [
                "Bundestagswahl{en,}",
                "Landtagswahl{en,}",
                "Europawahl{en,}",
                "Kommunalwahl{en,}",
                "Wahlkampf",
                "Wahlwerbung",
                "Wahlprogramm{e,}",
                "Wahlempfehlung{en,}",
                "wählen gehen",
                "geht wählen",
                "Bundeskanzler{in,}",
                "Bundestag",
                "politische{n,} Partei{en,}",
                "Migrationspolitik",
                "Asylpolitik",
            ]
        ),
    },
    {
        "code": "politics-en",
        "category": "restricted",
        "kind": "phrases",
        "outcome": "needs_review",
        "languages": ["en"],
        "description": "Political topic: elections and party politics need approval.",
        "patterns": "\n".join(
            [
                "election{s,}",
                "presidential {campaign,race,candidate}",
                "go vote",
                "get out the vote",
                "register to vote",
                "Democrat{s,}",
                "Republican{s,}",
                "GOP",
                "political part{y,ies}",
                "senator{s,}",
                "congress{man,woman}",
                "ballot{s,}",
                "midterm{s,}",
            ]
        ),
    },
    # --- platform rules ------------------------------------------------------------------
    {
        "code": "platform-engagement-bait",
        "category": "platform",
        "kind": "phrases",
        "outcome": "needs_review",
        "languages": [],
        "description": (
            "Engagement bait is demoted by the platforms / Engagement-Köder werden von den Plattformen abgewertet."
        ),
        "patterns": "\n".join(
            ["follow for follow", "like for like", "f4f", "l4l", "sub4sub", "follow4follow", "like4like"]
        ),
    },
    {
        "code": "platform-hashtag-spam",
        "category": "platform",
        "kind": "max_count",
        "outcome": "needs_review",
        "field": "hashtags",
        "limit": 20,
        "description": "More than 20 hashtags read as spam / Mehr als 20 Hashtags wirken wie Spam.",
    },
    {
        "code": "tiktok-caption-length",
        "category": "platform",
        "kind": "max_length",
        "outcome": "hard_block",
        "platform": "tiktok",
        "field": "caption",
        "limit": 2200,
        "description": "TikTok captions are limited to 2,200 characters / TikTok erlaubt höchstens 2.200 Zeichen.",
    },
    {
        "code": "instagram-caption-length",
        "category": "platform",
        "kind": "max_length",
        "outcome": "hard_block",
        "platform": "instagram",
        "field": "caption",
        "limit": 2200,
        "description": (
            "Instagram captions are limited to 2,200 characters / Instagram erlaubt höchstens 2.200 Zeichen."
        ),
    },
    {
        "code": "instagram-hashtag-count",
        "category": "platform",
        "kind": "max_count",
        "outcome": "hard_block",
        "platform": "instagram",
        "field": "hashtags",
        "limit": 30,
        "description": "Instagram allows at most 30 hashtags / Instagram erlaubt höchstens 30 Hashtags.",
    },
    {
        "code": "youtube-title-length",
        "category": "platform",
        "kind": "max_length",
        "outcome": "hard_block",
        "platform": "youtube_shorts",
        "field": "title",
        "limit": 100,
        "description": "YouTube titles are limited to 100 characters / YouTube-Titel haben höchstens 100 Zeichen.",
    },
    {
        "code": "youtube-hashtag-count",
        "category": "platform",
        "kind": "max_count",
        "outcome": "needs_review",
        "platform": "youtube_shorts",
        "field": "hashtags",
        "limit": 60,
        "description": (
            "YouTube ignores every hashtag of a video with more than 60 / YouTube ignoriert bei mehr als 60 alle."
        ),
    },
    {
        "code": "x-post-length",
        "category": "platform",
        "kind": "max_length",
        "outcome": "hard_block",
        "platform": "x",
        "field": "caption",
        "limit": 280,
        "description": "Posts on X are limited to 280 characters / Posts auf X haben höchstens 280 Zeichen.",
    },
    {
        "code": "threads-post-length",
        "category": "platform",
        "kind": "max_length",
        "outcome": "hard_block",
        "platform": "threads",
        "field": "caption",
        "limit": 500,
        "description": "Threads posts are limited to 500 characters / Threads-Beiträge haben höchstens 500 Zeichen.",
    },
    {
        "code": "linkedin-post-length",
        "category": "platform",
        "kind": "max_length",
        "outcome": "hard_block",
        "platform": "linkedin",
        "field": "caption",
        "limit": 3000,
        "description": "LinkedIn posts are limited to 3,000 characters / LinkedIn erlaubt höchstens 3.000 Zeichen.",
    },
    {
        "code": "pinterest-title-length",
        "category": "platform",
        "kind": "max_length",
        "outcome": "hard_block",
        "platform": "pinterest",
        "field": "title",
        "limit": 100,
        "description": "Pinterest titles are limited to 100 characters / Pinterest-Titel haben höchstens 100 Zeichen.",
    },
    {
        "code": "pinterest-description-length",
        "category": "platform",
        "kind": "max_length",
        "outcome": "hard_block",
        "platform": "pinterest",
        "field": "caption",
        "limit": 500,
        "description": (
            "Pin descriptions are limited to 500 characters / Pin-Beschreibungen haben höchstens 500 Zeichen."
        ),
    },
    # --- AI disclosure -------------------------------------------------------------------
    {
        "code": "ai-disclosure",
        "category": "disclosure",
        "kind": "disclosure",
        "outcome": "hard_block",
        "languages": [],
        "description": (
            "AI-generated content must be labelled (set the AI label or write e.g. #KIgeneriert, #AIgenerated) / "
            "KI-generierte Inhalte müssen gekennzeichnet sein."
        ),
        # The labels that count as a disclosure in the text, title or hashtags.
        "patterns": "\n".join(
            [
                "#ai",
                "#ki",
                "#aiart",
                "ai generated",
                "generated {by,with} ai",
                "{made,created} with ai",
                "ki generiert",
                "ki erstellt",
                "mit ki {erstellt,erzeugt,generiert,gemacht}",
                "von ki {erstellt,erzeugt,generiert}",
                "mit künstlicher Intelligenz {erstellt,erzeugt,generiert}",
            ]
        ),
    },
]


def install_default_rule_set(RuleSet, Rule):  # noqa: N803 (model classes, also historical ones)
    """Create version 1 of the global default rule set, published and active; idempotent.

    Takes the model classes so the data migration can pass its historical models.
    """
    from django.utils import timezone

    if RuleSet.objects.filter(organization__isnull=True, name=DEFAULT_RULE_SET_NAME).exists():
        return None
    rule_set = RuleSet.objects.create(
        organization=None, name=DEFAULT_RULE_SET_NAME, version=1, description=DEFAULT_RULE_SET_DESCRIPTION
    )
    Rule.objects.bulk_create(
        [
            Rule(
                rule_set=rule_set,
                code=spec["code"],
                category=spec["category"],
                kind=spec["kind"],
                outcome=spec["outcome"],
                patterns=spec.get("patterns", ""),
                languages=spec.get("languages", []),
                platform=spec.get("platform", ""),
                field=spec.get("field", ""),
                limit=spec.get("limit"),
                description=spec["description"],
            )
            for spec in RULES
        ]
    )
    RuleSet.objects.filter(organization__isnull=True, pk=rule_set.pk).update(published_at=timezone.now(), active=True)
    return rule_set
