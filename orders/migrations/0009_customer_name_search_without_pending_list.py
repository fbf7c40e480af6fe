from django.db import migrations

# The customer-name search (order list `q`) reads a trigram GIN index. With `fastupdate` on,
# new orders wait in the index's pending list until a vacuum, and every search reads that
# whole list: 2 to 3 ms per search with a few thousand orders in it (up to 4 MB of list by
# default). Off, each insert files its trigrams at once and a search reads only the index.
# ALTER INDEX does not flush entries already pending: gin_clean_pending_list does.
INDEX = "order_customer_name_trgm"


def search_without_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [INDEX])
        if not cursor.fetchone()[0]:
            return
    schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = off)")
    schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")


def search_with_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX IF EXISTS {INDEX} RESET (fastupdate)")


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0008_shipment_tracking_invalid_index"),
    ]

    operations = [
        migrations.RunPython(search_without_pending_list, search_with_pending_list),
    ]
