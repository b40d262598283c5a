from django.db import migrations

from people.data import ensure


def load(apps, schema_editor):
    ensure(apps.get_model("people", "IdType"))


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
