"""Settings of the asset library read from the environment: S3/MinIO storage and upload limits per kind."""

from django.core.exceptions import ImproperlyConfigured

from viralforge.env import env_choice, env_int, env_str, env_url

# Kind → (default largest upload in MB, accepted file name extensions). The kinds are apps.media.models.AssetKind.
_KIND_DEFAULTS = {
    "image": (20, ("png", "jpg", "jpeg", "webp", "gif")),
    "logo": (10, ("png", "jpg", "jpeg", "webp")),
    "thumbnail": (10, ("png", "jpg", "jpeg", "webp")),
    "clip": (500, ("mp4", "mov", "webm", "mkv", "m4v")),
    "render": (1000, ("mp4", "mov", "webm")),
    "music": (50, ("mp3", "wav", "m4a", "aac", "ogg", "flac")),
    "voice": (50, ("mp3", "wav", "m4a", "aac", "ogg", "flac")),
    "font": (10, ("ttf", "otf")),
}


def media_limits() -> dict[str, dict]:
    """`{kind: {"max_bytes": int, "extensions": tuple}}`; the size per kind from `VF_MEDIA_MAX_MB_<KIND>`."""
    return {
        kind: {
            "max_bytes": env_int(f"VF_MEDIA_MAX_MB_{kind.upper()}", megabytes, minimum=1) * 1024 * 1024,
            "extensions": extensions,
        }
        for kind, (megabytes, extensions) in _KIND_DEFAULTS.items()
    }


def s3_settings() -> dict | None:
    """django-storages S3Storage options when `VF_S3_BUCKET` is set, else None (local file system).

    Any other `VF_S3_*` variable without a bucket is a mistake and stops start-up; so does one key without the other.
    """
    bucket = env_str("VF_S3_BUCKET", None)
    others = {
        name: env_str(name, None)
        for name in ("VF_S3_ENDPOINT_URL", "VF_S3_REGION", "VF_S3_ACCESS_KEY_ID", "VF_S3_SECRET_ACCESS_KEY")
    }
    if bucket is None:
        given = [name for name, value in others.items() if value]
        if given:
            raise ImproperlyConfigured(f"{', '.join(given)} set but VF_S3_BUCKET is not: set the bucket too.")
        return None
    access_key, secret_key = others["VF_S3_ACCESS_KEY_ID"], others["VF_S3_SECRET_ACCESS_KEY"]
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured("Set both VF_S3_ACCESS_KEY_ID and VF_S3_SECRET_ACCESS_KEY, or neither.")
    return {
        "bucket_name": bucket,
        "endpoint_url": env_url("VF_S3_ENDPOINT_URL", None, schemes=("http", "https")),
        "region_name": others["VF_S3_REGION"],
        "access_key": access_key,
        "secret_key": secret_key,
        "addressing_style": env_choice("VF_S3_ADDRESSING_STYLE", "path", ("path", "virtual", "auto")),
        "signature_version": "s3v4",
        "default_acl": None,  # the bucket stays private; links are presigned
        "querystring_auth": True,
        "querystring_expire": env_int("VF_S3_LINK_SECONDS", 300, minimum=10),
        "file_overwrite": False,
    }
