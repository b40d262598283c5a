"""Access paths of the candidate list's sorts within a region (docs/decisions.md#list-scale): ORDER BY 考试类型 or
人员类型, then 考生编号, LIMIT 20, for a regional administrator (always one region) or central
filtering by 地区. Without them PostgreSQL walks (personnel_type, candidate_number) and skips
every other region's rows first (a region late in 考生编号 order: 120 ms over 1,000,000 rows)."""

from django.db import migrations

INDEXES = {
    "reg_region_type_number_idx": "(region_id, exam_type, candidate_number)",
    "reg_region_personnel_num_idx": "(region_id, personnel_type, candidate_number)",
}


def create_indexes(apps, schema_editor):
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON candidates_registration {columns}")


def drop_indexes(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0003_list_notice_indexes"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
