from django.db import migrations, models


def copy_placed_at(apps, schema_editor):
    """Every line takes its order's `placed_at`, in one set-based statement."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE orders_orderline AS line SET placed_at = placed.placed_at "
            "FROM orders_order AS placed WHERE placed.id = line.order_id"
        )
    else:
        schema_editor.execute(
            "UPDATE orders_orderline SET placed_at = (SELECT placed_at FROM orders_order "
            "WHERE orders_order.id = orders_orderline.order_id)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_log"),
        ("orders", "0006_order_external_id_search_ignores_case"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderline",
            name="placed_at",
            field=models.DateTimeField(null=True, verbose_name="placed at"),
        ),
        migrations.RunPython(copy_placed_at, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="orderline",
            name="placed_at",
            field=models.DateTimeField(verbose_name="placed at"),
        ),
        migrations.AddIndex(
            model_name="orderline",
            index=models.Index(
                fields=["merchant", "placed_at"],
                include=("supplier", "sku", "order", "shipped_at"),
                name="orderline_merchant_placed",
            ),
        ),
        migrations.AddIndex(
            model_name="orderline",
            index=models.Index(
                fields=["supplier", "placed_at"],
                include=("merchant", "order", "shipped_at"),
                name="orderline_supplier_placed",
            ),
        ),
    ]
