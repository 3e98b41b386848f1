"""Keeping the per-post render cache small: after a render, and across all posts by age and total size.

    prune_post(workdir, result)                     # after a render: keep what re-rendering one scene needs
    sweep(root, max_age_days=30, max_total_mb=5000)  # all posts: drop idle ones, then the least recently used

A post's cache after a render keeps that render's sentences, segments, sound track, result and the
local copies of its inputs; earlier renders' files go. A re-render after one scene changed still
encodes only that scene. The sweep deletes whole post folders (a miss only means re-encoding) whose
last render started longer ago than the age cap, then the least recently used ones until the total
fits; a folder used within the last hour is never touched (a render may be running in it).
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

MARKER = ".last_used"  # touched when a render starts in the folder
CACHED = ("voice", "segments", "audio", "renders", "inputs")
BUSY_SECONDS = 3600


def touch(workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / MARKER).touch()


def _size(path: Path) -> int:
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


def prune_post(workdir: str | os.PathLike, keep: list[str]) -> int:
    """Delete the cached files of `workdir` not in `keep` (paths relative to it; a folder keeps all it holds).
    Returns the bytes freed."""
    workdir = Path(workdir)
    kept = {Path(workdir, path) for path in keep}
    freed = 0
    for folder in CACHED:
        for entry in sorted((workdir / folder).glob("*")) if (workdir / folder).is_dir() else []:
            if entry in kept:
                continue
            if entry.is_dir():
                freed += _size(entry)
                shutil.rmtree(entry, ignore_errors=True)
            else:
                freed += entry.stat().st_size
                entry.unlink(missing_ok=True)
    return freed


@dataclass
class SweepReport:
    removed: int = 0
    freed_bytes: int = 0
    kept: int = 0
    kept_bytes: int = 0


def _last_used(folder: Path) -> float:
    marker = folder / MARKER
    return marker.stat().st_mtime if marker.exists() else folder.stat().st_mtime


def sweep(root: str | os.PathLike, *, max_age_days: float, max_total_mb: float, now: float | None = None):
    """Drop post folders under `root` (`org_*/post_*`) idle longer than `max_age_days`, then the least
    recently used until all together take at most `max_total_mb`."""
    now = time.time() if now is None else now
    report = SweepReport()
    folders = sorted(
        ((_last_used(folder), _size(folder), folder) for folder in Path(root).glob("org_*/post_*") if folder.is_dir()),
        key=lambda item: item[0],
    )
    total = sum(size for _used, size, _folder in folders)
    for used, size, folder in folders:  # oldest first
        idle = now - used
        too_old = idle > max_age_days * 86400
        too_big = total > max_total_mb * 1024 * 1024
        if (too_old or too_big) and idle > BUSY_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
            report.removed, report.freed_bytes, total = report.removed + 1, report.freed_bytes + size, total - size
        else:
            report.kept, report.kept_bytes = report.kept + 1, report.kept_bytes + size
    return report
