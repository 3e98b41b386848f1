"""The knowledge base behind retrieval (RAG): text extraction, chunking and retrieval.

Writes (adding, deleting, re-embedding documents) live in `apps.ai.knowledge_actions`.

- `extract_text(uploaded_file)` reads .txt and .md (UTF-8) and .pdf (pypdf) uploads, within
  `VF_KNOWLEDGE_MAX_UPLOAD_MB`; anything else raises `KnowledgeError` with a translated message.
- `chunk_text(text)` cuts a text into pieces of about 500–800 characters along paragraphs, lines
  and sentences (German and English), each sharing a short overlap with the one before.
- `retrieve(org, query, project=..., kinds=..., k=...)` returns the `k` chunks closest to the query
  (cosine distance). It is *always* filtered by the organization; with a project, it sees that
  project's chunks and the organization-wide ones (project empty). The query orders by pgvector's
  `<=>` so the HNSW index `knowledge_chunk_hnsw` can serve it, with pgvector 0.8's iterative scan
  switched on (`SET LOCAL hnsw.iterative_scan = relaxed_order`): the index keeps scanning until it
  has found `k` rows that pass the tenant filter, however many closer rows other organizations have.
  Should the index still come up short (`hnsw.max_scan_tuples`, or a graph region of near-duplicates
  the scan cannot leave), an exact scan of the organization's own rows answers instead.
"""

from __future__ import annotations

import io
import logging
import math
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.db import connection, transaction
from django.db.models import FloatField, Q, Value
from django.db.models.expressions import ExpressionWrapper
from django.utils.translation import gettext as _
from pgvector.django import CosineDistance

from apps.ai.embeddings import Embedder, get_embedder
from apps.ai.models import KnowledgeChunk, KnowledgeDoc

logger = logging.getLogger(__name__)

# --- errors ------------------------------------------------------------------------------


class KnowledgeError(Exception):
    """Bad input for the knowledge base; the (translated) message is shown to the user."""


# --- extraction --------------------------------------------------------------------------

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
PDF_SUFFIXES = (".pdf",)
ALLOWED_SUFFIXES = TEXT_SUFFIXES + PDF_SUFFIXES
MAX_PDF_PAGES = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # control characters except tab and newline


def max_upload_bytes() -> int:
    return settings.VF_KNOWLEDGE_MAX_UPLOAD_MB * 1024 * 1024


def clean_text(text: str) -> str:
    """Unicode NFC, Unix newlines, no control characters except newline and tab, trimmed."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def _read(uploaded_file) -> bytes:
    limit = max_upload_bytes()
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise KnowledgeError(_too_large())
    uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise KnowledgeError(_too_large())
    return data


def _too_large() -> str:
    return _("The file is too large. Files may have at most %(limit)s MB.") % {
        "limit": settings.VF_KNOWLEDGE_MAX_UPLOAD_MB
    }


def _decode_text(data: bytes) -> str:
    if b"\x00" in data:
        raise KnowledgeError(_("This file is not a text file. Please upload a .txt, .md or .pdf file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KnowledgeError(
            _("This file is not UTF-8 text. Please save it with UTF-8 encoding and upload it again.")
        ) from None


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.lstrip()[:5] == b"%PDF-":
        raise KnowledgeError(_("This file is not a PDF document."))
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise KnowledgeError(_("This PDF is password-protected. Please upload an unprotected copy."))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise KnowledgeError(_("This PDF has more than %(pages)s pages.") % {"pages": MAX_PDF_PAGES})
        pages = [page.extract_text() or "" for page in reader.pages]
    except KnowledgeError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        # pypdf raises a variety of errors on damaged files; none of them is the user's to read.
        logger.info("Unreadable PDF upload.", exc_info=True)
        raise KnowledgeError(_("This PDF could not be read. It may be damaged.")) from None
    return "\n\n".join(page.strip() for page in pages if page.strip())


def extract_text(uploaded_file) -> str:
    """The text of an uploaded .txt, .md or .pdf file, or `KnowledgeError`."""
    name = PurePath(getattr(uploaded_file, "name", "") or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise KnowledgeError(_("Unsupported file type. Please upload a .txt, .md or .pdf file."))
    data = _read(uploaded_file)
    text = _pdf_text(data) if suffix in PDF_SUFFIXES else _decode_text(data)
    text = clean_text(text)
    if not text:
        if suffix in PDF_SUFFIXES:
            raise KnowledgeError(_("No text found in this PDF. Scanned pages (images) cannot be read."))
        raise KnowledgeError(_("The file is empty."))
    return text


# --- chunking ----------------------------------------------------------------------------

CHUNK_MIN_CHARS = 500  # a chunk this long ends at the next paragraph break
CHUNK_MAX_CHARS = 800  # hard upper bound of a chunk
CHUNK_OVERLAP_CHARS = 120  # at most this much of a chunk's end starts the next one

# Common German and English abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    """
    z.b zb bzw ca dr prof nr str usw vgl ggf evtl inkl zzgl etc d.h u.a s.o o.ä u.ä i.d.r
    mr mrs ms st vs e.g i.e no approx fig jan feb mar apr jun jul aug sep sept oct okt nov dec dez
    """.split()
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+(?=[\"'„“‚‘«(\[]?[A-ZÄÖÜ0-9])")
_BLANK_LINE = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class _Unit:
    text: str
    sep: str  # what joins it to the unit before: "\n\n" (paragraph), "\n" (line) or " " (sentence)


def _split_sentences(line: str) -> list[str]:
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(line):
        candidate = line[start : match.start()].strip()
        last_word = candidate.rsplit(None, 1)[-1].rstrip(".").casefold() if candidate else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue  # "z. B.", "Dr.", "J. Smith": not the end of a sentence
        sentences.append(candidate)
        start = match.end()
    rest = line[start:].strip()
    if rest:
        sentences.append(rest)
    return [s for s in sentences if s]


def _cut(text: str, room: int) -> tuple[str, str]:
    """Split `text` so the head fits `room` characters: at the last space, or hard inside a long word."""
    if len(text) <= room:
        return text, ""
    space = text.rfind(" ", 0, room + 1)
    cut = space if space > 0 else room
    return text[:cut].rstrip(), text[cut:].lstrip()


def _units(text: str) -> Iterator[_Unit]:
    first = True
    for paragraph in _BLANK_LINE.split(text):
        line_sep = "\n\n"
        for line in paragraph.split("\n"):
            line = " ".join(line.split())
            if not line:
                continue
            sep = line_sep
            for sentence in _split_sentences(line):
                yield _Unit(sentence, "" if first else sep)
                first, sep = False, " "
            line_sep = "\n"


def _join(units: Iterable[_Unit]) -> str:
    return "".join((unit.sep if i else "") + unit.text for i, unit in enumerate(units))


def _overlap(units: list[_Unit]) -> list[_Unit]:
    """The end of a finished chunk that the next one starts with: its last sentence(s) up to
    CHUNK_OVERLAP_CHARS, or else the last words of its last sentence."""
    tail: list[_Unit] = []
    size = 0
    for unit in reversed(units):
        size += len(unit.text) + len(unit.sep)
        if size > CHUNK_OVERLAP_CHARS:
            break
        tail.insert(0, unit)
    if tail:
        return tail
    words = units[-1].text.split()
    kept: list[str] = []
    for word in reversed(words[1:]):  # never the whole sentence
        if len(" ".join([word, *kept])) > CHUNK_OVERLAP_CHARS // 2:
            break
        kept.insert(0, word)
    return [_Unit("… " + " ".join(kept), "")] if kept else []


def chunk_text(text: str) -> list[str]:
    """Cut `text` into chunks of about CHUNK_MIN_CHARS–CHUNK_MAX_CHARS characters.

    Paragraphs, lines and sentences are kept whole where they fit; a chunk that has reached
    CHUNK_MIN_CHARS ends at the next paragraph break. Each chunk after the first starts with a
    short overlap (the previous chunk's last sentence, or its last words) so that a statement cut
    at a boundary is still found with its context.
    """
    chunks: list[str] = []
    current: list[_Unit] = []
    fresh = 0  # units in `current` that are not overlap

    def size() -> int:
        return len(_join(current))

    def emit() -> None:
        nonlocal current, fresh
        chunks.append(_join(current))
        current, fresh = _overlap(current), 0

    for unit in _units(clean_text(text)):
        pending: _Unit | None = unit
        while pending is not None:
            sep = pending.sep if current else ""
            if fresh and sep == "\n\n" and size() >= CHUNK_MIN_CHARS:
                emit()  # long enough: end at this paragraph break
                continue
            if size() + len(sep) + len(pending.text) <= CHUNK_MAX_CHARS:
                current.append(_Unit(pending.text, sep))
                fresh += 1
                pending = None
                continue
            if fresh and size() >= CHUNK_MIN_CHARS:
                emit()
                continue
            # Too short to end here: fill the chunk with the start of this sentence, cut at a space.
            head, rest = _cut(pending.text, CHUNK_MAX_CHARS - size() - len(sep))
            if not head:
                if fresh:
                    emit()
                else:
                    current = []  # the overlap leaves no room: drop it
                continue
            current.append(_Unit(head, sep))
            fresh += 1
            emit()
            pending = _Unit(rest, " ") if rest else None
    if fresh:
        chunks.append(_join(current))
    return chunks


# --- retrieval ---------------------------------------------------------------------------

MAX_K = 50
EF_SEARCH = 100  # HNSW candidate list per scan step (pgvector's default is 40)


@dataclass(frozen=True)
class RetrievedChunk:
    text: str
    score: float  # cosine similarity: 1 = same direction, 0 = unrelated
    distance: float  # cosine distance = 1 - score
    document_id: uuid.UUID
    document_title: str
    kind: str
    position: int
    project_id: uuid.UUID | None

    @property
    def score_percent(self) -> int:
        return max(0, min(100, round(self.score * 100)))

    @property
    def kind_label(self) -> str:
        return str(KnowledgeDoc.Kind(self.kind).label)


@contextmanager
def hnsw_search(k: int = 5) -> Iterator[None]:
    """A transaction in which HNSW scans filter iteratively (pgvector ≥ 0.8).

    `SET LOCAL` lasts until the end of the transaction, so when this runs inside an outer
    transaction the previous values are put back on the way out.
    """
    ef_search = max(EF_SEARCH, 2 * k)
    wanted = {
        "hnsw.iterative_scan": "relaxed_order",
        "hnsw.ef_search": str(ef_search),
        "hnsw.max_scan_tuples": str(settings.VF_KNOWLEDGE_MAX_SCAN_TUPLES),
    }
    nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            previous = {}
            if nested:
                cursor.execute("SELECT '[0]'::vector")  # loads pgvector, so its settings have values
                cursor.execute("SELECT " + ", ".join("current_setting(%s, true)" for name in wanted), list(wanted))
                previous = dict(zip(wanted, cursor.fetchone(), strict=True))
            _set_local(cursor, wanted)
        yield
        # On an error the savepoint's rollback restores the previous values by itself.
        if nested:
            with connection.cursor() as cursor:
                _set_local(cursor, {name: old or "" for name, old in previous.items()})


def _set_local(cursor, values: dict[str, str]) -> None:
    """`SET LOCAL name = value` for each pair, in one round trip."""
    cursor.execute(
        "SELECT " + ", ".join("set_config(%s, %s, true)" for name in values),
        [item for pair in values.items() for item in pair],
    )


def _scope(org, project=None, kinds: Iterable[str] | None = None):
    if project is not None and project.organization_id != org.id:
        raise ValueError("The project belongs to another organization.")
    chunks = KnowledgeChunk.objects.for_org(org)
    if project is not None:
        chunks = chunks.filter(Q(project=project) | Q(project__isnull=True))
    if kinds is not None:
        kinds = list(kinds)
        unknown = set(kinds) - set(KnowledgeDoc.Kind.values)
        if unknown:
            raise ValueError(f"Unknown knowledge kinds: {sorted(unknown)}")
        chunks = chunks.filter(document__kind__in=kinds)
    return chunks


def retrieval_queryset(org, vector: list[float], *, project=None, kinds: Iterable[str] | None = None, k: int = 5):
    """The retrieval query (without its session settings, see `hnsw_search`): the organization's
    chunks (and, with a project, only that project's and the organization-wide ones), nearest
    first by cosine distance, `k` rows."""
    return (
        _scope(org, project, kinds)
        .annotate(distance=CosineDistance("embedding", vector))
        .order_by("distance")
        .values("id", "text", "position", "document_id", "project_id", "distance")[:k]
    )


def exact_retrieval_queryset(org, vector, *, project=None, kinds=None, k=5):
    """The same rows, ordered by an expression no index can serve: an exact scan of the scope."""
    exact = ExpressionWrapper(CosineDistance("embedding", vector) + Value(0.0), output_field=FloatField())
    return (
        _scope(org, project, kinds)
        .annotate(distance=exact)
        .order_by("distance")
        .values("id", "text", "position", "document_id", "project_id", "distance")[:k]
    )


def _query_vector(query: str, embedder: Embedder | None) -> list[float] | None:
    query = clean_text(query or "")
    if not query:
        return None
    vector = (embedder or get_embedder()).embed([query])[0]
    return vector if any(vector) else None  # a zero vector has no direction (e.g. only punctuation)


def retrieve(
    org,
    query: str,
    *,
    project=None,
    kinds: Iterable[str] | None = None,
    k: int = 5,
    embedder: Embedder | None = None,
) -> list[RetrievedChunk]:
    """The `k` chunks of `org`'s knowledge closest to `query`, best first.

    `project=None` searches every chunk of the organization; a project limits the search to that
    project's chunks plus the organization-wide ones. `kinds` limits it to documents of those
    kinds (`KnowledgeDoc.Kind` values).
    """
    k = max(1, min(MAX_K, int(k)))
    kinds = list(kinds) if kinds is not None else None
    vector = _query_vector(query, embedder)
    if vector is None:
        return []
    with hnsw_search(k):
        rows = list(retrieval_queryset(org, vector, project=project, kinds=kinds, k=k))
    if len(rows) < k:
        # The iterative scan gave up (VF_KNOWLEDGE_MAX_SCAN_TUPLES) or the scope is simply small: an exact scan
        # of the organization's rows through the (organization, project) index settles it.
        rows = list(exact_retrieval_queryset(org, vector, project=project, kinds=kinds, k=k))
    documents = {
        doc["id"]: doc
        for doc in KnowledgeDoc.objects.for_org(org)
        .filter(id__in={row["document_id"] for row in rows})
        .values("id", "title", "kind")
    }
    results = [
        RetrievedChunk(
            text=row["text"],
            score=1.0 - row["distance"],
            distance=row["distance"],
            document_id=row["document_id"],
            document_title=documents[row["document_id"]]["title"],
            kind=documents[row["document_id"]]["kind"],
            position=row["position"],
            project_id=row["project_id"],
        )
        for row in rows
        if row["document_id"] in documents and not math.isnan(row["distance"])  # NaN: a chunk without words
    ]
    # relaxed_order may return the nearest rows slightly out of order.
    results.sort(key=lambda chunk: chunk.distance)
    return results


def explain_retrieve(
    org, query: str, *, project=None, kinds: Iterable[str] | None = None, k: int = 5, analyze: bool = False
) -> str:
    """EXPLAIN of the retrieval query, under the same session settings as `retrieve`."""
    vector = _query_vector(query, None)
    if vector is None:
        raise ValueError("The query has no embedding.")
    with hnsw_search(k):
        return retrieval_queryset(org, vector, project=project, kinds=kinds, k=k).explain(analyze=analyze)
