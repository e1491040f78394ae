"""eligex extraction stages: read -> segment -> annotate -> extract -> write."""

__version__ = "0.1.0"
SCHEMA_VERSION = "1"
