"""apps.core.ratelimit: the Redis sliding window and token bucket (the billing decorator: test_ratelimit.py)."""

import time
import uuid

import pytest

from apps.core import ratelimit
from viralforge.redis import key


def _key(kind: str) -> str:
    return key("test-limits", kind, uuid.uuid4().hex)


def test_sliding_window_allows_the_limit_then_refuses_until_the_window_moves():
    name = _key("window")
    results = [ratelimit.sliding_window(name, limit=2, window_seconds=0.4) for _ in range(3)]
    assert [r.allowed for r in results] == [True, True, False]
    assert results[1].remaining == 0 and results[2].count == 2
    assert 0 < results[2].retry_after_ms <= 400 and results[2].retry_after == 1
    time.sleep(0.45)
    assert ratelimit.sliding_window(name, limit=2, window_seconds=0.4).allowed


def test_token_bucket_bursts_to_its_capacity_and_refills_at_its_rate():
    name = _key("bucket")
    taken = [ratelimit.token_bucket(name, capacity=3, per_second=20) for _ in range(4)]
    assert [r.allowed for r in taken] == [True, True, True, False]
    assert taken[2].remaining < 1
    refused = taken[3]
    assert 0 < refused.retry_after_ms <= 50  # one token comes back every 50 ms
    time.sleep(0.12)
    again = ratelimit.token_bucket(name, capacity=3, per_second=20)
    assert again.allowed and again.remaining >= 1  # two tokens came back, one was taken


def test_token_bucket_cost_and_reset():
    name = _key("cost")
    assert ratelimit.token_bucket(name, capacity=5, per_second=0.01, cost=5).allowed
    refused = ratelimit.token_bucket(name, capacity=5, per_second=0.01, cost=2)
    assert not refused.allowed and refused.retry_after >= 100
    ratelimit.reset(name)
    assert ratelimit.token_bucket(name, capacity=5, per_second=0.01, cost=2).allowed
    with pytest.raises(ValueError):
        ratelimit.token_bucket(name, capacity=0, per_second=1)
