from django.db import migrations

from regions.data import REGIONS


def load(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    for order, (code, name) in enumerate(REGIONS):
        Region.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
