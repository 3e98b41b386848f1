"""Knowledge retrieval speed: `python -m bench.knowledge [--chunks N] [--repeat N] [--k N]`.

Loads `--chunks` chunks (short German/English phrases with their `HashingEmbedder` vectors; half
in one project, a quarter in another, a quarter organization-wide) into a throwaway organization,
runs ANALYZE and times `apps.ai.knowledge.retrieve()` (query embedding, the HNSW scan with
iterative filtering, the document lookup) with and without a project. The baseline, measured in
the same run, is the exact answer: the same query ordered by an expression no index serves (a
scan of the organization's rows and a top-k sort). `recall_at_k` is the share of the exact top k
that `retrieve` found.

Everything runs in one transaction that is rolled back at the end, so the organization and its
chunks never become visible to anyone else. To load quickly, the HNSW index is dropped inside
that transaction and rebuilt after the load (the rollback restores the original); when another
session holds the table, the chunks are loaded with the live index instead (slower).
"""

import argparse
import random
import sys
import time
import uuid

from bench.common import emit, p95_ms, setup_django, time_calls

WORDS = (
    "kaffee röstung alpen marke bohne espresso milch crema morgen genuss tasse filter frisch aroma berg "
    "sonne winter sommer herbst frühling video hook trend tanz musik lachen rezept kuchen schokolade "
    "haselnuss vanille coffee roast mountain brand bean morning cup fresh summer dance recipe chocolate "
    "nachhaltig fairtrade barista latte cappuccino hafermilch büro team wochenende angebot rabatt verbot"
).split()


def phrases(n: int, seed: int, words: int = 6) -> list[str]:
    rnd = random.Random(seed)
    return [" ".join(rnd.choice(WORDS) for _ in range(words)) for _ in range(n)]


def vector_literal(vector: list[float]) -> str:
    return "[" + ",".join(map(repr, vector)) + "]"


def copy_chunks(rows) -> int:
    """COPY `(document_id, organization_id, project_id, position, text, vector)` rows into the chunk table."""
    from django.db import connection

    count = 0
    with connection.cursor() as cursor:
        sql = "COPY ai_knowledgechunk (document_id, organization_id, project_id, position, text, embedding) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for document_id, organization_id, project_id, position, text, vector in rows:
                copy.write_row((document_id, organization_id, project_id, position, text, vector_literal(vector)))
                count += 1
    return count


def without_hnsw_index(load) -> bool:
    """Run `load()` with the HNSW index dropped, then rebuild it (inside the caller's transaction).
    Returns False (and loads with the live index) when the table is busy elsewhere."""
    from django.db import OperationalError, connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            cursor.execute("DROP INDEX knowledge_chunk_hnsw")
    except OperationalError:
        load()
        return False
    load()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # CREATE INDEX refuses pending FK checks
        cursor.execute(
            "CREATE INDEX knowledge_chunk_hnsw ON ai_knowledgechunk "
            "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
        )
    return True


def load_corpus(org, chunks: int, projects: list, seed: int = 7, per_document: int = 50) -> None:
    """`chunks` chunks for `org`: documents of `per_document` chunks each, spread over `projects`
    (None = organization-wide) in turn."""
    from apps.ai.embeddings import HashingEmbedder
    from apps.ai.models import KnowledgeDoc

    embedder = HashingEmbedder()
    texts = phrases(chunks, seed)
    vectors = embedder.embed(texts)
    kinds = list(KnowledgeDoc.Kind.values)
    documents = KnowledgeDoc.objects.bulk_create(
        [
            KnowledgeDoc(
                organization=org,
                project=projects[i % len(projects)],
                kind=kinds[i % len(kinds)],
                title=f"Bench document {i}",
                content="(bench)",
                embedder=embedder.name,
            )
            for i in range((chunks + per_document - 1) // per_document)
        ]
    )

    def rows():
        for i, (text, vector) in enumerate(zip(texts, vectors, strict=True)):
            doc = documents[i // per_document]
            yield doc.id, org.id, doc.project_id, i % per_document, text, vector

    copy_chunks(rows())


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ai_knowledgedoc")
        cursor.execute("ANALYZE ai_knowledgechunk")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    setup_django()

    from django.db import transaction

    from apps.ai import knowledge
    from apps.ai.embeddings import HashingEmbedder
    from apps.orgs.models import Organization
    from apps.projects.models import Project

    embedder = HashingEmbedder()
    queries = phrases(50, seed=99, words=3)
    with transaction.atomic():
        tag = uuid.uuid4().hex[:8]
        org = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
        alpha = Project.objects.create(organization=org, name="Alpha", slug="alpha")
        beta = Project.objects.create(organization=org, name="Beta", slug="beta")
        start = time.perf_counter()
        fast = without_hnsw_index(lambda: load_corpus(org, args.chunks, [alpha, alpha, beta, None]))
        analyze()
        load_s = time.perf_counter() - start
        plan = knowledge.explain_retrieve(org, queries[0], k=args.k)

        def cycle(fn):
            state = {"i": 0}

            def call():
                state["i"] += 1
                return fn(queries[state["i"] % len(queries)])

            return call

        def exact(query, project=None):
            vector = embedder.embed([query])[0]
            return list(knowledge.exact_retrieval_queryset(org, vector, project=project, k=args.k))

        found = expected = 0
        for query in queries:
            exact_ids = {row["id"] for row in exact(query)}
            with knowledge.hnsw_search(args.k):
                vector = embedder.embed([query])[0]
                got = {row["id"] for row in knowledge.retrieval_queryset(org, vector, k=args.k)}
            found += len(exact_ids & got)
            expected += len(exact_ids)

        baseline = p95_ms(time_calls(cycle(exact), args.repeat))
        with_project = p95_ms(
            time_calls(cycle(lambda q: knowledge.retrieve(org, q, project=alpha, k=args.k)), args.repeat)
        )
        plain = p95_ms(time_calls(cycle(lambda q: knowledge.retrieve(org, q, k=args.k)), args.repeat))

        emit("knowledge", "chunks", args.chunks, "count", better="higher")
        emit("knowledge", "load_s", load_s, "s")
        emit("knowledge", "plan_uses_hnsw", int("knowledge_chunk_hnsw" in plan), "count", target=1, better="higher")
        emit("knowledge", "recall_at_k", found / expected if expected else 0, "ratio", target=0.9, better="higher")
        emit("knowledge", "exact_scan_p95_ms", baseline, "ms")
        emit("knowledge", "retrieve_project_p95_ms", with_project, "ms", target=50)
        emit("knowledge", "retrieve_ratio_to_exact_scan", plain / baseline, "ratio", target=1)
        emit("knowledge", "retrieve_p95_ms", plain, "ms", target=50)
        if not fast:
            print("note: the chunk table was busy; loaded with the live HNSW index", file=sys.stderr)
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
