from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from apps.accounts import views as account_views
from apps.jobs import views as job_views
from apps.orgs import views as org_views
from apps.posts import urls_review as review_urls
from apps.posts import views_review as review_views
from apps.social import urls_publish as publish_urls
from apps.social.urls import platform_patterns as social_platform_patterns
from viralforge import csp_report, health, security

org_patterns = [
    path("", org_views.org_dashboard, name="org_dashboard"),
    path("members/", org_views.org_members, name="org_members"),
    path("members/invite/", org_views.member_invite, name="member_invite"),
    path("members/<uuid:membership_id>/role/", org_views.member_role, name="member_role"),
    path("members/<uuid:membership_id>/remove/", org_views.member_remove, name="member_remove"),
    path("invitations/<uuid:invitation_id>/revoke/", org_views.invitation_revoke, name="invitation_revoke"),
    path("leave/", org_views.org_leave, name="org_leave"),
    path("settings/", org_views.org_settings, name="org_settings"),
    path("settings/rename/", org_views.org_rename, name="org_rename"),
    path("settings/transfer/", org_views.org_transfer, name="org_transfer"),
    path("settings/delete/", org_views.org_delete, name="org_delete"),
    path("jobs/", job_views.job_queue, name="job_queue"),
    path("jobs/<uuid:job_run_id>/", job_views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_run_id>/requeue/", job_views.job_requeue, name="job_requeue"),
    path("billing/", include("apps.billing.urls")),
    path("credentials/", include("apps.credentials.urls")),
    path("accounts/", include("apps.social.urls")),
    path("compliance/", include("apps.compliance.urls")),
    path("ai/", include("apps.ai.urls")),
    path("media/", include("apps.media.urls")),
    path("p/", include("apps.projects.urls")),
    path("p/<slug:project_slug>/", include("apps.ai.project_urls")),
    path("p/<slug:project_slug>/", include("apps.planning.urls")),
    path("p/<slug:project_slug>/", include("apps.posts.urls")),
    path("p/<slug:project_slug>/", include("apps.media.urls_video")),
    path("p/<slug:project_slug>/", include("apps.variants.urls")),
    path("p/<slug:project_slug>/", include(publish_urls.project_patterns)),
    path("", include(publish_urls.org_patterns)),
    path("p/<slug:project_slug>/", include("apps.media.clips.urls")),
    path("review/<slug:project_slug>/", include(review_urls.guest_patterns)),
]

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("language/", account_views.set_language, name="set_language"),
    # Before allauth's own: the same sign-in page behind the per-IP block (apps/accounts/login_limits.py).
    path("accounts/login/", security.login),
    path("accounts/", include("allauth.urls")),
    path("csp-report/", csp_report.csp_report, name="csp_report"),
    path("orgs/new/", org_views.org_create, name="org_create"),
    path("orgs/switch/", org_views.org_switch, name="org_switch"),
    path("invite/<str:token>/", org_views.invitation_accept, name="invitation_accept"),
    path("guest/", review_views.guest_home, name="guest_home"),
    path("guest/invite/<str:token>/", review_views.guest_invitation_accept, name="guest_invitation_accept"),
    path("r/<str:token>/", include(review_urls.link_patterns)),
    path("social/", include(social_platform_patterns)),
    path("o/<slug:org_slug>/", include(org_patterns)),
    path(settings.VF_ADMIN_PATH, admin.site.urls),
]

if settings.VF_SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("apps.sandbox.urls")))
