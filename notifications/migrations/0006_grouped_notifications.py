from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_delivery_retries")]
    operations: list[migrations.operations.base.Operation] = []
