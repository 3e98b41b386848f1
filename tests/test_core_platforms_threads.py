"""apps.core.platforms (the table and the counting rules) and apps.core.threads (the pool helper)."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from apps.core import platforms, threads
from apps.jobs.progress import current_job_run_id

KEYS = ["tiktok", "instagram", "youtube_shorts", "x", "linkedin", "facebook", "threads", "pinterest"]


def test_table_has_every_platform_with_its_limits():
    assert [row.key for row in platforms.platforms()] == KEYS
    assert platforms.platform("x").caption_max == 280
    assert platforms.platform("youtube_shorts").title_max == 100
    assert platforms.platform("tiktok").title_max is None
    assert platforms.platform("tiktok").counting == "utf16"
    assert platforms.platform("instagram").links_clickable is False
    assert ("x", "X") in platforms.choices()
    with pytest.raises(KeyError):
        platforms.platform("myspace")


def test_invalid_rows_are_refused_at_load():
    row = {"key": "x", "name": "X", "caption_max": 280, "hashtags_max": 1, "counting": "twitter"}
    row |= {"links_clickable": True}
    assert platforms.PlatformTable.model_validate({"platforms": {"x": row}}).platforms["x"].caption_max == 280
    for broken in ({"caption_max": -1}, {"counting": "runes"}, {"colour": "blue"}):
        with pytest.raises(ValueError):
            platforms.PlatformTable.model_validate({"platforms": {"x": row | broken}})


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("Grüße", "instagram", 5),
        ("Grüße 👋", "instagram", 7),  # one code point for the emoji
        ("Grüße 👋", "tiktok", 8),  # two UTF-16 code units for the emoji
        ("Hallo", "x", 5),
        ("日本", "x", 4),  # CJK counts 2 on X
        ("👋", "x", 2),
        ("👩‍👩‍👧", "x", 2),  # a ZWJ family is one emoji
        ("👍🏽", "x", 2),  # with a skin tone
        ("see https://example.com/a/very/long/path/that/goes/on?and=on", "x", 4 + 23),
        ("a www.example.de b", "x", 2 + 2 + 23),
    ],
)
def test_count_follows_the_platforms_rule(text, key, expected):
    assert platforms.count(text, key) == expected


def test_threads_map_keeps_order_language_and_context():
    token = current_job_run_id.set("job-42")
    try:
        with translation.override("de"):
            seen = threads.map(
                lambda n: (n * n, translation.get_language(), current_job_run_id.get(), threading.get_ident()),
                range(12),
                concurrency=4,
            )
    finally:
        current_job_run_id.reset(token)
    assert [row[0] for row in seen] == [n * n for n in range(12)]
    assert {row[1] for row in seen} == {"de"}
    assert {row[2] for row in seen} == {"job-42"}
    assert threading.get_ident() not in {row[3] for row in seen}


def test_threads_map_reports_progress_and_reraises_the_first_failure():
    done = []
    cancel = threading.Event()

    def work(n):
        if n == 3:
            raise ValueError("three")
        return n

    with pytest.raises(ValueError, match="three"):
        threads.map(work, range(8), concurrency=2, on_result=lambda count, _r: done.append(count), cancel=cancel)
    assert cancel.is_set()
    assert done == list(range(1, len(done) + 1))


@pytest.mark.django_db
def test_threads_map_runs_inline_inside_a_transaction():
    assert connection.in_atomic_block
    idents = threads.map(lambda _n: threading.get_ident(), range(4), concurrency=4)
    assert set(idents) == {threading.get_ident()}
