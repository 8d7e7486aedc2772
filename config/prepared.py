"""psycopg prepares a statement on a connection from this many runs of it there (the settings set it;
the benchmark warms its servers up past it)."""

PREPARE_THRESHOLD = 5
