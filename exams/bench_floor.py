"""The load benchmark's floor (bench/load, docs/decisions.md#exam-day-load): the same server, middleware and database
answering a trivial view that makes one indexed write, so the exam endpoints' latency can be read
against what the stack costs with no exam logic. Mounted only when settings.BENCH_FLOOR_VIEW is
on (config.settings.bench); base settings leave it off and production forces it off."""

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Attempt


@csrf_exempt
@require_POST
def floor(request, pk: int):
    """One UPDATE by primary key on the table the exam's saves write (no session, no checks)."""
    updated = Attempt.objects.filter(pk=pk).update(last_contact_at=timezone.now())
    return JsonResponse({"updated": updated})
