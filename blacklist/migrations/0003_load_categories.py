from django.db import migrations

from blacklist.data import ensure


def load(apps, schema_editor):
    ensure(apps.get_model("blacklist", "ViolationCategory"))


class Migration(migrations.Migration):
    dependencies = [("blacklist", "0002_evidence_file_name")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
