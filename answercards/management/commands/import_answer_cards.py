"""`manage.py import_answer_cards BATCH_NO FILE [--dry-run] [--json] [--user USERNAME]`

Imports a scanner result file (.csv or .xlsx) into a 新取证(线下) plan with the same service as
the page (answercards.importing.services), at once instead of in a background job: the same
whole-file checks, row rules, grading, run record and audit. --json prints one object
{"created", "existing", "failed", "warnings", "replaced", "errors": [{"row", "column", "value",
"message"}]}. Acting user: --user (central, or the plan's 管局), else the oldest active central
account. Exit status 0 when the file was imported (even with failed rows), 1 when refused."""

from answercards.importing.services import card_import_upload
from core.errors import ApplicationError
from core.spreadsheets.cli import PlanImportCommand
from core.spreadsheets.runs import RunSource
from plans.models import ExamPlan


class Command(PlanImportCommand):
    help = "导入答题卡扫描结果（与网页导入相同的校验、评分与写入）"
    file_help = "扫描仪导出的结果文件（.csv 或 .xlsx），列为 考生编号、试卷版本、作答"

    def add_target_arguments(self, parser):
        parser.add_argument("batch_no", help="新取证(线下)考核计划的批次编号")
        parser.add_argument("--user", default="", help="以该账号的身份导入（默认：最早创建的部中心账号）")

    def run_import(self, path, *, dry_run: bool, batch_no: str, user: str, **options):
        acting_user = self.acting_user(user)
        plan = ExamPlan.objects.filter(batch_no=batch_no.strip()).select_related("region").first()
        if plan is None:
            raise ApplicationError(f"批次编号 {batch_no} 不存在")
        if not path.is_file():
            raise ApplicationError(f"文件不存在：{path}")
        run = card_import_upload(plan=plan, source=str(path), file_name=path.name, acting_user=acting_user,
                                 dry_run=dry_run, origin=RunSource.CLI, background=False)
        run.acting_user = acting_user
        return run
