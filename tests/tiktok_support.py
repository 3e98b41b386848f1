"""Shared by the TikTok tests: the sandbox on pytest-django's live_server, reached over real HTTP."""

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from django.urls import reverse

from apps.sandbox.faults import clear_faults
from apps.sandbox.tiktok import state
from apps.social.tiktok.client import TikTokClient

CLIENT_KEY = "sbx-client-viralforge"
CLIENT_SECRET = "sbx-secret-viralforge-0123456789"
UNAUDITED_KEY = "sbx-client-unaudited"
UNAUDITED_SECRET = "sbx-secret-unaudited-0123456789"
PUBLIC = "sbx-open-alpenglow"
PRIVATE = "sbx-open-private"
CAPPED = "sbx-open-capped"
BANNED = "sbx-open-banned"
ALL_SCOPES = ("user.info.basic", "user.info.stats", "video.publish", "video.upload", "video.list")
MB = 1024 * 1024


def sandbox_services(live_server, settings):
    """The app and the sandbox TikTok on the live server; fresh sandbox state.
    A test module makes it its fixture: `sandbox = pytest.fixture(sandbox_services)`."""
    settings.VF_TIKTOK_CLIENT_KEY = CLIENT_KEY
    settings.VF_TIKTOK_CLIENT_SECRET = CLIENT_SECRET
    settings.VF_TIKTOK_API_BASE_URL = live_server.url + "/sandbox/tiktok"
    settings.VF_TIKTOK_AUTHORIZE_URL = live_server.url + "/sandbox/tiktok/v2/auth/authorize/"
    settings.VF_TIKTOK_REDIRECT_URL = live_server.url + "/social/tiktok/callback/"
    state.reset()
    clear_faults("tiktok")
    yield live_server.url
    state.reset()
    clear_faults("tiktok")


def authorize(
    base: str,
    *,
    creator: str = PUBLIC,
    scopes=ALL_SCOPES,
    decision: str = "allow",
    client_key: str = CLIENT_KEY,
    redirect_uri: str | None = None,
    code_challenge: str = "",
    state_value: str = "xyz",
    granted=None,
) -> httpx.Response:
    """Answer the sandbox consent page like a user would; the response redirects to the app."""
    query = {
        "client_key": client_key,
        "scope": ",".join(scopes),
        "redirect_uri": redirect_uri or f"{base}/social/tiktok/callback/",
        "state": state_value,
        "response_type": "code",
    }
    if code_challenge:
        query |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
    form = {"decision": decision, "creator": creator}
    if granted is not None:
        form = form | {"scopes_given": "1", "scopes": list(granted)}
    return httpx.post(f"{base}/sandbox/tiktok/v2/auth/authorize/?{urlencode(query)}", data=form)


def redirect_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


def tokens_for(base: str, creator: str = PUBLIC, *, client_key=CLIENT_KEY, client_secret=CLIENT_SECRET,
               scopes=ALL_SCOPES):  # fmt: skip
    """A code grant for `creator`, exchanged: the token endpoint's answer (TokenResponse)."""
    code = redirect_params(authorize(base, creator=creator, client_key=client_key, scopes=scopes))["code"]
    with TikTokClient(client_key, client_secret, base_url=f"{base}/sandbox/tiktok") as client:
        return client.exchange_code(code, redirect_uri=f"{base}/social/tiktok/callback/")


def api_client(base: str, client_key=CLIENT_KEY, client_secret=CLIENT_SECRET) -> TikTokClient:
    return TikTokClient(client_key, client_secret, base_url=f"{base}/sandbox/tiktok")


def start(client, org) -> dict:
    """POST connect → the authorize URL's query."""
    response = client.post(reverse("social_connect", args=[org.slug, "tiktok"]))
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert url.path == "/sandbox/tiktok/v2/auth/authorize/"
    return {k: v[0] for k, v in parse_qs(url.query).items()}


def consent(client, sandbox_url: str, query: dict, decision: str = "allow", creator: str = PUBLIC, **extra):
    """The user answers the sandbox consent page; returns our callback's response."""
    form = {"decision": decision, "creator": creator} | extra
    answer = httpx.post(f"{sandbox_url}/sandbox/tiktok/v2/auth/authorize/", params=query, data=form)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["location"])
    assert back.path == "/social/tiktok/callback/"
    return client.get(back.path + "?" + back.query)


def connect(client, sandbox_url: str, org, creator: str = PUBLIC):
    """Connect `creator` to `org` through the Accounts page, the consent page and the callback."""
    from apps.social.models import SocialAccount

    response = consent(client, sandbox_url, start(client, org), creator=creator)
    assert response.status_code == 302
    return SocialAccount.objects.for_org(org).get(open_id=creator)
