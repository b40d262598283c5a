from django.conf import settings
from django.urls import include, path

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("jobs/", include("jobs.urls")),
    path("sms/", include("sms.urls")),
    path("plans/", include("plans.urls")),
    path("blacklist/", include("blacklist.urls")),
    path("candidates/", include("candidates.urls")),
    path("questions/", include("questions.urls")),
    path("papers/", include("papers.urls")),
    path("exams/", include("exams.urls")),
    path("review/", include("review.urls")),
    path("results/", include("results.urls")),
    path("answercards/", include("answercards.urls")),
    path("proctoring/", include("proctoring.urls")),
    path("captcha/", include("captcha.urls")),
]

if settings.BENCH_FLOOR_VIEW:  # bench/load only (config.settings.bench); never in production
    from exams.bench_floor import floor

    urlpatterns.append(path("bench/floor/<int:pk>/", floor, name="bench_floor"))

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
