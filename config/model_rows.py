"""Model instances from the rows of fixed SQL statements, built as the ORM builds them.

A queryset is built and compiled again on every request: for the small reads of a page that costs
several times the SQL itself (about 0.5 to 4 ms per queryset for 0.05 to 0.5 ms of SQL). A fixed
statement is also prepared once per connection by PostgreSQL. `ColumnSet` gives a model's columns for
such a statement and turns the matching slice of a row into an instance: each column through the
converters the ORM's compiler applies (SQLite's dates, JSON, booleans...), then `Model.from_db`. An
instance read with some columns only has the others deferred, as with `.only()`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import sql

DEFAULT_ALIAS = "default"


@dataclass(frozen=True)
class ColumnSet:
    model: type
    select: str  # the SELECT list, each column qualified by the statement's alias for the table
    attnames: tuple
    converters: tuple  # per column: (the column expression, its converters)

    @property
    def pk_column(self):
        return connections[DEFAULT_ALIAS].ops.quote_name(self.model._meta.pk.column)

    def __len__(self):
        return len(self.attnames)

    def instance(self, values):
        """The instance of `values` (the row's slice for these columns, in their order)."""
        connection = connections[DEFAULT_ALIAS]
        converted = []
        for value, (column, column_converters) in zip(values, self.converters, strict=True):
            for convert in column_converters:
                value = convert(value, column, connection)
            converted.append(value)
        return self.model.from_db(DEFAULT_ALIAS, self.attnames, converted)

    def take(self, row, start, outer=False):
        """The instance of the row's columns from `start`, and where the next set of columns starts.
        `outer`: the columns of an outer join, None when no row was joined (its key is NULL)."""
        end = start + len(self)
        values = row[start:end]
        if outer and values[self.attnames.index(self.model._meta.pk.attname)] is None:
            return None, end
        return self.instance(values), end


@lru_cache(maxsize=64)
def column_set(model, alias=None, attnames=None):
    """`model`'s concrete columns (all, or those named in the `attnames` tuple, in the model's order)."""
    connection = connections[DEFAULT_ALIAS]
    quote = connection.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if attnames is None or field.attname in attnames]
    prefix = f"{alias}." if alias else ""
    converters = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        converters.append((column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
    return ColumnSet(model, ", ".join(prefix + quote(field.column) for field in fields),
                     tuple(field.attname for field in fields), tuple(converters))


def cache_relation(instance, name, value):
    """Set a relation the statement read along (a forward key, or a reverse one-to-one that may be
    None), as select_related() leaves it: reading it later runs no query."""
    instance._state.fields_cache[instance._meta.get_field(name).cache_name] = value


def db_key(model, value):
    """`value` as the database takes `model`'s primary key (a UUID's hex on SQLite); ValidationError
    for a value that is no key."""
    return model._meta.pk.get_db_prep_value(value, connections[DEFAULT_ALIAS])


def fetch_rows(sql, params):
    with connections[DEFAULT_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass(frozen=True)
class Read:
    """A statement of a page, and what its rows become (`result(rows)`)."""

    sql: str
    params: Any
    result: Callable[[list], Any] = list


def pipelines(connection):
    if connection.vendor != "postgresql" or not getattr(settings, "DATABASE_PIPELINES", False):
        return False
    from psycopg import Pipeline

    return Pipeline.is_supported()


def read_together(*reads):
    """Each read's result. On PostgreSQL the statements go out together in one pipeline and come back
    together: one round trip to the server, not one each (a page waits 0.1 to 0.4 ms on every round
    trip, more than most of its statements take to run). Each statement still runs and is counted on
    its own, in its own implicit transaction (autocommit) or in the transaction open around it.
    Elsewhere (SQLite), one after the other."""
    connection = connections[DEFAULT_ALIAS]
    if len(reads) < 2 or not pipelines(connection):
        return [read.result(fetch_rows(read.sql, read.params)) for read in reads]
    connection.ensure_connection()
    cursors = [connection.cursor() for _read in reads]
    try:
        # Sent on leaving the block (with the pipeline's Sync), and fetched then: fetching inside it
        # would cost a second round trip.
        with connection.wrap_database_errors, connection.connection.pipeline():
            for cursor, read in zip(cursors, reads, strict=True):
                cursor.execute(read.sql, read.params)
        return [read.result(cursor.fetchall()) for cursor, read in zip(cursors, reads, strict=True)]
    finally:
        for cursor in cursors:
            cursor.close()


def insert_statement(instance):
    """The INSERT that Model.save() sends for a new `instance`, without RETURNING: its key is set
    before (a UUID drawn in Python), or not wanted afterwards. Fields are prepared as save() prepares
    them (pre_save: auto_now_add, the UUID's default...); no model signal is sent, and the model's own
    save() is not called: only for models whose save() adds nothing the caller has not done."""
    meta = instance._meta
    fields = [field for field in meta.local_concrete_fields if not field.generated]
    if instance.pk is None:
        fields = [field for field in fields if field is not meta.auto_field]
    query = sql.InsertQuery(type(instance))
    query.insert_values(fields, [instance])
    [(statement, params)] = query.get_compiler(DEFAULT_ALIAS).as_sql()
    return statement, params


def insert_together(*instances):
    """Insert new instances, in order, in one round trip on PostgreSQL (one pipeline: a failing INSERT
    raises, and the transaction around it is rolled back as for any failed statement); one after the
    other elsewhere. Call it inside a transaction: the statements are meant to land together."""
    connection = connections[DEFAULT_ALIAS]
    statements = [insert_statement(instance) for instance in instances]
    with connection.cursor() as cursor:
        if pipelines(connection):
            with connection.wrap_database_errors, connection.connection.pipeline():
                for statement, params in statements:
                    cursor.execute(statement, params)
        else:
            for statement, params in statements:
                cursor.execute(statement, params)
    for instance in instances:
        instance._state.adding, instance._state.db = False, DEFAULT_ALIAS
