"""What a use case works on: the checklist and the answers file beside it.

The CLI's `Env` is one (it loads lazily and says the sharing warnings); a test or a script
can pass any object with these members.
"""

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from evalcheck.answers.store import Answers
from evalcheck.model.checklist import Checklist
from evalcheck.state.snapshot import Snapshot


class Workspace(Protocol):
    @property
    def checklist(self) -> Checklist: ...

    @property
    def answers_path(self) -> Path: ...

    def answers(self) -> Answers:
        """The answers as saved (read only)."""
        ...

    def snapshot(self, today: str | None = None) -> Snapshot:
        """The state of every indicator, last year's values included after `carry`."""
        ...

    def saved(self) -> Answers:
        """The answers as saved, read as a writing command reads them (its sharing
        warnings) but without the lock: to see whether a change would change anything."""
        ...

    def writing(self) -> AbstractContextManager[Answers]:
        """Lock, load fresh, let the block change the answers, save atomically."""
        ...
