"""The one family of user-fixable errors.

Raise :class:`UserError` (or a subclass) for anything the person at the command line can
fix: a bad option, a missing file, an unusable database.  The command line turns it into
one line on stderr and exit status 2; every other exception is a bug and keeps its
traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input the user can fix; the message says what to do next."""
