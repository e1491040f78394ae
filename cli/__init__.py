"""eligex command-line interface."""
