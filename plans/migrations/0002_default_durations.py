from django.db import migrations

DEFAULTS = {"continuing_online": 90, "new_online": 120, "new_offline": 120}


def load(apps, schema_editor):
    ExamTypeSetting = apps.get_model("plans", "ExamTypeSetting")
    for exam_type, minutes in DEFAULTS.items():
        ExamTypeSetting.objects.get_or_create(exam_type=exam_type, defaults={"duration_minutes": minutes})


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
