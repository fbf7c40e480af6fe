"""`?format=csv` and `?format=xlsx`: the same figures as a file (see insights.exports)."""

from rest_framework.renderers import BaseRenderer

from insights import exports


class TableRenderer(BaseRenderer):
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return self.to_bytes(data)


class CSVRenderer(TableRenderer):
    media_type = exports.CSV_TYPE
    format = "csv"
    to_bytes = staticmethod(exports.csv_bytes)


class XLSXRenderer(TableRenderer):
    media_type = exports.XLSX_TYPE
    format = "xlsx"
    to_bytes = staticmethod(exports.xlsx_bytes)
