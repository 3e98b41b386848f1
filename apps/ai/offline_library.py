"""The offline provider's material: a short-video format library and phrase banks in German and
English.

This is *content* in the project's language (what a draft says), not user-interface text, so
it is not run through gettext: each entry carries both languages. Templates use `str.format`
placeholders filled by apps/ai/providers/offline.py: `{topic}`, `{audience}`, `{brand}`, `{n}`.
German content addresses the viewer with "du", as usual on TikTok.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LANGS = ("de", "en")


@dataclass(frozen=True)
class FormatSpec:
    key: str
    name: dict[str, str]
    why: dict[str, str]
    hooks: dict[str, tuple[str, ...]]
    beats: dict[str, tuple[str, ...]]  # the outline (what happens)
    lines: dict[str, tuple[str, ...]]  # a spoken voice-over line per beat
    visual: dict[str, str]
    camera: dict[str, str]
    duration: int  # typical length in seconds


FORMATS: dict[str, FormatSpec] = {
    spec.key: spec
    for spec in (
        FormatSpec(
            key="tutorial",
            name={"de": "Tutorial", "en": "Tutorial"},
            why={
                "de": "Zeigt den Nutzen in Sekunden und wird gespeichert – Speichern ist ein starkes Signal.",
                "en": "Delivers value in seconds and gets saved – saves are a strong ranking signal.",
            },
            hooks={
                "de": (
                    "So klappt {topic} in {n} einfachen Schritten",
                    "{topic} in 30 Sekunden erklärt – speicher dir das",
                    "Der eine Handgriff, der {topic} sofort besser macht",
                    "{n} Schritte zu {topic}, die dir niemand zeigt",
                ),
                "en": (
                    "{topic} in {n} simple steps",
                    "{topic} explained in 30 seconds – save this",
                    "The one move that makes {topic} instantly better",
                    "{n} steps to {topic} nobody shows you",
                ),
            },
            beats={
                "de": (
                    "Das Ergebnis gleich am Anfang zeigen",
                    "Schritt 1: die Vorbereitung für {topic}",
                    "Schritt 2: der wichtigste Handgriff in Nahaufnahme",
                    "Der typische Fehler und wie du ihn vermeidest",
                    "Das Ergebnis im direkten Vergleich",
                ),
                "en": (
                    "Show the result right at the start",
                    "Step 1: getting ready for {topic}",
                    "Step 2: the key move in close-up",
                    "The typical mistake and how to avoid it",
                    "The result side by side",
                ),
            },
            lines={
                "de": (
                    "Schau mal, so sieht {topic} aus, wenn es richtig gemacht ist.",
                    "Zuerst legst du alles bereit – das dauert keine Minute.",
                    "Jetzt kommt der wichtigste Handgriff: langsam und gleichmäßig.",
                    "Der häufigste Fehler? Zu schnell sein. Nimm dir die paar Sekunden.",
                    "Und so sieht der Unterschied aus – vorher und nachher.",
                ),
                "en": (
                    "Look, this is what {topic} looks like when it's done right.",
                    "First, get everything ready – it takes less than a minute.",
                    "Now the key move: slow and steady.",
                    "The most common mistake? Rushing it. Take those few seconds.",
                    "And here's the difference – before and after.",
                ),
            },
            visual={
                "de": "Nahaufnahme der Hände, Schritt für Schritt, helles Tageslicht",
                "en": "close-up of hands, step by step, bright daylight",
            },
            camera={"de": "Top-Shot und Nahaufnahme im Wechsel", "en": "alternating top shot and close-up"},
            duration=30,
        ),
        FormatSpec(
            key="myth_busting",
            name={"de": "Mythos vs. Fakt", "en": "Myth busting"},
            why={
                "de": "Widerspruch weckt Neugier und Kommentare und zeigt Expertise ohne Belehrung.",
                "en": "Contradiction sparks curiosity and comments and shows expertise without lecturing.",
            },
            hooks={
                "de": (
                    "Nein, {topic} funktioniert nicht so, wie du denkst",
                    "Der größte Mythos über {topic} – und was wirklich stimmt",
                    "Hör auf, das über {topic} zu glauben",
                    "{n} Mythen über {topic}, die sich hartnäckig halten",
                ),
                "en": (
                    "No, {topic} doesn't work the way you think",
                    "The biggest myth about {topic} – and what's actually true",
                    "Stop believing this about {topic}",
                    "{n} myths about {topic} that just won't die",
                ),
            },
            beats={
                "de": (
                    "Den Mythos als Zitat einblenden",
                    "Warum so viele daran glauben",
                    "Was wirklich stimmt – kurz und belegbar",
                    "Was das für {audience} konkret heißt",
                ),
                "en": (
                    "Show the myth as a quote",
                    "Why so many people believe it",
                    "What is actually true – short and verifiable",
                    "What it means for {audience}",
                ),
            },
            lines={
                "de": (
                    "„{topic}? Das macht man doch so!“ – das hören wir ständig.",
                    "Klingt logisch, deshalb glauben es so viele.",
                    "Aber in Wahrheit kommt es auf etwas ganz anderes an – und das zeigen wir dir.",
                    "Für {audience} heißt das: weniger Stress, besseres Ergebnis.",
                ),
                "en": (
                    "'{topic}? Everyone does it this way!' – we hear that all the time.",
                    "It sounds logical, which is why so many people believe it.",
                    "But what really matters is something else – and we'll show you.",
                    "For {audience} that means less stress and a better result.",
                ),
            },
            visual={
                "de": "Sprecher frontal zur Kamera, Einblendung „Mythos“ und „Fakt“",
                "en": "presenter facing the camera, 'myth' and 'fact' overlays",
            },
            camera={
                "de": "statische Halbtotale mit schnellem Push-in",
                "en": "static medium shot with a quick push-in",
            },
            duration=25,
        ),
        FormatSpec(
            key="behind_the_scenes",
            name={"de": "Hinter den Kulissen", "en": "Behind the scenes"},
            why={
                "de": "Echte Einblicke schaffen Nähe und Vertrauen – Menschen folgen Menschen.",
                "en": "Real glimpses build closeness and trust – people follow people.",
            },
            hooks={
                "de": (
                    "Was bei {brand} passiert, bevor du {topic} siehst",
                    "Ein Blick hinter die Kulissen: so entsteht {topic}",
                    "Das zeigen wir sonst nie: {topic} bei {brand}",
                ),
                "en": (
                    "What happens at {brand} before you ever see {topic}",
                    "Behind the scenes: how {topic} is made",
                    "We never show this: {topic} at {brand}",
                ),
            },
            beats={
                "de": (
                    "Kurzer Teaser auf das Endergebnis",
                    "Der Ort und die Menschen dahinter",
                    "Ein überraschendes Detail aus dem Ablauf",
                    "Das fertige Ergebnis und ein Dank ans Team",
                ),
                "en": (
                    "A quick teaser of the end result",
                    "The place and the people behind it",
                    "A surprising detail from the process",
                    "The finished result and a thank-you to the team",
                ),
            },
            lines={
                "de": (
                    "Das hier siehst du am Ende – aber so fängt es an.",
                    "Willkommen bei {brand}: Das sind die Leute, die jeden Tag an {topic} arbeiten.",
                    "Das wusstest du bestimmt nicht: Hier zählt jedes Detail.",
                    "Und fertig – danke an das ganze Team!",
                ),
                "en": (
                    "This is what you see in the end – but here's how it starts.",
                    "Welcome to {brand}: these are the people working on {topic} every day.",
                    "Bet you didn't know this: every detail counts here.",
                    "And done – thanks to the whole team!",
                ),
            },
            visual={
                "de": "Handkamera im Arbeitsalltag, natürliche Geräusche, echte Menschen",
                "en": "handheld footage of the workday, natural sound, real people",
            },
            camera={"de": "Handkamera, leicht wackelig, nah dran", "en": "handheld, slightly shaky, up close"},
            duration=30,
        ),
        FormatSpec(
            key="pov",
            name={"de": "POV", "en": "POV"},
            why={
                "de": "Versetzt die Zuschauer in eine Situation, die sie kennen – hohe Identifikation.",
                "en": "Puts viewers into a situation they know – strong identification.",
            },
            hooks={
                "de": (
                    "POV: Du probierst {topic} zum ersten Mal",
                    "POV: Deine Freunde fragen dich nach {topic}",
                    "POV: Du hast endlich verstanden, wie {topic} geht",
                ),
                "en": (
                    "POV: you try {topic} for the first time",
                    "POV: your friends ask you about {topic}",
                    "POV: you finally get how {topic} works",
                ),
            },
            beats={
                "de": (
                    "Die Situation ohne Worte aufbauen",
                    "Die typische Reaktion – bewusst überzeichnet",
                    "Die Wendung mit {brand}",
                    "Pointe und Auflösung",
                ),
                "en": (
                    "Set up the situation without words",
                    "The typical reaction – deliberately exaggerated",
                    "The twist with {brand}",
                    "Punchline and payoff",
                ),
            },
            lines={
                "de": (
                    "Du stehst da und denkst: Wie schwer kann {topic} schon sein?",
                    "Spoiler: ziemlich schwer, wenn man es zum ersten Mal macht.",
                    "Dann zeigt dir jemand von {brand}, wie es wirklich geht.",
                    "Und plötzlich bist du die Person, die alle fragen.",
                ),
                "en": (
                    "You're standing there thinking: how hard can {topic} be?",
                    "Spoiler: pretty hard the first time.",
                    "Then someone from {brand} shows you how it's really done.",
                    "And suddenly you're the one everyone asks.",
                ),
            },
            visual={
                "de": "Ich-Perspektive, Blick durch die Augen der Zuschauer",
                "en": "first-person view, seen through the viewer's eyes",
            },
            camera={"de": "Ich-Perspektive, Kamera auf Augenhöhe", "en": "first-person, camera at eye level"},
            duration=15,
        ),
        FormatSpec(
            key="listicle",
            name={"de": "Liste", "en": "Listicle"},
            why={
                "de": "Eine klare Struktur hält die Zuschauer bis zum letzten Punkt.",
                "en": "A clear structure keeps viewers watching until the last item.",
            },
            hooks={
                "de": (
                    "{n} Dinge über {topic}, die ich gern früher gewusst hätte",
                    "Top {n}: {topic} für {audience}",
                    "{n} Fehler bei {topic}, die fast alle machen",
                ),
                "en": (
                    "{n} things about {topic} I wish I'd known sooner",
                    "Top {n}: {topic} for {audience}",
                    "{n} mistakes with {topic} almost everyone makes",
                ),
            },
            beats={
                "de": (
                    "Ankündigung: {n} Punkte, der letzte ist der beste",
                    "Punkt 1 mit einem schnellen Beispiel",
                    "Punkt 2 mit einer Zahl oder einem Detail",
                    "Der stärkste Punkt zum Schluss",
                ),
                "en": (
                    "Announce {n} points, the last one is the best",
                    "Point 1 with a quick example",
                    "Point 2 with a number or a detail",
                    "The strongest point last",
                ),
            },
            lines={
                "de": (
                    "Hier kommen meine Punkte zu {topic} – bleib bis zum Schluss, der letzte ist der beste.",
                    "Erstens: Fang klein an – ein Schritt reicht.",
                    "Zweitens: Achte auf die Details, sie machen den Unterschied.",
                    "Und zum Schluss: Mach es zu deinem Ritual.",
                ),
                "en": (
                    "Here are my points on {topic} – stay until the end, the last one is the best.",
                    "One: start small – one step is enough.",
                    "Two: watch the details, they make the difference.",
                    "And finally: make it your ritual.",
                ),
            },
            visual={
                "de": "schnelle Schnitte, nummerierte Einblendungen, ein Motiv pro Punkt",
                "en": "fast cuts, numbered overlays, one subject per point",
            },
            camera={"de": "schnelle Jump-Cuts, wechselnde Winkel", "en": "fast jump cuts, changing angles"},
            duration=30,
        ),
        FormatSpec(
            key="before_after",
            name={"de": "Vorher/Nachher", "en": "Before/after"},
            why={
                "de": "Eine sichtbare Verwandlung liefert den Beweis in Sekunden – ideal für Loops.",
                "en": "A visible transformation proves the point in seconds – ideal for loops.",
            },
            hooks={
                "de": (
                    "Vorher vs. nachher: {topic} mit einem kleinen Trick",
                    "Warte aufs Nachher – {topic} wie verwandelt",
                    "Von „geht so“ zu „wow“: {topic}",
                ),
                "en": (
                    "Before vs. after: {topic} with one small trick",
                    "Wait for the after – {topic} transformed",
                    "From meh to wow: {topic}",
                ),
            },
            beats={
                "de": (
                    "Das Vorher ungeschönt zeigen",
                    "Der eine Eingriff, kurz erklärt",
                    "Schneller Übergang zum Nachher",
                    "Beides nebeneinander",
                ),
                "en": (
                    "Show the before, unpolished",
                    "The one change, briefly explained",
                    "A snappy transition to the after",
                    "Both side by side",
                ),
            },
            lines={
                "de": (
                    "So sah es vorher aus – ehrlich gesagt: geht so.",
                    "Wir ändern nur eine einzige Sache.",
                    "Und … Schnitt!",
                    "Vorher, nachher – siehst du den Unterschied?",
                ),
                "en": (
                    "This is the before – honestly: meh.",
                    "We change just one thing.",
                    "And … cut!",
                    "Before, after – can you see the difference?",
                ),
            },
            visual={
                "de": "gleicher Bildausschnitt vorher und nachher, harter Schnitt",
                "en": "the same framing before and after, hard cut",
            },
            camera={
                "de": "fixe Kamera auf Stativ, identischer Ausschnitt",
                "en": "locked-off tripod, identical framing",
            },
            duration=20,
        ),
        FormatSpec(
            key="day_in_the_life",
            name={"de": "Ein Tag im Leben", "en": "Day in the life"},
            why={
                "de": "Alltagsnähe macht die Marke greifbar und lädt zum Wiederkommen ein.",
                "en": "Everyday closeness makes the brand tangible and invites people back.",
            },
            hooks={
                "de": (
                    "Ein Tag mit {topic} bei {brand} – in 30 Sekunden",
                    "So sieht ein ganz normaler Tag mit {topic} aus",
                    "Komm mit: ein Tag rund um {topic}",
                ),
                "en": (
                    "A day of {topic} at {brand} – in 30 seconds",
                    "What an ordinary day with {topic} really looks like",
                    "Come along: a day all about {topic}",
                ),
            },
            beats={
                "de": (
                    "Morgens: der Start in den Tag",
                    "Mittags: der Moment, in dem {topic} zählt",
                    "Nachmittags: eine kleine Panne – ehrlich gezeigt",
                    "Abends: das Fazit in einem Satz",
                ),
                "en": (
                    "Morning: starting the day",
                    "Noon: the moment {topic} matters",
                    "Afternoon: a small mishap – shown honestly",
                    "Evening: the takeaway in one sentence",
                ),
            },
            lines={
                "de": (
                    "7 Uhr morgens bei {brand} – der Tag beginnt.",
                    "Mittags kommt der Moment, auf den alle warten: {topic}.",
                    "Nicht alles klappt – und das zeigen wir dir auch.",
                    "Mein Fazit des Tages: Dranbleiben lohnt sich.",
                ),
                "en": (
                    "7 a.m. at {brand} – the day begins.",
                    "At noon comes the moment everyone waits for: {topic}.",
                    "Not everything works – and we show you that too.",
                    "My takeaway today: sticking with it pays off.",
                ),
            },
            visual={
                "de": "Tageslicht-Verlauf von morgens bis abends, Uhrzeit-Einblendungen",
                "en": "daylight from morning to evening, time-of-day overlays",
            },
            camera={
                "de": "Vlog-Stil, Selfie und Totale im Wechsel",
                "en": "vlog style, alternating selfie and wide shot",
            },
            duration=35,
        ),
        FormatSpec(
            key="storytime",
            name={"de": "Storytime", "en": "Storytime"},
            why={
                "de": "Ein Spannungsbogen hält die Watchtime hoch und macht die Marke menschlich.",
                "en": "A story arc keeps watch time high and makes the brand human.",
            },
            hooks={
                "de": (
                    "Storytime: Wie {topic} bei uns alles verändert hat",
                    "Ich hätte nie gedacht, dass {topic} so endet",
                    "Die wahre Geschichte hinter {topic}",
                ),
                "en": (
                    "Storytime: how {topic} changed everything for us",
                    "I never thought {topic} would end like this",
                    "The true story behind {topic}",
                ),
            },
            beats={
                "de": (
                    "Einstieg mitten in der Szene",
                    "Der Konflikt: was schiefging",
                    "Der Wendepunkt",
                    "Die Lehre für {audience}",
                ),
                "en": (
                    "Start in the middle of the scene",
                    "The conflict: what went wrong",
                    "The turning point",
                    "The lesson for {audience}",
                ),
            },
            lines={
                "de": (
                    "Es war ein ganz normaler Dienstag, als alles mit {topic} anfing.",
                    "Und dann ging so ziemlich alles schief.",
                    "Bis wir eine Sache anders gemacht haben.",
                    "Was ich daraus gelernt habe? Einfach anfangen.",
                ),
                "en": (
                    "It was a normal Tuesday when it all started with {topic}.",
                    "And then pretty much everything went wrong.",
                    "Until we did one thing differently.",
                    "What I learned? Just start.",
                ),
            },
            visual={
                "de": "Sprecher nah an der Kamera, Schnittbilder zur Geschichte",
                "en": "presenter close to the camera, cutaways that illustrate the story",
            },
            camera={
                "de": "Nahaufnahme, langsamer Zoom bei der Wendung",
                "en": "close-up, slow zoom at the turning point",
            },
            duration=45,
        ),
        FormatSpec(
            key="stitch_reaction",
            name={"de": "Stitch/Duett-Reaktion", "en": "Stitch/duet reaction"},
            why={
                "de": "Greift laufende Diskussionen auf und nutzt deren Reichweite.",
                "en": "Joins ongoing conversations and borrows their reach.",
            },
            hooks={
                "de": (
                    "Ich muss hier kurz widersprechen – es geht um {topic}",
                    "Reaktion: Stimmt das wirklich mit {topic}?",
                    "Lass uns das mal prüfen: {topic}",
                ),
                "en": (
                    "I have to disagree here – it's about {topic}",
                    "Reaction: is this really true about {topic}?",
                    "Let's fact-check this: {topic}",
                ),
            },
            beats={
                "de": (
                    "Den Originalclip kurz zeigen (Stitch)",
                    "Die eigene Einordnung",
                    "Beleg oder kurze Demo",
                    "Frage an die Community",
                ),
                "en": (
                    "Show the original clip briefly (stitch)",
                    "Your own take",
                    "Proof or a quick demo",
                    "A question for the community",
                ),
            },
            lines={
                "de": (
                    "Das hier habe ich gerade gesehen – und muss kurz etwas dazu sagen.",
                    "Ganz falsch ist es nicht, aber bei {topic} fehlt ein wichtiger Punkt.",
                    "Schau, so sieht es in der Praxis aus.",
                    "Wie siehst du das? Schreib es in die Kommentare.",
                ),
                "en": (
                    "I just saw this – and I have to say something.",
                    "It's not completely wrong, but it misses an important point about {topic}.",
                    "Look, this is how it works in practice.",
                    "What do you think? Tell me in the comments.",
                ),
            },
            visual={
                "de": "geteilter Bildschirm: Originalclip und Reaktion",
                "en": "split screen: original clip and reaction",
            },
            camera={"de": "Frontkamera, Green-Screen-Effekt", "en": "front camera, green-screen effect"},
            duration=25,
        ),
        FormatSpec(
            key="q_and_a",
            name={"de": "Fragen & Antworten", "en": "Q&A"},
            why={
                "de": "Beantwortet echte Kommentare – die Community fühlt sich gehört und fragt weiter.",
                "en": "Answers real comments – the community feels heard and keeps asking.",
            },
            hooks={
                "de": (
                    "Ihr fragt, wir antworten: {topic}",
                    "Die häufigste Frage zu {topic} – endlich beantwortet",
                    "„Lohnt sich {topic}?“ Die ehrliche Antwort",
                ),
                "en": (
                    "You asked, we answer: {topic}",
                    "The most common question about {topic} – finally answered",
                    "'Is {topic} worth it?' The honest answer",
                ),
            },
            beats={
                "de": (
                    "Den Kommentar als Sticker einblenden",
                    "Kurze, direkte Antwort",
                    "Ein Beispiel aus der Praxis",
                    "Die nächste Frage in die Kommentare holen",
                ),
                "en": (
                    "Show the comment as a sticker",
                    "A short, direct answer",
                    "An example from practice",
                    "Invite the next question in the comments",
                ),
            },
            lines={
                "de": (
                    "Diese Frage kam diese Woche gleich mehrmals.",
                    "Die kurze Antwort: Ja – wenn du es richtig angehst.",
                    "So machen wir das bei {brand} jeden Tag.",
                    "Was sollen wir als Nächstes beantworten?",
                ),
                "en": (
                    "This question came up several times this week.",
                    "The short answer: yes – if you do it right.",
                    "This is how we do it at {brand} every day.",
                    "What should we answer next?",
                ),
            },
            visual={
                "de": "Kommentar-Sticker oben, Sprecher darunter",
                "en": "comment sticker on top, presenter below",
            },
            camera={"de": "statische Nahaufnahme, Blick in die Kamera", "en": "static close-up, looking into the lens"},
            duration=30,
        ),
        FormatSpec(
            key="hot_take",
            name={"de": "Steile These", "en": "Hot take"},
            why={
                "de": "Eine klare Meinung polarisiert freundlich und bringt Diskussionen in die Kommentare.",
                "en": "A clear opinion divides in a friendly way and moves the discussion into the comments.",
            },
            hooks={
                "de": (
                    "Unpopuläre Meinung zu {topic}: weniger ist mehr",
                    "Steile These zu {topic} – bist du dabei?",
                    "Keiner sagt es, also sage ich es: {topic}",
                ),
                "en": (
                    "Unpopular opinion about {topic}: less is more",
                    "Hot take on {topic} – are you with me?",
                    "Nobody says it, so I will: {topic}",
                ),
            },
            beats={
                "de": (
                    "Die These in einem Satz",
                    "Drei kurze Argumente",
                    "Das stärkste Gegenargument fair nennen",
                    "Frage: Wie siehst du das?",
                ),
                "en": (
                    "The take in one sentence",
                    "Three short arguments",
                    "Name the strongest counter-argument fairly",
                    "Question: how do you see it?",
                ),
            },
            lines={
                "de": (
                    "Ich sage es einfach: Bei {topic} machen wir es uns zu kompliziert.",
                    "Erstens spart es Zeit, zweitens Geld, drittens Nerven.",
                    "Klar, manche sagen, mehr Aufwand bringt mehr – aber nicht für {audience}.",
                    "Und du? Team einfach oder Team kompliziert?",
                ),
                "en": (
                    "I'll just say it: we make {topic} too complicated.",
                    "One, it saves time; two, money; three, nerves.",
                    "Sure, some say more effort pays off – but not for {audience}.",
                    "What about you? Team simple or team complicated?",
                ),
            },
            visual={
                "de": "Sprecher frontal, kräftige Texteinblendungen",
                "en": "presenter facing the camera, bold text overlays",
            },
            camera={"de": "Nahaufnahme mit Jump-Cuts", "en": "close-up with jump cuts"},
            duration=20,
        ),
        FormatSpec(
            key="comparison",
            name={"de": "Vergleich", "en": "Comparison"},
            why={
                "de": "Ein fairer Vergleich hilft bei Kaufentscheidungen und wird oft geteilt.",
                "en": "A fair comparison helps buying decisions and gets shared a lot.",
            },
            hooks={
                "de": (
                    "Günstig gegen teuer: {topic} im ehrlichen Test",
                    "Wir haben {topic} verglichen – das Ergebnis überrascht",
                    "Welche Variante von {topic} gewinnt?",
                ),
                "en": (
                    "Cheap vs. expensive: {topic} honestly tested",
                    "We compared {topic} – the result is surprising",
                    "Which version of {topic} wins?",
                ),
            },
            beats={
                "de": (
                    "Beide Kandidaten vorstellen",
                    "Kriterium 1 im direkten Vergleich",
                    "Kriterium 2 mit überraschendem Ergebnis",
                    "Fazit und Empfehlung für {audience}",
                ),
                "en": (
                    "Introduce both candidates",
                    "Criterion 1 head to head",
                    "Criterion 2 with a surprising result",
                    "Verdict and a recommendation for {audience}",
                ),
            },
            lines={
                "de": (
                    "Links die günstige Variante, rechts die teure – mal sehen.",
                    "Erster Test: Wie schlägt sich {topic} im Alltag?",
                    "Zweiter Test – und damit hätten wir nicht gerechnet.",
                    "Unser Fazit für {audience}: Es kommt auf eine Sache an.",
                ),
                "en": (
                    "On the left the cheap version, on the right the expensive one – let's see.",
                    "First test: how does {topic} hold up in everyday life?",
                    "Second test – and we didn't expect this.",
                    "Our verdict for {audience}: it comes down to one thing.",
                ),
            },
            visual={
                "de": "zwei Varianten nebeneinander, neutrale Oberfläche",
                "en": "two versions side by side on a neutral surface",
            },
            camera={"de": "symmetrische Totale, dann Details", "en": "symmetrical wide shot, then details"},
            duration=30,
        ),
    )
}

_FORMAT_ALIASES = {
    "howto": "tutorial",
    "how_to": "tutorial",
    "myth": "myth_busting",
    "mythbusting": "myth_busting",
    "myth_vs_fact": "myth_busting",
    "bts": "behind_the_scenes",
    "behind_scenes": "behind_the_scenes",
    "list": "listicle",
    "top_list": "listicle",
    "before_and_after": "before_after",
    "transformation": "before_after",
    "vlog": "day_in_the_life",
    "story": "storytime",
    "stitch": "stitch_reaction",
    "duet": "stitch_reaction",
    "reaction": "stitch_reaction",
    "duet_stitch": "stitch_reaction",
    "qa": "q_and_a",
    "q_a": "q_and_a",
    "faq": "q_and_a",
    "opinion": "hot_take",
    "versus": "comparison",
    "vs": "comparison",
}


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.casefold()).strip("_")


def find_format(value) -> FormatSpec | None:
    """The library format for a key or a name in either language ("POV", "Mythos vs. Fakt", "duet")."""
    if not isinstance(value, str) or not value.strip():
        return None
    slug = _slug(value)
    if slug in FORMATS:
        return FORMATS[slug]
    if slug in _FORMAT_ALIASES:
        return FORMATS[_FORMAT_ALIASES[slug]]
    for spec in FORMATS.values():
        if slug in {_slug(name) for name in spec.name.values()}:
            return spec
    for spec in FORMATS.values():
        names = [spec.key, *(_slug(name) for name in spec.name.values())]
        if any(name and (name in slug or slug in name) for name in names if len(name) > 2):
            return spec
    return None


# --- defaults and phrase banks --------------------------------------------------------------

DEFAULTS = {
    "de": {
        "brand": "unsere Marke",
        "audience": "Einsteiger",
        "topic": "unser Produkt",
        "cta": "Folge uns für mehr Tipps",
        "tone": "nahbar und klar",
    },
    "en": {
        "brand": "our brand",
        "audience": "beginners",
        "topic": "our product",
        "cta": "Follow for more tips",
        "tone": "approachable and clear",
    },
}

PAINS = {
    "de": (
        "Zeitmangel im Alltag",
        "Widersprüchliche Tipps im Netz",
        "Angst vor Anfängerfehlern",
        "Unsicherheit, ob sich das Geld lohnt",
        "Fehlende Motivation nach dem ersten Versuch",
        "Zu viel Auswahl, zu wenig Orientierung",
    ),
    "en": (
        "No time in everyday life",
        "Contradicting advice online",
        "Fear of beginner mistakes",
        "Not sure the money is well spent",
        "Losing motivation after the first try",
        "Too many options, too little guidance",
    ),
}

INSIGHTS = {
    "de": (
        ("Die Frage hinter der Frage", "{audience} suchen bei {topic} schnelle, ehrliche Antworten statt Werbung."),
        ("Mythen erzeugen Gespräche", "Rund um {topic} kursieren Halbwahrheiten – sie aufzuklären bringt Kommentare."),
        ("Nähe schlägt Hochglanz", "Echte Einblicke bei {brand} wirken glaubwürdiger als perfekte Produktbilder."),
        ("Nutzen in drei Sekunden", "Wer bei {topic} den Nutzen sofort zeigt, hält {audience} über die Hook hinaus."),
        ("Serien binden", "Wiederkehrende Reihen zu {topic} geben {audience} einen Grund, zu folgen."),
    ),
    "en": (
        ("The question behind the question", "{audience} want quick, honest answers about {topic}, not ads."),
        ("Myths start conversations", "Half-truths about {topic} are everywhere – clearing them up drives comments."),
        ("Closeness beats gloss", "Real glimpses of {brand} feel more credible than perfect product shots."),
        ("Value in three seconds", "Showing the benefit of {topic} right away keeps {audience} past the hook."),
        ("Series build habits", "Recurring series about {topic} give {audience} a reason to follow."),
    ),
}

TREND_LINES = {
    "de": "{name} läuft weiter stark. {why}",
    "en": "{name} keeps performing. {why}",
}

LABELS = {
    "de": {
        "post": "Post",
        "posts": "Posts",
        "brief_title": "Was das Briefing verlangt",
        "brief_detail": "Laut Briefing: „{brief}“ – jedes Video löst genau ein Problem rund um {topic}.",
        "knowledge_title": "Aus der Wissensbasis",
        "knowledge_detail": "{knowledge} – das macht {brand} für {audience} glaubwürdig.",
        "source_knowledge": "Wissensbasis: {text}",
        "source_brief": "Briefing des Kunden: {text}",
        "source_offline": "Offline-Entwurf ohne Live-Recherche: Trends vor der Veröffentlichung prüfen.",
        "angle": "{format}: {hook}",
        "research_rationale": (
            "Offline-Entwurf aus dem Briefing, {topics} Themen und {snippets} Wissensschnipseln; "
            "Tonalität: {tone}. Schwerpunkt: {topic}."
        ),
        "avoid_default": "Reine Produktwerbung ohne Mehrwert für {audience}",
        "avoid_dont": "Laut Markenrichtlinie vermeiden: {dont}",
        "format_why": "{why} Passt zu {topic} und zur Tonalität „{tone}“.",
        "trend_rationale": (
            "Mix aus {count} Formaten für {brand}: Schwerpunkt {top} ({share} %), der Rest sorgt für Abwechslung."
        ),
        "slot": "Slot {n}",
        "concept_angle": "{format} zu {topic} für {audience}: {beat}",
        "concept_angle_knowledge": "{format} zu {topic}, gestützt auf: {knowledge}",
        "creative_rationale": (
            "{count} Ideen über {pillars} Themen und {formats} Formate verteilt, keine Hook doppelt. Briefing: {brief}"
        ),
        "scene_hook_visual": "Starkes erstes Bild: {visual}",
        "scene_cta_visual": "Logo-freier Abschluss mit {brand}, Text-Einblendung des Aufrufs",
        "scene_cta_voice": "{cta} – {brand}.",
        "scene_voice": "{beat}. {detail}",
        "scene_detail": (
            "Kurz gesagt: Bei {topic} kommt es auf den ersten Schritt an.",
            "Das Problem kennen viele: {pain}.",
            "Genau hier hilft {brand} im Alltag.",
            "Probier es aus und sag uns, wie es bei dir war.",
            "Das ist einfacher, als die meisten denken.",
        ),
        "scene_knowledge": "Übrigens: {knowledge}",
        "caption": "{hook} {brief} {cta}",
        "script_rationale": (
            "{format}-Skript mit {scenes} Szenen ({seconds} s): Hook in den ersten Sekunden, ein Gedanke pro "
            "Szene, Aufruf von {brand} am Ende. Tonalität: {tone}."
        ),
        "dont_note": " Vermeidet: {dont}.",
        "prompt_scene": (
            "Vertikales Video (9:16) für „{title}“. Bild: {visual}. Szene: {beat}. Kamera: {camera}. "
            "Look: {style}. Stimmung: {tone}."
        ),
        "prompt_style": "{style}, Stimmung: {tone}",
        "style_default": "natürliches Licht, warme Farben, authentischer Social-Look",
        "negative": "Wasserzeichen, fremde Logos, eingeblendeter Text, verzerrte Hände, unscharfe Gesichter",
        "prompt_rationale": (
            "{count} Szenen-Prompts im Format 9:16 mit einheitlichem Look ({style}); Negativ-Prompts schließen "
            "Text im Bild und die No-Gos der Marke aus."
        ),
        "disclosure": "Dieses Video wurde mit KI-Unterstützung erstellt.",
        "fix_disclosure": "KI-Hinweis ergänzen (TikTok-Label „KI-generiert“ setzen).",
        "fix_claim": "„{phrase}“ streichen oder belegbar umformulieren.",
        "compliance_rationale": (
            "Offline-Prüfung per Stichwortliste: {claims} auffällige Stellen, Ergebnis „{verdict}“. "
            "Ersetzt keine rechtliche Prüfung."
        ),
        "compliance_clean": "Keine kritischen Aussagen gefunden.",
        "qa_rationale": (
            "Heuristische Offline-Bewertung: Gesamtnote {overall} von 10 bei einer Schwelle von {threshold}. "
            "Stärkstes Kriterium: {best}, schwächstes: {worst}."
        ),
        "sched_default": "Ohne eigene Daten: {reason} – ein guter Testslot für {audience}.",
        "sched_exploit": "Bester Slot bisher: Ø {score} über {count} {posts}.",
        "sched_explore": "Noch kaum Daten zu diesem Slot: {reason} – lohnt einen Test.",
        "sched_rationale": (
            "{exploit} bewährte und {explore} neue Slots in {tz}; das Verhältnis hält den Lerneffekt hoch, "
            "ohne die Reichweite zu gefährden."
        ),
        "analytics_none_title": "Noch zu wenig Daten",
        "analytics_none": "Es liegen noch keine Kennzahlen vor; die ersten Wochen dienen als Test für {topic}.",
        "analytics_format_title": "{format} liegt vorn",
        "analytics_format": "{format} holt im Schnitt {avg} Aufrufe über {count} {posts} – {ratio}× der Durchschnitt.",
        "analytics_weak_title": "{format} bleibt zurück",
        "analytics_weak": "{format} erreicht im Schnitt nur {avg} Aufrufe ({count} {posts}).",
        "analytics_hook_title": "Stärkste Hook",
        "analytics_hook": "„{hook}“ war mit {views} Aufrufen der beste Post.",
        "analytics_rationale": (
            "{count} {posts} ausgewertet; Aussagen zu Formaten mit wenigen Posts sind als Hypothesen markiert."
        ),
    },
    "en": {
        "post": "post",
        "posts": "posts",
        "brief_title": "What the brief asks for",
        "brief_detail": 'The brief says: "{brief}" – every video solves exactly one problem around {topic}.',
        "knowledge_title": "From the knowledge base",
        "knowledge_detail": "{knowledge} – this makes {brand} credible for {audience}.",
        "source_knowledge": "Knowledge base: {text}",
        "source_brief": "Client brief: {text}",
        "source_offline": "Offline draft without live research: check trends before publishing.",
        "angle": "{format}: {hook}",
        "research_rationale": (
            "Offline draft from the brief, {topics} topics and {snippets} knowledge snippets; "
            "tone: {tone}. Focus: {topic}."
        ),
        "avoid_default": "Pure product advertising with no value for {audience}",
        "avoid_dont": "Avoid per brand guidelines: {dont}",
        "format_why": '{why} Fits {topic} and the tone "{tone}".',
        "trend_rationale": (
            "A mix of {count} formats for {brand}: the focus is {top} ({share} %), the rest keeps the feed varied."
        ),
        "slot": "Slot {n}",
        "concept_angle": "{format} about {topic} for {audience}: {beat}",
        "concept_angle_knowledge": "{format} about {topic}, backed by: {knowledge}",
        "creative_rationale": (
            "{count} ideas spread over {pillars} topics and {formats} formats, no hook repeated. Brief: {brief}"
        ),
        "scene_hook_visual": "Strong first frame: {visual}",
        "scene_cta_visual": "Logo-free closing shot with {brand}, the call to action as a text overlay",
        "scene_cta_voice": "{cta} – {brand}.",
        "scene_voice": "{beat}. {detail}",
        "scene_detail": (
            "In short: with {topic}, the first step is what matters.",
            "Many people know the problem: {pain}.",
            "This is exactly where {brand} helps in everyday life.",
            "Try it and tell us how it went for you.",
            "It's easier than most people think.",
        ),
        "scene_knowledge": "By the way: {knowledge}",
        "caption": "{hook} {brief} {cta}",
        "script_rationale": (
            "{format} script with {scenes} scenes ({seconds} s): hook in the first seconds, one idea per scene, "
            "call to action by {brand} at the end. Tone: {tone}."
        ),
        "dont_note": " Avoids: {dont}.",
        "prompt_scene": (
            'Vertical video (9:16) for "{title}". Image: {visual}. Scene: {beat}. Camera: {camera}. Look: {style}. '
            "Mood: {tone}."
        ),
        "prompt_style": "{style}, mood: {tone}",
        "style_default": "natural light, warm colours, authentic social look",
        "negative": "watermark, third-party logos, burned-in text, distorted hands, blurry faces",
        "prompt_rationale": (
            "{count} scene prompts in 9:16 with one consistent look ({style}); negative prompts exclude text in "
            "the image and the brand's don'ts."
        ),
        "disclosure": "This video was created with the help of AI.",
        "fix_disclosure": 'Add an AI disclosure (set TikTok\'s "AI-generated" label).',
        "fix_claim": 'Remove "{phrase}" or rephrase it so it can be backed up.',
        "compliance_rationale": (
            'Offline keyword check: {claims} flagged passages, result "{verdict}". Not a substitute for a legal review.'
        ),
        "compliance_clean": "No critical statements found.",
        "qa_rationale": (
            "Heuristic offline review: overall {overall} out of 10 against a threshold of {threshold}. "
            "Strongest criterion: {best}, weakest: {worst}."
        ),
        "sched_default": "No own data yet: {reason} – a good test slot for {audience}.",
        "sched_exploit": "Best slot so far: avg. {score} over {count} {posts}.",
        "sched_explore": "Hardly any data for this slot: {reason} – worth a test.",
        "sched_rationale": (
            "{exploit} proven and {explore} new slots in {tz}; the mix keeps learning going without risking reach."
        ),
        "analytics_none_title": "Not enough data yet",
        "analytics_none": "There are no metrics yet; the first weeks serve as a test for {topic}.",
        "analytics_format_title": "{format} leads",
        "analytics_format": "{format} averages {avg} views over {count} {posts} – {ratio}× the average.",
        "analytics_weak_title": "{format} lags behind",
        "analytics_weak": "{format} only averages {avg} views ({count} {posts}).",
        "analytics_hook_title": "Strongest hook",
        "analytics_hook": '"{hook}" was the best post with {views} views.',
        "analytics_rationale": (
            "{count} {posts} analysed; statements about formats with few posts are marked as hypotheses."
        ),
    },
}

CAMERA = {
    "de": ("langsamer Dolly-in", "ruhige Handkamera", "Top-Shot von oben", "Nahaufnahme mit geringer Tiefenschärfe"),
    "en": ("slow dolly-in", "steady handheld", "overhead top shot", "close-up with shallow depth of field"),
}

STYLES = {
    "de": ("natürliches Tageslicht, warme Töne", "klare Farben, heller Hintergrund", "Dokumentar-Look, echtes Licht"),
    "en": ("natural daylight, warm tones", "clean colours, bright background", "documentary look, real light"),
}

# Compliance keyword heuristics: (category, severity, case-insensitive pattern).
CLAIM_PATTERNS: tuple[tuple[str, str, re.Pattern], ...] = tuple(
    (category, severity, re.compile(pattern, re.IGNORECASE))
    for category, severity, pattern in (
        ("medical", "high", r"\bheil(?:t|en|ung)\b|\bcures?\b|\bheals?\b|\bkrebs\b|\bcancer\b|\bwundermittel\b"),
        (
            "medical",
            "medium",
            r"\bimmunsystem\b|\bimmune system\b|\babnehmen\b|\bweight loss\b|\bentgift\w*\b|\bdetox\b|\bgesund\b",
        ),
        (
            "financial",
            "high",
            r"\bgarantierte? (?:rendite|gewinne?|einkommen)\b|\bguaranteed (?:returns?|income|profits?)\b"
            r"|\breich werden\b|\bget rich\b|\brisikofrei\b|\brisk[- ]free\b",
        ),
        ("financial", "medium", r"\bpassives? einkommen\b|\bpassive income\b|\bkrypto\b|\bcrypto\b"),
        ("platform", "medium", r"\blike und teile\b|\blike and share\b|\bgewinnspiel\b|\bgiveaway\b"),
        ("platform", "low", r"\bgarantiert\b|\bguaranteed\b|\b100 ?%"),
        ("restricted", "medium", r"\bwahlkampf\b|\bpartei\b|\belection\b|\bpolitik\b|\bpolitics\b|\bimpf\w*\b"),
    )
)

CLAIM_EXPLANATIONS = {
    "de": {
        "medical": "Gesundheitsbezogene Aussage: nur mit zugelassenem Beleg zulässig (HWG, Health-Claims-Verordnung).",
        "financial": "Finanzielles Versprechen: Erfolgsgarantien sind irreführend und riskant.",
        "platform": "Verstößt möglicherweise gegen Plattformregeln (Engagement-Köder, absolute Versprechen).",
        "restricted": "Berührt ein eingeschränktes Thema (Politik, Impfungen): nur nach Freigabe.",
        "taboo": "Steht auf der No-Go-Liste der Marke.",
        "disclosure": "KI-generierte Inhalte müssen gekennzeichnet werden.",
    },
    "en": {
        "medical": "Health claim: only allowed with approved evidence.",
        "financial": "Financial promise: guarantees of success are misleading and risky.",
        "platform": "May break platform rules (engagement bait, absolute promises).",
        "restricted": "Touches a restricted topic (politics, vaccination): only after approval.",
        "taboo": "On the brand's list of don'ts.",
        "disclosure": "AI-generated content must be labelled.",
    },
}

DISCLOSURE_MARKERS = re.compile(
    r"ki[- ]generiert|mit ki\b|ki-unterstützung|#ki\b|ai[- ]generated|made with ai|with the help of ai|#ai\b",
    re.IGNORECASE,
)

QA_COMMENTS = {
    "de": {
        "hook_strength": (
            "Hook ist lang oder vage – in den ersten 2 Sekunden zuspitzen.",
            "Hook ist kurz und konkret.",
        ),
        "clarity": ("Zu viele oder zu wenige Szenen für einen klaren Gedanken.", "Ein klarer Gedanke, gut gegliedert."),
        "originality": ("Wirkt austauschbar – ein eigenes Detail ergänzen.", "Hat einen eigenen Blickwinkel."),
        "brand_fit": ("Marke kaum erkennbar – Name oder Tonalität stärker einbauen.", "Passt zur Marke."),
        "platform_fit": ("Länge passt nicht zu TikTok (15–60 s anpeilen).", "Länge und Format passen zu TikTok."),
        "cta": ("Kein klarer Aufruf am Ende.", "Klarer Aufruf am Ende."),
        "compliance": ("Enthält riskante Aussagen – vor Freigabe prüfen.", "Keine riskanten Aussagen gefunden."),
        "pacing": ("Einstieg zu langsam – Hook-Szene unter 3 Sekunden halten.", "Tempo passt."),
    },
    "en": {
        "hook_strength": ("The hook is long or vague – sharpen it for the first 2 seconds.", "Short, concrete hook."),
        "clarity": ("Too many or too few scenes for one clear idea.", "One clear idea, well structured."),
        "originality": ("Feels generic – add a detail of your own.", "Has its own angle."),
        "brand_fit": ("The brand barely shows – use its name or tone more.", "Fits the brand."),
        "platform_fit": ("The length does not suit TikTok (aim for 15–60 s).", "Length and format suit TikTok."),
        "cta": ("No clear call to action at the end.", "Clear call to action at the end."),
        "compliance": ("Contains risky statements – check before approval.", "No risky statements found."),
        "pacing": ("Slow start – keep the hook scene under 3 seconds.", "The pacing works."),
    },
}

QA_FIXES = {
    "de": {
        "hook_strength": "Hook auf eine konkrete Zahl, Frage oder Behauptung unter 80 Zeichen kürzen.",
        "clarity": "Auf einen Gedanken reduzieren, 3 bis 7 Szenen.",
        "originality": "Ein eigenes Detail der Marke (Ort, Person, Zahl) einbauen.",
        "brand_fit": "Markennamen im Abschluss nennen und die Tonalität der Marke treffen.",
        "platform_fit": "Auf 15 bis 60 Sekunden kürzen oder strecken.",
        "cta": "Einen klaren Aufruf ans Ende setzen (folgen, speichern, kommentieren).",
        "compliance": "Riskante Aussagen streichen oder belegen; KI-Hinweis setzen.",
        "pacing": "Die Hook-Szene auf höchstens 3 Sekunden kürzen.",
    },
    "en": {
        "hook_strength": "Cut the hook to a concrete number, question or claim under 80 characters.",
        "clarity": "Reduce it to one idea in 3 to 7 scenes.",
        "originality": "Add a detail only this brand has (a place, a person, a number).",
        "brand_fit": "Name the brand at the end and match its tone.",
        "platform_fit": "Trim or extend it to 15 to 60 seconds.",
        "cta": "End with a clear call to action (follow, save, comment).",
        "compliance": "Remove or back up risky statements; add the AI label.",
        "pacing": "Keep the hook scene to 3 seconds at most.",
    },
}

QA_CRITERION_NAMES = {
    "de": {
        "hook_strength": "Hook",
        "clarity": "Klarheit",
        "originality": "Originalität",
        "brand_fit": "Markenfit",
        "platform_fit": "Plattformfit",
        "cta": "Handlungsaufruf",
        "compliance": "Compliance",
        "pacing": "Tempo",
    },
    "en": {
        "hook_strength": "hook",
        "clarity": "clarity",
        "originality": "originality",
        "brand_fit": "brand fit",
        "platform_fit": "platform fit",
        "cta": "call to action",
        "compliance": "compliance",
        "pacing": "pacing",
    },
}

# Good default posting hours (local time) and why.
DEFAULT_HOURS = {
    7: {"de": "Pendelzeit am Morgen", "en": "morning commute"},
    8: {"de": "Kaffeepause am Morgen", "en": "morning coffee break"},
    12: {"de": "Mittagspause", "en": "lunch break"},
    13: {"de": "Mittagspause", "en": "lunch break"},
    17: {"de": "Feierabend", "en": "end of the workday"},
    18: {"de": "Heimweg nach der Arbeit", "en": "commute home"},
    19: {"de": "Abendprogramm", "en": "evening viewing"},
    20: {"de": "Hauptsendezeit", "en": "prime time"},
    21: {"de": "Hauptsendezeit", "en": "prime time"},
}

EXPERIMENTS = {
    "de": (
        (
            "Eine Frage als Hook hält länger als eine Aussage.",
            "Hook als Frage statt als Aussage formulieren",
            "Watchtime",
        ),
        (
            "Kürzere Videos (unter 20 s) erreichen mehr vollständige Views.",
            "Gleiche Idee in 15 s und 30 s",
            "Completion-Rate",
        ),
        ("{format} funktioniert auch für {topic}.", "Zwei Posts pro Woche im Format {format}", "Aufrufe"),
        ("Ein Abendslot bringt mehr Shares als der Mittag.", "Gleiches Video um 12 und um 20 Uhr", "Shares"),
        (
            "Untertitel in den ersten Sekunden erhöhen die Watchtime.",
            "Hook zusätzlich als Text einblenden",
            "Watchtime",
        ),
    ),
    "en": (
        ("A question as the hook holds longer than a statement.", "Phrase the hook as a question", "watch time"),
        ("Shorter videos (under 20 s) get more complete views.", "The same idea in 15 s and 30 s", "completion rate"),
        ("{format} also works for {topic}.", "Two posts a week in the {format} format", "views"),
        ("An evening slot brings more shares than noon.", "The same video at 12:00 and at 20:00", "shares"),
        ("Captions in the first seconds increase watch time.", "Show the hook as on-screen text too", "watch time"),
    ),
}

GENERIC = {
    "de": "{field} zu {topic} (Offline-Entwurf)",
    "en": "{field} for {topic} (offline draft)",
}
GENERIC_RATIONALE = {
    "de": "Offline-Entwurf nach dem Schema befüllt; Briefing: {brief}",
    "en": "Offline draft filled from the schema; brief: {brief}",
}
