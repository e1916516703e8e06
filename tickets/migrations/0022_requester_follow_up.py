from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tickets", "0021_row_bound_encryption")]
    operations: list[migrations.operations.base.Operation] = []
