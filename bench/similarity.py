"""Similarity guard speed on a large history: `python -m bench.similarity [--rows N] [--checks N]`.

Stores `--rows` hooks (default 100,000) for one throwaway project: `--distinct` German and
English hooks from the offline format library are embedded with the local HashingEmbedder, and
the remaining rows are small perturbations of those vectors (so setup stays well under a
minute). Rows are loaded with a binary COPY; the HNSW index is dropped before the load and
built again afterwards (a bulk build is far faster than 100,000 incremental inserts), then the
table is ANALYZEd. It then times `--checks` guard checks (half near-duplicates of stored hooks,
half new hooks), confirms with EXPLAIN that the query uses the HNSW index, and measures an
exact scan of the same rows as the baseline.

Everything runs in one transaction that is rolled back at the end: the rows, the throwaway
organization and the index rebuild disappear, the original index stays. While it runs, the
table is locked for other sessions of this database (the development database, not the tests').
"""

import argparse
import random
import re
import struct
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from bench.common import emit, p95_ms, setup_django

TOPICS = [
    "Filterkaffee", "Mahlgrad", "Bohnen lagern", "Kaffee am Arbeitsplatz", "Hafermilch", "Espresso",
    "Cold Brew", "Latte Art", "Teezeremonie", "Matcha", "Laufschuhe", "Yoga am Morgen", "Meal Prep",
    "Sauerteig", "Zimmerpflanzen", "Balkongarten", "Fahrradpflege", "Homeoffice", "Zeitmanagement",
    "Steuererklärung", "Bewerbungsgespräch", "Hautpflege", "Haarpflege", "Camping", "Wandern in den Alpen",
    "Skitouren", "Brettspiele", "Fotografie mit dem Handy", "Podcasts", "Vinyl", "Secondhand-Mode",
    "sourdough", "cold brew", "houseplants", "budget travel", "home workouts", "meal prep", "skin care",
    "remote work", "bike repair", "board games", "phone photography", "camping gear", "running shoes",
    "journaling", "coffee grinders", "tea blends", "plant-based cooking", "minimalism", "language learning",
]  # fmt: skip
NEW_TOPICS = [
    "Kombucha", "Bouldern", "Aquarien", "Töpfern", "Kräutergarten", "Stand-up-Paddling", "Origami",
    "Imkerei", "Schach", "Nachtfotografie", "beekeeping", "pottery", "chess openings", "night photography",
    "kombucha", "bouldering", "aquariums", "origami", "paddle boarding", "herb gardens",
]  # fmt: skip


def hooks(topics: list[str], count: int, rng: random.Random) -> list[str]:
    from apps.ai.offline.library import languages

    templates = [hook for data in languages().values() for spec in data.formats.values() for hook in spec.hooks]
    seen: set[str] = set()
    result: list[str] = []
    brands = ["Alpenglow", "Nordlicht", "Kiezkaffee", "Bergwerk", "Hafenliebe"]
    audience = ["Einsteiger", "Berufstätige", "Studierende", "beginners", "busy parents"]
    while len(result) < count:
        text = rng.choice(templates).render(
            topic=rng.choice(topics), n=rng.randint(3, 9), brand=rng.choice(brands), audience=rng.choice(audience)
        )
        if text not in seen:
            seen.add(text)
            result.append(text)
    return result


class RawVector(bytes):
    """A vector already in pgvector's binary format (dimension, unused, big-endian float32s)."""


def _register_raw_vector_dumper(connection) -> None:
    from psycopg.adapt import Dumper
    from psycopg.pq import Format
    from psycopg.types import TypeInfo

    connection.ensure_connection()
    info = TypeInfo.fetch(connection.connection, "vector")
    info.register(connection.connection)  # the name "vector" for COPY's set_types

    class RawVectorDumper(Dumper):
        format = Format.BINARY
        oid = info.oid

        def dump(self, obj):
            return obj

    connection.connection.adapters.register_dumper(RawVector, RawVectorDumper)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--distinct", type=int, default=3_000)
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--ef-search", type=int, default=None, help="hnsw.ef_search (default: the guard's)")
    parser.add_argument("--explain", action="store_true", help="print query plans and per-check timings to stderr")
    args = parser.parse_args()
    setup_django()

    from django.db import connection, transaction
    from pgvector import Vector

    from apps.ai.embeddings import HashingEmbedder
    from apps.ai.models import SimilarityEntry
    from apps.ai.similarity import INDEX_NAME, SimilarityGuard, hnsw_session
    from apps.orgs.models import Organization
    from apps.projects.models import Project

    rng = random.Random(42)
    started = time.perf_counter()
    stored_texts = hooks(TOPICS, min(args.distinct, args.rows), rng)
    new_texts = hooks(NEW_TOPICS, args.checks, rng)
    embedder = HashingEmbedder()
    base_vectors = embedder.embed(stored_texts)
    base_binaries = [Vector(vector).to_binary() for vector in base_vectors]  # pgvector's binary format
    dimension = len(base_vectors[0])
    table = SimilarityEntry._meta.db_table
    tag = uuid.uuid4().hex[:8]

    with transaction.atomic():
        try:
            org = Organization.objects.create(name=f"Bench similarity {tag}", slug=f"bench-sim-{tag}")
            project = Project.objects.create(organization=org, name="Bench", slug=f"bench-{tag}")
            _register_raw_vector_dumper(connection)  # binary COPY of vectors (before the cursor exists)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '20s'")
                cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [INDEX_NAME])
                (indexdef,) = cursor.fetchone()
                cursor.execute(f'DROP INDEX "{INDEX_NAME}"')  # rolled back at the end

                now = datetime.now(UTC)
                load_start = time.perf_counter()
                columns = "organization_id, project_id, kind, text, source, embedding, created_at"
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT BINARY)") as copy:
                    copy.set_types(["uuid", "uuid", "varchar", "text", "varchar", "vector", "timestamptz"])
                    for i in range(args.rows):
                        base = i % len(stored_texts)
                        vector = base_binaries[base]
                        text = stored_texts[base]
                        if i >= len(stored_texts):  # a small perturbation of a stored hook
                            vector = bytearray(vector)
                            for _ in range(6):
                                at = 4 + 4 * rng.randrange(dimension)  # after the 4-byte header
                                (value,) = struct.unpack_from(">f", vector, at)
                                struct.pack_into(">f", vector, at, value + rng.choice((-0.06, 0.06)))
                            text = f"{text} · {i // len(stored_texts)}"
                        created = now - timedelta(seconds=rng.randrange(80 * 86400))
                        row = (org.id, project.id, "hook", text, f"bench:{i}", RawVector(vector), created)
                        copy.write_row(row)
                # Django's foreign keys are deferred; CREATE INDEX needs their checks done first.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                load_s = time.perf_counter() - load_start

                index_start = time.perf_counter()
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
                cursor.execute(indexdef)
                index_s = time.perf_counter() - index_start
                cursor.execute(f"ANALYZE {table}")

            options = {"ef_search": args.ef_search} if args.ef_search else {}
            guard = SimilarityGuard(org, project, "hook", embedder=embedder, **options)
            plan = guard.explain(stored_texts[0])
            index_used = INDEX_NAME in plan

            duplicates = rng.sample(stored_texts, min(len(stored_texts), args.checks // 2))
            queries = [(text, True) for text in duplicates] + [(text, False) for text in new_texts]
            queries = queries[: args.checks]
            rng.shuffle(queries)
            for text, _ in queries[:5]:  # warm-up
                guard.check(text)
            samples, caught, duplicates_total, false_alarms, new_total = [], 0, 0, 0, 0
            for text, duplicate in queries:
                start = time.perf_counter()
                result = guard.check(text)
                samples.append(time.perf_counter() - start)
                if duplicate:
                    duplicates_total += 1
                    caught += not result.ok
                else:
                    new_total += 1
                    false_alarms += not result.ok

            if args.explain:
                print(guard.explain(new_texts[0], analyze=True), file=sys.stderr)
                for text, duplicate in queries[:20]:
                    start = time.perf_counter()
                    result = guard.check(text)
                    check_ms = 1000 * (time.perf_counter() - start)
                    analysed = guard.explain(text, analyze=True)
                    execution = re.search(r"Execution Time: ([\d.]+)", analysed).group(1)
                    buffers = re.search(r"shared hit=(\d+)", analysed).group(1)
                    print(
                        f"check {check_ms:.2f} ms, query {execution} ms, buffers {buffers}, duplicate {duplicate}, "
                        f"similarity {result.similarity:.3f}",
                        file=sys.stderr,
                    )
            exact = []
            with hnsw_session(guard.ef_search):
                for text, _ in queries[:10]:
                    (vector,) = guard.embed([text])
                    start = time.perf_counter()
                    guard._rows(vector, exact=True)
                    exact.append(time.perf_counter() - start)
        finally:
            transaction.set_rollback(True)  # drops the rows, the organization and the rebuilt index
    Organization.objects.filter(slug=f"bench-sim-{tag}").delete()  # nothing left; belt and braces
    total_s = time.perf_counter() - started

    emit("similarity", "rows", args.rows, "count")
    emit("similarity", "load_s", load_s, "s")
    emit("similarity", "hnsw_build_s", index_s, "s")
    emit("similarity", "exact_scan_p95_ms", p95_ms(exact), "ms")
    emit("similarity", "guard_vs_exact_scan_ratio", p95_ms(samples) / p95_ms(exact), "ratio")
    emit("similarity", "near_duplicates_caught_ratio", caught / max(1, duplicates_total), "ratio", 1, "higher")
    emit("similarity", "new_hooks_passed_ratio", 1 - false_alarms / max(1, new_total), "ratio", 1, "higher")
    emit("similarity", "total_s", total_s, "s", 60, "lower")
    emit("similarity", "hnsw_index_used", int(index_used), "count", 1, "higher")
    emit("similarity", "guard_p95_ms", p95_ms(samples), "ms", 20, "lower")
    if not index_used:
        print(plan)


if __name__ == "__main__":
    main()
