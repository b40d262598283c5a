"""考前测试通知: at most one per candidate (person) per day, not per registration (docs/decisions.md#pretest-notice)."""

import django.db.models.deletion
from django.db import migrations, models


def fill_person(apps, schema_editor):
    NoticeLog = apps.get_model("candidates", "NoticeLog")
    Registration = apps.get_model("candidates", "Registration")
    person_of = dict(Registration.objects.values_list("pk", "person_id"))
    seen = set()
    for log in NoticeLog.objects.order_by("sent_at", "pk"):
        key = (person_of[log.registration_id], log.date)
        if key in seen:  # a second notice the same day under the old rule: the first one counts
            log.delete()
            continue
        seen.add(key)
        log.person_id = key[0]
        log.save(update_fields=["person"])


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0004_list_sort_indexes"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="noticelog",
            name="person",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="people.person", verbose_name="考生"),
        ),
        migrations.RunPython(fill_person, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="noticelog",
            name="person",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="people.person", verbose_name="考生"),
        ),
        migrations.RemoveConstraint(model_name="noticelog", name="notice_once_per_registration_day"),
        migrations.AddConstraint(
            model_name="noticelog",
            constraint=models.UniqueConstraint(fields=("person", "date"), name="notice_once_per_person_day"),
        ),
    ]
