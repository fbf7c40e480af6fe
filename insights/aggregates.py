"""SQL pieces the figures need and Django lacks: a median, and hours between two times."""

from django.db.models import Aggregate, FloatField, Func


class Median(Aggregate):
    """The 50th percentile, interpolated (PostgreSQL's percentile_cont)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def as_sqlite(self, compiler, connection, **extra_context):
        # The embedded try-out database has no ordered-set aggregates: no median there.
        return "NULL", []


class HoursBetween(Func):
    """(later - earlier) in hours, as a float; NULL when either is NULL."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 24.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )
