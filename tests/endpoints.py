"""The endpoint registry: every URL of the project, who may use it and what a good request gets.

`tests/test_endpoints_matrix.py` runs, for each entry, the happy path, the wrong methods (405), the
role just below the one required (403), an outsider from another organization (404, also when
only one object of the URL is foreign) and an anonymous visitor. `test_every_route_is_registered`
fails for a URL pattern that has no entry here.

Adding a view: one line, e.g.

    member("asset_list", get=Call(Role.VIEWER)),
    member("asset_delete", post=Call(Role.EDITOR, 302), kwargs={"asset_id": obj("asset")}),

The URL's keyword arguments come from `URL_KWARGS` by name (add a new object kind there and to
tests/support/world.py); `kwargs=` overrides one for a single entry.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from apps.core import clock, months
from apps.orgs.roles import Role
from tests.support import clips_sandbox as clips
from tests.support import tiktok_sandbox as tiktok
from tests.support.accounts import PASSWORD
from tests.support.credentials import OTHER_SECRET, SECRET
from tests.support.media import png_bytes
from tests.support.policy_corpus import evaluation_tsv
from tests.support.posts import editor_data
from tests.support.projects import basics
from tests.support.review import PIN
from tests.support.review import token as review_token
from tests.support.world import Tenant


class Access(StrEnum):
    MEMBER = "member"  # /o/<org>/…: members by role; others in the org 403, outsiders 404, anonymous → login
    SIGNED_IN = "signed_in"  # any signed-in user, no organization in the URL; anonymous → login
    GUEST_REVIEWER = "guest_reviewer"  # a client reviewer of no organization with the project's review grant
    SIGNED_LINK = "signed_link"  # the secret token in the URL is the key; a wrong token is 404
    PUBLIC = "public"  # health checks, webhooks, callbacks, the sandbox: no session involved
    ANONYMOUS_OK = "anonymous_ok"  # login and sign-up pages
    STAFF = "staff"  # the Django admin: others are sent to the admin login


Data = dict | Callable[[Tenant], dict] | None


@dataclass(frozen=True)
class Call:
    """One accepted method: the lowest role allowed (member URLs only) and what it gets for `data`."""

    role: str | None = None
    status: int = 200
    data: Data = None
    headers: dict | Callable[[Tenant], dict] = field(default_factory=dict)  # e.g. {"HTTP_AUTHORIZATION": …}
    json: bool = False  # send `data` as a JSON body
    form: bool = False  # send `data` url-encoded (application/x-www-form-urlencoded)
    query: dict = field(default_factory=dict)  # a query string, also for POST
    why: str = ""  # required when the best request the matrix can make is not a 2xx/3xx

    def payload(self, tenant: Tenant) -> dict:
        data = self.data(tenant) if callable(self.data) else self.data
        data = data if isinstance(data, bytes) else dict(data or {})  # bytes: a raw body (with headers' content_type)
        headers = self.headers(tenant) if callable(self.headers) else self.headers
        if self.json:
            return {"data": json.dumps(data), "content_type": "application/json", **headers}
        if self.form:
            return {"data": urlencode(data, doseq=True), "content_type": "application/x-www-form-urlencoded", **headers}
        return {"data": data, **headers}


@dataclass(frozen=True)
class Endpoint:
    name: str  # the URL name (with its namespace, e.g. "admin:index")
    access: Access
    get: Call | None = None
    post: Call | None = None
    put: Call | None = None  # for the few APIs whose write is a PUT (the sandbox's chunk upload)
    kwargs: dict[str, Callable[[Tenant], object]] = field(default_factory=dict)  # overrides of URL_KWARGS
    also: frozenset[str] = frozenset()  # further methods it answers (not part of the matrix), e.g. "put"
    dead: tuple[Callable[[Tenant], str], ...] = ()  # signed links: tokens that worked once (revoked, expired) → 404

    def __str__(self) -> str:
        return self.name

    @property
    def calls(self) -> dict[str, Call]:
        return {
            method: call
            for method, call in (("get", self.get), ("post", self.post), ("put", self.put))
            if call is not None
        }


@dataclass(frozen=True)
class Mount:
    """A third-party URL tree registered as a whole; its entries below are spot checks."""

    prefix: str
    access: Access
    why: str


def obj(name: str) -> Callable[[Tenant], object]:
    """The id of the tenant's object `name` (see tests/support/world.py)."""
    return lambda tenant: tenant.objects[name].id


# How to fill each URL keyword argument from an organization's objects. Values of the kwargs in
# TENANT_KWARGS belong to one organization: the matrix swaps them for another organization's.
URL_KWARGS: dict[str, Callable[[Tenant], object]] = {
    "org_slug": lambda tenant: tenant.org.slug,
    "project_slug": lambda tenant: tenant.objects["project"].slug,
    "post_id": obj("post"),
    "membership_id": obj("membership"),
    "invitation_id": obj("invitation"),
    "job_run_id": obj("job_run"),
    "credential_id": obj("credential"),
    "doc_id": obj("doc"),
    "decision_id": obj("decision"),
    "month": lambda tenant: "2026-03",
    "key": lambda tenant: "compliance",
    "token": lambda tenant: tenant.objects["invitation"].token,
    "asset_id": obj("asset"),
    "voice_id": lambda tenant: "sandbox-anna",
    "account_id": obj("social_account"),
    "platform": lambda tenant: "tiktok",
    "open_id": lambda tenant: tiktok.PUBLIC,  # a creator of the sandbox TikTok's world
    "upload_id": lambda tenant: tiktok.upload_id(),
    "user_id": obj("guest"),  # the project's guest reviewer
    "link_id": obj("review_link"),
    "render_id": obj("render"),
    "brief_id": obj("brief"),
    "variant_id": obj("variant"),
    "model": lambda tenant: clips.VEO_MODEL,
    "operation_id": clips.veo_operation,
    "file_id": clips.veo_operation,
    "task_id": clips.kling_task,
}
KWARG = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")
TENANT_KWARGS = frozenset(URL_KWARGS) - {
    "org_slug",
    "month",
    "key",
    "token",
    "voice_id",
    "platform",
    "open_id",
    "upload_id",
    "model",
    "operation_id",
    "file_id",
    "task_id",
}


def next_month(tenant: Tenant) -> str:
    """Plans are generated for months that have not passed."""
    return months.month_param(months.next_month(months.month_start(clock.now().date())))


def member(name: str, **kwargs) -> Endpoint:
    return Endpoint(name, Access.MEMBER, **kwargs)


def guest(name: str, **kwargs) -> Endpoint:
    return Endpoint(name, Access.GUEST_REVIEWER, **kwargs)


def _review_token(link: str) -> Callable[[Tenant], str]:
    """The signed token of the tenant's review link `link` (see tests/support/world.py)."""
    return lambda tenant: review_token(tenant.objects[link])


def review(name: str, **kwargs) -> Endpoint:
    """A signed review link /r/<token>/…: the world's week link; revoked and expired links are 404."""
    kwargs.setdefault("kwargs", {"token": _review_token("review_link")})
    dead = (_review_token("revoked_review_link"), _review_token("expired_review_link"))
    return Endpoint(name, Access.SIGNED_LINK, dead=dead, **kwargs)


def _token(tenant: Tenant) -> dict:
    """A signed suggestion for the post's hook, as `post_improve` hands it out."""
    from apps.posts.views import PROPOSAL_NAMESPACE

    post = tenant.objects["post"]
    proposal = {"post": str(post.id), "field": "hook", "value": "Ein besserer Hook", "version": post.version}
    return {"token": signing.dumps(proposal, salt=PROPOSAL_NAMESPACE, compress=True)}


def _brief(tenant: Tenant) -> dict:
    return {"topic": "Espresso", "languages": ["de"], "platforms": ["x"], "per_platform": "1"}


def _variant_token(tenant: Tenant) -> dict:
    """A signed rewrite of the world's variant, as `variant_rewrite` hands it out."""
    from apps.variants.views import PROPOSAL_NAMESPACE

    variant = tenant.objects["variant"]
    proposal = {"variant": str(variant.id), "changes": {"text": "Frisch gemahlen. Probieren Sie es."}, "version": 1}
    return {"token": signing.dumps(proposal, salt=PROPOSAL_NAMESPACE, compress=True)}


VOICE_EXAMPLES = [f"Beispiel {n}: Hey du, probier unseren Kaffee! ☕ #kaffee" for n in range(5)]


def _asset_link(tenant: Tenant) -> str:
    """The token of a signed file link to the tenant's asset, issued to its owner (links name one member)."""
    from apps.media import links

    return links.signed_url(tenant.objects["asset"], tenant.users[Role.OWNER]).rstrip("/").rsplit("/", 1)[1]


def _upload(tenant: Tenant) -> dict:
    """A fresh small PNG (a file object is read once; its colour differs from the world's asset)."""
    return {"kind": "image", "file": SimpleUploadedFile("upload.png", png_bytes((200, 30, 60)), "image/png")}


WEBHOOK = {
    "client_key": "sbx-client-viralforge",
    "event": "post.publish.complete",
    "create_time": 1700000000,
    "user_openid": "open-alpha",
    "content": json.dumps({"publish_id": "v_pub_file~v2-1.123", "publish_type": "DIRECT_PUBLISH"}),
}


def _webhook_signature(tenant: Tenant) -> dict:
    """TikTok's signature of the body `Call` sends (json.dumps of WEBHOOK), made at request time."""
    from apps.social.webhooks import signature_header

    raw = json.dumps(WEBHOOK).encode()
    return {"HTTP_TIKTOK_SIGNATURE": signature_header(settings.VF_TIKTOK_CLIENT_SECRET, raw)}


PROMPT = {"system_template": "You review captions for {{ agent }}.", "user_template": "Caption: {{ caption }}"}
CHAT = {"model": "openai/gpt-5-mini", "messages": [{"role": "user", "content": "Rate this hook."}]}
BEARER = {"HTTP_AUTHORIZATION": f"Bearer {SECRET}"}
XI_KEY = {"HTTP_XI_API_KEY": "sandbox-key"}
SPEECH = {"text": "Hallo.", "model_id": "eleven_multilingual_v2"}
PUT = frozenset({"put"})
VIEWER, EDITOR, ADMIN, OWNER = Role.VIEWER, Role.EDITOR, Role.ADMIN, Role.OWNER

MOUNTS = [
    Mount("accounts/", Access.ANONYMOUS_OK, "django-allauth's pages (login, sign-up, e-mail, password)"),
    Mount("admin/", Access.STAFF, "the Django admin"),
    Mount("guest/", Access.SIGNED_IN, "a guest reviewer's start page and guest invitations"),
]

ENDPOINTS = [
    # --- no organization in the URL --------------------------------------------------------------
    Endpoint("home", Access.SIGNED_IN, get=Call(status=302)),
    Endpoint("guest_home", Access.SIGNED_IN, get=Call()),
    Endpoint("healthz", Access.PUBLIC, get=Call()),
    Endpoint("csp_report", Access.PUBLIC, post=Call(status=204, data={"csp-report": {"blocked-uri": "x"}}, json=True)),
    Endpoint("readyz", Access.PUBLIC, get=Call()),  # the world records a worker heartbeat
    Endpoint("set_language", Access.ANONYMOUS_OK, post=Call(status=302, data={"language": "de"})),
    Endpoint("org_create", Access.SIGNED_IN, get=Call(), post=Call(status=302, data={"name": "Gamma Agency"})),
    Endpoint("org_switch", Access.SIGNED_IN, post=Call(status=302, data=lambda t: {"org": t.org.slug})),
    Endpoint(
        "invitation_accept",
        Access.SIGNED_LINK,
        get=Call(),
        post=Call(
            status=302, data={"name": "Neu", "password1": "long-enough-pass-42", "password2": "long-enough-pass-42"}
        ),
    ),
    # allauth's form views treat PUT as POST; the admin index answers every method.
    Endpoint("account_login", Access.ANONYMOUS_OK, get=Call(), post=Call(status=200), also=PUT),
    Endpoint("account_signup", Access.ANONYMOUS_OK, get=Call(), post=Call(status=200), also=PUT),
    Endpoint("account_reset_password", Access.ANONYMOUS_OK, get=Call(), post=Call(status=200), also=PUT),
    Endpoint("admin:index", Access.STAFF, get=Call(), also=frozenset({"post", "put", "patch", "delete"})),
    # --- organization ----------------------------------------------------------------------------
    member("org_dashboard", get=Call(VIEWER)),
    member("post_comment", post=Call(VIEWER, 302, {"body": "Passt so."})),
    member("org_members", get=Call(VIEWER)),
    member("member_invite", post=Call(ADMIN, 302, {"email": "new@elsewhere.test", "role": Role.EDITOR})),
    member("member_role", post=Call(ADMIN, 302, {"role": Role.EDITOR})),
    member("member_remove", post=Call(ADMIN, 302)),
    member("invitation_revoke", post=Call(ADMIN, 302)),
    member("org_leave", post=Call(VIEWER, 302)),  # every member may leave: the one write a viewer may do
    member("org_settings", get=Call(ADMIN)),
    member("org_rename", post=Call(ADMIN, 302, {"name": "Renamed Agency"})),
    member("org_transfer", post=Call(OWNER, 302, lambda t: {"member": t.objects["membership"].id})),
    member("org_delete", post=Call(OWNER, 302, lambda t: {"confirmation": t.org.slug})),
    member("job_queue", get=Call(VIEWER)),
    member("job_detail", get=Call(VIEWER)),
    member("job_requeue", post=Call(ADMIN, 302)),
    member("billing_usage", get=Call(ADMIN)),
    member("billing_change_plan", post=Call(OWNER, 302, {"plan": "agency"})),
    # --- credentials -----------------------------------------------------------------------------
    member("credential_list", get=Call(ADMIN)),
    member("credential_add", post=Call(ADMIN, 302, {"provider": "openrouter", "mode": "byok", "secret": OTHER_SECRET})),
    member("credential_policy", post=Call(ADMIN, 302, {"max_age_days": "30"})),
    member("credential_replace", post=Call(ADMIN, 302, {"secret": OTHER_SECRET})),
    member("credential_revoke", post=Call(ADMIN, 302)),
    member("credential_test", post=Call(ADMIN, 302)),
    # --- compliance ------------------------------------------------------------------------------
    member(
        "policy_test_bench",
        get=Call(VIEWER),
        post=Call(VIEWER, 200, {"text": "Der beste Kaffee.", "language": "de", "platform": "tiktok"}),
    ),
    member("policy_evaluation", post=Call(ADMIN, 200, lambda t: {"corpus": evaluation_tsv()})),
    # --- AI: knowledge, prompts, brand voice, decisions ------------------------------------------
    member("knowledge_list", get=Call(VIEWER)),
    member("knowledge_add", post=Call(EDITOR, 302, {"kind": "avoid", "title": "Avoid", "text": "Keine Preise."})),
    member("knowledge_search", get=Call(VIEWER, 200, {"q": "Preise"})),
    member("knowledge_reembed", post=Call(ADMIN, 302)),
    member("knowledge_delete", post=Call(EDITOR, 302)),
    member("prompt_list", get=Call(EDITOR)),
    member("prompt_edit", get=Call(ADMIN), post=Call(ADMIN, 302, PROMPT)),
    member("prompt_diff", post=Call(ADMIN, 200, PROMPT)),
    member("prompt_reset", post=Call(ADMIN, 302)),
    member("brand_voice", get=Call(ADMIN), post=Call(ADMIN, 302, {"voice": "Warm und direkt"})),
    member("ai_decisions", get=Call(VIEWER)),
    member("ai_decision_detail", get=Call(VIEWER)),
    # --- projects --------------------------------------------------------------------------------
    member("project_list", get=Call(VIEWER)),
    member("project_create", get=Call(ADMIN), post=Call(ADMIN, 302, basics(name="Gamma Brand", slug="gamma-brand"))),
    member("project_dashboard", get=Call(VIEWER)),
    member("project_logo", get=Call(VIEWER)),
    member("project_settings", get=Call(ADMIN)),
    member(
        "project_settings_basics",
        post=Call(ADMIN, 302, lambda t: basics(name="Renamed", slug=t.objects["project"].slug)),
    ),
    member("project_settings_brand", post=Call(ADMIN, 302)),  # every brand field is optional
    member(
        "project_settings_publishing",
        post=Call(ADMIN, 302, {"approval_rule": "editor", "target_platforms": ["tiktok"]}),
    ),
    member("project_settings_budgets", post=Call(ADMIN, 302)),  # empty: only the plan's limits
    member("project_settings_routing", post=Call(ADMIN, 302)),  # empty: default routes
    member(
        "project_settings_video",
        post=Call(ADMIN, 302, {"default_source": "veo", "veo_model": clips.VEO_MODEL, "kling_model": "kling-v1-6",
                               "kling_mode": "std"}),
    ),  # fmt: skip
    member(
        "project_settings_voice",
        post=Call(ADMIN, 302, {"engine": "elevenlabs", "voice_id": "sandbox-anna", "model_id": "eleven_flash_v2_5"}),
    ),
    member("post_video_sources", get=Call(VIEWER), post=Call(EDITOR, 302, {"scene_index": 1, "source": "kling"})),
    member("project_reviewer_grant", post=Call(ADMIN, 302)),
    member("project_reviewer_revoke", post=Call(ADMIN, 302)),
    member("project_delete", post=Call(ADMIN, 302, lambda t: {"confirmation": t.objects["project"].slug})),
    # --- month plan, calendar, posts -------------------------------------------------------------
    member("plan_generate", post=Call(EDITOR, 302), kwargs={"month": next_month}),
    member("plan_status", get=Call(VIEWER)),
    member("project_calendar_today", get=Call(VIEWER, 302)),
    member("project_calendar", get=Call(VIEWER)),
    member("calendar_bulk", post=Call(EDITOR, 302, lambda t: {"action": "lock", "post": [str(t.objects["post"].id)]})),
    member("post_detail", get=Call(VIEWER)),
    member("post_edit", post=Call(EDITOR, 302, lambda t: editor_data(t.objects["post"], hook="Ein neuer Hook"))),
    member("post_tab_content", get=Call(VIEWER)),
    member("post_tab_script", get=Call(VIEWER)),
    member("post_tab_storyboard", get=Call(VIEWER)),
    member("post_tab_video_prompt", get=Call(VIEWER)),
    member("post_tab_comments", get=Call(VIEWER)),
    member("post_approve", post=Call(EDITOR, 302, lambda t: {"version": t.objects["post"].version})),
    member(
        "post_unapprove",
        post=Call(EDITOR, 302, lambda t: {"version": t.objects["approved_post"].version}),
        kwargs={"post_id": obj("approved_post")},
    ),
    member("post_lock", post=Call(EDITOR, 302)),
    member("post_unlock", post=Call(EDITOR, 302), kwargs={"post_id": obj("locked_post")}),
    member(
        "post_move",
        get=Call(EDITOR),
        post=Call(EDITOR, 302, lambda t: {"version": t.objects["post"].version, "date": "2026-03-05", "slot": 2}),
    ),
    member("post_improve", get=Call(EDITOR), post=Call(EDITOR, 200, {"field": "hook", "instruction": "Kürzer"})),
    member("post_improve_accept", post=Call(EDITOR, 302, _token)),
    # --- client review (issue 12): the team's review-access page, guests and signed review links ---
    member("review_access", get=Call(EDITOR)),
    member("guest_invite", post=Call(ADMIN, 302, {"email": "another@client.test"})),
    member("guest_invitation_revoke", post=Call(ADMIN, 302), kwargs={"invitation_id": obj("guest_invitation")}),
    member("guest_remove", post=Call(ADMIN, 302)),
    member("review_link_create", post=Call(EDITOR, 302, {"week_start": "2026-03-02", "expires_on": "2099-01-01"})),
    member("review_link_revoke", post=Call(EDITOR, 302)),
    guest("guest_calendar", get=Call()),
    guest("guest_post", get=Call()),
    guest("guest_post_approve", post=Call(status=302)),
    guest("guest_post_changes", post=Call(status=302, data={"message": "Bitte ein anderes Bild."})),
    guest("guest_post_comment", post=Call(status=302, data={"body": "Sieht gut aus."})),
    Endpoint(
        "guest_invitation_accept",
        Access.SIGNED_LINK,
        get=Call(),
        post=Call(status=302, data={"name": "Kundin", "password1": PASSWORD, "password2": PASSWORD}),
        kwargs={"token": lambda tenant: tenant.objects["guest_invitation"].token},
    ),
    review("review_link", get=Call()),
    review(
        "review_link_pin",
        post=Call(status=302, data={"pin": PIN}),
        kwargs={"token": _review_token("pin_review_link")},
    ),
    review("review_link_post", get=Call()),
    review("review_link_approve", post=Call(status=302, data={"name": "Eva Kundin"})),
    review("review_link_changes", post=Call(status=302, data={"name": "Eva Kundin", "message": "Anderes Bild"})),
    # --- caption variants (issue 13) ----------------------------------------------------------------
    member("variant_briefs", get=Call(VIEWER)),
    member("brief_create", post=Call(EDITOR, 302, _brief)),
    member("post_variants", post=Call(EDITOR, 302)),
    member("post_tab_variants", get=Call(VIEWER)),
    member("brief_detail", get=Call(VIEWER)),
    member("variant_card", get=Call(VIEWER)),
    member("variant_edit", get=Call(EDITOR), post=Call(EDITOR, 302, {"text": "Frisch gemahlen.", "version": 1})),
    member("variant_fix", post=Call(EDITOR, 302, lambda t: {"fix": "trim_hashtags", "version": 1})),
    member("variant_rewrite", post=Call(EDITOR, 200, lambda t: {"operation": "formal", "version": 1})),
    member("variant_rewrite_accept", post=Call(EDITOR, 302, _variant_token)),
    member("variant_favourite", post=Call(EDITOR, 302)),
    # The world's project has the default approval rule (an editor approves): viewers get 403.
    member("variant_approve", post=Call(EDITOR, 302, {"version": 1})),
    member("voice_trainer", get=Call(VIEWER), post=Call(ADMIN, 302, {"examples": "\n\n".join(VOICE_EXAMPLES)})),
    # --- asset library ---------------------------------------------------------------------------
    member("media_library", get=Call(VIEWER)),
    member("media_upload", get=Call(EDITOR), post=Call(EDITOR, 201, _upload)),
    member("media_policy", post=Call(ADMIN, 302, {"require_licence": "on"})),
    member("post_video", get=Call(VIEWER)),
    member("post_video_render", post=Call(EDITOR, 302)),
    member("post_video_accept", post=Call(EDITOR, 302, {"reason": "Leiser Ton ist gewollt."})),
    member("month_videos", get=Call(VIEWER), post=Call(EDITOR, 302)),
    member("asset_detail", get=Call(VIEWER)),
    member("asset_update", post=Call(EDITOR, 302, {"name": "Swatch", "licence_type": "own", "tags": "red"})),
    member("asset_delete", post=Call(EDITOR, 302)),
    # Any member may open a link issued to them; the world's link is issued to the owner, so "below"
    # checks that a link in the hands of another member (the admin) is refused with 403.
    member("media_asset_file", get=Call(OWNER), kwargs={"token": _asset_link}),
    # --- social accounts -------------------------------------------------------------------------
    member("social_accounts", get=Call(VIEWER)),
    member("social_connect", post=Call(ADMIN, 302)),  # → the platform's consent page
    member("social_reconnect", post=Call(ADMIN, 302)),
    # The world's TikTok API is a closed port (test_endpoints_matrix.py): the revoke fails, the account
    # stays and the page says why; tests/test_social_connect.py disconnects against the live sandbox.
    member("social_disconnect", post=Call(ADMIN, 302)),
    member("social_projects", post=Call(ADMIN, 302, lambda t: {"projects": [t.objects["project"].id]})),
    # Publishing (issue 19): the composer, retry, the queues and the project's publishing settings.
    member(
        "post_publish",
        get=Call(VIEWER),
        post=Call(EDITOR, 302, lambda t: {"account": t.objects["social_account"].id, "title": "Espresso",
                                          "privacy_level": "SELF_ONLY", "consent": "on", "when": "slot"}),
        kwargs={"post_id": obj("approved_post")},
    ),
    member("post_tab_publish", get=Call(VIEWER), kwargs={"post_id": obj("approved_post")}),
    member("post_publish_retry", post=Call(EDITOR, 404, why="the world's posts have no failed publication")),
    member("publishing_queue", get=Call(VIEWER)),
    member("project_publishing", get=Call(VIEWER)),
    member("project_publishing_settings", post=Call(ADMIN, 302, {"mode": "inbox", "catch_up_minutes": 60})),
    # The OAuth callback needs a state signed for this session's connect attempt, which a matrix request
    # cannot carry; roles, outsiders and the state's binding are tested in tests/test_social_connect.py.
    Endpoint(
        "social_oauth_callback",
        Access.SIGNED_IN,
        get=Call(status=400, why="without a state bound to the session: the 'invalid or expired' page"),
    ),
    Endpoint("social_webhook", Access.PUBLIC, post=Call(data=WEBHOOK, headers=_webhook_signature, json=True)),
    # --- sandbox stand-ins (tests and the offline demo; never mounted in production) --------------
    Endpoint("sandbox_openrouter_key", Access.PUBLIC, get=Call(headers=BEARER)),
    Endpoint("sandbox_openrouter_chat", Access.PUBLIC, post=Call(data=CHAT, headers=BEARER, json=True)),
    Endpoint(
        "sandbox_openrouter_embeddings",
        Access.PUBLIC,
        post=Call(data={"model": "openai/text-embedding-3-small", "input": "Kaffee"}, headers=BEARER, json=True),
    ),
    Endpoint("sandbox_elevenlabs_timestamps", Access.PUBLIC, post=Call(data=SPEECH, headers=XI_KEY, json=True)),
    Endpoint("sandbox_elevenlabs_speech", Access.PUBLIC, post=Call(data=SPEECH, headers=XI_KEY, json=True)),
    Endpoint("sandbox_elevenlabs_voices", Access.PUBLIC, get=Call(headers=XI_KEY)),
    Endpoint("sandbox_elevenlabs_models", Access.PUBLIC, get=Call(headers=XI_KEY)),
    Endpoint(
        "sandbox_veo_predict", Access.PUBLIC, post=Call(data=clips.VEO_BODY, headers=clips.VEO_HEADERS, json=True)
    ),
    Endpoint("sandbox_veo_operation", Access.PUBLIC, get=Call(headers=clips.VEO_HEADERS)),
    Endpoint("sandbox_veo_download", Access.PUBLIC, get=Call(headers=clips.VEO_HEADERS)),
    Endpoint(
        "sandbox_kling_text2video",
        Access.PUBLIC,
        post=Call(data=clips.KLING_BODY, headers=clips.kling_headers, json=True),
    ),
    Endpoint("sandbox_kling_task", Access.PUBLIC, get=Call(headers=clips.kling_headers)),
    Endpoint("sandbox_kling_download", Access.PUBLIC, get=Call()),
    # The TikTok stand-in: each call gets a fresh token of the audited app (tests/support/tiktok_sandbox.py).
    Endpoint(
        "sandbox_tiktok_authorize",
        Access.PUBLIC,
        get=Call(query=tiktok.AUTHORIZE),  # the consent page; its form answers back to our callback:
        post=Call(status=302, query=tiktok.AUTHORIZE, data={"decision": "allow", "creator": tiktok.PUBLIC}),
    ),
    Endpoint("sandbox_tiktok_token", Access.PUBLIC, post=Call(data=tiktok.refresh_grant, form=True)),
    Endpoint("sandbox_tiktok_revoke", Access.PUBLIC, post=Call(data=tiktok.revocation, form=True)),
    Endpoint("sandbox_tiktok_creator_info", Access.PUBLIC, post=Call(headers=tiktok.bearer, json=True)),
    Endpoint(
        "sandbox_tiktok_video_init", Access.PUBLIC, post=Call(data=tiktok.DIRECT, headers=tiktok.bearer, json=True)
    ),
    Endpoint(
        "sandbox_tiktok_inbox_init", Access.PUBLIC, post=Call(data=tiktok.INBOX, headers=tiktok.bearer, json=True)
    ),
    Endpoint("sandbox_tiktok_status", Access.PUBLIC, post=Call(data=tiktok.publish, headers=tiktok.bearer, json=True)),
    Endpoint("sandbox_tiktok_cancel", Access.PUBLIC, post=Call(data=tiktok.publish, headers=tiktok.bearer, json=True)),
    Endpoint(
        "sandbox_tiktok_user_info",
        Access.PUBLIC,
        get=Call(data={"fields": "open_id,display_name"}, headers=tiktok.bearer),
    ),
    Endpoint(
        "sandbox_tiktok_video_list",
        Access.PUBLIC,
        post=Call(query=tiktok.VIDEO_FIELDS, data={"max_count": 5}, headers=tiktok.bearer, json=True),
    ),
    Endpoint(
        "sandbox_tiktok_video_query",
        Access.PUBLIC,
        post=Call(query=tiktok.VIDEO_FIELDS, data={"filters": {"video_ids": ["1"]}}, headers=tiktok.bearer, json=True),
    ),
    # One chunk that completes the upload of a fresh 1000-byte direct post (its id: URL_KWARGS).
    Endpoint(
        "sandbox_tiktok_upload", Access.PUBLIC, put=Call(status=201, data=tiktok.CHUNK, headers=tiktok.CHUNK_HEADERS)
    ),
    Endpoint("sandbox_tiktok_avatar", Access.PUBLIC, get=Call()),
]


# --- the URL patterns themselves -----------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str  # the pattern's full route, e.g. "o/<slug:org_slug>/members/"
    name: str  # with its namespace, "" when unnamed
    kwargs: tuple[str, ...]  # keyword argument names, in order


def routes(urlconf: str | None = None) -> list[Route]:
    """Every URL pattern of `urlconf` (default: ROOT_URLCONF), walking the includes."""

    def walk(patterns, prefix: str, namespaces: tuple[str, ...]):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                name = ":".join((*namespaces, pattern.name)) if pattern.name else ""
                yield Route(route, name, tuple(_kwarg_names(route)))

    return list(walk(get_resolver(urlconf).url_patterns, "", ()))


def _kwarg_names(route: str) -> list[str]:
    """`<slug:org_slug>` (path) and `(?P<key>…)` (regex) parameters, in order."""
    return [path or regex for path, regex in KWARG.findall(route)]


def unregistered(urlconf: str | None = None) -> list[str]:
    """Routes that neither an entry nor a mount of the registry covers."""
    names = {endpoint.name for endpoint in ENDPOINTS}
    return [
        r.route
        for r in routes(urlconf)
        if r.name not in names and not any(r.route.startswith(mount.prefix) for mount in MOUNTS)
    ]


@lru_cache(maxsize=1)
def _kwargs_by_name() -> dict[str, tuple[str, ...]]:
    return {r.name: r.kwargs for r in routes() if r.name}


def url_kwarg_names(endpoint: Endpoint) -> tuple[str, ...]:
    """The keyword arguments of the endpoint's URL pattern, in order."""
    return _kwargs_by_name()[endpoint.name]


def endpoints_with(kwarg: str) -> list[Endpoint]:
    """The entries whose URL takes `kwarg` (e.g. every post endpoint: "post_id")."""
    return [endpoint for endpoint in ENDPOINTS if kwarg in url_kwarg_names(endpoint)]


def url_kwargs(endpoint: Endpoint, tenant: Tenant, foreign: Tenant | None = None, swap: str = "") -> dict:
    """The URL's keyword arguments for `tenant`; with `swap`, that one comes from `foreign` instead."""
    builders = URL_KWARGS | endpoint.kwargs
    return {
        name: builders[name](foreign if name == swap and foreign is not None else tenant)
        for name in url_kwarg_names(endpoint)
    }
