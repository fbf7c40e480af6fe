"""The only writers of orders, lines, parcels and imports (see orders.selectors for reads)."""

from orders.services.imports import order_import_fail, order_import_run, order_import_start
from orders.services.orders import (
    MAX_BULK_ORDERS,
    BulkResult,
    order_bulk_upsert,
    order_cancel,
    order_create,
    order_status_for,
    order_unassigned_lines_set,
    order_upsert_many,
)
from orders.services.shipments import (
    ParcelOutcome,
    shipment_correct,
    shipment_create,
    shipment_lines_record,
    shipment_reship_to_corrected_address,
    shipment_update_status,
    shipment_void,
)
from orders.services.tracking_uploads import (
    MAX_ROWS as MAX_TRACKING_ROWS,
)
from orders.services.tracking_uploads import (
    RowStatus,
    UploadResult,
    tracking_results_csv_rows,
    tracking_rows_from_csv,
    tracking_rows_from_json,
    tracking_upload_apply,
)

__all__ = [
    "MAX_BULK_ORDERS",
    "MAX_TRACKING_ROWS",
    "BulkResult",
    "ParcelOutcome",
    "RowStatus",
    "UploadResult",
    "order_bulk_upsert",
    "order_cancel",
    "order_create",
    "order_import_fail",
    "order_import_run",
    "order_import_start",
    "order_status_for",
    "order_unassigned_lines_set",
    "order_upsert_many",
    "shipment_correct",
    "shipment_create",
    "shipment_lines_record",
    "shipment_reship_to_corrected_address",
    "shipment_update_status",
    "shipment_void",
    "tracking_results_csv_rows",
    "tracking_rows_from_csv",
    "tracking_rows_from_json",
    "tracking_upload_apply",
]
