from django.core.management.base import BaseCommand

from proctoring.services import snapshots_purge_expired


class Command(BaseCommand):
    help = "删除超过保存期限的考试抓拍照片（与 Celery beat 的 proctoring.purge_expired 相同，可由 cron 调用）"

    def handle(self, *args, **options):
        count = snapshots_purge_expired()
        self.stdout.write(f"已删除 {count} 张超过保存期限的考试抓拍照片")
