"""The similarity guard: no near-duplicate hooks or captions within a plan or against a
project's recent history.

    guard = SimilarityGuard(org, project, "hook")
    result = guard.check("3 Fehler beim Kaffeekochen", within=other_hooks_of_this_plan)
    if not result.ok:
        ...  # regenerate; result.nearest_text / nearest_source say what it collides with
    results = guard.check_many(hooks)      # each against the history and the earlier ones
    guard.remember(hook, source=f"posts.PostItem:{post.id}")

Texts are embedded with the configured embedder (`get_embedder()`); similarity is cosine
similarity (1 = same direction). A text is rejected when its similarity to the nearest text
reaches `threshold` (`VF_SIMILARITY_THRESHOLD`). The history is the project's
`SimilarityEntry` rows of the same kind from the last `history_days` days
(`VF_SIMILARITY_HISTORY_DAYS`), searched nearest-first by pgvector's cosine distance
(`CosineDistance`: `ORDER BY embedding <=> query LIMIT k`) so the HNSW index
`similarity_entry_hnsw` serves it. The scan runs with iterative index scans (pgvector ≥ 0.8,
`SET LOCAL hnsw.iterative_scan = relaxed_order`, `hnsw.ef_search = EF_SEARCH`), so the
organization/project/kind/date filter does not starve it; when it returns fewer than
`CANDIDATES` rows (a small history, or the scan gave up) an exact scan of the project's rows
settles it. For small histories the planner picks an exact scan by itself.

Speed: the query is compiled by the ORM once per guard, and each check is one round trip to
the database: the session settings, the query and the restoring of the previous settings go
as one multi-statement query (client-side binding, Django's default for psycopg 3), which
PostgreSQL runs in one transaction. `python -m bench.similarity` measures it on 100,000 rows.

Tenant isolation: the guard only ever reads and writes the rows of its own organization and
project; the project must belong to the organization.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import ExpressionWrapper, FloatField, Value
from django.utils import timezone
from pgvector.django import CosineDistance

from apps.ai.embeddings import Embedder, get_embedder, normalise
from apps.ai.models import SimilarityEntry

INDEX_NAME = "similarity_entry_hnsw"
CANDIDATES = 3  # rows the index scan returns; relaxed_order may give the nearest slightly out of order
# Above pgvector's default 40 for recall (a missed near-duplicate costs more than a millisecond),
# low enough that the planner still prefers the index over an exact scan from a few thousand rows.
EF_SEARCH = 64
MAX_SCAN_TUPLES = 20_000  # how far an iterative scan may go before giving up (pgvector's default)


@dataclass(frozen=True)
class GuardResult:
    """`ok` is False for a near-duplicate. `similarity` is the cosine similarity to the nearest
    text found (0 when there is none); `nearest_source` is the stored entry's source for history
    hits and `"batch:<index>"` for a text of the batch (`within`, or an earlier text in
    `check_many`)."""

    ok: bool
    similarity: float
    nearest_text: str | None
    nearest_source: str | None


_SETTINGS = ("iterative_scan", "ef_search", "max_scan_tuples")
_RESTORE_SQL = "SELECT " + ", ".join(
    f"set_config('hnsw.{name}', current_setting('vf.similarity_previous_{name}'), true)" for name in _SETTINGS
)


def _session_statements(ef_search: int) -> list[str]:
    """`SET LOCAL` of the HNSW settings, keeping the previous values in placeholder settings
    (`vf.similarity_previous_*`) so `_RESTORE_SQL` can put them back."""
    values = {"iterative_scan": "relaxed_order", "ef_search": int(ef_search), "max_scan_tuples": MAX_SCAN_TUPLES}
    keep = ", ".join(
        f"set_config('vf.similarity_previous_{name}', current_setting('hnsw.{name}'), true)" for name in _SETTINGS
    )
    change = ", ".join(f"set_config('hnsw.{name}', '{values[name]}', true)" for name in _SETTINGS)
    # The cast loads pgvector first, so its settings exist and have their real values.
    return ["SELECT '[0]'::vector", f"SELECT {keep}", f"SELECT {change}"]


@contextmanager
def hnsw_session(ef_search: int = EF_SEARCH):
    """A block in which HNSW scans filter iteratively (pgvector ≥ 0.8) with this `ef_search`.

    Outside a transaction this opens one (`SET LOCAL` ends with it). Inside the caller's
    transaction `SET LOCAL` would outlive the block, so the previous values are put back
    afterwards (on an error the caller's rollback restores them).
    """
    nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            for statement in _session_statements(ef_search):
                cursor.execute(statement)
        yield
        if nested:
            with connection.cursor() as cursor:
                cursor.execute(_RESTORE_SQL)


# Stand-ins for the query vector and the date limit while the history query is compiled.
_VECTOR_MARK = "[vf-similarity-query-vector]"
_SINCE_MARK = datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=UTC)


def _vector_text(vector: Sequence[float]) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector) + "]"


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _unit(vector: list[float]) -> list[float] | None:
    norm = _dot(vector, vector) ** 0.5
    return [x / norm for x in vector] if norm else None


class SimilarityGuard:
    def __init__(
        self,
        org,
        project,
        kind: str,
        *,
        threshold: float | None = None,
        history_days: int | None = None,
        embedder: Embedder | None = None,
        ef_search: int = EF_SEARCH,
    ):
        if project is None or project.organization_id != org.id:
            raise ValueError("The project belongs to another organization.")
        kind = str(kind)
        if kind not in SimilarityEntry.Kind.values:
            raise ValueError(f"Unknown similarity kind {kind!r}; expected one of {SimilarityEntry.Kind.values}.")
        threshold = settings.VF_SIMILARITY_THRESHOLD if threshold is None else float(threshold)
        if not 0 <= threshold <= 1:
            raise ValueError("The similarity threshold must be between 0 and 1.")
        history_days = settings.VF_SIMILARITY_HISTORY_DAYS if history_days is None else int(history_days)
        if history_days < 1:
            raise ValueError("history_days must be at least 1.")
        self.org = org
        self.project = project
        self.kind = kind
        self.threshold = threshold
        self.history_days = history_days
        self.embedder = embedder or get_embedder()
        self.ef_search = max(CANDIDATES, int(ef_search))
        self._sql: dict[bool, tuple[str, list, int, int]] = {}

    # --- embeddings ---------------------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> list[list[float] | None]:
        """Unit vectors of `texts`; None for a text without one (empty, only punctuation)."""
        vectors: list[list[float] | None] = [None] * len(texts)
        todo = [i for i, text in enumerate(texts) if normalise(text or "")]
        if todo:
            for i, vector in zip(todo, self.embedder.embed([texts[i] for i in todo]), strict=True):
                vectors[i] = _unit(list(vector))
        return vectors

    # --- queries --------------------------------------------------------------------------------

    def scope(self, since=None):
        """The entries the guard compares against: this organization, project and kind, recent."""
        since = since or timezone.now() - timedelta(days=self.history_days)
        return SimilarityEntry.objects.filter(
            organization=self.org, project=self.project, kind=self.kind, created_at__gte=since
        )

    def _compiled(self, exact: bool) -> tuple[str, list, int, int]:
        """The history query as SQL, compiled once per guard: the scope, nearest first by cosine
        distance (`ORDER BY embedding <=> query LIMIT k`, which the HNSW index serves), or with
        `exact` ordered by an expression no index can serve (an exact scan of the scope). Returns
        the SQL, its parameters and where the query vector and the date limit go in them."""
        compiled = self._sql.get(exact)
        if compiled is None:
            distance = CosineDistance("embedding", Value(_VECTOR_MARK))
            if exact:
                distance = ExpressionWrapper(distance + Value(0.0), output_field=FloatField())
            queryset = (
                self.scope(since=_SINCE_MARK)
                .annotate(distance=distance)
                .order_by("distance")
                .values_list("text", "source", "distance")[:CANDIDATES]
            )
            queryset._check_scope()  # the tenant safety net, as if it ran through the ORM
            sql, params = queryset.query.sql_with_params()
            params = list(params)
            compiled = (sql, params, params.index(_VECTOR_MARK), params.index(_SINCE_MARK))
            self._sql[exact] = compiled
        return compiled

    def _sql_and_params(self, vector: list[float], exact: bool = False) -> tuple[str, list]:
        sql, params, vector_at, since_at = self._compiled(exact)
        params = list(params)
        params[vector_at] = _vector_text(vector)
        params[since_at] = timezone.now() - timedelta(days=self.history_days)
        return sql, params

    def _rows(self, vector: list[float], exact: bool = False) -> list[tuple[str, str, float]]:
        sql, params = self._sql_and_params(vector, exact)
        with connection.cursor() as cursor:
            if exact:
                cursor.execute(sql, params)
                return cursor.fetchall()
            if isinstance(cursor.cursor, psycopg.ClientCursor):
                # One round trip: the session settings, the query, the old settings back (the
                # statements of one simple query run in one transaction, so SET LOCAL holds).
                statements = [*_session_statements(self.ef_search), sql, _RESTORE_SQL]
                cursor.execute(";".join(statements), params)
                for _ in range(3):
                    cursor.nextset()
                return cursor.fetchall()
        with hnsw_session(self.ef_search), connection.cursor() as cursor:  # server-side binding
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _nearest_history(self, vector: list[float]) -> tuple[float, str | None, str | None]:
        rows = self._rows(vector)
        if len(rows) < CANDIDATES:  # a small history, or the iterative scan gave up
            rows = self._rows(vector, exact=True)
        if not rows:
            return 0.0, None, None
        text, source, distance = min(rows, key=lambda row: row[2])
        return 1.0 - float(distance), text, source

    def explain(self, text: str, *, analyze: bool = False) -> str:
        """EXPLAIN of the history query for `text`, under the guard's session settings."""
        (vector,) = self.embed([text])
        if vector is None:
            raise ValueError("The text has no embedding.")
        sql, params = self._sql_and_params(vector)
        with hnsw_session(self.ef_search), connection.cursor() as cursor:
            cursor.execute(("EXPLAIN ANALYZE " if analyze else "EXPLAIN ") + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())

    # --- checks ---------------------------------------------------------------------------------

    def _result(self, similarity: float, text: str | None, source: str | None) -> GuardResult:
        similarity = max(0.0, min(1.0, similarity))
        return GuardResult(
            ok=similarity < self.threshold,
            similarity=round(similarity, 6),
            nearest_text=text,
            nearest_source=source,
        )

    def _decide(self, vector, batch: Iterable[tuple[int, str, list[float]]]) -> GuardResult:
        best = (0.0, None, None)
        for index, other_text, other in batch:
            similarity = _dot(vector, other)
            if similarity > best[0]:
                best = (similarity, other_text, f"batch:{index}")
        history = self._nearest_history(vector)
        if history[1] is not None and history[0] >= best[0]:
            best = history
        return self._result(*best)

    def check(self, text: str, *, within: Sequence[str] = ()) -> GuardResult:
        """Is `text` new enough? Compared with the other texts of the batch (`within`, which
        should not contain `text` itself) and with the project's recent history."""
        within = list(within)
        vector, *others = self.embed([text, *within])
        if vector is None:
            return self._result(0.0, None, None)
        batch = [(i, within[i], other) for i, other in enumerate(others) if other is not None]
        return self._decide(vector, batch)

    def check_many(self, texts: Sequence[str]) -> list[GuardResult]:
        """Check a batch: each text against the history and against the earlier texts of the
        batch that passed (a rejected text will be replaced, so it does not block later ones)."""
        vectors = self.embed(list(texts))
        accepted: list[tuple[int, str, list[float]]] = []
        results: list[GuardResult] = []
        for i, (text, vector) in enumerate(zip(texts, vectors, strict=True)):
            if vector is None:
                results.append(self._result(0.0, None, None))
                continue
            result = self._decide(vector, accepted)
            results.append(result)
            if result.ok:
                accepted.append((i, text, vector))
        return results

    # --- memory ---------------------------------------------------------------------------------

    def remember(self, text: str, source: str = "") -> SimilarityEntry:
        """Store `text` in the project's history (e.g. once a post is planned or published)."""
        (entry,) = self.remember_many([(text, source)])
        return entry

    def remember_many(self, items: Iterable[tuple[str, str]]) -> list[SimilarityEntry]:
        items = list(items)
        vectors = self.embed([text for text, _ in items])
        if any(vector is None for vector in vectors):
            raise ValueError("Cannot remember a text without an embedding (empty or only punctuation).")
        entries = [
            SimilarityEntry(
                organization=self.org,
                project=self.project,
                kind=self.kind,
                text=text,
                source=(source or "")[:200],
                embedding=vector,
            )
            for (text, source), vector in zip(items, vectors, strict=True)
        ]
        return SimilarityEntry.objects.bulk_create(entries)
