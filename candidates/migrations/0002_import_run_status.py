# Import runs (docs/decisions.md#candidate-import): status/source choices and the rows found already present.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="existing_rows",
            field=models.JSONField(blank=True, default=list, verbose_name="已存在的行"),
        ),
        migrations.AlterField(
            model_name="importrun",
            name="source",
            field=models.CharField(
                choices=[("web", "网页"), ("cli", "命令行"), ("demo", "演示数据")],
                default="web", max_length=16, verbose_name="来源",
            ),
        ),
        migrations.AlterField(
            model_name="importrun",
            name="status",
            field=models.CharField(
                choices=[("uploaded", "已上传，待导入"), ("queued", "排队中"), ("running", "导入中"), ("done", "已完成"),
                         ("rejected", "已拒绝"), ("failed", "出错")],
                default="uploaded", max_length=16, verbose_name="状态",
            ),
        ),
    ]
