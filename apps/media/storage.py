"""Reading stored asset files from code (the renderer reads local paths; S3 objects are downloaded)."""

import shutil
from pathlib import Path

from apps.media.models import Asset


def copy_to_local(asset: Asset, target: Path) -> Path:
    """Copy the asset's file to `target` and return it."""
    with asset.file.open("rb") as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out, 1024 * 1024)
    return target
