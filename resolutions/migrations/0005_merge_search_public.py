# The search's folded column (0004_search_folded) and the public reports and subscriptions
# (0004_public_reports_subscriptions) were made apart; neither touches the other's fields.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("resolutions", "0004_public_reports_subscriptions"),
        ("resolutions", "0004_search_folded"),
    ]

    operations = []
