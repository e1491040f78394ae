"""`python -m eligex.cli` runs the `eligex` command."""
from .main import run

run()
