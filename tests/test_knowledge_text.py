"""Chunking and text extraction for the knowledge base (no database)."""

import pytest

from apps.ai.knowledge import (
    CHUNK_MAX_CHARS,
    CHUNK_MIN_CHARS,
    CHUNK_OVERLAP_CHARS,
    KnowledgeError,
    chunk_text,
    extract_text,
)
from tests.support.knowledge import encrypted_pdf, make_pdf, upload

GERMAN = (
    "Unsere Marke steht für Kaffee aus den Alpen. Wir rösten z. B. jede Woche frisch, ca. 20 kg pro Tag. "
    "Dr. Müller leitet die Rösterei seit 2015! Sagen Sie nie „billig“ über unsere Produkte. "
    "Warum? Weil Qualität ihren Wert hat."
)
ENGLISH = (
    "Our brand stands for coffee from the Alps. Mr. Smith roasts every week, e.g. on Mondays. "
    "Never call our products cheap! Why? Because quality has its price."
)


def test_short_text_is_one_chunk():
    assert chunk_text("  Hallo Welt.\r\n") == ["Hallo Welt."]
    assert chunk_text("") == [] and chunk_text(" \n\n ") == []


@pytest.mark.parametrize("paragraph", [GERMAN, ENGLISH])
def test_chunks_stay_within_bounds_and_cover_the_text(paragraph):
    text = "\n\n".join(f"{i}. {paragraph}" for i in range(12))
    chunks = chunk_text(text)
    assert len(chunks) > 3
    assert all(len(chunk) <= CHUNK_MAX_CHARS for chunk in chunks)
    assert all(len(chunk) >= CHUNK_MIN_CHARS for chunk in chunks[:-1])
    for i in range(12):  # every paragraph made it into some chunk
        assert any(f"{i}. {paragraph[:40]}" in chunk for chunk in chunks)


def test_chunks_end_at_paragraphs_and_sentences_not_inside_them():
    text = "\n\n".join([GERMAN, ENGLISH] * 5)
    for chunk in chunk_text(text):
        assert chunk.rstrip()[-1] in ".!?“", chunk[-60:]
        assert not chunk.endswith(("z.", "Dr.", "Mr.", "e.g.", "ca."))


def test_abbreviations_do_not_split_sentences():
    from apps.ai.knowledge import _split_sentences

    assert _split_sentences(GERMAN) == [
        "Unsere Marke steht für Kaffee aus den Alpen.",
        "Wir rösten z. B. jede Woche frisch, ca. 20 kg pro Tag.",
        "Dr. Müller leitet die Rösterei seit 2015!",
        "Sagen Sie nie „billig“ über unsere Produkte.",
        "Warum?",
        "Weil Qualität ihren Wert hat.",
    ]
    assert _split_sentences(ENGLISH)[1] == "Mr. Smith roasts every week, e.g. on Mondays."


def test_consecutive_chunks_overlap_a_little():
    sentences = [f"Satz Nummer {i} erzählt etwas über Kaffee und die Berge." for i in range(60)]
    chunks = chunk_text(" ".join(sentences))
    assert len(chunks) >= 3
    for before, after in zip(chunks, chunks[1:], strict=False):
        # The next chunk starts with the last whole sentence(s) of the one before, at most the overlap.
        shared = max((n for n in range(1, len(after)) if before.endswith(after[:n])), default=0)
        assert 40 <= shared <= CHUNK_OVERLAP_CHARS
        assert after[:shared].startswith("Satz Nummer") and after[:shared].endswith("Berge.")


def test_lines_of_a_markdown_list_stay_lines():
    text = "# Verboten\n- Heilversprechen\n- Preise nennen\n- Konkurrenz erwähnen\n\n## Erlaubt\n- Humor"
    assert chunk_text(text) == [text]


def test_overlong_sentences_and_words_are_cut():
    words = " ".join(["Kaffeebohnenröstmaschine"] * 200)  # one sentence of ~5000 characters
    chunks = chunk_text(words)
    assert all(len(chunk) <= CHUNK_MAX_CHARS for chunk in chunks)
    assert len(chunks) >= 6
    blob = "x" * 2000
    assert "".join(chunk_text(blob)) == blob


# --- extraction ------------------------------------------------------------------------------


def test_txt_and_md_are_read_as_utf8():
    assert extract_text(upload("regeln.txt", "Grüße aus München\r\n".encode())) == "Grüße aus München"
    assert extract_text(upload("notes.MD", "\ufeff# Titel\n\nText".encode())) == "# Titel\n\nText"  # BOM dropped


def test_latin1_text_gets_a_clear_error():
    with pytest.raises(KnowledgeError, match="not UTF-8 text"):
        extract_text(upload("alt.txt", "Grüße aus München".encode("latin-1")))


def test_binary_disguised_as_text_is_refused():
    with pytest.raises(KnowledgeError, match="not a text file"):
        extract_text(upload("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))


@pytest.mark.parametrize("name", ["slides.pptx", "photo.jpg", "noext", "archive.txt.zip"])
def test_other_file_types_are_refused(name):
    with pytest.raises(KnowledgeError, match="Unsupported file type"):
        extract_text(upload(name, b"hello"))


def test_too_large_files_are_refused(settings):
    settings.VF_KNOWLEDGE_MAX_UPLOAD_MB = 1
    with pytest.raises(KnowledgeError, match="at most 1 MB"):
        extract_text(upload("big.txt", b"a" * (1024 * 1024 + 1)))
    assert extract_text(upload("fits.txt", b"a" * (1024 * 1024))) == "a" * (1024 * 1024)


def test_empty_file_is_refused():
    with pytest.raises(KnowledgeError, match="The file is empty."):
        extract_text(upload("empty.md", b"  \n"))


def test_pdf_text_is_extracted():
    pdf = make_pdf([["Unsere Röstung ist frisch.", "Keine Heilversprechen!"], ["Seite zwei (Markenregeln)."]])
    text = extract_text(upload("brand.pdf", pdf, "application/pdf"))
    assert "Unsere Röstung ist frisch." in text
    assert "Keine Heilversprechen!" in text
    assert "Seite zwei (Markenregeln)." in text


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"%PDF-1.4\nthis is not really a pdf", "(could not be read|No text found)"),
        (b"hello, I am text", "not a PDF document"),
        (make_pdf([[]]), "No text found in this PDF"),
    ],
    ids=["damaged", "not-pdf", "no-text"],
)
def test_unreadable_pdfs_get_a_clear_error(content, error):
    with pytest.raises(KnowledgeError, match=error):
        extract_text(upload("doc.pdf", content, "application/pdf"))


def test_password_protected_pdf_is_refused():
    with pytest.raises(KnowledgeError, match="password-protected"):
        extract_text(upload("secret.pdf", encrypted_pdf([["Geheime Preise"]], "geheim"), "application/pdf"))
