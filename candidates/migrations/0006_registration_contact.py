"""Contact details move from the person to the registration (docs/decisions.md#registration-contact): each region's roster
holds the 手机号码, 企业名称 and 统一社会信用代码 it imported, so one region's import can no longer
change what another region holds (nor where another region's candidate's SMS codes go). Every
existing registration gets its person's current values; the company-name indexes of the
candidate list move with the column."""

from django.db import migrations, models


def copy_from_person(apps, schema_editor):
    schema_editor.execute(
        "UPDATE candidates_registration SET "
        "phone = (SELECT p.phone FROM people_person p WHERE p.id = candidates_registration.person_id), "
        "company_name = (SELECT p.company_name FROM people_person p WHERE p.id = candidates_registration.person_id), "
        "credit_code = (SELECT p.credit_code FROM people_person p WHERE p.id = candidates_registration.person_id)"
    )


def copy_back(apps, schema_editor):
    # the earliest registration's values, as the person had before
    for column in ("phone", "company_name", "credit_code"):
        schema_editor.execute(
            f"UPDATE people_person SET {column} = COALESCE((SELECT r.{column} FROM candidates_registration r "
            f"WHERE r.person_id = people_person.id ORDER BY r.id LIMIT 1), '')"
        )


def create_indexes(apps, schema_editor):
    run = schema_editor.execute
    run("DROP INDEX IF EXISTS person_company_idx")
    run("CREATE INDEX IF NOT EXISTS reg_company_number_idx ON candidates_registration (company_name, candidate_number)")
    if schema_editor.connection.vendor == "postgresql":
        run("DROP INDEX IF EXISTS person_company_trgm_idx")
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SAVEPOINT trgm")
            try:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cursor.execute("CREATE INDEX IF NOT EXISTS reg_company_trgm_idx ON candidates_registration "
                               "USING gin (company_name gin_trgm_ops)")
                cursor.execute("RELEASE SAVEPOINT trgm")
            except Exception:
                cursor.execute("ROLLBACK TO SAVEPOINT trgm")


def drop_indexes(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS reg_company_number_idx")
    schema_editor.execute("DROP INDEX IF EXISTS reg_company_trgm_idx")


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0005_notice_once_per_person"),
        ("people", "0002_load_id_types"),
    ]

    operations = [
        migrations.AddField(model_name="registration", name="phone",
                            field=models.CharField(default="", max_length=11, verbose_name="手机号码"), preserve_default=False),
        migrations.AddField(model_name="registration", name="company_name",
                            field=models.CharField(default="", max_length=100, verbose_name="企业名称"), preserve_default=False),
        migrations.AddField(model_name="registration", name="credit_code",
                            field=models.CharField(blank=True, max_length=18, verbose_name="统一社会信用代码")),
        migrations.RunPython(copy_from_person, copy_back),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
