from django.db import migrations

from regions.data import ensure


def load(apps, schema_editor):
    ensure(apps.get_model("regions", "Region"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
