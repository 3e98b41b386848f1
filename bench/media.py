"""The asset library against a trivial view: `python -m bench.media [--assets N] [--repeat N]`.

Creates a throwaway organization with `--assets` assets (rows; one real 4 MB file in a temporary
MEDIA_ROOT) in the development database, times with the Django test client (signed in): the
library page (24 cards, each with signed links), a filtered HTMX partial, a signed 1 MB range
of the file (what a video player asks for) and /healthz; then one real upload with probing and a
poster frame against a raw ffmpeg decode of the same clip. Prints p95s and ratios, deletes everything.
"""

import argparse
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import emit, median_ms, p95_ms, setup_django, time_calls


def _rows(org, count: int, file_name: str, size: int):
    from apps.media.models import Asset

    kinds = ["image", "music", "clip", "logo"]
    Asset.objects.bulk_create(
        Asset(
            organization=org, name=f"asset-{i}.bin", kind=kinds[i % 4], file=file_name, content_type="video/mp4",
            size=size, checksum=f"{i:064x}", licence_type="stock" if i % 3 else "", tags=["bench", f"t{i % 10}"],
        )
        for i in range(count)
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    setup_django()

    import imageio_ffmpeg
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from apps.accounts.models import User
    from apps.media import actions, links
    from apps.media.models import Asset
    from apps.orgs.models import Membership, Organization
    from apps.orgs.roles import Role

    tag = uuid.uuid4().hex[:8]
    folder = Path(tempfile.mkdtemp(prefix="bench-media-"))
    storages = settings.STORAGES | {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    org = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    user = User.objects.create_user(email=f"bench-{tag}@bench.invalid")
    try:
        with override_settings(MEDIA_ROOT=folder, STORAGES=storages, ALLOWED_HOSTS=["testserver"]):
            Membership.objects.create(organization=org, user=user, role=Role.EDITOR)
            blob = folder / f"org_{org.id}" / "assets" / "big.bin"
            blob.parent.mkdir(parents=True)
            blob.write_bytes(b"\0" * (4 * 1024 * 1024))
            _rows(org, args.assets, str(blob.relative_to(folder)), 1024)
            client = Client()
            client.force_login(user)
            library = f"/o/{org.slug}/media/"
            assert client.get(library).status_code == 200
            file_url = links.signed_url(Asset.objects.for_org(org).first(), user)

            def ranged():
                response = client.get(file_url, headers={"Range": "bytes=1048576-2097151"})
                assert response.status_code == 206 and len(b"".join(response.streaming_content)) == 1048576

            trivial = p95_ms(time_calls(lambda: client.get("/healthz"), args.repeat))
            page = p95_ms(time_calls(lambda: client.get(library), args.repeat))
            query = {"licence": "missing", "tag": "t3"}
            hx = {"HX-Request": "true"}
            partial = p95_ms(time_calls(lambda: client.get(library, query, headers=hx), args.repeat))
            serve = p95_ms(time_calls(ranged, args.repeat))
            emit("media", "trivial_p95_ms", trivial, "ms")
            emit("media", "library_p95_ms", page, "ms", 150, "lower")
            emit("media", "library_ratio_to_trivial", page / trivial, "ratio", 12, "lower")
            emit("media", "library_partial_p95_ms", partial, "ms", 100, "lower")
            emit("media", "range_1mb_p95_ms", serve, "ms", 60, "lower")

            clip = folder / "clip.mp4"
            ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
            source = "testsrc=size=1080x1920:rate=30:duration=5"
            encode = ["-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", str(clip)]
            subprocess.run([ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", source, *encode], check=True)
            decode = []
            for _ in range(3):
                start = time.perf_counter()
                subprocess.run([ffmpeg, "-v", "error", "-i", str(clip), "-f", "null", "-"], check=True)
                decode.append(time.perf_counter() - start)
            uploads = []
            for i in range(3):
                start = time.perf_counter()
                with clip.open("ab") as grow:  # a new checksum each round, so it is not a duplicate
                    grow.write(bytes([i]))
                actions.do_add_asset_file(org, clip, filename=f"clip{i}.mp4", kind="clip")
                uploads.append(time.perf_counter() - start)
            emit("media", "raw_decode_5s_1080p_median_ms", median_ms(decode), "ms")
            emit("media", "upload_probe_poster_median_ms", median_ms(uploads), "ms")
            emit("media", "upload_ratio_to_raw_decode", median_ms(uploads) / median_ms(decode), "ratio", 1.0, "lower")
    finally:
        org.delete()
        User.objects.filter(email=f"bench-{tag}@bench.invalid").delete()
        subprocess.run(["rm", "-rf", str(folder)], check=False)


if __name__ == "__main__":
    main()
