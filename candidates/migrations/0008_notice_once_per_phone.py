"""考前测试通知: at most one SMS per phone number per day, not one per candidate (docs/decisions.md#pretest-notice:
eleven candidates sharing a company's phone got eleven SMS)."""

from django.db import migrations, models


def fill_phone(apps, schema_editor):
    NoticeLog = apps.get_model("candidates", "NoticeLog")
    Registration = apps.get_model("candidates", "Registration")
    # the phone the SMS went to: the registration's own (0006 copied the person's there)
    phone_of = dict(Registration.objects.filter(pk__in=NoticeLog.objects.values("registration_id"))
                    .values_list("pk", "phone"))
    seen = set()
    for log in NoticeLog.objects.order_by("sent_at", "pk"):
        key = (phone_of.get(log.registration_id) or f"#{log.pk}", log.date)
        if key in seen:  # a second SMS to that number the same day under the old rule: the first counts
            log.delete()
            continue
        seen.add(key)
        log.phone = key[0][:11]
        log.save(update_fields=["phone"])


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0007_import_deleted_rows"),
    ]

    operations = [
        migrations.AddField(
            model_name="noticelog",
            name="phone",
            field=models.CharField(default="", max_length=11, verbose_name="手机号码"),
            preserve_default=False,
        ),
        migrations.RemoveConstraint(model_name="noticelog", name="notice_once_per_person_day"),
        migrations.RunPython(fill_phone, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="noticelog",
            constraint=models.UniqueConstraint(fields=("phone", "date"), name="notice_once_per_phone_day"),
        ),
    ]
