from django.core.management.base import BaseCommand

from core.tenancy import cross_tenant_scope
from disputes import scale_data


class Command(BaseCommand):
    help = (
        "Write a large benchmark data set with COPY (merchants scale-m0…, suppliers "
        "scale-*, password bench-pass-123). Resumable: run it again to complete it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--merchants", type=int, default=1)
        parser.add_argument("--orders-per-merchant", type=int, default=100_000)
        parser.add_argument("--disputes-per-merchant", type=int, default=10_000)
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="processes writing merchants side by side (one per core is the fastest)",
        )

    def handle(self, *args, merchants, orders_per_merchant, disputes_per_merchant, jobs, **options):
        if disputes_per_merchant > orders_per_merchant // 2:
            self.stderr.write("At most one dispute for every two orders.")
            return
        with cross_tenant_scope(reason="generate_scale_data: benchmark data of every merchant"):
            result = scale_data.generate(
                merchants=merchants,
                orders_per_merchant=orders_per_merchant,
                disputes_per_merchant=disputes_per_merchant,
                log=self.stdout.write,
                progress_stream=self.stderr,
                jobs=jobs,
            )
        self.stdout.write(
            f"{result['rows']:,} rows ({result['orders']:,} orders) written in "
            f"{result['seconds']:.1f} s."
        )
