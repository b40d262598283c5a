import os

from celery import Celery

# like config/wsgi.py: a worker started without DJANGO_SETTINGS_MODULE gets production settings
# (which refuse to start without a SECRET_KEY), never the demo's
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("sanlei")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
