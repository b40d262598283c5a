import pytest
from django.conf import settings
from django.core.management import call_command

from config.celery import app
from papers.models import Paper
from papers.tasks import generate_due_papers

pytestmark = pytest.mark.django_db


def test_beat_runs_the_due_scan():
    entry = settings.CELERY_BEAT_SCHEDULE["papers-generate-due"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks and entry["schedule"] <= 600


def test_task_generates_due_papers(world, rules, registrations, frozen_plan):
    assert generate_due_papers() == 1
    assert Paper.objects.filter(plan=frozen_plan).count() == 5


def test_command_generates_one_plan(world, rules, registrations, frozen_plan, capsys):
    call_command("generate_papers", frozen_plan.batch_no)
    assert "试卷已生成 5 / 5" in capsys.readouterr().out
