"""TikTok's chunk rules for FILE_UPLOAD (../shared/contracts/tiktok.md, "Chunk upload").

    plan = chunk_plan(141_557_760, 10 * MB)   # 135 MB in 10 MB chunks
    plan.total_chunk_count                    # 13
    plan.ranges[-1]                           # (125829120, 141557759): the last chunk takes 15 MB

`total_chunk_count = floor(video_size / chunk_size)`; every chunk is 5–64 MB except the last,
which takes the remainder (≤ 128 MB); a file under 5 MB is one chunk with chunk_size = video_size;
1–1000 chunks. Our client and the sandbox both use these functions.
"""

from dataclasses import dataclass

MB = 1024 * 1024
MIN_CHUNK = 5 * MB
MAX_CHUNK = 64 * MB
MAX_LAST_CHUNK = 128 * MB
MAX_CHUNKS = 1000
MAX_VIDEO_SIZE = 4 * 1024 * MB
DEFAULT_CHUNK = 10 * MB


class ChunkRuleError(ValueError):
    """Sizes that break TikTok's chunk rules (the sandbox answers 400 invalid_param)."""


@dataclass(frozen=True)
class ChunkPlan:
    video_size: int
    chunk_size: int
    total_chunk_count: int

    @property
    def ranges(self) -> list[tuple[int, int]]:
        """(first, last) byte of each chunk, `last` inclusive as in Content-Range."""
        return [self.range_of(index) for index in range(self.total_chunk_count)]

    def range_of(self, index: int) -> tuple[int, int]:
        first = index * self.chunk_size
        last = self.video_size - 1 if index == self.total_chunk_count - 1 else first + self.chunk_size - 1
        return first, last

    def source_info(self) -> dict:
        return {
            "source": "FILE_UPLOAD",
            "video_size": self.video_size,
            "chunk_size": self.chunk_size,
            "total_chunk_count": self.total_chunk_count,
        }


def check_plan(video_size: int, chunk_size: int, total_chunk_count: int) -> ChunkPlan:
    """The plan the numbers describe, or ChunkRuleError saying which rule they break."""
    numbers = {"video_size": video_size, "chunk_size": chunk_size, "total_chunk_count": total_chunk_count}
    for name, value in numbers.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ChunkRuleError(f"{name} must be a positive integer.")
    if video_size > MAX_VIDEO_SIZE:
        raise ChunkRuleError("video_size must be at most 4 GB.")
    if video_size < MIN_CHUNK:
        if chunk_size != video_size or total_chunk_count != 1:
            raise ChunkRuleError("A video under 5 MB is uploaded as one chunk with chunk_size = video_size.")
        return ChunkPlan(video_size, chunk_size, 1)
    if chunk_size > video_size:
        raise ChunkRuleError("chunk_size must not be larger than video_size.")
    if not MIN_CHUNK <= chunk_size <= MAX_CHUNK and chunk_size != video_size:
        raise ChunkRuleError("chunk_size must be between 5 MB and 64 MB.")
    expected = video_size // chunk_size
    if total_chunk_count != expected:
        raise ChunkRuleError(f"total_chunk_count must be floor(video_size / chunk_size) = {expected}.")
    if not 1 <= expected <= MAX_CHUNKS:
        raise ChunkRuleError(f"A video is uploaded in 1 to {MAX_CHUNKS} chunks.")
    last = video_size - chunk_size * (expected - 1)
    if last > MAX_LAST_CHUNK:
        raise ChunkRuleError("The last chunk must be at most 128 MB.")
    return ChunkPlan(video_size, chunk_size, expected)


def chunk_plan(video_size: int, chunk_size: int = DEFAULT_CHUNK) -> ChunkPlan:
    """How to cut a file of `video_size` bytes: chunks of `chunk_size`, the remainder on the last."""
    if video_size < MIN_CHUNK:
        return check_plan(video_size, video_size, 1)
    chunk_size = min(max(chunk_size, MIN_CHUNK), MAX_CHUNK, video_size)
    return check_plan(video_size, chunk_size, video_size // chunk_size)
