"""Writes for the knowledge base: add and delete documents, re-embed them when the embedder changes.

Reading (extraction, chunking, retrieval) is in `apps.ai.knowledge`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import PurePath

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.ai.embeddings import Embedder, get_embedder
from apps.ai.knowledge import KnowledgeError, chunk_text, clean_text, extract_text
from apps.ai.models import DIMENSION, KnowledgeChunk, KnowledgeDoc
from apps.jobs.actions import do_enqueue_job
from apps.jobs.progress import report_progress

logger = logging.getLogger("viralforge.ai.knowledge")

# About 350,000 characters. The embedding runs in the request (the local embedder needs about
# 3 s for 500 chunks), so longer texts are refused with a request to split them.
MAX_CHUNKS_PER_DOCUMENT = 500
TITLE_MAX_LENGTH = KnowledgeDoc._meta.get_field("title").max_length
FILENAME_MAX_LENGTH = KnowledgeDoc._meta.get_field("filename").max_length
EMBED_BATCH = 64


def _embed(embedder: Embedder, texts: list[str]) -> list[list[float]]:
    """Embed in batches; a failing embedding service becomes a translated `KnowledgeError`."""
    if embedder.dimension != DIMENSION:
        raise KnowledgeError(
            _("The embedder %(name)s makes vectors of %(got)s dimensions; the database stores %(want)s.")
            % {"name": embedder.name, "got": embedder.dimension, "want": DIMENSION}
        )
    vectors: list[list[float]] = []
    try:
        for start in range(0, len(texts), EMBED_BATCH):
            vectors.extend(embedder.embed(texts[start : start + EMBED_BATCH]))
    except KnowledgeError:
        raise
    except Exception:  # network, provider or key trouble: whatever it is, nothing was saved
        logger.exception("Embedding failed.", extra={"embedder": embedder.name})
        raise KnowledgeError(_("The text could not be embedded right now. Nothing was saved; please try again."))
    if len(vectors) != len(texts) or any(len(vector) != DIMENSION for vector in vectors):
        raise KnowledgeError(_("The embedder returned unusable vectors. Nothing was saved."))
    return vectors


@dataclass(frozen=True)
class _Input:
    kind: str
    title: str
    text: str
    filename: str


def _validate(org, *, kind, title, text, uploaded_file, project) -> _Input:
    if kind not in KnowledgeDoc.Kind.values:
        raise KnowledgeError(_("Please choose a valid kind of knowledge."))
    if project is not None and project.organization_id != org.id:
        raise KnowledgeError(_("Please choose one of this organization's projects."))
    has_text = bool(text and text.strip())
    if uploaded_file is not None and has_text:
        raise KnowledgeError(_("Either upload a file or paste a text, not both."))
    if uploaded_file is None and not has_text:
        raise KnowledgeError(_("Please upload a file or paste a text."))
    filename = ""
    if uploaded_file is not None:
        filename = PurePath(uploaded_file.name or "").name[:FILENAME_MAX_LENGTH]
        text = extract_text(uploaded_file)
    else:
        text = clean_text(text)
    title = " ".join((title or "").split()) or PurePath(filename).stem.strip()
    if not title:
        raise KnowledgeError(_("Please enter a title."))
    if len(title) > TITLE_MAX_LENGTH:
        raise KnowledgeError(_("The title may have at most %(max)s characters.") % {"max": TITLE_MAX_LENGTH})
    return _Input(kind=kind, title=title, text=text, filename=filename)


def do_add_knowledge(
    org,
    *,
    kind: str,
    title: str = "",
    text: str | None = None,
    uploaded_file=None,
    project=None,
    actor=None,
    embedder: Embedder | None = None,
) -> KnowledgeDoc:
    """Store a document (pasted `text` or an `uploaded_file`, .txt/.md/.pdf) with its chunks and
    their embeddings, all in one transaction. Bad input raises `KnowledgeError` and writes nothing.

    The title defaults to the file name. Embedding runs before the transaction opens, so a slow
    embedding service holds no locks.
    """
    data = _validate(org, kind=kind, title=title, text=text, uploaded_file=uploaded_file, project=project)
    chunks = chunk_text(data.text)
    if not chunks:
        raise KnowledgeError(_("The text is empty."))
    if len(chunks) > MAX_CHUNKS_PER_DOCUMENT:
        raise KnowledgeError(
            _("This text is too long (%(chunks)s pieces, at most %(max)s). Please split it into several documents.")
            % {"chunks": len(chunks), "max": MAX_CHUNKS_PER_DOCUMENT}
        )
    embedder = embedder or get_embedder()
    vectors = _embed(embedder, chunks)
    with transaction.atomic():
        doc = KnowledgeDoc.objects.create(
            organization=org,
            project=project,
            kind=data.kind,
            title=data.title,
            filename=data.filename,
            content=data.text,
            embedder=embedder.name,
            created_by=actor,
        )
        KnowledgeChunk.objects.bulk_create(
            [
                KnowledgeChunk(
                    document=doc, organization=org, project=project, position=i, text=chunk, embedding=vector
                )
                for i, (chunk, vector) in enumerate(zip(chunks, vectors, strict=True))
            ],
            batch_size=500,
        )
    logger.info(
        "Knowledge document added.",
        extra={"organization_id": org.id, "document_id": str(doc.id), "chunks": len(chunks), "embedder": doc.embedder},
    )
    return doc


@transaction.atomic
def do_delete_knowledge(doc: KnowledgeDoc, *, actor=None) -> None:
    """Delete a document and its chunks (idempotent: a document that is gone already is fine)."""
    deleted, _rows = KnowledgeDoc.objects.for_org(doc.organization_id).filter(id=doc.id).delete()
    logger.info(
        "Knowledge document deleted.",
        extra={
            "organization_id": doc.organization_id,
            "document_id": str(doc.id),
            "actor_id": getattr(actor, "id", None),
            "deleted": bool(deleted),
        },
    )


# --- re-embedding ------------------------------------------------------------------------


@dataclass
class ReembedReport:
    embedder: str
    documents: int = 0  # re-embedded in this run
    chunks: int = 0
    skipped: int = 0  # done meanwhile by a concurrent run, or deleted
    remaining: int = 0  # still on another embedder after this run (limit reached)


def _documents(org):
    # Without an organization, crossing organizations is the point of this job.
    return KnowledgeDoc.objects.for_org(org) if org is not None else KnowledgeDoc.objects.unscoped()


def do_reembed_all(
    org=None, *, limit: int | None = None, batch_size: int = 50, embedder: Embedder | None = None
) -> ReembedReport:
    """Re-embed the chunks of every document (of `org`, or of all organizations) whose `embedder`
    is not the current embedder's name.

    One document per transaction, its row locked with `SKIP LOCKED`: idempotent (a second run
    finds nothing to do), resumable after an interruption, safe next to a concurrent run. Reports
    its progress to the running job (`apps.jobs.progress`). `limit` stops after that many documents.
    """
    embedder = embedder or get_embedder()
    name = embedder.name
    pending = _documents(org).exclude(embedder=name)
    total = pending.count() if limit is None else min(limit, pending.count())
    report = ReembedReport(embedder=name)
    report_progress(
        0, ngettext("Re-embedding %(count)s document", "Re-embedding %(count)s documents", total) % {"count": total}
    )
    after = None  # keyset pagination over (created_at, id): each document is visited once
    while limit is None or report.documents < limit:
        page = pending.order_by("created_at", "id")
        if after is not None:
            page = page.filter(Q(created_at__gt=after[0]) | Q(created_at=after[0], id__gt=after[1]))
        keys = list(page.values_list("created_at", "id")[:batch_size])
        if not keys:
            break
        for created_at, doc_id in keys:
            if limit is not None and report.documents >= limit:
                break
            after = (created_at, doc_id)
            _reembed_one(doc_id, embedder, report)
            done = report.documents + report.skipped
            report_progress(
                int(100 * done / total) if total else 100,
                ngettext(
                    "%(done)s of %(total)s document re-embedded", "%(done)s of %(total)s documents re-embedded", total
                )
                % {"done": done, "total": total},
            )
    report.remaining = pending.count()
    report_progress(
        100,
        ngettext("%(count)s document re-embedded", "%(count)s documents re-embedded", report.documents)
        % {"count": report.documents},
    )
    logger.info(
        "Knowledge re-embedding finished.",
        extra={
            "organization_id": getattr(org, "id", None),
            "embedder": name,
            "documents": report.documents,
            "chunks": report.chunks,
            "skipped": report.skipped,
            "remaining": report.remaining,
        },
    )
    return report


def _reembed_one(doc_id, embedder: Embedder, report: ReembedReport) -> None:
    # The embedding runs outside the transaction; chunk texts never change after they are written.
    doc = KnowledgeDoc.objects.unscoped().filter(id=doc_id).values("organization_id").first()
    if doc is None:
        report.skipped += 1
        return
    chunks = list(
        KnowledgeChunk.objects.for_org(doc["organization_id"])
        .filter(document_id=doc_id)
        .order_by("position")
        .values_list("id", "text")
    )
    vectors = _embed(embedder, [text for _id, text in chunks])
    with transaction.atomic():
        locked = (
            KnowledgeDoc.objects.for_org(doc["organization_id"])
            .select_for_update(skip_locked=True)
            .filter(id=doc_id)
            .exclude(embedder=embedder.name)
            .first()
        )
        if locked is None:  # deleted, done by a concurrent run, or being done by one right now
            report.skipped += 1
            return
        rows = [
            KnowledgeChunk(id=chunk_id, embedding=vector)
            for (chunk_id, _text), vector in zip(chunks, vectors, strict=True)
        ]
        KnowledgeChunk.objects.for_org(doc["organization_id"]).bulk_update(rows, ["embedding"], batch_size=500)
        locked.embedder = embedder.name
        locked.save(update_fields=["embedder"])
    report.documents += 1
    report.chunks += len(chunks)


def do_enqueue_reembed_knowledge(org=None):
    """Queue the `reembed_knowledge` job (one organization, or all of them when `org` is None)."""
    from apps.ai.tasks import reembed_knowledge
    if org is not None:
        target = _("Knowledge base of %(org)s") % {"org": org.name}
    else:
        target = _("Knowledge base (all organizations)")
    with transaction.atomic():
        return do_enqueue_job(
            reembed_knowledge,
            organization=org,
            target=target,
            organization_id=str(org.id) if org is not None else None,
        )
