"""Caption variants, brief to screen: `python -m bench.variants [--runs 5] [--latency-ms 1000]`.

Each run posts a brief for 8 platforms × 3 variants (one language) the way the wizard does it
(`POST …/variants/new/` with HTMX and the CSRF token, over HTTP to a web server started here:
gunicorn, 2 processes × 16 threads, on a free port, signed in) and then polls the brief's results
the way the page does (`GET …/variants/<id>/` with `HX-Request`, every `POLL_MS` = 500 ms), while
a real Dramatiq worker started in this process on the development broker writes them (web and
worker in separate processes, as in production). Every agent call goes to the OpenRouter sandbox
of the same web server with
`--latency-ms` of injected latency per call (`apps.sandbox.faults`, restored afterwards); each
run's topic differs, so the AI cache answers nothing. The project routes the `variants` agent to
OpenRouter's cheap model without escalation (as `bench.plan` routes its agents).

- `time_to_first_variant_p95_s` (target 2.0): from the POST to the first poll response that
  contains a variant, p95 over the runs.
- `variants_8_platforms_s` (target 6): from the POST until a poll response shows all 24, the
  worst run (`variants_8_platforms_median_s` too).
- Same-run baseline: one `run_agent` call through the same sandbox (`sandbox_agent_call_s`) and
  the ratio of the full brief to it (`variants_8_platforms_ratio_to_call`).

A throwaway organization, its user, the sandbox log rows and the fault configuration are removed
at the end. The policy engine is warmed up first (`_warm_up`), as in a running worker. A `make run`
worker on the same broker may pick up jobs too: stop it for clean numbers.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
import uuid

import httpx

from bench.common import emit, setup_django

BENCH = "variants"
PLATFORMS = ("tiktok", "instagram", "youtube_shorts", "x", "linkedin", "facebook", "threads", "pinterest")
PER_PLATFORM = 3
CARD = 'class="card variant-card'


def _setup(tag: str):
    from apps.accounts.models import User
    from apps.ai.actions import do_save_agent_route
    from apps.billing.testing import subscribe
    from apps.credentials.actions import do_add_credential
    from apps.orgs.models import Membership, Organization
    from apps.orgs.roles import Role
    from apps.projects.models import Project

    org = Organization.objects.create(name=f"Bench variants {tag}", slug=f"bench-variants-{tag}")
    user = User.objects.create_user(email=f"bench-variants-{tag}@bench.invalid", password=uuid.uuid4().hex)
    Membership.objects.create(organization=org, user=user, role=Role.OWNER)
    subscribe(org, posts_per_month=1_000_000, monthly_tokens=10_000_000_000, allows_managed_keys=False)
    key = f"sk-or-bench-variants-{uuid.uuid4().hex}"
    do_add_credential(org, provider="openrouter", secret=key, label="bench")
    project = Project.objects.create(
        organization=org, name="Alpenglow Coffee", slug="alpenglow", language="de", cta="Folge uns"
    )
    # The project's route for captions: the cheap model, no escalation (as bench.plan routes its agents).
    do_save_agent_route(org, "variants", project=project, provider="openrouter", model="openai/gpt-5-mini")
    return org, user, project, key


def _web_client(base_url: str, user):
    """An HTTP client of the web server, signed in as `user`, with the CSRF token the page would send."""
    from django.conf import settings
    from django.test import Client

    signed_in = Client()
    signed_in.force_login(user)
    http = httpx.Client(base_url=base_url, timeout=60)
    http.cookies.set(settings.SESSION_COOKIE_NAME, signed_in.cookies[settings.SESSION_COOKIE_NAME].value)
    return http


def _run(http, org, project, n: int, timeout_s: float) -> tuple[float, float]:
    """(seconds to the first variant on screen, seconds until all are on screen) for one brief."""
    from django.urls import reverse

    from apps.variants.views import POLL_MS

    wizard = reverse("variant_briefs", args=[org.slug, project.slug])
    http.get(wizard).raise_for_status()  # the page sets the CSRF cookie, as in a browser
    data = {
        "topic": f"Espresso zu Hause, Teil {n}",
        "key_message": "Mit frisch gemahlenen Bohnen gelingt der Espresso auch ohne Siebträger.",
        "cta": "Jetzt Platz sichern",
        "languages": ["de"],
        "platforms": list(PLATFORMS),
        "per_platform": str(PER_PLATFORM),
    }
    headers = {"X-CSRFToken": http.cookies.get("csrftoken", ""), "HX-Request": "true"}
    started = time.perf_counter()
    response = http.post(reverse("brief_create", args=[org.slug, project.slug]), data=data, headers=headers)
    if response.status_code != 204 or "HX-Redirect" not in response.headers:
        raise RuntimeError(f"The brief was refused ({response.status_code}).")
    url = response.headers["HX-Redirect"]
    expected = len(PLATFORMS) * PER_PLATFORM
    first = None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        cards = http.get(url, headers={"HX-Request": "true"}).text.count(CARD)
        elapsed = time.perf_counter() - started
        if cards and first is None:
            first = elapsed
        if cards >= expected:
            return first, elapsed
        time.sleep(POLL_MS / 1000)
    raise RuntimeError(f"Not all variants were shown within {timeout_s:.0f} s.")


def _agent_call(org, project, n: int = 3) -> float:
    from apps.ai.orchestrator import run_agent
    from apps.variants.generation import platform_row

    samples = []
    for i in range(n):
        inputs = {"brief": {"topic": f"Baseline {uuid.uuid4().hex}"}, "platform": platform_row("x"), "variant_index": 1}
        started = time.perf_counter()
        result = run_agent(org, "variants", inputs, project=project, seed=i, cache=False)
        if not result.ok or result.offline:
            raise RuntimeError(f"The baseline call did not reach the sandbox: {result.outcome}")
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _warm_up() -> None:
    """A running worker has compiled the policy rule sets and loaded the lemmatiser once (about 10 s on a
    cold process): do that here, so the runs measure what a user waits for."""
    from apps.variants.generation import policy_verdict

    for language in ("de", "en"):
        policy_verdict(None, text="Frisch gemahlen.", title="", hashtags=["#kaffee"], language=language, platform="x")


def _cleanup(org, user, key) -> None:
    from apps.sandbox.log import digest
    from apps.sandbox.models import SandboxCall

    SandboxCall.objects.filter(auth_digest=digest(f"Bearer {key}")).delete()
    org.delete()
    user.delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="briefs of 8 platforms × 3 variants")
    parser.add_argument("--latency-ms", type=int, default=1000, help="latency the sandbox LLM adds per call")
    parser.add_argument("--server-processes", type=int, default=2, help="processes of the sandbox web server")
    parser.add_argument("--server-threads", type=int, default=16, help="threads per sandbox web server process")
    args = parser.parse_args()
    setup_django()
    for name in ("httpx", "viralforge", "dramatiq", "django"):
        logging.getLogger(name).setLevel(logging.WARNING)

    import dramatiq

    from bench.agents_client import _free_port, openrouter_sandbox, start_server, stop_server

    org, user, project, key = _setup(uuid.uuid4().hex[:10])
    port = _free_port()
    # Two processes of threads: the stand-in's own CPU (schema answers, its call log) must not queue
    # behind one interpreter lock while it plays a remote service that answers in parallel.
    process = start_server(
        port,
        timeout_s=120,  # a loaded machine starts two processes slowly
        extra_args=("--workers", str(args.server_processes), "--worker-class", "gthread",
                    "--threads", str(args.server_threads), "--timeout", "120"),
    )  # fmt: skip
    firsts, alls = [], []
    try:
        with openrouter_sandbox(port, args.latency_ms):
            # Polls an idle queue as often as the Procfile's worker does (WORKER_POLL_MS, 100 ms).
            worker = dramatiq.Worker(dramatiq.get_broker(), worker_threads=2, worker_timeout=100)
            worker.start()
            http = _web_client(f"http://127.0.0.1:{port}", user)
            try:
                _warm_up()
                baseline = _agent_call(org, project)
                for n in range(args.runs):
                    first, done = _run(http, org, project, n, timeout_s=120)
                    firsts.append(first)
                    alls.append(done)
            finally:
                worker.stop()
                http.close()
    finally:
        stop_server(process)
        _cleanup(org, user, key)

    ordered = sorted(firsts)
    p95_first = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    emit(BENCH, "sandbox_agent_call_s", baseline, "s")
    emit(BENCH, "runs", len(alls), "count")
    emit(BENCH, "variants_8_platforms_median_s", statistics.median(alls), "s", target=6, better="lower")
    emit(BENCH, "variants_8_platforms_ratio_to_call", max(alls) / baseline, "ratio")
    emit(BENCH, "time_to_first_variant_p95_s", p95_first, "s", target=2.0, better="lower")
    emit(BENCH, "variants_8_platforms_s", max(alls), "s", target=6, better="lower")


if __name__ == "__main__":
    main()
