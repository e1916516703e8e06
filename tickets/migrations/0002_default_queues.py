"""A fresh desk has somewhere to put requests: one queue for rights requests, one for complaints."""

from django.db import migrations

RIGHTS = ["access", "rectification", "erasure", "restriction", "portability", "objection",
          "opt_out", "consent_withdrawal"]


def create_queues(apps, schema_editor):
    Queue = apps.get_model("tickets", "Queue")
    if Queue.objects.exists():
        return
    Queue.objects.create(name="Data subject requests", slug="requests", kinds=RIGHTS,
                         description="Access, correction, deletion and the other rights.")
    Queue.objects.create(name="Complaints and questions", slug="complaints",
                         kinds=["complaint", "question"],
                         description="Complaints about how data was handled, and questions.")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create_queues, migrations.RunPython.noop)]
