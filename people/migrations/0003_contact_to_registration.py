"""The contact details now live on each registration (candidates 0006 copied them there)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0002_load_id_types"),
        ("candidates", "0006_registration_contact"),
    ]

    operations = [
        migrations.RemoveField(model_name="person", name="phone"),
        migrations.RemoveField(model_name="person", name="company_name"),
        migrations.RemoveField(model_name="person", name="credit_code"),
    ]
