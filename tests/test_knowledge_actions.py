"""Knowledge writes: adding (all or nothing), deleting, and re-embedding (directly and as a job)."""

import math

import pytest
from django.db import DataError

from apps.ai import knowledge_actions
from apps.ai.embeddings import HashingEmbedder
from apps.ai.knowledge import KnowledgeError, chunk_text
from apps.ai.knowledge_actions import do_add_knowledge, do_delete_knowledge, do_reembed_all
from apps.ai.models import KnowledgeChunk, KnowledgeDoc
from apps.jobs.models import JobRun, JobStatus
from apps.projects.models import Project
from tests.support.jobs_actors import wait_for_run
from tests.support.knowledge import BRAND_TEXT, add, make_pdf, snapshot, upload

LONG_TEXT = "\n\n".join(
    f"Regel {i}: Wir sprechen über Kaffee, Berge und Genuss, aber nie über Preise oder Heilwirkungen. "
    f"Jede Regel {i} gilt für TikTok, Instagram und YouTube Shorts gleichermaßen."
    for i in range(20)
)


class CountingEmbedder(HashingEmbedder):
    """The local embedder, counting the texts it embeds."""

    def __init__(self, name: str | None = None):
        super().__init__()
        if name:
            self.name = name
        self.texts = 0

    def embed(self, texts):
        self.texts += len(texts)
        return super().embed(texts)


@pytest.fixture
def project(org):
    return Project.objects.create(organization=org, name="Alpenglow", slug="alpenglow")


# --- add -------------------------------------------------------------------------------------


def test_add_text_stores_chunks_with_embeddings(org, owner, project):
    doc = do_add_knowledge(
        org, kind="past_winner", title="  Winners  of  2026 ", text=LONG_TEXT, project=project, actor=owner
    )
    assert (doc.kind, doc.title, doc.project, doc.created_by, doc.filename) == (
        "past_winner",
        "Winners of 2026",
        project,
        owner,
        "",
    )
    assert doc.embedder == HashingEmbedder().name and doc.content == LONG_TEXT
    chunks = list(KnowledgeChunk.objects.for_org(org).filter(document=doc).order_by("position"))
    expected = chunk_text(LONG_TEXT)
    assert [c.text for c in chunks] == expected and len(expected) > 1
    assert [c.position for c in chunks] == list(range(len(expected)))
    assert all(c.organization_id == org.id and c.project_id == project.id for c in chunks)
    assert list(chunks[0].embedding) == pytest.approx(HashingEmbedder().embed_one(expected[0]), abs=1e-6)


def test_add_markdown_and_pdf_uploads(org, editor):
    md = do_add_knowledge(org, kind="avoid", uploaded_file=upload("no-go-list.md", "# Nie\n- Größen".encode()))
    assert (md.title, md.filename, md.content) == ("no-go-list", "no-go-list.md", "# Nie\n- Größen")
    pdf_file = upload("Brand Book.pdf", make_pdf([["Immer duzen.", "Nie über Preise reden."]]), "application/pdf")
    pdf = do_add_knowledge(org, kind="brand_constraint", title="Brand book", uploaded_file=pdf_file, actor=editor)
    assert pdf.filename == "Brand Book.pdf" and "Nie über Preise reden." in pdf.content
    assert pdf.chunks.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"kind": "gossip"}, "valid kind"),
        ({"text": "", "uploaded_file": None}, "upload a file or paste a text"),
        ({"text": "   \n "}, "upload a file or paste a text"),
        ({"uploaded_file": "file"}, "not both"),
        ({"title": "   "}, "Please enter a title."),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"text": None, "uploaded_file": "binary"}, "not a text file"),
        ({"text": None, "uploaded_file": "latin1"}, "not UTF-8 text"),
        ({"text": None, "uploaded_file": "big"}, "at most 1 MB"),
        ({"text": None, "uploaded_file": "exe"}, "Unsupported file type"),
    ],
)
def test_bad_input_raises_and_writes_nothing(org, other_org, settings, kwargs, error):
    settings.VF_KNOWLEDGE_MAX_UPLOAD_MB = 1
    files = {
        "file": upload("rules.txt", b"Regeln"),
        "binary": upload("rules.txt", b"\x00\x01\x02binary"),
        "latin1": upload("rules.md", "Grüße".encode("latin-1")),
        "big": upload("rules.txt", b"a" * (1024 * 1024 + 10)),
        "exe": upload("setup.exe", b"MZ"),
    }
    arguments = {"kind": "avoid", "title": "Rules", "text": "Keine Preise nennen."} | kwargs
    if isinstance(arguments.get("uploaded_file"), str):
        arguments["uploaded_file"] = files[arguments["uploaded_file"]]
    before = snapshot(org, other_org)
    with pytest.raises(KnowledgeError, match=error):
        do_add_knowledge(org, **arguments)
    assert snapshot(org, other_org) == before


def test_a_project_of_another_org_is_refused(org, other_org):
    foreign = Project.objects.create(organization=other_org, name="Foreign", slug="foreign")
    before = snapshot(org, other_org)
    with pytest.raises(KnowledgeError, match="this organization's projects"):
        add(org, project=foreign)
    assert snapshot(org, other_org) == before


def test_too_many_chunks_are_refused(org, settings):
    settings.VF_KNOWLEDGE_MAX_CHUNKS = 3
    with pytest.raises(KnowledgeError, match="too long"):
        add(org, LONG_TEXT)
    assert not KnowledgeDoc.objects.for_org(org).exists()


def test_a_failing_embedder_writes_nothing(org):
    class Broken(HashingEmbedder):
        def embed(self, texts):
            raise ConnectionError("provider down")

    with pytest.raises(KnowledgeError, match="could not be embedded"):
        add(org, embedder=Broken())

    class WrongSize(HashingEmbedder):
        def __init__(self):
            super().__init__(dimension=8)

    with pytest.raises(KnowledgeError, match="8 dimensions"):
        add(org, embedder=WrongSize())
    assert not KnowledgeDoc.objects.for_org(org).exists()


def test_document_and_chunks_are_written_together(org):
    class NotANumber(HashingEmbedder):
        """Vectors of the right size that the database refuses (pgvector: NaN not allowed)."""

        def embed(self, texts):
            return [[math.nan] * self.dimension for _ in texts]

    with pytest.raises(DataError, match="NaN"):
        add(org, embedder=NotANumber())  # the document row was written before the chunks failed
    assert not KnowledgeDoc.objects.for_org(org).exists()
    assert not KnowledgeChunk.objects.for_org(org).exists()


# --- delete ----------------------------------------------------------------------------------


def test_delete_removes_document_and_chunks_only(org, other_org, editor):
    doc = add(org, LONG_TEXT)
    keep = add(org, BRAND_TEXT, title="Keep")
    theirs = add(other_org, LONG_TEXT)
    do_delete_knowledge(doc, actor=editor)
    assert list(KnowledgeDoc.objects.for_org(org).values_list("id", flat=True)) == [keep.id]
    assert set(KnowledgeChunk.objects.for_org(org).values_list("document_id", flat=True)) == {keep.id}
    assert KnowledgeChunk.objects.for_org(other_org).filter(document=theirs).count() == len(chunk_text(LONG_TEXT))
    do_delete_knowledge(doc)  # already gone: nothing happens


# --- re-embedding ----------------------------------------------------------------------------


def make_stale(doc, name: str = "old-embedder") -> None:
    """Pretend `doc` was embedded by another embedder: other vectors and another name."""
    old = HashingEmbedder(ngram_sizes=(2,))
    chunks = list(KnowledgeChunk.objects.for_org(doc.organization_id).filter(document=doc))
    for chunk, vector in zip(chunks, old.embed([c.text for c in chunks]), strict=True):
        chunk.embedding = vector
    KnowledgeChunk.objects.for_org(doc.organization_id).bulk_update(chunks, ["embedding"])
    KnowledgeDoc.objects.for_org(doc.organization_id).filter(id=doc.id).update(embedder=name)


def embeddings_match_current(doc) -> bool:
    current = HashingEmbedder()
    for text, vector in (
        KnowledgeChunk.objects.for_org(doc.organization_id).filter(document=doc).values_list("text", "embedding")
    ):
        if list(vector) != pytest.approx(current.embed_one(text), abs=1e-6):
            return False
    return True


def test_reembed_updates_stale_documents_of_one_org_and_is_idempotent(org, other_org):
    docs = [add(org, LONG_TEXT, title="A"), add(org, BRAND_TEXT, title="B")]
    fresh = add(org, "Schon aktuell.", title="C")
    theirs = add(other_org, BRAND_TEXT)
    for doc in (*docs, theirs):
        make_stale(doc)
    assert not embeddings_match_current(docs[0])

    embedder = CountingEmbedder()
    report = do_reembed_all(org, embedder=embedder)
    assert (report.documents, report.skipped, report.remaining) == (2, 0, 0)
    assert report.chunks == embedder.texts == sum(d.chunks.count() for d in docs)
    for doc in docs:
        doc.refresh_from_db()
        assert doc.embedder == embedder.name and embeddings_match_current(doc)
    assert embeddings_match_current(fresh)
    theirs.refresh_from_db()
    assert theirs.embedder == "old-embedder" and not embeddings_match_current(theirs)  # another org

    again = CountingEmbedder()
    report = do_reembed_all(org, embedder=again)
    assert (report.documents, report.chunks, again.texts) == (0, 0, 0)


def test_reembed_is_resumable_and_covers_all_orgs(org, other_org):
    docs = [add(org, BRAND_TEXT, title=str(i)) for i in range(3)] + [add(other_org, BRAND_TEXT)]
    for doc in docs:
        make_stale(doc)
    first = do_reembed_all(limit=2)  # e.g. interrupted after two documents
    assert (first.documents, first.remaining) == (2, 2)
    rest = do_reembed_all()
    assert (rest.documents, rest.remaining) == (2, 0)
    assert all(embeddings_match_current(doc) for doc in docs)


def test_reembed_job_through_the_worker(org, other_org, worker):
    doc = add(org, LONG_TEXT)
    theirs = add(other_org, BRAND_TEXT)
    make_stale(doc)
    make_stale(theirs)

    job = knowledge_actions.do_enqueue_reembed_knowledge(org)
    assert (job.organization, job.kind, job.payload) == (org, "reembed_knowledge", {"organization_id": str(org.id)})
    run = wait_for_run(job.id, JobStatus.SUCCEEDED, JobStatus.DEAD)
    assert run.status == JobStatus.SUCCEEDED, run.last_error
    assert run.progress == 100 and "1 document re-embedded" in run.step
    doc.refresh_from_db()
    assert doc.embedder == HashingEmbedder().name and embeddings_match_current(doc)
    theirs.refresh_from_db()
    assert theirs.embedder == "old-embedder"

    # Idempotent: a second run (here for every organization) redoes nothing of `org`.
    everything = knowledge_actions.do_enqueue_reembed_knowledge()
    run = wait_for_run(everything.id, JobStatus.SUCCEEDED, JobStatus.DEAD)
    assert run.status == JobStatus.SUCCEEDED and run.organization is None
    assert "1 document re-embedded" in run.step  # only the other organization's document
    theirs.refresh_from_db()
    assert theirs.embedder == HashingEmbedder().name and embeddings_match_current(theirs)
    again = wait_for_run(knowledge_actions.do_enqueue_reembed_knowledge(org).id, JobStatus.SUCCEEDED, JobStatus.DEAD)
    assert again.status == JobStatus.SUCCEEDED and "0 documents re-embedded" in again.step
    assert JobRun.objects.for_org(org).filter(kind="reembed_knowledge").count() == 2
