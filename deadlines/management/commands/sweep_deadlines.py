from django.core.management.base import BaseCommand

from deadlines import services


class Command(BaseCommand):
    help = "Fire every deadline that is due now (one sweep, the same as the beat tick's)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        fired = services.deadline_sweep(batch_size=batch_size)
        self.stdout.write(f"{fired} deadline(s) fired.")
