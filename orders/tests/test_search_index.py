"""The customer-name search reads its trigram index without a backlog (migration 0009)."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_customer_name_index_files_new_orders_at_once():
    # With a pending list, every search would read the orders inserted since the last vacuum.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s", ["order_customer_name_trgm"]
        )
        assert cursor.fetchone() == (["fastupdate=off"],)
