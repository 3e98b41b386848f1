"""The sandbox TikTok's fixed world: registered clients, verified domains and creators
(`data/world.json`, validated at load)."""

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DATA = Path(__file__).with_name("data") / "world.json"


class Client(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    client_key: str
    client_secret: str = Field(repr=False)
    name: str
    audited: bool
    redirect_path: str


class Video(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: str
    age_hours: float = Field(ge=0)
    duration: int = Field(ge=1)
    views_per_hour: float = Field(ge=0)


class Creator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    open_id: str
    username: str
    nickname: str
    private: bool = False
    banned: bool = False
    max_video_post_duration_sec: int = Field(ge=1)
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = False
    daily_post_cap: int = Field(ge=0)
    follower_count: int = 0
    following_count: int = 0
    likes_count: int = 0
    videos: list[Video] = []

    @property
    def privacy_level_options(self) -> list[str]:
        if self.private:
            return ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
        return ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]


class World(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    clients: list[Client]
    verified_domains: list[str]
    creators: list[Creator]

    def client(self, client_key: str) -> Client | None:
        return next((c for c in self.clients if c.client_key == client_key), None)

    def creator(self, open_id: str) -> Creator | None:
        return next((c for c in self.creators if c.open_id == open_id), None)


@lru_cache(maxsize=1)
def world() -> World:
    return World.model_validate_json(DATA.read_text(encoding="utf-8"))
