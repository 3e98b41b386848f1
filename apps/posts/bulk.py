"""Bulk actions on selected posts (the calendar's week and list views): approve, lock, unlock, send to review.

Each post goes through the same checks as in the editor (apps.posts.actions); one refusal (a lock,
a hard block, a stale version) does not undo the others, and the answer says per post what happened.
Approval, the action people run on a whole week, goes through `do_approve_posts` (one transaction:
the rows locked with one query, the policy rule sets read once, one update and one insert); lock,
unlock and review run per post, each in its own transaction. Who may run which action is checked by the view (roles and
the project's approval rule), once for the whole selection.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.posts import actions
from apps.posts.models import PostItem, PostStatus

MAX_SELECTION = 93  # a month: 31 days × 3 slots

ACTIONS = {
    "approve": gettext_lazy("Approve"),
    "lock": gettext_lazy("Lock"),
    "unlock": gettext_lazy("Unlock"),
    "review": gettext_lazy("Send to review"),
}


@dataclass
class Result:
    post: PostItem
    outcome: str  # done | skipped | refused
    message: str

    @property
    def changed(self) -> bool:
        return self.outcome == "done"


def parse_selection(values: list[str]) -> dict[str, int | None]:
    """`<post id>:<version>` (the version the user saw) or a bare id → {id: version or None}; junk is dropped."""
    import uuid

    selection: dict[str, int | None] = {}
    for value in values[:MAX_SELECTION]:
        post_id, _sep, version = value.partition(":")
        try:
            key = str(uuid.UUID(post_id))
        except ValueError:
            continue
        selection[key] = int(version) if version.isdigit() else None
    return selection


def _one(post: PostItem, action: str, version: int | None, actor) -> Result:
    if action in ("lock", "unlock"):
        locked = action == "lock"
        if post.locked == locked:
            return Result(post, "skipped", _("Already locked.") if locked else _("Not locked."))
        row = actions.do_set_post_lock(post, locked=locked, actor=actor)
        return Result(row, "done", _("Locked.") if locked else _("Unlocked."))
    if post.status == PostStatus.NEEDS_REVIEW:
        return Result(post, "skipped", _("Already needs review."))
    row = actions.do_send_post_to_review(post, actor=actor)
    return Result(row, "done", _("Sent to review."))


def apply_to_posts(posts: list[PostItem], action: str, selection: dict[str, int | None], *, actor) -> list[Result]:
    """Run `action` on every post (date and slot order); a refusal is that post's result, not an error."""
    if action == "approve":
        return _approve(posts, selection, actor)
    results = []
    for post in sorted(posts, key=lambda item: (item.date, item.slot)):
        try:
            results.append(_one(post, action, selection.get(str(post.id)), actor))
        except actions.PostError as exc:
            results.append(Result(post, "refused", str(exc)))
    return results


def _approve(posts: list[PostItem], selection: dict[str, int | None], actor) -> list[Result]:
    pending = [post for post in posts if post.status != PostStatus.APPROVED]
    results = [Result(post, "skipped", _("Already approved.")) for post in posts if post.status == PostStatus.APPROVED]
    for row, error in actions.do_approve_posts(pending, versions=selection, actor=actor):
        results.append(Result(row, "refused", str(error)) if error else Result(row, "done", _("Approved.")))
    return sorted(results, key=lambda result: (result.post.date, result.post.slot))
