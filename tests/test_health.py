"""/healthz and /readyz: what load balancers and orchestrators see."""

import time

import pytest
from django.conf import settings
from django.test import override_settings

from apps.jobs import heartbeat
from viralforge.redis import get_redis, key


@pytest.fixture
def no_heartbeats():
    get_redis().delete(key(heartbeat._HASH))
    yield
    get_redis().delete(key(heartbeat._HASH))


@pytest.fixture
def redis_down():
    get_redis.cache_clear()
    with override_settings(REDIS_URL="unix:///nonexistent/redis.sock"):
        yield
    get_redis.cache_clear()


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_ok_with_fresh_heartbeat(client, db, no_heartbeats):
    heartbeat.record_worker_heartbeat()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "worker": "ok"},
        "failing": [],
    }
    assert "no-cache" in response["Cache-Control"]


def test_readyz_without_any_worker_heartbeat(client, db, no_heartbeats):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["worker"]
    assert body["checks"]["database"] == body["checks"]["redis"] == "ok"
    assert body["checks"]["worker"].startswith("failing:")


def test_readyz_with_stale_heartbeat(client, db, no_heartbeats):
    stale = time.time() - settings.VF_WORKER_HEARTBEAT_MAX_AGE - 30
    get_redis().hset(key(heartbeat._HASH), "old-host:1", stale)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["worker"]
    assert "ago" in body["checks"]["worker"]
    assert not heartbeat.worker_is_alive()


def test_readyz_newest_heartbeat_wins(client, db, no_heartbeats):
    get_redis().hset(key(heartbeat._HASH), "old-host:1", time.time() - 10_000)
    heartbeat.record_worker_heartbeat("new-host:2")
    assert client.get("/readyz").status_code == 200


def test_readyz_when_redis_is_down(client, db, redis_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert "redis" in body["failing"]
    assert "database" not in body["failing"]
    assert body["checks"]["database"] == "ok"
    assert "ConnectionError" in body["checks"]["redis"]


def test_redis_is_back_after_outage(client, db, no_heartbeats):
    # The `redis_down` fixture must not leave the broken client cached for later tests.
    heartbeat.record_worker_heartbeat()
    assert client.get("/readyz").status_code == 200


def test_stale_heartbeats_are_forgotten_after_a_day(db, no_heartbeats):
    get_redis().hset(key(heartbeat._HASH), "gone-host:9", time.time() - 90_000)
    heartbeat.record_worker_heartbeat("live-host:1")
    names = {name.decode() for name in get_redis().hkeys(key(heartbeat._HASH))}
    assert names == {"live-host:1"}
