"""Static files as `make serve` serves them: WhiteNoise's hashed, compressed files, source maps aside."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


def regex_of(pattern):
    return pattern if isinstance(pattern, str) else pattern[0]


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """The vendored Bootstrap names source maps that we do not ship (they serve only the browser's developer
    tools): leave those comments as they are, instead of failing `collectstatic` on a missing file. Every
    url() and @import is still rewritten to its hashed name."""

    patterns = tuple(
        (files, tuple(p for p in rules if "sourceMappingURL" not in regex_of(p)))
        for files, rules in CompressedManifestStaticFilesStorage.patterns
    )
