"""Fewer indexes on the registration table (docs/decisions.md#list-scale): each one costs every import (about
15–20 ms per 5,000 rows on PostgreSQL, bench/bench_import.py), and these five serve no query
that another index does not serve as well. Checked with EXPLAIN over every filter and sort
combination of the candidate list on 1,000,000 registrations (bench/bench_candidates.py): the
plans pick the index named in brackets, at the same cost.

* candidates_registration_plan_id_…: the prefix of the unique (plan, person) and of
  reg_plan_number_idx (plan, 考生编号);
* candidates_registration_region_id_…: the prefix of reg_region_number_idx and reg_region_*;
* reg_region_year_type_idx: the prefix of reg_region_year_type_num_idx;
* the varchar_pattern_ops (LIKE 'x%') copies of 考生编号 and 证件号码: nothing searches them by
  prefix any more (证件号码 is searched by the whole number only),
  and equality uses the ordinary index (candidates_registration_candidate_number_key,
  person_id_number_idx)."""

import django.db.models.deletion
from django.db import migrations, models


def _names(schema_editor) -> dict[str, str]:
    """The indexes Django named itself (an 8-character hash of the table and columns)."""
    name = schema_editor._create_index_name
    return {
        "plan": name("candidates_registration", ["plan_id"], suffix=""),
        "region": name("candidates_registration", ["region_id"], suffix=""),
        "number_like": name("candidates_registration", ["candidate_number"], suffix="_like"),
    }


def drop_indexes(apps, schema_editor):
    names = _names(schema_editor)
    quote = schema_editor.quote_name
    # DROP INDEX rather than AlterField: on SQLite AlterField rebuilds the table, and the rebuild
    # would lose the list's indexes created with SQL (migrations 0003, 0004, 0006)
    schema_editor.execute(f"DROP INDEX IF EXISTS {quote(names['plan'])}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {quote(names['region'])}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(names['number_like'])}")
        schema_editor.execute("DROP INDEX IF EXISTS person_idno_like_idx")


def create_indexes(apps, schema_editor):
    names = _names(schema_editor)
    quote = schema_editor.quote_name
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {quote(names['plan'])} ON candidates_registration (plan_id)")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {quote(names['region'])} ON candidates_registration (region_id)")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {quote(names['number_like'])} "
                              "ON candidates_registration (candidate_number varchar_pattern_ops)")
        schema_editor.execute("CREATE INDEX IF NOT EXISTS person_idno_like_idx ON people_person (id_number varchar_pattern_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0008_notice_once_per_phone"),
        ("plans", "0003_soft_delete"),
        ("regions", "0002_load_regions"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="registration",
            name="reg_region_year_type_idx",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="registration",
                    name="plan",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="registrations", to="plans.examplan", verbose_name="考试批次"),
                ),
                migrations.AlterField(
                    model_name="registration",
                    name="region",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="+", to="regions.region", verbose_name="地区"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
