"""`manage.py import_candidates BATCH_NO FILE [--dry-run] [--json] [--user USERNAME]`

Runs the same import service as the web page (candidates.importing.services.import_file): the
same whole-file checks, the same row validator, the same writes and audit entry, and the run is
kept in 导入记录 like any other. With --json it prints exactly one object:
{"created": n, "existing": n, "failed": n, "warnings": n, "errors": [{"row", "column", "value", "message"}]}
(a refused file: the counts are 0 and "errors" holds one entry with row null).

Acting user (the audit trail says who): --user USERNAME, a central account or the regional
administrator of the plan's region; without it, the oldest active central account.
Exit status: 0 when the file was imported (even with failed rows), 1 when it was refused.
The file/--dry-run/--json handling and the output are the shared core.spreadsheets.cli.ImportCommand.
"""

from candidates.importing.choices import RunSource
from candidates.importing.selectors import masked_items
from candidates.importing.services import import_file
from core.errors import ApplicationError
from core.spreadsheets.cli import PlanImportCommand
from plans.models import ExamPlan


class Command(PlanImportCommand):
    help = "从 Excel 文件导入考生信息（与网页导入相同的校验与写入）"
    file_help = "填好的考生信息模板（.xlsx 或 .xls）"

    def add_target_arguments(self, parser):
        parser.add_argument("batch_no", help="考核计划的批次编号")
        parser.add_argument("--user", default="", help="以该账号的身份导入（默认：最早创建的部中心账号）")
        parser.add_argument("--readd-deleted", action="store_true",
                            help="重新添加本批次中曾被删除的考生（默认只列出，不重新添加）")

    def run_import(self, path, *, dry_run: bool, batch_no: str, user: str, readd_deleted: bool = False, **options):
        acting_user = self.acting_user(user)
        plan = ExamPlan.objects.filter(batch_no=batch_no.strip()).first()
        if plan is None:
            raise ApplicationError(f"批次编号 {batch_no} 不存在")
        if not path.is_file():
            raise ApplicationError(f"文件不存在：{path}")
        run = import_file(plan=plan, path=path, acting_user=acting_user, source=RunSource.CLI, dry_run=dry_run,
                          readd_deleted=readd_deleted)
        run.acting_user = acting_user
        return run

    def epilogue(self, run, readd_deleted: bool = False, **options):
        if run.outcome.deleted_rows and not readd_deleted:
            return ["以上曾被删除的考生未重新添加；确认需要重新添加时，加 --readd-deleted 再次运行"]
        return []

    def mask(self, items):
        return masked_items(items)
