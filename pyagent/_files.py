"""Whether a directory can take the files a command will write there, asked before any work is spent.

``os.access`` is not enough: it says yes to root on a read-only file system and in ``/proc``. The only sure answer
is to try: make the missing directories, write a temporary file, and (when asked) take back what was made.
"""

from __future__ import annotations

import contextlib
import pathlib
import tempfile

__all__ = ["directory_problem"]


def directory_problem(directory: pathlib.Path, *, keep: bool) -> str | None:
    """Why files cannot be written in ``directory``, in words, or None when they can.

    Missing directories are made to find out; with ``keep`` False they are removed again (the command that asked
    may stop before it writes anything, and should leave nothing behind).
    """
    if directory.exists() and not directory.is_dir():
        return f"{str(directory)!r} is a file, not a directory"
    made: list[pathlib.Path] = []
    missing = directory
    while not missing.exists():
        made.append(missing)
        if missing.parent == missing:
            break
        missing = missing.parent
    try:
        for part in reversed(made):
            part.mkdir()
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        if isinstance(exc, NotADirectoryError | FileExistsError):
            return f"a part of {str(directory)!r} is a file, not a directory"
        action = "created" if made and not directory.is_dir() else "written in"
        return f"{str(directory)!r} cannot be {action}: {exc.strerror or type(exc).__name__}"
    finally:
        if not keep:
            for part in made:
                with contextlib.suppress(OSError):
                    part.rmdir()
    return None
