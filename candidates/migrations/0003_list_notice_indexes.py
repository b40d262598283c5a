"""NoticeLog (one 考前测试 notice per registration per day) and the access paths of the candidate
list (docs/decisions.md#list-scale: one million registrations, any combination of the filters, p95 ≤ 50 ms; see
bench/bench_candidates.py for the plans that use them).

The list indexes are created with SQL, not declared on the models: the prefix (LIKE 'x%') and
trigram (LIKE '%x%') indexes are PostgreSQL operator classes, and the person indexes live on
another app's table for this app's list. Each index serves an ORDER BY 考生编号 LIMIT 20 under a
filter (plan, region, year, region+year+type, type, personnel type) or a person filter
(姓名 begins with, 证件号码 begins with, 企业名称 contains, sort by 公司名称)."""


import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

REGISTRATION_INDEXES = {
    "reg_plan_number_idx": "(plan_id, candidate_number)",
    "reg_region_number_idx": "(region_id, candidate_number)",
    "reg_year_number_idx": "(exam_year, candidate_number)",
    "reg_region_year_type_num_idx": "(region_id, exam_year, exam_type, candidate_number)",
    "reg_type_number_idx": "(exam_type, candidate_number)",
    "reg_personnel_number_idx": "(personnel_type, candidate_number)",
    "reg_year_personnel_idx": "(exam_year, personnel_type)",
}
PERSON_INDEXES_PG = {
    "person_name_like_idx": "(name varchar_pattern_ops)",
    "person_idno_like_idx": "(id_number varchar_pattern_ops)",
    "person_company_idx": "(company_name)",
}
PERSON_INDEXES_OTHER = {"person_company_idx": "(company_name)"}
TRIGRAM_INDEX = "person_company_trgm_idx"


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    run = schema_editor.execute
    for name, columns in REGISTRATION_INDEXES.items():
        run(f"CREATE INDEX IF NOT EXISTS {name} ON candidates_registration {columns}")
    for name, columns in (PERSON_INDEXES_PG if vendor == "postgresql" else PERSON_INDEXES_OTHER).items():
        run(f"CREATE INDEX IF NOT EXISTS {name} ON people_person {columns}")
    if vendor == "postgresql":
        # 企业名称 contains: a trigram index when the pg_trgm extension can be had (it needs a
        # privileged role the first time); without it the filter still works, only slower.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SAVEPOINT trgm")
            try:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON people_person "
                               "USING gin (company_name gin_trgm_ops)")
                cursor.execute("RELEASE SAVEPOINT trgm")
            except Exception:
                cursor.execute("ROLLBACK TO SAVEPOINT trgm")


def drop_indexes(apps, schema_editor):
    names = [*REGISTRATION_INDEXES, *PERSON_INDEXES_PG, TRIGRAM_INDEX]
    for name in names:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('candidates', '0002_import_run_status'),
        ('people', '0002_load_id_types'),
        ('jobs', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='NoticeLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(verbose_name='通知日期')),
                ('sent_at', models.DateTimeField(auto_now_add=True, verbose_name='发送时间')),
                ('job', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='jobs.job')),
                ('registration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='candidates.registration', verbose_name='考生报名')),
                ('sent_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发送人')),
            ],
            options={
                'verbose_name': '考前测试通知记录',
                'verbose_name_plural': '考前测试通知记录',
                'constraints': [models.UniqueConstraint(fields=('registration', 'date'), name='notice_once_per_registration_day')],
            },
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
