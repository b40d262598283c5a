from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from core.permissions import admin_required
from core.scoping import get_visible_or_404

from .models import Job
from .services import job_download_record


@admin_required
def job_detail(request, pk):
    job = get_visible_or_404(Job, request.user, pk=pk)
    template = "jobs/_progress.html" if request.htmx else "jobs/detail.html"
    return render(request, template, {"job": job})


@admin_required
@never_cache
def job_download(request, pk):
    job = get_visible_or_404(Job, request.user, pk=pk)
    # the file was made for the one who asked for it (it may hold full documents and phones):
    # a colleague in the same scope sees the job's progress, not its file
    if not job.result_file or job.created_by_id != request.user.pk:
        raise Http404("文件不存在")
    job_download_record(job=job, acting_user=request.user)
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_filename or None)
