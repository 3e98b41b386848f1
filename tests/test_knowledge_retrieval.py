"""Retrieval: tenant isolation, project scoping, ordering, and the HNSW index on a 10k-chunk table."""

import random

import pytest
from django.db import connection, transaction

from apps.ai import knowledge
from apps.ai.embeddings import HashingEmbedder
from apps.ai.models import KnowledgeChunk, KnowledgeDoc
from apps.projects.models import Project
from bench.knowledge import WORDS, copy_chunks, load_corpus, without_hnsw_index
from tests.support.knowledge import BRAND_TEXT, add

QUERY = "Hafermilch Cappuccino Rabatt"


@pytest.fixture
def project(org):
    return Project.objects.create(organization=org, name="Alpenglow", slug="alpenglow")


@pytest.fixture
def other_project(org):
    return Project.objects.create(organization=org, name="Bergbräu", slug="bergbraeu")


def own_chunk_ids(org) -> set:
    return set(KnowledgeChunk.objects.for_org(org).values_list("id", flat=True))


def documents_of(results) -> set:
    return {chunk.document_id for chunk in results}


def near_duplicates(org, count: int, *, project=None, text: str = QUERY) -> KnowledgeDoc:
    """`count` chunks that are (almost) exactly `text`: closer to a query for `text` than anything else."""
    embedder = HashingEmbedder()
    doc = KnowledgeDoc.objects.create(
        organization=org, project=project, kind="avoid", title="Near duplicates", content=text, embedder=embedder.name
    )
    texts = [text if i % 2 else f"{text} {i}" for i in range(count)]
    vectors = embedder.embed(texts)
    copy_chunks(
        (doc.id, org.id, project.id if project else None, i, t, v)
        for i, (t, v) in enumerate(zip(texts, vectors, strict=True))
    )
    return doc


def closer_than_anything(org, count: int, seed: int = 5) -> KnowledgeDoc:
    """`count` varied chunks that each contain every word of QUERY plus three random words."""
    rnd = random.Random(seed)
    embedder = HashingEmbedder()
    doc = KnowledgeDoc.objects.create(
        organization=org, kind="avoid", title="Closer", content=QUERY, embedder=embedder.name
    )
    texts = [" ".join([QUERY, *(rnd.choice(WORDS) for _ in range(3))]) for _ in range(count)]
    vectors = embedder.embed(texts)
    copy_chunks((doc.id, org.id, None, i, t, v) for i, (t, v) in enumerate(zip(texts, vectors, strict=True)))
    return doc


# --- isolation -------------------------------------------------------------------------------


def test_identical_text_in_two_orgs_stays_in_its_org(org, other_org, project):
    mine = add(org, BRAND_TEXT)
    theirs = add(other_org, BRAND_TEXT)
    their_project = Project.objects.create(organization=other_org, name="Beta brand", slug="beta-brand")
    add(other_org, BRAND_TEXT, project=their_project)

    for scope in ({}, {"project": project}, {"kinds": ["brand_constraint"]}):
        results = knowledge.retrieve(org, "Heilwirkung Preise Videos", k=50, **scope)
        assert documents_of(results) == {mine.id}, scope
        assert len(results) == mine.chunks.count()
        assert results[0].score == pytest.approx(max(r.score for r in results))

    results = knowledge.retrieve(other_org, "Heilwirkung Preise Videos", k=50)
    assert mine.id not in documents_of(results) and theirs.id in documents_of(results)


def test_other_org_with_many_closer_chunks_does_not_crowd_out_own(org, other_org, project):
    """400 chunks of another organization are closer to the query than all of ours: the answer
    must still be ours only, and as many as we have."""
    near_duplicates(other_org, 400)
    add(org, "Wir bieten keinen Rabatt auf Cappuccino an.\n\nHafermilch kostet bei uns nichts extra.")
    add(org, "Unsere Bohnen kommen aus Brasilien.", kind="past_winner", project=project)
    own = own_chunk_ids(org)

    for scope in ({}, {"project": project}):
        results = knowledge.retrieve(org, QUERY, k=5, **scope)
        assert results, scope
        assert all(chunk.document_title != "Near duplicates" for chunk in results)
        assert len(results) == len(own)  # everything we have, though fewer than k

    closest_elsewhere = knowledge.retrieve(other_org, QUERY, k=1)[0]
    assert closest_elsewhere.score > knowledge.retrieve(org, QUERY, k=1)[0].score


def test_project_scoping(org, project, other_project):
    shared = add(org, "Alle Marken: niemals Heilversprechen machen.", title="Org-wide")
    ours = add(org, "Alpenglow: Heilversprechen über Kaffee sind verboten.", title="Ours", project=project)
    theirs = add(org, "Bergbräu: Heilversprechen über Bier sind verboten.", title="Theirs", project=other_project)

    seen_by = {
        "project": documents_of(knowledge.retrieve(org, "Heilversprechen", project=project, k=10)),
        "other": documents_of(knowledge.retrieve(org, "Heilversprechen", project=other_project, k=10)),
        "org": documents_of(knowledge.retrieve(org, "Heilversprechen", k=10)),
    }
    assert seen_by["project"] == {shared.id, ours.id}
    assert seen_by["other"] == {shared.id, theirs.id}
    assert seen_by["org"] == {shared.id, ours.id, theirs.id}


def test_kinds_filter(org):
    rule = add(org, "Kein Alkohol in Videos.", kind="brand_constraint")
    winner = add(org, "Video mit Alkohol-freiem Bier lief gut.", kind="past_winner")
    assert documents_of(knowledge.retrieve(org, "Alkohol Video", kinds=["past_winner"])) == {winner.id}
    assert documents_of(knowledge.retrieve(org, "Alkohol Video", kinds=["brand_constraint", "past_winner"])) == {
        rule.id,
        winner.id,
    }
    assert knowledge.retrieve(org, "Alkohol Video", kinds=[]) == []
    with pytest.raises(ValueError):
        knowledge.retrieve(org, "Alkohol", kinds=["gossip"])


def test_a_project_of_another_org_is_refused(org, other_org):
    foreign = Project.objects.create(organization=other_org, name="Foreign", slug="foreign")
    add(org)
    with pytest.raises(ValueError):
        knowledge.retrieve(org, "Heilwirkung", project=foreign)


def test_results_are_ordered_and_scored(org):
    doc = add(org, "Der Sonnenaufgang über der Berghütte.\n\n" + "Ganz anderes Thema: Steuern und Buchhaltung. " * 30)
    results = knowledge.retrieve(org, "Der Sonnenaufgang über der Berghütte.", k=3)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    best = results[0]
    assert best.position == 0 and best.document_id == doc.id and best.document_title == "Brand rules"
    assert best.kind == "brand_constraint" and str(best.kind_label) == "Brand constraint"
    assert 0 < best.score <= 1 and best.distance == pytest.approx(1 - best.score)
    assert 0 <= best.score_percent <= 100


@pytest.mark.parametrize("query", ["", "   ", "?!…"])
def test_queries_without_content_find_nothing(org, query):
    add(org)
    assert knowledge.retrieve(org, query) == []


def test_session_settings_are_put_back_inside_an_outer_transaction(org):
    add(org)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT '[1]'::vector")
        cursor.execute("SET LOCAL hnsw.ef_search = 55")
        assert knowledge.retrieve(org, "Heilwirkung")
        cursor.execute("SELECT current_setting('hnsw.ef_search'), current_setting('hnsw.iterative_scan')")
        assert cursor.fetchone() == ("55", "off")


# --- the HNSW index on a realistic table -----------------------------------------------------


def test_retrieval_uses_the_hnsw_index_on_10k_chunks(org, other_org, project):
    """10,000 chunks: 8,000 of `org` (half in `project`, a quarter in another project, a quarter
    organization-wide; random phrases), 2,000 of `other_org` that each contain every word of the
    query, so they are all closer to it than any chunk of `org`. Then ANALYZE, so the planner
    works from real statistics.

    Planner settings: none are forced (no `enable_seqscan = off` or the like). The query runs
    under exactly the session settings `retrieve()` uses (`knowledge.hnsw_search`, all
    `SET LOCAL`): `hnsw.iterative_scan = relaxed_order`, `hnsw.ef_search = 100`,
    `hnsw.max_scan_tuples = 20000`. With the organization holding most of the table, the planner's
    own choice is the HNSW index scan on `knowledge_chunk_hnsw`, the tenant filter applied to the
    rows it yields. The iterative scan is what makes that correct: the nearest hundreds of index
    entries all belong to `other_org`; without it the scan stops after `ef_search` candidates and
    returns no row at all (checked at the end). For a small organization the planner rightly
    prefers its organization index and an exact top-k sort; both paths filter on the organization.
    """
    other = Project.objects.create(organization=org, name="Other", slug="other")

    def load():
        load_corpus(org, 8000, [project, project, other, None], seed=3)
        closer_than_anything(other_org, 2000)

    without_hnsw_index(load)  # builds the index once after the load instead of row by row
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ai_knowledgedoc")
        cursor.execute("ANALYZE ai_knowledgechunk")

    for scope in ({}, {"project": project}):
        plan = knowledge.explain_retrieve(org, QUERY, k=5, **scope)
        assert "Index Scan using knowledge_chunk_hnsw" in plan, plan

    own = own_chunk_ids(org)
    vector = HashingEmbedder().embed([QUERY])[0]
    for scope in ({}, {"project": project}):
        with knowledge.hnsw_search(5):
            rows = list(knowledge.retrieval_queryset(org, vector, k=5, **scope))
        assert len(rows) == 5 and {row["id"] for row in rows} <= own, scope
        exact = list(knowledge.exact_retrieval_queryset(org, vector, k=5, **scope))
        assert {row["id"] for row in rows} == {row["id"] for row in exact}, scope  # what a full scan finds

        results = knowledge.retrieve(org, QUERY, k=5, **scope)
        assert len(results) == 5
        assert all(chunk.document_title.startswith("Bench document") for chunk in results)

    # The premise: all of the other organization's top 50 are closer than our best ...
    assert knowledge.retrieve(other_org, QUERY, k=50)[-1].score > results[0].score
    # ... so a plain HNSW scan (no iterative filtering) finds nothing of ours.
    with knowledge.hnsw_search(5), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('hnsw.iterative_scan', 'off', true)")
        assert list(knowledge.retrieval_queryset(org, vector, k=5)) == []


def test_falls_back_to_an_exact_scan_when_the_index_scan_comes_up_short(org, other_org, settings):
    """HNSW can return fewer than k rows (an iterative scan that reaches `hnsw.max_scan_tuples`, or a
    graph region of near-duplicates it cannot leave); `retrieve` then asks the exact query."""
    settings.VF_KNOWLEDGE_MAX_SCAN_TUPLES = 1  # the iterative scan gives up after its first round
    near_duplicates(other_org, knowledge.EF_SEARCH + 50)  # the first round sees only these
    doc = add(org, "Hafermilch gibt es ohne Aufpreis.\n\nCappuccino nur mit Bio-Milch.")
    vector = HashingEmbedder().embed([QUERY])[0]
    with connection.cursor() as cursor:  # a table this small would be scanned and sorted, not searched
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off")
    with knowledge.hnsw_search(5):
        assert list(knowledge.retrieval_queryset(org, vector, k=5)) == []  # the index scan came up short
    results = knowledge.retrieve(org, QUERY, k=5)
    assert documents_of(results) == {doc.id}
    assert len(results) == doc.chunks.count()
