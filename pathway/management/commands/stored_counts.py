"""Check the counts the database keeps for the dashboard against the rows, or count them again.

`manage.py stored_counts` compares every stored count with the sessions and declarations it counts
and exits with status 1 if one differs (a monitoring job can run it). `--rebuild` reinstalls the
triggers and counts everything again, in one transaction, then checks. See pathway/stored_counts.py.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from pathway import stored_counts


class Command(BaseCommand):
    help = "Compare the dashboard's stored counts with the rows (exit 1 if they differ); --rebuild repairs them."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="reinstall the triggers and count everything again")

    def handle(self, *args, rebuild, **options):
        if rebuild:
            with transaction.atomic():
                stored_counts.install(connection)
                stored_counts.rebuild(connection)
            self.stdout.write("Triggers installed and every stored count made again from the rows.")
        differences = stored_counts.check(connection)
        summary = ", ".join(f"{name}: {count}" for name, count in differences.items())
        if any(differences.values()):
            raise CommandError(f"Stored counts differ from the rows ({summary}): "
                               "run `manage.py stored_counts --rebuild`.")
        self.stdout.write(f"Stored counts match the rows ({summary}).")
