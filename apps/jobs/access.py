import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404

from apps.jobs.models import JobRun
from apps.orgs.models import Organization


def get_job_run(org: Organization, job_run_id) -> JobRun:
    try:
        job_run_id = uuid.UUID(str(job_run_id))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(JobRun.objects.for_org(org), id=job_run_id)
