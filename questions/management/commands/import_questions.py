"""`manage.py import_questions FILE [--dry-run] [--json] [--user USERNAME]`: the bank import
from the command line, the same service as the page (core.spreadsheets.cli.ImportCommand)."""

from django.core.management.base import CommandError

from accounts.models import User
from core.roles import Role
from core.spreadsheets.cli import ImportCommand
from core.spreadsheets.runs import RunSource
from questions.importing.services import bank_import


class Command(ImportCommand):
    help = "从 Excel 文件导入题库（与网页导入相同的校验和规则）"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--user", help="以哪个部中心账号导入（默认：最早的有效部中心账号）")

    def run_import(self, path, *, dry_run: bool, user=None, **options):
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        qs = User.objects.filter(role=Role.CENTRAL, is_active=True)
        acting = qs.filter(username=user).first() if user else qs.order_by("pk").first()
        if acting is None:
            raise CommandError("没有可用的部中心账号" if not user else f"部中心账号 {user} 不存在")
        return bank_import(source=path, file_name=path.name, acting_user=acting, dry_run=dry_run, origin=RunSource.CLI)
