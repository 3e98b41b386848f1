"""The policy test bench: check a caption against the rules that apply to this organization.

Who may use it: every member, viewers included. Checking writes nothing and shows only the
verdict for the text the member typed, so it is a read-only tool (a client reviewer can
check a caption before approving it). The list of the rule sets that apply, with their
rules and patterns, is shown to admins and owners only.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from apps.compliance.evaluation import run as run_evaluation
from apps.compliance.forms import CONTENT_LANGUAGES, PolicyEvaluationForm, PolicyTestForm
from apps.compliance.models import Field
from apps.compliance.policy import SEVERITY, Verdict, describe_rule_sets, evaluate, field_texts
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role

TEMPLATE = "compliance/policy_test_bench.html"


def _segments(raw: str, spans: list[tuple[int, int, str]]) -> list[dict]:
    """`raw` cut into plain and marked pieces; overlapping spans merge and keep the worse outcome."""
    merged: list[list] = []
    for start, end, outcome in sorted(spans):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            if SEVERITY[outcome] > SEVERITY[last[2]]:
                last[2] = outcome
        else:
            merged.append([start, end, outcome])
    pieces, position = [], 0
    for start, end, outcome in merged:
        if start > position:
            pieces.append({"text": raw[position:start], "outcome": ""})
        pieces.append({"text": raw[start:end], "outcome": outcome})
        position = end
    if position < len(raw):
        pieces.append({"text": raw[position:], "outcome": ""})
    return pieces


def _highlighted(form: PolicyTestForm, verdict: Verdict) -> list[dict]:
    texts = field_texts(form.policy_input())
    fields = []
    for name in (Field.TITLE.value, Field.TEXT.value, Field.HASHTAGS.value):
        raw = texts[name]
        if not raw:
            continue
        spans = [
            (m.start, m.end, m.outcome)
            for m in verdict.matches
            if m.field == name and m.start is not None and m.end is not None and m.end > m.start
        ]
        fields.append({"label": Field(name).label, "segments": _segments(raw, spans)})
    return fields


def _initial_language() -> str:
    current = (translation.get_language() or "de")[:2]
    return current if current in dict(CONTENT_LANGUAGES) else "de"


@require_http_methods(["GET", "POST"])
@org_view()
def policy_test_bench(request: OrgRequest) -> HttpResponse:
    verdict, highlighted, status = None, [], 200
    if request.method == "POST":
        form = PolicyTestForm(request.POST)
        if form.is_valid():
            verdict = evaluate(form.policy_input(), org=request.org)
            highlighted = _highlighted(form, verdict)
        else:
            status = 400
    else:
        form = PolicyTestForm(initial={"language": _initial_language(), "platform": "tiktok"})
    partial = bool(request.htmx) and request.method == "POST"
    can_see_rules = request.membership.has_role(Role.ADMIN)
    context = {
        "form": form,
        "verdict": verdict,
        "highlighted": highlighted,
        "can_see_rules": can_see_rules,
        # Only the full page lists them; the HTMX answer is the form and the verdict.
        "rule_sets": describe_rule_sets(request.org) if can_see_rules and not partial else [],
        "evaluation_form": PolicyEvaluationForm() if can_see_rules else None,
    }
    return render(request, f"{TEMPLATE}#bench" if partial else TEMPLATE, context, status=status)


@require_http_methods(["POST"])
@org_view(Role.ADMIN)
def policy_evaluation(request: OrgRequest) -> HttpResponse:
    """Evaluate an uploaded labelled TSV against this organization's rule sets; nothing is stored."""
    form = PolicyEvaluationForm(request.POST, request.FILES)
    report, status = None, 200
    if form.is_valid():
        report = run_evaluation(form.rows, org=request.org)
    else:
        status = 400
    context = {"evaluation_form": form, "report": report}
    return render(request, f"{TEMPLATE}#evaluation", context, status=status)
