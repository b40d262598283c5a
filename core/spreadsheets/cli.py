"""The shape of every `manage.py import_…` command (docs/decisions.md#spreadsheets): the file, --dry-run and --json;
the same service as the web page; one JSON object or readable lines; exit status 0 when the file
was imported (even with failed rows), 1 when it was refused.

A command subclasses ImportCommand, adds its own arguments (what to import into, who acts) in
`add_target_arguments`, and implements `run_import(path, dry_run=..., **options)` (checks that the file exists, after its own
arguments) returning the finished run (with `.outcome`, an ImportOutcome) and raising ApplicationError on a refusal.
`mask(items)` hides what must not reach a log (the candidate import masks 证件号码 and 手机号码)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError

from .runs import ImportOutcome


class ImportCommand(BaseCommand):
    file_help = "填好的导入模板（.xlsx 或 .xls）"

    def add_target_arguments(self, parser) -> None:  # override
        """Arguments before the file (e.g. the plan's batch number)."""

    def add_arguments(self, parser):
        self.add_target_arguments(parser)
        parser.add_argument("file", help=self.file_help)
        parser.add_argument("--dry-run", action="store_true", help="只校验、统计，不写入")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")

    def run_import(self, path: Path, *, dry_run: bool, **options):  # override
        raise NotImplementedError

    def mask(self, items: list[dict]) -> list[dict]:
        return items

    def describe(self, run, path: Path, **options) -> list[str]:
        """Lines printed before the counts (who imported what into what)."""
        return [f"文件 {path.name}" + ("（仅校验，未写入）" if run.dry_run else "")]

    def epilogue(self, run, **options) -> list[str]:
        """Lines printed after the rows (what the operator may do next)."""
        return []

    def handle(self, *args, file: str, dry_run: bool, json: bool, **options):
        try:
            path = Path(file)
            run = self.run_import(path, dry_run=dry_run, **options)
        except ApplicationError as exc:
            if json:
                self._print_json({**ImportOutcome().as_json(),
                                  "errors": [{"row": None, "column": "", "value": "", "message": exc.message}]})
                raise CommandError(exc.message, returncode=1) from None
            raise CommandError(exc.message) from None
        outcome: ImportOutcome = run.outcome
        if json:
            # masked like the page's result (the output may end up in a log)
            data = outcome.as_json()
            data["errors"] = self.mask(data["errors"])
            self._print_json(data)
            return
        for line in self.describe(run, path, **options):
            self.stdout.write(line)
        self.stdout.write(outcome.summary())
        for line in outcome.detail_lines():
            self.stdout.write(line)
        for label, items in (("失败", outcome.errors), ("警告", outcome.warning_items)):
            for item in self.mask(items):
                self.stdout.write(f"{label} 第 {item['row']} 行 [{item['column']}] {item['value']!s}：{item['message']}")
        for line in self.epilogue(run, **options):
            self.stdout.write(line)

    def _print_json(self, data: dict) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False))


class PlanImportCommand(ImportCommand):
    """An import into one plan (candidates, answer cards), run by a named account or else the
    first active 部中心 account."""

    def acting_user(self, username: str):
        from django.contrib.auth import get_user_model

        from core.roles import Role

        users = get_user_model().objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise ApplicationError(f"账号 {username} 不存在或已停用")
            return user
        user = users.filter(role=Role.CENTRAL).order_by("date_joined", "pk").first()
        if user is None:
            raise ApplicationError("没有可用的部中心账号，请用 --user 指定执行导入的账号")
        return user

    def describe(self, run, path: Path, **options) -> list[str]:
        return [f"批次 {run.plan.batch_no}，文件 {path.name}，导入人 {run.acting_user.display_name}"
                + ("（仅校验，未写入）" if run.dry_run else "")]
