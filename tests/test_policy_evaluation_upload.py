"""Evaluation upload on the policy page: an org admin's labelled TSV gets the policy_eval report.

Access (405 / 403 editor / 404 outsider / anonymous) runs in the endpoint matrix
(`policy_evaluation` in tests/endpoints.py); here: the report, its figures, and bad files.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from apps.compliance.actions import do_publish_rule_set
from apps.compliance.models import Rule, RuleSet
from tests.support.policy_corpus import EVALUATION_HEADER, default_rule_set, evaluation_tsv

HX = {"HTTP_HX_REQUEST": "true"}
ROWS = (
    "de-1\tde\tmedical\tblock\ttiktok\tnone\tfalse\tDieser Tee heilt Krebs!",
    "de-2\tde\tmedical\tpass\ttiktok\tnone\tfalse\tDer beste Kaffee der Stadt.",
    "en-1\ten\ttaboo\tblock\ttiktok\tnone\tfalse\tGet your Starbucks coffee here.",
)


@pytest.fixture(autouse=True)
def defaults(db):
    return default_rule_set()


def url(org):
    return reverse("policy_evaluation", args=[org.slug])


def snapshot():
    return sorted(RuleSet.objects.unscoped().values_list("id", "version", "active", "published_at"))


def test_the_admin_sees_the_upload_form_editors_do_not(client_for, org, owner, editor):
    assert (
        f'action="{url(org)}"' in client_for(owner).get(reverse("policy_test_bench", args=[org.slug])).content.decode()
    )
    assert url(org) not in client_for(editor).get(reverse("policy_test_bench", args=[org.slug])).content.decode()


def test_report_per_category_and_language_with_the_orgs_own_rules(client_for, org, owner):
    before = snapshot()
    response = client_for(owner).post(url(org), {"corpus": evaluation_tsv(*ROWS)}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="policy-evaluation"')
    assert 'data-category="medical" data-language="de"' in html
    # The taboo row needs the organization's own rule: without it, it is missed.
    assert "1 misclassified row" in html and "en-1" in html
    assert snapshot() == before

    rule_set = RuleSet.objects.create(organization=org, name="competitors")
    Rule.objects.create(
        rule_set=rule_set,
        code="rivals",
        category="taboo",
        kind="phrases",
        outcome="hard_block",
        patterns="Starbucks",
        description="Never name a competitor.",
    )
    do_publish_rule_set(rule_set)
    html = client_for(owner).post(url(org), {"corpus": evaluation_tsv(*ROWS)}, **HX).content.decode()
    assert "misclassified" not in html
    row = "".join(html.split('data-category="all" data-language="all"')[1].split("</tr>")[0].split())
    # 2 must be flagged, 1 harmless; precision, recall, F1 100 %, false-positive rate 0 %.
    assert "<td>2</td><td>1</td><td>100%</td><td>100%</td><td>100%</td><td>0%</td>" in row


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("x.tsv", b"id\ttext\n1\thallo\n"), "The file is not a labelled TSV"),
        (
            SimpleUploadedFile("x.tsv", (EVALUATION_HEADER + ROWS[0]).encode("latin-1").replace(b"e", b"\xe4\xff")),
            "The file is not UTF-8 text.",
        ),
        (SimpleUploadedFile("x.tsv", EVALUATION_HEADER.encode()), "The file has no rows."),
    ],
)
def test_bad_files_get_a_message_in_place(client_for, org, owner, upload, message):
    response = client_for(owner).post(url(org), {"corpus": upload}, **HX)
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="policy-evaluation"') and message in html
    assert "policy-evaluation-report" not in html


@override_settings(VF_POLICY_EVAL_MAX_KB=1)
def test_a_file_over_the_limit_is_refused(client_for, org, owner):
    rows = [f"de-{i}\tde\tmedical\tpass\ttiktok\tnone\tfalse\tDer beste Kaffee der Stadt." for i in range(100)]
    response = client_for(owner).post(url(org), {"corpus": evaluation_tsv(*rows)}, **HX)
    assert response.status_code == 400
    assert "The file is too big: at most 1 KB." in response.content.decode()


def test_german_message_for_a_german_admin(client_for, org, owner):
    owner.language = "de"
    owner.save()
    response = client_for(owner).post(
        url(org), {"corpus": SimpleUploadedFile("x.tsv", b"\xff\xfe")}, HTTP_ACCEPT_LANGUAGE="de", **HX
    )
    assert response.status_code == 400
    assert "Die Datei ist kein UTF-8-Text." in response.content.decode()


def test_the_whole_report_is_german_for_a_german_admin(client_for, org, owner):
    owner.language = "de"
    owner.save()
    harmless = "Unser Tee heilt Krebs – sagt niemand, der Ahnung hat."
    rows = (*ROWS, f"de-3\tde\tmedical\tpass\ttiktok\tnone\tfalse\t{harmless}")
    html = client_for(owner).post(url(org), {"corpus": evaluation_tsv(*rows)}, HTTP_ACCEPT_LANGUAGE="de", **HX)
    html = html.content.decode()
    table = html.split('id="policy-evaluation-report"')[1].split("</table>")[0]
    medical = table.split('data-category="medical" data-language="de"')[1].split("</tr>")[0]
    assert "<td>Medizinische Aussagen</td><td>Deutsch</td>" in medical
    assert "<td>Alle</td><td>Alle</td>" in table and "<td>Tabuliste</td><td>Englisch</td>" in table
    assert "Genaue Übereinstimmung der Schwere" in html
    items = html.split('class="policy-misclassified"')[1].split("</ul>")[0]
    missed = items.split('data-row="en-1"')[1].split("</li>")[0]
    assert "[Englisch, Tabuliste] erwartet: Gesperrt, Ergebnis: Unbedenklich:" in missed
    flagged = items.split('data-row="de-3"')[1].split("</li>")[0]
    assert "[Deutsch, Medizinische Aussagen] erwartet: Unbedenklich, Ergebnis: Gesperrt (" in flagged
    assert "“heilt Krebs”" in flagged
    # Codes stay in the markup only: no English words, categories or outcomes in the text.
    visible = table.split(">", 1)[1] + items
    for english in ("medical", "taboo", "hard_block", "expected", "got ", "block,", "pass)", "All<", "German"):
        assert english not in visible.replace('data-category="medical"', "").replace('data-category="taboo"', "")


def test_a_broken_line_is_named_in_german(client_for, org, owner):
    owner.language = "de"
    owner.save()
    upload = evaluation_tsv("x-1\tfr\tmedical\tblock\ttiktok\tnone\tfalse\tBonjour")
    response = client_for(owner).post(url(org), {"corpus": upload}, HTTP_ACCEPT_LANGUAGE="de", **HX)
    assert response.status_code == 400
    assert "Zeile 2: language: die Sprache muss de oder en sein" in response.content.decode()
