"""The knowledge page: the documents the AI retrieves from, and a search that shows what it would see.

Every member may list and search (a read-only tool); editors and above add and delete
documents; admins and owners queue a re-embedding when the embedder has changed.
"""

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.ai import knowledge, knowledge_actions
from apps.ai.embeddings import get_embedder
from apps.ai.knowledge_forms import AddKnowledgeForm, KnowledgeSearchForm
from apps.ai.models import KnowledgeDoc
from apps.billing.ratelimit import rate_limit
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.projects.models import Project
from viralforge.htmx import htmx_redirect

PAGE = "ai/knowledge.html"
SEARCHES_PER_MINUTE = 60  # each search embeds the query, which costs money with a paid embedder


def get_knowledge_doc(org, doc_id) -> KnowledgeDoc:
    """The organization's document with this id, or 404 (also for another organization's)."""
    return get_object_or_404(KnowledgeDoc.objects.for_org(org), id=doc_id)


def _documents(org):
    return (
        KnowledgeDoc.objects.for_org(org)
        .select_related("project", "created_by")
        .annotate(chunk_count=Count("chunks"))
        .order_by("-created_at")
    )


def _context(request: OrgRequest, **extra) -> dict:
    org = request.org
    embedder = get_embedder().name
    documents = list(_documents(org))
    return {
        "documents": documents,
        "embedder": embedder,
        "stale_count": sum(1 for doc in documents if doc.embedder != embedder),
        "add_form": AddKnowledgeForm(org=org),
        "search_form": KnowledgeSearchForm(org=org),
        "can_edit": request.membership.has_role(Role.EDITOR),
        "can_reembed": request.membership.has_role(Role.ADMIN),
        "results": None,
        "max_upload_mb": settings.VF_KNOWLEDGE_MAX_UPLOAD_MB,
    } | extra


def _page(request: OrgRequest, status: int = 200, **extra) -> HttpResponse:
    template = f"{PAGE}#panel" if request.htmx and not request.htmx.boosted else PAGE
    return render(request, template, _context(request, **extra), status=status)


@require_GET
@org_view()
def knowledge_list(request: OrgRequest) -> HttpResponse:
    return _page(request)


@require_POST
@org_view(Role.EDITOR)
def knowledge_add(request: OrgRequest) -> HttpResponse:
    form = AddKnowledgeForm(request.POST, request.FILES, org=request.org)
    if form.is_valid():
        data = form.cleaned_data
        try:
            doc = knowledge_actions.do_add_knowledge(
                request.org,
                kind=data["kind"],
                title=data["title"],
                text=data["text"] or None,
                uploaded_file=data["file"] or None,
                project=data["project"],
                actor=request.user,
            )
        except knowledge.KnowledgeError as exc:
            form.add_error("file" if data["file"] else None, str(exc))
        else:
            messages.success(request, _("“%(title)s” added to the knowledge base.") % {"title": doc.title})
            if request.htmx:
                return _page(request)
            return redirect("knowledge_list", request.org.slug)
    return _page(request, 400, add_form=form)


@require_POST
@org_view(Role.EDITOR)
def knowledge_delete(request: OrgRequest, doc_id) -> HttpResponse:
    doc = get_knowledge_doc(request.org, doc_id)
    title = doc.title
    knowledge_actions.do_delete_knowledge(doc, actor=request.user)
    messages.success(request, _("“%(title)s” deleted.") % {"title": title})
    if request.htmx:
        return HttpResponse("")  # the row is swapped out; the message comes out of band
    return redirect("knowledge_list", request.org.slug)


@require_GET
@org_view()
@rate_limit("knowledge_search", SEARCHES_PER_MINUTE)
def knowledge_search(request: OrgRequest) -> HttpResponse:
    form = KnowledgeSearchForm(request.GET, org=request.org)
    results, status = None, 200
    if not form.is_valid():
        status = 400
    elif form.cleaned_data["q"]:
        data = form.cleaned_data
        project = data["project"]
        found = knowledge.retrieve(
            request.org, data["q"], project=project, kinds=data["kind"] or None, k=data["k"] or 5
        )
        names = dict(Project.objects.for_org(request.org).values_list("id", "name"))
        results = [{"chunk": chunk, "project_name": names.get(chunk.project_id, "")} for chunk in found]
    if request.htmx and not request.htmx.boosted:
        context = {"search_form": form, "results": results}
        return render(request, f"{PAGE}#results", context, status=status)
    return _page(request, status, search_form=form, results=results)


@require_POST
@org_view(Role.ADMIN)
def knowledge_reembed(request: OrgRequest) -> HttpResponse:
    job = knowledge_actions.do_enqueue_reembed_knowledge(request.org)
    messages.success(request, _("Re-embedding queued. This page shows its progress."))
    return htmx_redirect(request, "job_detail", request.org.slug, job.id)
