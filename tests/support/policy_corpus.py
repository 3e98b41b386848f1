"""A labelled corpus for the policy engine with the global default rule set (`apps.compliance.default_rules`).

Each example says what the engine must answer: the outcome and the set of categories that
matched (empty for a pass). It mixes plain cases with tricky ones: umlauts and ß written
either way, decomposed umlauts, soft hyphens, inflections, compounds and substrings that
must not match, case, punctuation, hashtags, fields, languages, platforms, AI disclosure.
"""

from dataclasses import dataclass, field

PASS, REVIEW, BLOCK = "pass", "needs_review", "hard_block"
MEDICAL, FINANCIAL, TABOO, RESTRICTED, PLATFORM, DISCLOSURE = (
    "medical",
    "financial",
    "taboo",
    "restricted",
    "platform",
    "disclosure",
)


@dataclass(frozen=True)
class Example:
    text: str
    language: str
    outcome: str
    categories: frozenset[str] = field(default_factory=frozenset)
    title: str = ""
    hashtags: tuple[str, ...] = ()
    ai_generated: bool = False
    disclosure: bool = False
    platform: str | None = None
    note: str = ""

    def __str__(self) -> str:
        return f"[{self.language}] {self.text[:70]!r}" + (f" ({self.note})" if self.note else "")


def de(text: str, outcome: str, *categories: str, **extra) -> Example:
    return Example(text, "de", outcome, frozenset(categories), **extra)


def en(text: str, outcome: str, *categories: str, **extra) -> Example:
    return Example(text, "en", outcome, frozenset(categories), **extra)


LINE_DE = "Frisch gerösteter Kaffee aus den Alpen, jeden Morgen neu. "
LONG_DE = LINE_DE * 40  # 2,320 characters
MEDIUM_DE = LINE_DE * 5  # 290 characters
LONG_EN = "Freshly roasted coffee from the Alps, new every single morning. " * 5  # 320 characters
MANY_TAGS = tuple(f"kaffee{i}" for i in range(25))

GERMAN = [
    # --- pass, including what must not match ---------------------------------------------
    de("Unser neuer Cold Brew ist da – probier ihn jetzt!", PASS),
    de("Urlaub in einer heilen Welt: Alpenglow am Morgen.", PASS, note="heilen = Adjektiv"),
    de("Die Tasse ist heil geblieben – Glück gehabt!", PASS, note="heil = unversehrt"),
    de("Die Wundheilung dauert ein paar Tage.", PASS, note="Kompositum"),
    de("Heilungsprozess nach dem Sport unterstützen.", PASS, note="Kompositum, Endung"),
    de("Heiligabend in Heilbronn: unsere Filiale hat geöffnet.", PASS, note="Heil- als Wortanfang"),
    de("Das Heilbad in Bad Kissingen hat einen neuen Kaffeeautomaten.", PASS),
    de("Genuss garantiert! Jetzt im Laden.", PASS, note="garantiert ohne Geldbezug"),
    de("Gewinnspiel: Spaß garantiert! Kommentiere und gewinne.", PASS, note="Gewinnspiel ≠ Gewinn"),
    de("Der Gewinner unseres Gewinnspiels steht fest.", PASS),
    de("Unser Kaffee ist ein Gewinn für jeden Morgen.", PASS),
    de("Zwei Jahre Garantie auf jede Kaffeemühle.", PASS, note="Produktgarantie"),
    de("Weiterbildung macht Spaß – auch im Büro.", PASS),
    de("Er hat immer ein Ass im Ärmel.", PASS, note="englische Schimpfwortliste gilt nicht für Deutsch"),
    de("Der Shitstorm war heftig, aber wir haben gelernt.", PASS, note="Lehnwort, Sprache de"),
    de("Die linke Hand hält die Tasse, die grünen Bohnen röstet Paul.", PASS, note="keine Parteinamen"),
    de("Die Qual der Wahl: Latte oder Cappuccino?", PASS),
    de("Unsere Sommerkampagne startet am Montag.", PASS),
    de("Sichere Verpackung, schneller Versand.", PASS),
    de("Digital Detox am Wochenende: Handy aus, Kaffee an.", PASS),
    de("Schnell Reichweite aufbauen mit diesen fünf Tipps.", PASS, note="reich ≠ Reichweite"),
    de("Kräftiges Aroma, heißer Kaffee, große Tassen.", PASS),
    de("Wir scheitern nie am Geschmack.", PASS, note="scheit ≠ scheiß"),
    de("Investiere in dich selbst: lies ein gutes Buch.", PASS),
    de("Die Ökobilanz unserer Röstung – ehrlich erklärt.", PASS),
    de("Wir feiern zehn Jahre Röstkunst!", PASS, hashtags=("kaffee", "jubiläum")),
    de("Unser Barista Kai zeigt Latte Art.", PASS),
    de("Eine Partie Schach zum Espresso?", PASS),
    de(
        "Unser neues Maskottchen – #KIgeneriert",
        PASS,
        ai_generated=True,
        note="Kennzeichnung im Text",
    ),
    de("Frühstück mit Aussicht", PASS, ai_generated=True, hashtags=("KI-generiert", "frühstück")),
    de("Frühstück mit Aussicht", PASS, ai_generated=True, disclosure=True, note="Plattform-Label gesetzt"),
    de("Bild mit KI erstellt: der perfekte Cappuccino.", PASS, ai_generated=True),
    de(MEDIUM_DE, PASS, platform="tiktok", note="290 Zeichen sind für TikTok in Ordnung"),
    de("Neuer Blend", PASS, hashtags=MANY_TAGS[:20], note="genau 20 Hashtags"),
    # --- needs review --------------------------------------------------------------------
    de("Zeit heilt alle Wunden – und Kaffee hilft beim Warten.", REVIEW, MEDICAL),
    de("Unser Kräutertee stärkt dein Immunsystem.", REVIEW, MEDICAL),
    de("Sta\u0308rkt das Immunsystem!", REVIEW, MEDICAL, note="zerlegter Umlaut"),
    de("STAERKT DAS IMMUNSYSTEM", REVIEW, MEDICAL, note="ae statt ä, Großbuchstaben"),
    de("Klinisch getestet und ohne Nebenwirkungen!", REVIEW, MEDICAL),
    de("Dieses Öl hat echte Heilkraft.", REVIEW, MEDICAL),
    de("Die Salbe soll Schmerzen heilen.", REVIEW, MEDICAL),
    de("Heilung in drei Tagen?", REVIEW, MEDICAL),
    de("Hei\u00adlung für die Seele", REVIEW, MEDICAL, note="weiches Trennzeichen"),
    de("Unsere Trink-Kur entgiftet den Körper.", REVIEW, MEDICAL),
    de("Detox-Kur für den Januar", REVIEW, MEDICAL),
    de("Passives Einkommen mit Aktien – so geht's", REVIEW, FINANCIAL),
    de("Bitcoin erklärt in 60 Sekunden", REVIEW, FINANCIAL),
    de("Mit dieser Strategie zur finanziellen Freiheit", REVIEW, FINANCIAL, note="Flexion"),
    de("Diese Geldanlage ist 100 % sicher.", REVIEW, FINANCIAL),
    de("Diese Geldanlage ist 100\u202f% sicher.", REVIEW, FINANCIAL, note="schmales Leerzeichen"),
    de("Verdiene Geld mit Daytrading.", REVIEW, FINANCIAL),
    de("Renditen wie nie zuvor?", REVIEW, FINANCIAL),
    de("Scheiße, was für ein Montag!", REVIEW, TABOO),
    de("Was für ein SCHEISS Wetter", REVIEW, TABOO, note="ss statt ß, Großbuchstaben"),
    de("Dieser Arschloch-Fahrer hat vor der Tür geparkt.", REVIEW, TABOO),
    de("Bundestagswahl 2025: Was bedeutet das für Cafés?", REVIEW, RESTRICTED),
    de("Geht wählen am Sonntag!", REVIEW, RESTRICTED),
    de("Die SPD fordert höhere Mindestlöhne.", REVIEW, RESTRICTED),
    de("Im Wahlkampf gibt es gratis Kaffee.", REVIEW, RESTRICTED),
    de("Die Bundeskanzlerin trinkt auch Kaffee.", REVIEW, RESTRICTED),
    de("Follow for follow? Nein danke – wir wollen echte Fans!", REVIEW, PLATFORM),
    de("Guten Morgen!", REVIEW, PLATFORM, hashtags=("f4f", "kaffee")),
    de("Neuer Blend", REVIEW, PLATFORM, hashtags=MANY_TAGS, note="25 Hashtags"),
    # --- hard block ----------------------------------------------------------------------
    de("Dieser Tee heilt Krebs!", BLOCK, MEDICAL),
    de("Unser Saft hilft nachweislich gegen Diabetes.", BLOCK, MEDICAL),
    de("Krebs geheilt – dank Kurkuma!", BLOCK, MEDICAL),
    de("Neue Teemischung", BLOCK, MEDICAL, title="Heilt Migräne sofort", note="im Titel"),
    de("In 7 Tagen 5 Kilo abnehmen!", BLOCK, MEDICAL),
    de("10 kg in einer Woche abnehmen – so geht's", BLOCK, MEDICAL),
    de("Garantierte Rendite von 12 % pro Jahr", BLOCK, FINANCIAL),
    de("Gewinne sind garantiert!", BLOCK, FINANCIAL),
    de("Mit diesem Trick wirst du SCHNELL REICH", BLOCK, FINANCIAL),
    de("Verdopple dein Geld in 30 Tagen", BLOCK, FINANCIAL),
    de("Risikofreie Geldanlage mit 8 % Zinsen", BLOCK, FINANCIAL),
    de("Get rich quick mit Krypto", BLOCK, FINANCIAL, note="englische Phrase im deutschen Text"),
    de("Frühstück", BLOCK, FINANCIAL, hashtags=("schnellreich",), note="im Hashtag"),
    de("Kommentar der Woche: Sieg Heil!!", BLOCK, TABOO),
    de("Meine Ehre heißt Treue", BLOCK, TABOO),
    de("Wenn dir das nicht gefällt, bring dich um.", BLOCK, TABOO),
    de("Unser neues Maskottchen, frisch gezeichnet.", BLOCK, DISCLOSURE, ai_generated=True),
    de("KI ist toll – unser neues Plakat!", BLOCK, DISCLOSURE, ai_generated=True, note="KI ≠ Kennzeichnung"),
    de(LONG_DE, BLOCK, PLATFORM, platform="tiktok", note="2.320 Zeichen"),
    de(MEDIUM_DE, BLOCK, PLATFORM, platform="x", note="290 Zeichen auf X"),
]

ENGLISH = [
    # --- pass, including what must not match ---------------------------------------------
    en("Our new cold brew is here – try it today!", PASS),
    en("A classic look for a classic coffee.", PASS, note="ass in classic"),
    en("The bass in this song hits different.", PASS),
    en("Pass the sugar, please.", PASS),
    en("The assessment team loved the new blend.", PASS),
    en("Our dry-cured ham pairs well with espresso.", PASS, note="cured ham"),
    en("Dog treats for your four-legged barista.", PASS),
    en("Vote for your favourite flavour in the comments!", PASS),
    en("Our summer campaign starts Monday.", PASS),
    en("Digital detox weekend: phone off, coffee on.", PASS),
    en("Two-year warranty on every grinder.", PASS),
    en("We guarantee fresh beans every week.", PASS),
    en("Guaranteed to make you smile.", PASS),
    en("Free shipping and easy returns.", PASS),
    en("Shiitake mushroom latte? We tried it.", PASS),
    en("Our founder beat cancer and then started roasting.", PASS, note="a story, not a claim"),
    en("Healthy breakfast ideas for busy mornings.", PASS),
    en("Party time! Our café turns five.", PASS),
    en("Risky move: we added chili to our mocha.", PASS),
    en("Cappuccino vs. latte: which one wins?", PASS),
    en("Our Glühwein is back – with a twist!", PASS),
    en("Good morning!", PASS, hashtags=("coffee", "morningroutine")),
    en("Scheiße is German for a bad day.", PASS, note="German rules do not apply to English"),
    en("Meet our new mascot! #AIgenerated", PASS, ai_generated=True),
    en("Meet our new mascot!", PASS, ai_generated=True, hashtags=("madewithAI",)),
    en("Meet our new mascot!", PASS, ai_generated=True, disclosure=True),
    en("Meet our new mascot – made with AI.", PASS, ai_generated=True),
    en("Short and sweet.", PASS, title="A" * 100, platform="youtube_shorts", note="exactly 100"),
    # --- needs review --------------------------------------------------------------------
    en("This balm heals dry skin overnight.", REVIEW, MEDICAL),
    en("Clinically proven to reduce wrinkles.", REVIEW, MEDICAL),
    en("Boost your immune system with ginger shots.", REVIEW, MEDICAL),
    en("7-day detox tea: feel lighter.", REVIEW, MEDICAL),
    en("The cure for Monday blues: a flat white.", REVIEW, MEDICAL),
    en("No side effects, just flavour.", REVIEW, MEDICAL),
    en("Earn passive income while you sleep.", REVIEW, FINANCIAL),
    en("Bitcoin explained in 60 seconds.", REVIEW, FINANCIAL),
    en("Try it risk-free for 30 days.", REVIEW, FINANCIAL),
    en("Financial freedom starts with a budget.", REVIEW, FINANCIAL),
    en("This is so fucking good.", REVIEW, TABOO),
    en("Holy shit, that crema!", REVIEW, TABOO),
    en("Kiss my ass, Monday.", REVIEW, TABOO),
    en("Kick-ass cold brew.", REVIEW, TABOO, note="hyphen is a word boundary"),
    en("Election day special: free coffee for voters.", REVIEW, RESTRICTED),
    en("Go vote, then grab a latte!", REVIEW, RESTRICTED),
    en("Republicans and Democrats agree: coffee is great.", REVIEW, RESTRICTED),
    en("What the AfD gets wrong about coffee.", REVIEW, RESTRICTED, note="party names in every language"),
    en("Like for like! Drop a comment.", REVIEW, PLATFORM),
    en("New video!", REVIEW, PLATFORM, hashtags=("#sub4sub",)),
    en(
        "New blend! " + " ".join(f"#coffee{i}" for i in range(22)),
        REVIEW,
        PLATFORM,
        note="hashtags written in the text count",
    ),
    # --- hard block ----------------------------------------------------------------------
    en("This tea cures cancer.", BLOCK, MEDICAL),
    en("Turmeric shots prevent dementia.", BLOCK, MEDICAL),
    en("Lose 10 kg in a week with this shake!", BLOCK, MEDICAL),
    en("Drop 5 pounds in 3 days – no gym.", BLOCK, MEDICAL),
    en("Miracle cure for back pain.", BLOCK, MEDICAL),
    en("Our new tea", BLOCK, MEDICAL, title="Cures diabetes naturally", note="in the title"),
    en("Guaranteed returns of 20% a month.", BLOCK, FINANCIAL),
    en("GUARANTEED PROFITS!!!", BLOCK, FINANCIAL),
    en("Get rich quick with this one trick.", BLOCK, FINANCIAL),
    en("Double your money in 30 days.", BLOCK, FINANCIAL),
    en("Make $500 a day from your phone.", BLOCK, FINANCIAL),
    en("Earn 300€ per day from home.", BLOCK, FINANCIAL),
    en("Risk-free investment, huge profits.", BLOCK, FINANCIAL),
    en("Morning routine", BLOCK, FINANCIAL, hashtags=("GetRichQuick",), note="CamelCase hashtag"),
    en("Nobody asked, kys.", BLOCK, TABOO),
    en("Just kill yourself lol", BLOCK, TABOO),
    en("Heil Hitler", BLOCK, TABOO),
    en("Meet our new mascot!", BLOCK, DISCLOSURE, ai_generated=True),
    en("AI tools are amazing – look at this poster!", BLOCK, DISCLOSURE, ai_generated=True, note="AI ≠ a label"),
    en("Short and sweet.", BLOCK, PLATFORM, title="A" * 101, platform="youtube_shorts"),
    en("Look at this!", BLOCK, PLATFORM, hashtags=tuple(f"tag{i}" for i in range(31)), platform="instagram"),
    en(LONG_EN, BLOCK, PLATFORM, platform="x", note="320 characters on X"),
]

CORPUS = GERMAN + ENGLISH


def default_rule_set():
    """The active global default rule set, installed if a flush (a transactional test) removed it."""
    from apps.compliance.default_rules import DEFAULT_RULE_SET_NAME, install_default_rule_set
    from apps.compliance.models import Rule, RuleSet

    install_default_rule_set(RuleSet, Rule)  # the data files (rules/*.toml)
    return RuleSet.objects.get(organization__isnull=True, name=DEFAULT_RULE_SET_NAME, active=True)


EVALUATION_HEADER = "id\tlanguage\tcategory\texpected\tplatform\tcommercial_content\tai_generated\ttext\n"


def evaluation_tsv(*lines: str, name: str = "mine.tsv"):
    """An uploadable labelled TSV (the columns of tests/data/policy_corpus/tune.tsv)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = EVALUATION_HEADER + "".join(
        line + "\n" for line in lines or ("de-1\tde\tmedical\tblock\ttiktok\tnone\tfalse\tDieser Tee heilt Krebs!",)
    )
    return SimpleUploadedFile(name, body.encode("utf-8"), content_type="text/tab-separated-values")
