import pytest

# Helpers that assert for the tests: pytest explains their failures as it does the tests'.
pytest.register_assert_rewrite("tests.stored_counts_check")
