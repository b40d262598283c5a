from django.db import migrations

from plans.data import ensure


def load(apps, schema_editor):
    ensure(apps.get_model("plans", "ExamTypeSetting"))


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
