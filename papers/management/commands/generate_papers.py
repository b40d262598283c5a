"""`manage.py generate_papers [BATCH_NO]`: the periodic task's body for a deployment without
Celery beat (cron), or one plan at once. Same service as the task and the plan page."""

from django.core.management.base import BaseCommand, CommandError

from papers.services import papers_generate, papers_generate_due
from plans.models import ExamPlan


class Command(BaseCommand):
    help = "生成已锁定名单的考核计划的试卷（或指定批次）"

    def add_arguments(self, parser):
        parser.add_argument("batch_no", nargs="?")

    def handle(self, *args, batch_no=None, **options):
        if batch_no:
            plan = ExamPlan.objects.filter(batch_no=batch_no).first()
            if plan is None:
                raise CommandError(f"批次 {batch_no} 不存在")
            results = [(plan.batch_no, papers_generate(plan=plan))]
        else:
            results = papers_generate_due()
        for batch, result in results:
            self.stdout.write(f"{batch}: {result.summary}")
        if not results:
            self.stdout.write("没有需要生成试卷的考核计划")
