"""eligex's own exceptions. Only cli/ turns them into messages and exit codes."""
from __future__ import annotations


class EligexError(Exception):
    """Base class. `kind` names the error in batch error records."""

    kind = "error"
    exit_code = 1


class InputError(EligexError):
    """A document cannot be read: missing, unreadable, binary, empty, malformed."""

    kind = "input_error"
    exit_code = 1


class UnknownFormatError(InputError):
    kind = "unknown_format"


class RulePackError(EligexError):
    """A rule pack is invalid. The message names the file and the key (and line)."""

    kind = "rule_pack_error"
    exit_code = 2

    def __init__(self, path: str, where: str, message: str):
        self.path, self.where, self.detail = path, where, message
        loc = f"{path}: [{where}]" if where else f"{path}:"
        super().__init__(f"{loc} {message}")


class LimitError(InputError):
    """An input beyond the sizes eligex accepts."""

    kind = "limit_exceeded"
