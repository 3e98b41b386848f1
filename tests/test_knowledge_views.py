"""The knowledge page: who may do what, uploads, deleting, and the "see what the AI will see" search."""

import pytest
from django.urls import reverse

from apps.ai.models import KnowledgeChunk, KnowledgeDoc
from apps.billing import ratelimit
from apps.jobs.models import JobRun
from apps.projects.models import Project
from tests.support.knowledge import BRAND_TEXT, add, make_pdf, snapshot, upload

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_search_limit(org):
    ratelimit.reset("knowledge_search", org)
    yield
    ratelimit.reset("knowledge_search", org)


@pytest.fixture
def project(org):
    return Project.objects.create(organization=org, name="Alpenglow", slug="alpenglow")


@pytest.fixture
def doc(org, owner):
    return add(org, BRAND_TEXT, title="Brand rules", actor=owner)


def url(name, org, doc=None):
    return reverse(name, args=[org.slug] + ([doc.id] if doc is not None else []))


def everything(org, other_org=None):
    jobs = list(JobRun.objects.for_org(org).values_list("id", flat=True))
    return snapshot(org, *([other_org] if other_org else [])), jobs


# --- access ----------------------------------------------------------------------------------


def test_viewer_cannot_add_or_delete(client_for, org, viewer, doc):
    client = client_for(viewer)
    before = everything(org)
    response = client.post(url("knowledge_add", org), {"kind": "avoid", "title": "X", "text": "Nope"})
    assert response.status_code == 403
    assert client.post(url("knowledge_delete", org, doc), **HX).status_code == 403
    assert everything(org) == before
    html = client.get(url("knowledge_list", org)).content.decode()
    assert "Brand rules" in html
    assert url("knowledge_add", org) not in html and url("knowledge_delete", org, doc) not in html


# --- list ------------------------------------------------------------------------------------


def test_list_shows_documents_of_this_org_only(client_for, org, other_org, viewer, owner, project):
    add(org, BRAND_TEXT, title="Brand rules", actor=owner)
    add(org, "Sunrise hook won.", title="Sunrise winner", kind="past_winner", project=project)
    add(other_org, BRAND_TEXT, title="Beta secrets")
    response = client_for(viewer).get(url("knowledge_list", org))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Brand rules" in html and "Sunrise winner" in html and "Beta secrets" not in html
    assert "Brand constraint" in html and "Past winner" in html
    assert "Alpenglow" in html and "Whole organization" in html
    assert "owner@alpha.test" in html
    assert "needs re-embedding" not in html


def test_list_offers_reembedding_to_admins_when_documents_are_stale(client_for, org, admin_user, editor, doc):
    KnowledgeDoc.objects.for_org(org).filter(id=doc.id).update(embedder="old-embedder")
    html = client_for(editor).get(url("knowledge_list", org)).content.decode()
    assert "needs re-embedding" in html and url("knowledge_reembed", org) not in html
    html = client_for(admin_user).get(url("knowledge_list", org)).content.decode()
    assert url("knowledge_reembed", org) in html


def test_reembed_queues_a_job_and_goes_to_it(client_for, org, admin_user, doc, broker):
    response = client_for(admin_user).post(url("knowledge_reembed", org), **HX)
    assert response.status_code == 204
    job = JobRun.objects.for_org(org).get()
    assert job.kind == "reembed_knowledge" and job.payload == {"organization_id": str(org.id)}
    assert response["HX-Redirect"] == reverse("job_detail", args=[org.slug, job.id])


# --- add -------------------------------------------------------------------------------------


def test_add_pasted_text_redirects_with_message(client_for, org, editor, project):
    response = client_for(editor).post(
        url("knowledge_add", org),
        {"kind": "brand_constraint", "title": "Tone", "project": project.id, "text": BRAND_TEXT},
        follow=True,
    )
    assert response.redirect_chain == [(url("knowledge_list", org), 302)]
    html = response.content.decode()
    assert "added to the knowledge base" in html and "Tone" in html
    doc = KnowledgeDoc.objects.for_org(org).get()
    assert (doc.title, doc.project, doc.created_by, doc.kind) == ("Tone", project, editor, "brand_constraint")
    assert KnowledgeChunk.objects.for_org(org).filter(document=doc, project=project).count() >= 1


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("rules.txt", "Nie über Preise reden.".encode(), "Nie über Preise reden."),
        ("rules.md", "# Regeln\n\n- Immer höflich".encode(), "- Immer höflich"),
        ("book.pdf", make_pdf([["Keine Heilversprechen."]]), "Keine Heilversprechen."),
    ],
)
def test_htmx_upload_returns_the_panel(client_for, org, editor, name, content, expected):
    response = client_for(editor).post(
        url("knowledge_add", org), {"kind": "avoid", "title": "", "file": upload(name, content)}, **HX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="knowledge-panel">') and "<html" not in html
    doc = KnowledgeDoc.objects.for_org(org).get()
    assert doc.filename == name and doc.title == name.rsplit(".", 1)[0] and expected in doc.content
    assert f'id="knowledge-doc-{doc.id}"' in html
    assert "added to the knowledge base" in html  # the message, out of band


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"kind": "avoid", "title": "X"}, "Please upload a file or paste a text."),
        ({"kind": "gossip", "title": "X", "text": "Hi"}, "Select a valid choice."),
        ({"kind": "avoid", "title": "X", "text": "Hi", "project": "not-a-uuid"}, "is not a valid UUID"),
        ({"kind": "avoid", "title": "", "text": "Hi"}, "Please enter a title."),
        ({"kind": "avoid", "title": "X", "file": ("a.txt", b"Hi"), "text": "Hi"}, "not both"),
        ({"kind": "avoid", "title": "X", "file": ("a.txt", b"\x00\xff\xfe binary")}, "not a text file"),
        ({"kind": "avoid", "title": "X", "file": ("a.txt", "Grüße".encode("cp1252"))}, "not UTF-8 text"),
        ({"kind": "avoid", "title": "X", "file": ("a.docx", b"PK\x03\x04")}, "Unsupported file type"),
        ({"kind": "avoid", "title": "X", "file": ("a.pdf", b"%PDF-1.4 broken")}, "PDF"),
        ({"kind": "avoid", "title": "X", "file": ("big.txt", b"a" * (1024 * 1024 + 1))}, "at most 1 MB"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(client_for, org, other_org, owner, doc, settings, data, error):
    settings.VF_KNOWLEDGE_MAX_UPLOAD_MB = 1
    before = everything(org, other_org)
    for extra in ({}, HX):
        form = dict(data)
        if "file" in form:
            form["file"] = upload(*form["file"])
        response = client_for(owner).post(url("knowledge_add", org), form, **extra)
        assert response.status_code == 400
        assert error in response.content.decode()
    assert everything(org, other_org) == before


def test_add_refuses_a_project_of_another_org(client_for, org, other_org, owner):
    foreign = Project.objects.create(organization=other_org, name="Foreign", slug="foreign")
    response = client_for(owner).post(
        url("knowledge_add", org), {"kind": "avoid", "title": "X", "text": "Hi", "project": foreign.id}
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert not KnowledgeDoc.objects.for_org(org).exists() and not KnowledgeDoc.objects.for_org(other_org).exists()


# --- delete ----------------------------------------------------------------------------------


def test_htmx_delete_removes_the_row(client_for, org, editor, doc):
    response = client_for(editor).post(url("knowledge_delete", org, doc), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "knowledge-doc-" not in html and "deleted." in html  # empty row, message out of band
    assert not KnowledgeDoc.objects.for_org(org).exists() and not KnowledgeChunk.objects.for_org(org).exists()
    assert client_for(editor).post(url("knowledge_delete", org, doc), **HX).status_code == 404


def test_delete_without_htmx_redirects(client_for, org, owner, doc):
    response = client_for(owner).post(url("knowledge_delete", org, doc))
    assert response.status_code == 302 and response["Location"] == url("knowledge_list", org)
    assert not KnowledgeDoc.objects.for_org(org).exists()


# --- search ----------------------------------------------------------------------------------


def test_htmx_search_returns_the_results_partial(client_for, org, other_org, viewer, project):
    add(org, "Wir versprechen nie eine Heilwirkung.", title="Org-wide rule")
    add(org, "Alpenglow: kein Wort über Heilwirkung von Kaffee.", title="Project rule", project=project)
    add(other_org, "Wir versprechen nie eine Heilwirkung.", title="Beta rule")
    response = client_for(viewer).get(url("knowledge_search", org), {"q": "Heilwirkung", "project": project.id}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="knowledge-results"') and "<html" not in html
    assert "Org-wide rule" in html and "Project rule" in html and "Beta rule" not in html
    assert html.count('class="knowledge-result"') == 2
    assert "score 0." in html and "Alpenglow" in html and "Whole organization" in html
    assert "Wir versprechen nie eine Heilwirkung." in html


def test_search_page_without_htmx_shows_the_whole_page(client_for, org, viewer, doc):
    response = client_for(viewer).get(url("knowledge_search", org), {"q": "Preise", "kind": "brand_constraint"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'class="knowledge-result"' in html and "Brand rules" in html
    response = client_for(viewer).get(url("knowledge_search", org), {"q": "Preise", "kind": "past_winner"})
    assert "Nothing found in this knowledge base." in response.content.decode()


def test_empty_search_shows_a_hint(client_for, org, viewer, doc):
    response = client_for(viewer).get(url("knowledge_search", org), {"q": "  "}, **HX)
    assert response.status_code == 200
    assert 'knowledge-result"' not in response.content.decode()
    assert "Type what an agent would ask for" in response.content.decode()


@pytest.mark.parametrize(
    "params", [{"q": "x", "project": "not-a-uuid"}, {"q": "x", "k": "0"}, {"q": "x", "kind": "gossip"}]
)
def test_bad_search_is_400(client_for, org, viewer, doc, params):
    response = client_for(viewer).get(url("knowledge_search", org), params, **HX)
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()


def test_search_refuses_a_project_of_another_org(client_for, org, other_org, viewer, doc):
    foreign = Project.objects.create(organization=other_org, name="Foreign", slug="foreign")
    add(other_org, BRAND_TEXT, title="Foreign rules", project=foreign)
    response = client_for(viewer).get(url("knowledge_search", org), {"q": "Preise", "project": foreign.id}, **HX)
    assert response.status_code == 400
    assert "Foreign rules" not in response.content.decode()
