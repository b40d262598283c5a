"""`manage.py import_candidates BATCH_NO FILE [--dry-run] [--json] [--user USERNAME]`

Runs the same import service as the web page (candidates.importing.services.import_file): the
same whole-file checks, the same row validator, the same writes and audit entry, and the run is
kept in 导入记录 like any other. With --json it prints exactly one object:
{"created": n, "existing": n, "failed": n, "warnings": n, "errors": [{"row", "column", "value", "message"}]}
(a refused file: the counts are 0 and "errors" holds one entry with row null).

Acting user (the audit trail says who): --user USERNAME, a central account or the regional
administrator of the plan's region; without it, the oldest active central account.
Exit status: 0 when the file was imported (even with failed rows), 1 when it was refused.
"""

import json as jsonlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from candidates.importing.choices import RunSource
from candidates.importing.selectors import masked_items
from candidates.importing.services import import_file
from core.errors import ApplicationError
from core.roles import Role
from plans.models import ExamPlan


class Command(BaseCommand):
    help = "从 Excel 文件导入考生信息（与网页导入相同的校验与写入）"

    def add_arguments(self, parser):
        parser.add_argument("batch_no", help="考核计划的批次编号")
        parser.add_argument("file", help="填好的考生信息模板（.xlsx 或 .xls）")
        parser.add_argument("--dry-run", action="store_true", help="只校验、统计，不写入")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
        parser.add_argument("--readd-deleted", action="store_true",
                            help="重新添加本批次中曾被删除的考生（默认只列出，不重新添加）")
        parser.add_argument("--user", default="", help="以该账号的身份导入（默认：最早创建的部中心账号）")

    def handle(self, *args, batch_no: str, file: str, dry_run: bool, json: bool, user: str,
               readd_deleted: bool = False, **options):
        as_json = json
        try:
            acting_user = self._user(user)
            plan = ExamPlan.objects.filter(batch_no=batch_no.strip()).first()
            if plan is None:
                raise ApplicationError(f"批次编号 {batch_no} 不存在")
            path = Path(file)
            if not path.is_file():
                raise ApplicationError(f"文件不存在：{file}")
            run = import_file(plan=plan, path=path, acting_user=acting_user, source=RunSource.CLI, dry_run=dry_run,
                              readd_deleted=readd_deleted)
        except ApplicationError as exc:
            if as_json:
                self._print_json({"created": 0, "existing": 0, "failed": 0, "warnings": 0,
                                  "errors": [{"row": None, "column": "", "value": "", "message": exc.message}]})
                raise CommandError(exc.message, returncode=1) from None
            raise CommandError(exc.message) from None
        outcome = run.outcome
        if as_json:
            # masked like the page's result (the output may end up in a log); the full values
            # are in the operator's own file
            data = outcome.as_json()
            data["errors"] = masked_items(data["errors"])
            data["deleted"] = outcome.deleted_rows
            self._print_json(data)
            return
        self.stdout.write(f"批次 {plan.batch_no}，文件 {path.name}，导入人 {acting_user.display_name}"
                          + ("（仅校验，未写入）" if dry_run else ""))
        self.stdout.write(f"新增 {outcome.created}，已存在(未重复导入) {outcome.existing}，"
                          f"失败 {outcome.failed}，警告 {outcome.warnings}")
        for item in outcome.deleted_rows:
            self.stdout.write(f"第 {item['row']} 行 曾被删除：删除人 {item['deleted_by']}，时间 {item['deleted_at']}"
                              f"（原考生编号 {item['candidate_number']}），未重新添加；确认后加 --readd-deleted 重新导入")
        if outcome.numbers:
            self.stdout.write(f"考生编号 {outcome.numbers[0]} – {outcome.numbers[1]}")
        for label, items in (("失败", outcome.errors), ("警告", outcome.warning_items)):
            for item in masked_items(items):
                self.stdout.write(f"{label} 第 {item['row']} 行 [{item['column']}] {item['value']!s}：{item['message']}")

    def _print_json(self, data: dict) -> None:
        self.stdout.write(jsonlib.dumps(data, ensure_ascii=False))

    def _user(self, username: str) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise ApplicationError(f"账号 {username} 不存在或已停用")
            return user
        user = User.objects.filter(role=Role.CENTRAL, is_active=True).order_by("date_joined", "pk").first()
        if user is None:
            raise ApplicationError("没有可用的部中心账号，请用 --user 指定执行导入的账号")
        return user
