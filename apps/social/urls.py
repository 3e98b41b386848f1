from django.urls import path

from apps.social import views

# Mounted under /o/<org_slug>/accounts/ by viralforge/urls.py.
urlpatterns = [
    path("", views.account_list, name="social_accounts"),
    path("connect/<slug:platform>/", views.account_connect, name="social_connect"),
    path("<uuid:account_id>/reconnect/", views.account_reconnect, name="social_reconnect"),
    path("<uuid:account_id>/disconnect/", views.account_disconnect, name="social_disconnect"),
    path("<uuid:account_id>/projects/", views.account_projects, name="social_projects"),
]

# Mounted under /social/ (fixed URLs registered with the platforms).
platform_patterns = [
    path("<slug:platform>/callback/", views.oauth_callback, name="social_oauth_callback"),
    path("<slug:platform>/webhook/", views.webhook, name="social_webhook"),
]
