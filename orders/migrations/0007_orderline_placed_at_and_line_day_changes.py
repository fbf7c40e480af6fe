import django.db.models.deletion
import django.db.models.manager
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
                fields=["supplier", "merchant", "placed_at"],
                include=("order", "shipped_at"),
                name="orderline_supplier_placed",
            ),
        ),
        migrations.CreateModel(
            name="LineDayChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("day", models.DateField(verbose_name="day")),
                (
                    "merchant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organization",
                    ),
                ),
            ],
            options={
                "verbose_name": "changed day of order lines",
                "verbose_name_plural": "changed days of order lines",
                "indexes": [
                    models.Index(fields=["merchant", "day"], name="linedaychange_merchant_day")
                ],
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("cross_tenant_objects", django.db.models.manager.Manager()),
            ],
        ),
    ]
