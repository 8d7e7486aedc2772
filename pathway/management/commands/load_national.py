"""Fill a throwaway PostgreSQL database with national-size data: `load_national [--small] [--reset]`.

Rows are generated in Python (`pathway.national_caseload`, `national_rows`) and streamed with COPY
by a second thread while the next ones are generated, all in one transaction: the tables are
truncated first (so COPY FREEZE writes rows already visible to index-only scans), their keys,
foreign keys and indexes are dropped during the load and rebuilt after it, which is several times
faster than maintaining them row by row. A progress bar with rows per second goes to stderr.
"""

import queue
import random
import threading
import time
from contextlib import contextmanager

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone, translation

from accounts import two_factor
from accounts.models import User
from pathway import national_data as data
from pathway import stored_counts
from pathway.models import (
    Billing,
    CareSession,
    CloseReason,
    EntryMode,
    Pathway,
    Patient,
    SessionKind,
    SessionMode,
    SessionStatus,
)
from pathway.national_caseload import Caseload
from pathway.national_rows import COLUMNS, Calendar, Rows, copy_text, doctors_pool

TABLES = tuple(COLUMNS)
BENCH_USERNAMES = (data.LARGE_USERNAME, data.AVERAGE_USERNAME)
CHUNK_ROWS = 100_000


class Command(BaseCommand):
    help = (
        "Load national-size data (7,300 psychologists, 1,000,000 patients by default; --small: 50 and 5,000) "
        "into a throwaway PostgreSQL database whose name contains 'bench'. Reuses the data if it is there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--psychologists", type=int, default=data.FULL_PSYCHOLOGISTS)
        parser.add_argument("--patients", type=int, default=data.FULL_PATIENTS)
        parser.add_argument("--small", action="store_true",
                            help=f"{data.SMALL_PSYCHOLOGISTS} psychologists, {data.SMALL_PATIENTS:,} patients")
        parser.add_argument("--reset", action="store_true", help="wipe the database's users and caseloads first")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, psychologists, patients, small, reset, seed, **options):
        check_database()
        if small:
            psychologists, patients = data.SMALL_PSYCHOLOGISTS, data.SMALL_PATIENTS
        if psychologists < 3 or patients < 2 * psychologists:
            raise CommandError("Give at least 3 psychologists and 2 patients per psychologist.")
        if not reset and User.objects.filter(username=data.LARGE_USERNAME, patients__isnull=False).exists():
            bench_devices_ensure()  # also in a database loaded before two-step login existed
            self.stdout.write(f"The data is already there ({summary()}): reusing it. --reset loads it again.")
            return
        progress = Progress(patients, self.stderr)
        started = time.monotonic()
        with transaction.atomic(), translation.override("fr"):
            truncate()
            with stored_counts_after(progress), keys_and_indexes_dropped(progress):
                users = psychologists_create(psychologists, seed)
                caseloads_load(users, caseload_sizes(psychologists, patients, seed), seed, progress)
        analyze(progress)
        bench_devices_ensure()
        elapsed = time.monotonic() - started
        self.stdout.write(f"Loaded {summary()} in {elapsed:.0f} s "
                          f"({progress.rows / elapsed:,.0f} rows/s overall).")


def check_database():
    if connection.vendor != "postgresql":
        raise CommandError("load_national needs PostgreSQL (it loads with COPY): "
                           "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/msp_bench")
    name = connection.settings_dict["NAME"]
    # It truncates every user and caseload: only into a database made for it (or a test database).
    if "bench" not in name and not name.startswith("test_"):
        raise CommandError(f"load_national wipes the database it loads into: '{name}' is not a benchmark "
                           "database (its name must contain 'bench').")


def summary():
    return (f"{User.objects.count():,} users, {Patient.objects.count():,} patients, "
            f"{Pathway.objects.count():,} pathways, {CareSession.objects.count():,} sessions")


def truncate():
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE accounts_user, {', '.join(TABLES)} RESTART IDENTITY CASCADE")


# --- Keys and indexes ------------------------------------------------------------------------


@contextmanager
def keys_and_indexes_dropped(progress):
    """Drop the loaded tables' foreign keys, keys and indexes; rebuild them (and check the keys) after."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        foreign_keys, keys, indexes = schema_objects(cursor)
        for table, name, _definition in foreign_keys + keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")  # regclass text: already quoted where needed
        yield
        progress.phase("keys and indexes")
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cursor.execute(definition)
        progress.phase("foreign keys")
        for table, name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


@contextmanager
def stored_counts_after(progress):
    """The counts the triggers keep (pathway/stored_counts.py), made once from all the rows at the end:
    a trigger run per COPY row would cost more than the load itself. Each pathway's own figures are
    written with its row (national_caseload.py): counting them again would rewrite every pathway."""
    with connection.cursor() as cursor:
        for table in stored_counts.TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield
        progress.phase("stored counts")
        stored_counts.rebuild(connection, pathways=False)
        # The rebuilt rows' foreign keys are checked now, not at the commit: a table with checks
        # pending cannot have its triggers enabled again.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in stored_counts.TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def schema_objects(cursor):
    tables = "ARRAY[{}]::regclass[]".format(", ".join(f"'{t}'" for t in TABLES))
    cursor.execute(f"""
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE contype = 'f' AND (conrelid = ANY({tables}) OR confrelid = ANY({tables})) ORDER BY 1, 2""")
    foreign_keys = cursor.fetchall()
    cursor.execute(f"""
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE contype IN ('p', 'u') AND conrelid = ANY({tables}) ORDER BY 1, 2""")
    keys = cursor.fetchall()
    cursor.execute(f"""
        SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
        WHERE indrelid = ANY({tables})
          AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid) ORDER BY 1""")
    return foreign_keys, keys, cursor.fetchall()


# --- Psychologists -----------------------------------------------------------------------------


def psychologists_create(count, seed):
    rng = random.Random(seed)
    bench_password = make_password(data.BENCH_PASSWORD)
    unusable = make_password(None)
    users = []
    for index in range(count):
        username = BENCH_USERNAMES[index] if index < 2 else data.OTHER_USERNAME.format(index)
        first = rng.choice(data.WOMEN_FIRST_NAMES if rng.random() < 0.8 else data.MEN_FIRST_NAMES)
        last = rng.choice(data.LAST_NAMES)
        postcode, town, _department, _commune = rng.choice(data.PLACES)
        users.append(User(
            username=username, password=bench_password if index < 2 else unusable, first_name=first,
            last_name=last, email=f"{username}@exemple.fr", role=User.Role.PSYCHOLOGIST,
            rpps=luhn_complete(f"1000{rng.randrange(10**6):06d}"), is_conventioned=True,
            convention_date=rng.choice(data.CONVENTION_DATES),
            practice_address=f"{rng.randint(1, 90)} {rng.choice(data.STREETS)}\n{postcode} {town}",
        ))
    return User.objects.bulk_create(users, batch_size=2000)


def bench_devices_ensure():
    """The bench psychologists' two-step login device, with the known key the benchmark computes codes from."""
    for user in User.objects.filter(username__in=BENCH_USERNAMES):
        two_factor.device_with_key(user, data.BENCH_TOTP_SECRET, name="bench")


def luhn_complete(digits):
    """Append the Luhn check digit (RPPS numbers carry one)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return f"{digits}{(10 - total % 10) % 10}"


def caseload_sizes(psychologists, patients, seed):
    """The large and the average psychologist first, the rest spread unevenly over the others."""
    large = min(data.LARGE_CASELOAD, patients // 2)
    average = min(data.AVERAGE_CASELOAD, (patients - large) // 2)
    rest = patients - large - average
    rng = random.Random(seed)
    weights = [rng.gammavariate(2.0, 1.0) for _index in range(psychologists - 2)]
    scale = rest / sum(weights)
    others = [int(weight * scale) for weight in weights]
    for index in range(rest - sum(others)):
        others[index % len(others)] += 1
    return [large, average, *others]


# --- Caseloads ---------------------------------------------------------------------------------


def caseloads_load(users, sizes, seed, progress):
    rows = Rows()
    calendar = Calendar(timezone.localdate())
    labels, doctors = labels_fr(), doctors_pool()
    writer = CopyWriter(connection.connection, progress)
    writer.start()
    try:
        for index, (user, size) in enumerate(zip(users, sizes, strict=True)):
            Caseload(calendar, labels, doctors, user.pk, seed + index, rows).add_patients(size)
            progress.patients_done(size)
            if rows.count() >= CHUNK_ROWS:
                writer.send(rows)
        writer.send(rows)
    finally:
        writer.finish()


def labels_fr():
    """The French labels the services write into the events (describe_session, the closing reason)."""
    def escaped(choices):
        return {value: copy_text(str(label)) for value, label in choices.choices}

    return {"entry": escaped(EntryMode), "close": escaped(CloseReason), "kind": escaped(SessionKind),
            "mode": escaped(SessionMode), "status": escaped(SessionStatus), "billing": escaped(Billing)}


class CopyWriter(threading.Thread):
    """COPY each chunk on the command's own connection, while the main thread generates the next one.

    libpq releases the GIL while it sends, so PostgreSQL parses one chunk as Python writes the next.
    """

    def __init__(self, psycopg_connection, progress):
        super().__init__(daemon=True)
        self.cursor = psycopg_connection.cursor()
        self.progress = progress
        self.chunks = queue.Queue(maxsize=3)
        self.error = None

    def send(self, rows):
        if self.error:
            raise self.error
        for table, lines in rows.tables.items():
            if lines:
                self.chunks.put((table, len(lines), "".join(lines).encode()))
        rows.clear()

    def finish(self):
        self.chunks.put(None)
        self.join()
        if self.error:
            raise self.error

    def run(self):
        while (chunk := self.chunks.get()) is not None:
            if self.error:
                continue  # drain, so that the main thread never blocks on a full queue
            table, count, payload = chunk
            try:
                with self.cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN (FREEZE)") as copy:
                    copy.write(payload)
            except Exception as error:  # handed to the main thread, which raises it
                self.error = error
            else:
                self.progress.rows_written(count)


def analyze(progress):
    """Statistics for the planner; outside a transaction, VACUUM also marks the event pages all-visible."""
    progress.phase("vacuum and analyze" if not connection.in_atomic_block else "analyze")
    with connection.cursor() as cursor:
        for table in ("accounts_user", *TABLES, *stored_counts.COUNT_TABLES):
            cursor.execute(f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM (ANALYZE)'} {table}")
    progress.done()


class Progress:
    """A one-line progress bar on stderr: patients generated, rows written, rows per second."""

    WIDTH = 30

    def __init__(self, patients, stream):
        self.total = patients
        self.stream = stream
        self.patients = 0
        self.rows = 0
        self.started = self.phase_started = time.monotonic()
        self.shown = 0.0
        self.label = "rows"
        self.lock = threading.Lock()

    def patients_done(self, count):
        self.patients += count
        self.show()

    def rows_written(self, count):
        with self.lock:
            self.rows += count

    def show(self, force=False):
        now = time.monotonic()
        if not force and now - self.shown < 0.5:
            return
        self.shown = now
        filled = int(self.WIDTH * self.patients / self.total)
        rate = self.rows / max(now - self.started, 1e-6)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.patients:,}/{self.total:,} patients · "
            f"{self.rows:,} rows · {rate:,.0f} rows/s ", ending="")
        self.stream.flush()

    def phase(self, name):
        """Close the current phase (the rows first) with its duration, and start the next one."""
        now = time.monotonic()
        if self.label == "rows":
            self.show(force=True)
        self.stream.write(f"\n  {self.label}: {now - self.phase_started:.0f} s", ending="")
        self.stream.flush()
        self.label, self.phase_started = name, now

    def done(self):
        self.phase("")
        self.stream.write("")
