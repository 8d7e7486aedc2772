"""Back up and restore the app's data: the PostgreSQL database and the uploaded referral letters.

    python ops/backup.py backup [--into backups]
    CONFIRM=yes python ops/backup.py restore backups/20260123-101500.dump

`make backup` and `make restore FILE=...` call it. The database is the app's own (DATABASE_URL),
dumped by pg_dump in its custom format; the letters (MEDIA_ROOT) go into a tar next to the dump,
under the same timestamp. A restore replaces the database's content with the dump's, in one
transaction, and puts the letters back into MEDIA_ROOT. The files hold health data: they are
created readable by their owner only. README, "Backups".
"""

import argparse
import os
import subprocess
import sys
import tarfile
from datetime import datetime
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parent.parent
FILESYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"


class BackupError(Exception):
    """Something the operator must fix: the message says what."""


def database_env():
    """libpq's variables for the configured database: the password never appears on a command line."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise BackupError("DATABASE_URL is not set: it names the database to back up or to restore into.")
    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError("Backups cover PostgreSQL only: DATABASE_URL must be postgres://...")
    values = {"PGHOST": config["HOST"], "PGPORT": config["PORT"], "PGUSER": config["USER"],
              "PGPASSWORD": config["PASSWORD"], "PGDATABASE": config["NAME"]}
    return {**os.environ, **{key: str(value) for key, value in values.items() if value}}


def media_root():
    """The letters' folder, or None when they live in another storage (backed up by its own means)."""
    if (os.environ.get("MEDIA_STORAGE_BACKEND") or FILESYSTEM_STORAGE) != FILESYSTEM_STORAGE:
        return None
    return Path(os.environ.get("MEDIA_ROOT") or ROOT / "media")


def media_archive_for(dump):
    return dump.with_name(f"{dump.stem}-media.tar.gz")


def backup(into):
    env = database_env()
    into.mkdir(parents=True, exist_ok=True)
    dump = into / f"{datetime.now():%Y%m%d-%H%M%S}.dump"
    if dump.exists():
        raise BackupError(f"{dump} exists already: wait a second and run it again.")
    subprocess.run(["pg_dump", "--format=custom", "--file", str(dump)], env=env, check=True)
    say(f"Database {env['PGDATABASE']} → {dump}")
    folder = media_root()
    if folder is None:
        say("Letters: in MEDIA_STORAGE_BACKEND's storage, to back up with that storage's own tools.")
    elif not folder.is_dir():
        say(f"Letters: no folder at {folder}, nothing to archive.")
    else:
        with tarfile.open(media_archive_for(dump), "w:gz") as archive:
            archive.add(folder, arcname=".")
        say(f"Letters {folder} → {media_archive_for(dump)}")
    return dump


def restore(dump):
    env = database_env()
    if not dump.name:
        raise BackupError("Which backup? Give FILE=backups/<timestamp>.dump.")
    if not dump.is_file():
        raise BackupError(f"No backup at {dump}: give FILE=backups/<timestamp>.dump.")
    if os.environ.get("CONFIRM") != "yes":
        raise BackupError(
            f"This replaces every table of database {env['PGDATABASE']} on {env.get('PGHOST', 'localhost')} "
            f"with the content of {dump}. Run it again with CONFIRM=yes to go ahead."
        )
    # One transaction: a restore that fails half-way leaves the database as it was. No owner, no grants:
    # the restoring role owns what it creates, whatever role made the dump.
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                    "--single-transaction", "--dbname", env["PGDATABASE"], str(dump)],
                   env=env, check=True)
    say(f"{dump} → database {env['PGDATABASE']}")
    restore_media(media_archive_for(dump))


def restore_media(archive):
    folder = media_root()
    if folder is None or not archive.is_file():
        say(f"Letters: not restored (no {archive.name}, or they live in another storage).")
        return
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")  # "data": no absolute path, no link out of the folder
    say(f"{archive} → letters in {folder}")


def say(text):
    print(text, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    actions = parser.add_subparsers(dest="action", required=True)
    backup_parser = actions.add_parser("backup", help="dump the database and archive the letters")
    backup_parser.add_argument("--into", type=Path, default=ROOT / "backups", help="folder (default: backups/)")
    restore_parser = actions.add_parser("restore", help="restore a dump (and its letters); needs CONFIRM=yes")
    restore_parser.add_argument("dump", nargs="?", default="", help="backups/<timestamp>.dump")
    args = parser.parse_args(argv)
    os.umask(0o077)  # health data: the dump and the archive are for their owner only
    try:
        if args.action == "backup":
            backup(args.into)
        else:
            restore(Path(args.dump))
    except BackupError as error:
        print(error, file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        print(f"{error.filename} is not installed: `make system-packages` installs postgresql-client.",
              file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"{error.cmd[0]} failed (exit {error.returncode}): see its message above.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
