from django.core.management.base import BaseCommand, CommandError

from proctoring import direct


class Command(BaseCommand):
    help = ("收取 nginx 直接写入的考试抓拍照片（与 Celery beat 的 proctoring.ingest_direct 相同）；"
            "需要设置 PROCTORING_DIRECT_UPLOAD_PREFIX")

    def add_arguments(self, parser):
        parser.add_argument("--settle", type=float, default=direct.SETTLE_SECONDS,
                            help="只收取写入至少这么多秒的文件（默认 2）")
        parser.add_argument("--print-nginx", action="store_true",
                            help="不收取，只打印 nginx 接收签名上传所需的 location 配置（放进站点的 server 块）")

    def handle(self, *args, settle, print_nginx, **options):
        from django.conf import settings

        if not direct.enabled():
            raise CommandError("未设置 PROCTORING_DIRECT_UPLOAD_PREFIX：抓拍照片经应用上传，没有需要收取的文件")
        if print_nginx:
            try:
                self.stdout.write(direct.nginx_location(
                    prefix=settings.PROCTORING_DIRECT_UPLOAD_PREFIX, inbox_root=settings.PROCTORING_INBOX_ROOT,
                    secret=settings.PROCTORING_DIRECT_UPLOAD_SECRET, max_bytes=settings.PROCTORING_SNAPSHOT_MAX_BYTES))
            except ValueError as exc:
                raise CommandError("PROCTORING_DIRECT_UPLOAD_SECRET 至少要 32 个字符，只能是字母、数字、_ 和 -") from exc
            return
        counts = direct.inbox_ingest(settle_seconds=settle)
        labels = {"stored": "已保存", "duplicate": "重复（已保存过）"}
        parts = [f"{labels.get(k, '拒收：' + k)} {v}" for k, v in sorted(counts.items())]
        self.stdout.write("收取抓拍照片：" + ("，".join(parts) if parts else "收件箱中没有新文件"))
