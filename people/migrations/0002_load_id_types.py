from django.db import migrations

from people.data import ID_TYPES


def load(apps, schema_editor):
    IdType = apps.get_model("people", "IdType")
    for code, name, check in ID_TYPES:
        IdType.objects.update_or_create(code=code, defaults={"name": name, "check_kind": check})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
