"""Failures of the system of record, each with a sentence a person can act on.

The command line turns a `SetupError` into one line on stderr and exit status 2.
"""


class DossierError(Exception):
    """Base class: str(error) is the sentence shown to the user."""


class SetupError(DossierError):
    """The data folder, the settings or the database cannot be used as they are."""


class NotAllowed(DossierError):
    """The acting user may not do this."""


class NotFound(DossierError):
    """No such record."""


class InvalidState(DossierError):
    """The record is not in a state that allows this action."""
