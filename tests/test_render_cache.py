"""The render cache is pruned: after a render it keeps what re-rendering one scene needs; a sweep drops idle
post folders and then the least recently used ones to a size cap (270×480 renders, real espeak-ng and ffmpeg)."""

import io
import os
import time

from django.core.management import call_command

from apps.media.render import Limits, RenderSpec, SceneSpec, Visual, render
from apps.media.render.cache import MARKER, prune_post, sweep

LIMITS = Limits(min_width=270)


def spec(*screens: str) -> RenderSpec:
    voiceovers = ("Frischer Kaffee.", "Jeden Tag geröstet.", "Probier es!")
    return RenderSpec(
        scenes=tuple(SceneSpec(v, s, Visual("card")) for v, s in zip(voiceovers, screens, strict=True)),
        hook="Kaffee", width=270, height=480,
    )  # fmt: skip


def files(folder) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()}


def test_after_a_render_the_cache_keeps_what_one_scene_needs(tmp_path):
    work = tmp_path / "org_1" / "post_1"
    first = render(spec("Eins", "Zwei", "Drei"), work, limits=LIMITS)
    second = render(spec("Eins", "Zwo", "Drei"), work, limits=LIMITS)
    assert second.reencoded == [1]
    before = files(work)
    freed = prune_post(work, second.keep)
    after = files(work)
    assert freed > 0 and after < before
    # The first render's result and its scene-2 segment are gone; everything the second render used is there.
    assert not (work / "renders" / first.digest).exists() and (work / "renders" / second.digest).is_dir()
    assert not any(name.startswith(f"segments/{first.segments[1].digest}") for name in after)
    assert all(name in after or name.startswith("renders/") for name in second.keep)
    assert not any("/.scratch-" in f"/{name}" or ".part." in name for name in after)
    # Re-rendering another scene still encodes only that one, with the kept sound track.
    third = render(spec("Uno", "Zwo", "Drei"), work, limits=LIMITS)
    assert third.reencoded == [0] and not third.audio_reencoded and not third.title.reencoded
    assert third.qa["passed"], third.qa["failed"]


def _post_folder(root, name: str, megabytes: float, idle_hours: float):
    folder = root / "org_1" / name
    (folder / "segments").mkdir(parents=True)
    (folder / "segments" / "x.mp4").write_bytes(b"\0" * int(megabytes * 1024 * 1024))
    (folder / MARKER).touch()
    used = time.time() - idle_hours * 3600
    os.utime(folder / MARKER, (used, used))
    return folder


def test_the_sweep_drops_idle_folders_then_the_least_recently_used(tmp_path, settings):
    old = _post_folder(tmp_path, "post_old", 1, idle_hours=24 * 20)
    stale = _post_folder(tmp_path, "post_stale", 2, idle_hours=30)
    recent = _post_folder(tmp_path, "post_recent", 2, idle_hours=5)
    busy = _post_folder(tmp_path, "post_busy", 2, idle_hours=0.1)  # a render may be running in it
    report = sweep(tmp_path, max_age_days=14, max_total_mb=100)
    assert (report.removed, report.kept) == (1, 3) and not old.exists()
    report = sweep(tmp_path, max_age_days=14, max_total_mb=4)  # 6 MB: the least recently used go first
    assert not stale.exists() and recent.exists() and busy.exists()
    assert (report.removed, report.kept) == (1, 2)

    settings.VF_RENDER_WORKDIR = str(tmp_path)
    out = io.StringIO()
    call_command("prune_render_cache", "--max-total-mb", "1", stdout=out)
    assert not recent.exists() and busy.exists()  # over the cap, but the busy one is never touched
    assert out.getvalue().startswith("Removed 1 post folder(s)")
