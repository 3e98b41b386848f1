"""The similarity guard: near-duplicates are rejected within a batch and against the project's
recent history, different texts pass, the threshold and the history window hold, tenants and
projects never see each other's history, and the history query uses the HNSW index."""

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from apps.ai.embeddings import HashingEmbedder, cosine
from apps.ai.models import SimilarityEntry
from apps.ai.similarity import INDEX_NAME, GuardResult, SimilarityGuard
from apps.projects.models import Project

HOOK = "3 Fehler beim Kaffeekochen, die fast alle machen"
NEAR = "5 Fehler beim Kaffeekochen, die fast alle machen!"  # cosine ≈ 0.96 with the local embedder
OTHER = "Der größte Mythos über Filterkaffee – und was wirklich stimmt"
ENGLISH = "POV: you try pour-over coffee for the first time"


@pytest.fixture
def project(org):
    return Project.objects.create(organization=org, name="Alpenglow", slug="alpenglow")


@pytest.fixture
def sibling(org):
    return Project.objects.create(organization=org, name="Nordlicht", slug="nordlicht")


@pytest.fixture
def foreign(other_org):
    return Project.objects.create(organization=other_org, name="Alpenglow", slug="alpenglow")


@pytest.fixture
def guard(org, project):
    return SimilarityGuard(org, project, "hook")


def test_default_settings(guard):
    assert settings.VF_SIMILARITY_THRESHOLD == 0.9
    assert settings.VF_SIMILARITY_HISTORY_DAYS == 90
    assert guard.threshold == 0.9 and guard.history_days == 90


def test_identical_and_near_identical_hooks_are_rejected_within_a_batch(guard):
    same = guard.check(HOOK, within=[OTHER, HOOK])
    assert same == GuardResult(ok=False, similarity=1.0, nearest_text=HOOK, nearest_source="batch:1")
    near = guard.check(NEAR, within=[OTHER, HOOK, ENGLISH])
    assert not near.ok and 0.9 <= near.similarity < 1 and near.nearest_text == HOOK
    # Case, punctuation and spacing do not make a new hook.
    assert not guard.check("  3 FEHLER beim Kaffeekochen – die fast alle machen?! ", within=[HOOK]).ok


def test_different_hooks_pass(guard):
    result = guard.check(OTHER, within=[HOOK, ENGLISH])
    assert result.ok and result.similarity < 0.5
    assert guard.check(HOOK) == GuardResult(ok=True, similarity=0.0, nearest_text=None, nearest_source=None)


def test_near_duplicates_of_the_history_are_rejected(guard):
    guard.remember(HOOK, source="posts.PostItem:1")
    guard.remember(ENGLISH, source="posts.PostItem:2")
    result = guard.check(NEAR)
    assert not result.ok
    assert result.nearest_text == HOOK and result.nearest_source == "posts.PostItem:1"
    assert result.similarity == pytest.approx(cosine(*HashingEmbedder().embed([HOOK, NEAR])), abs=1e-4)
    assert not guard.check(HOOK).ok and guard.check(HOOK).similarity == pytest.approx(1.0, abs=1e-5)
    assert guard.check(OTHER).ok


def test_the_nearer_of_batch_and_history_is_reported(guard):
    guard.remember(NEAR, source="history")
    result = guard.check(HOOK, within=[HOOK])
    assert result.nearest_source == "batch:0" and result.similarity == pytest.approx(1.0)
    result = guard.check(NEAR, within=[HOOK])
    assert result.nearest_source == "history"


def test_check_many(guard):
    guard.remember(ENGLISH, source="old")
    texts = [HOOK, OTHER, NEAR, ENGLISH + "!", "", "Wie lagert man Kaffeebohnen richtig?"]
    results = guard.check_many(texts)
    assert [r.ok for r in results] == [True, True, False, False, True, True]
    assert results[2].nearest_source == "batch:0" and results[2].nearest_text == HOOK
    assert results[3].nearest_source == "old"
    assert results[4].similarity == 0.0


def test_a_rejected_text_does_not_block_later_ones(guard):
    """check_many compares with the earlier texts that passed: a rejected one will be replaced."""
    guard.remember(HOOK, source="old")
    results = guard.check_many([HOOK, HOOK.replace("3", "4")])
    assert [r.nearest_source for r in results] == ["old", "old"]


def test_threshold_is_respected(org, project):
    similarity = cosine(*HashingEmbedder().embed([HOOK, OTHER.replace("Mythos", "Fehler")]))
    strict = SimilarityGuard(org, project, "hook", threshold=similarity - 0.01)
    lenient = SimilarityGuard(org, project, "hook", threshold=similarity + 0.01)
    text = OTHER.replace("Mythos", "Fehler")
    assert not strict.check(text, within=[HOOK]).ok
    assert lenient.check(text, within=[HOOK]).ok
    with override_settings(VF_SIMILARITY_THRESHOLD=0.99):
        assert SimilarityGuard(org, project, "hook").check(NEAR, within=[HOOK]).ok
    with override_settings(VF_SIMILARITY_THRESHOLD=0.5):
        assert not SimilarityGuard(org, project, "hook").check(NEAR, within=[HOOK]).ok


def test_history_window(org, project, guard):
    guard.remember(HOOK, source="old")
    SimilarityEntry.objects.for_org(org).filter(project=project).update(created_at=timezone.now() - timedelta(days=91))
    assert guard.check(HOOK).ok
    assert not SimilarityGuard(org, project, "hook", history_days=100).check(HOOK).ok


def test_kinds_are_separate(org, project, guard):
    SimilarityGuard(org, project, "caption").remember(HOOK)
    assert guard.check(HOOK).ok
    assert not SimilarityGuard(org, project, "caption").check(HOOK).ok


def test_other_projects_and_organizations_never_match(org, other_org, project, sibling, foreign, guard):
    SimilarityGuard(org, sibling, "hook").remember(HOOK, source="sibling")
    SimilarityGuard(other_org, foreign, "hook").remember_many([(HOOK, "foreign"), (NEAR, "foreign")])
    assert guard.check(HOOK) == GuardResult(ok=True, similarity=0.0, nearest_text=None, nearest_source=None)
    assert guard.check_many([HOOK, OTHER])[0].ok
    assert SimilarityGuard(org, sibling, "hook").check(HOOK).nearest_source == "sibling"
    assert SimilarityGuard(other_org, foreign, "hook").check(HOOK).nearest_source == "foreign"
    # The history query itself is scoped to the organization and the project.
    sql = str(guard.scope().query)
    assert str(org.id).replace("-", "") in sql.replace("-", "") and str(project.id).replace("-", "") in sql.replace(
        "-", ""
    )


def test_other_organizations_history_never_matches_with_the_index(org, other_org, project, foreign, guard):
    """Even when the other tenant's rows are the nearest in the whole index."""
    SimilarityGuard(other_org, foreign, "hook").remember_many([(f"{HOOK} {i}", "foreign") for i in range(50)])
    guard.remember(OTHER, source="ours")
    result = guard.check(HOOK)
    assert result.ok and result.nearest_source == "ours"


def test_a_project_of_another_organization_is_refused(org, foreign):
    with pytest.raises(ValueError, match="another organization"):
        SimilarityGuard(org, foreign, "hook")


@pytest.mark.parametrize(("option", "value"), [("threshold", 1.5), ("threshold", -0.1), ("history_days", 0)])
def test_bad_options_are_refused(org, project, option, value):
    with pytest.raises(ValueError):
        SimilarityGuard(org, project, "hook", **{option: value})


def test_unknown_kind_is_refused(org, project):
    with pytest.raises(ValueError, match="Unknown similarity kind"):
        SimilarityGuard(org, project, "title")


def test_texts_without_an_embedding(guard):
    assert guard.check("  !!! ") == GuardResult(ok=True, similarity=0.0, nearest_text=None, nearest_source=None)
    assert guard.check(HOOK, within=["", "…"]).ok
    with pytest.raises(ValueError, match="without an embedding"):
        guard.remember("")


def test_remember_stores_scoped_rows(org, project, guard):
    entry = guard.remember(HOOK, source="x" * 300)
    stored = SimilarityEntry.objects.for_org(org).get(pk=entry.pk)
    assert (stored.project_id, stored.kind, stored.text, len(stored.source)) == (project.id, "hook", HOOK, 200)
    assert len(stored.embedding) == settings.VF_EMBEDDING_DIMENSION


def test_session_settings_are_put_back_inside_a_transaction(guard):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT '[0]'::vector, current_setting('hnsw.iterative_scan'), current_setting('hnsw.ef_search')"
        )
        before = cursor.fetchone()[1:]
        guard.remember(HOOK)
        guard.check(NEAR)
        cursor.execute("SELECT current_setting('hnsw.iterative_scan'), current_setting('hnsw.ef_search')")
        assert cursor.fetchone() == before


def test_the_history_query_uses_the_hnsw_index(org, project, guard):
    """3,000 stored hooks of one project, ANALYZEd: EXPLAIN shows the HNSW index with no planner
    setting forced (below about 2,500 rows the planner rightly prefers an exact scan at the
    guard's ef_search), and the index scan finds the near-duplicate."""
    topics = [
        "Filterkaffee", "Mahlgrad", "Espresso", "Cold Brew", "Matcha", "Hafermilch", "Latte Art", "Tee", "Kakao",
        "Chai",
    ]  # fmt: skip
    templates = [
        "{n} Fehler bei {t}, die fast alle machen",
        "So klappt {t} in {n} Schritten",
        "POV: Du probierst {t} zum ersten Mal (Teil {n})",
        "Der größte Mythos über {t} – Folge {n}",
        "{t}: {n} Dinge, die ich gern früher gewusst hätte",
        "Top {n}: {t} für Einsteiger",
    ]
    texts = [t.format(n=n, t=topic) for t in templates for topic in topics for n in range(1, 51)]
    assert len(texts) == 3000
    guard.remember_many((text, f"seed:{i}") for i, text in enumerate(texts))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SimilarityEntry._meta.db_table}")
    plan = guard.explain("So klappt Mahlgrad in 7 Schritten!")
    assert INDEX_NAME in plan, plan
    result = guard.check("So klappt Mahlgrad in 7 Schritten!")
    assert not result.ok and result.nearest_text == "So klappt Mahlgrad in 7 Schritten"
    assert guard.check("Warum Kaffee im Kühlschrank nichts verloren hat").ok


@pytest.mark.parametrize(("value", "message"), [("1.5", "between 0 and 1"), ("-1", "at least 0"), ("x", "a number")])
def test_threshold_setting_is_validated_at_start_up(value, message):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VF_", "DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "viralforge.settings",
        "DATABASE_URL": "postgres://nobody@localhost/none",  # parsed, never connected
        "REDIS_URL": "redis://localhost:1/0",
        "VF_SIMILARITY_THRESHOLD": value,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import viralforge.settings"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Environment variable VF_SIMILARITY_THRESHOLD must be" in result.stderr
    assert message in result.stderr


def _settings_during_the_history_query(guard) -> list[tuple]:
    """The HNSW settings in force when each history query runs (the index query first; an exact
    re-check may follow), read just before it through Django's execute_wrapper: an observer,
    the queries themselves are unchanged."""
    seen = []

    def observe(execute, sql, params, many, context):
        if "<=>" in sql and "set_config" not in sql:  # the history query on its own (server-side binding)
            with connection.cursor() as probe:
                probe.execute("SELECT current_setting('hnsw.iterative_scan'), current_setting('hnsw.ef_search')")
                seen.append(probe.fetchone())
        elif "<=>" in sql:  # one round trip: settings, query, restore (client-side binding)
            seen.append(tuple(re.findall(r"set_config\('hnsw\.(?:iterative_scan|ef_search)', '([^']*)'", sql)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(observe):
        guard.check(NEAR)
    return seen


def test_the_history_query_runs_under_the_session_settings(guard):
    guard.remember(HOOK, source="stored")
    assert _settings_during_the_history_query(guard)[0] == ("relaxed_order", "64")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('hnsw.iterative_scan'), current_setting('hnsw.ef_search')")
        assert cursor.fetchone() == ("off", "40")  # put back inside the caller's transaction


@pytest.mark.django_db(transaction=True)
def test_the_history_query_runs_under_the_session_settings_in_autocommit(guard):
    assert connection.get_autocommit() and not connection.in_atomic_block
    guard.remember(HOOK, source="committed")
    assert _settings_during_the_history_query(guard)[0] == ("relaxed_order", "64")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('hnsw.iterative_scan'), current_setting('hnsw.ef_search')")
        assert cursor.fetchone() == ("off", "40")  # SET LOCAL ended with the statement's transaction
    guard.remember(HOOK, source="committed")
    assert guard.check(NEAR).nearest_source == "committed"
