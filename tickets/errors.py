"""Domain refusals: one family, each with a code for programs and a message for the person who
asked: a sentence in their language (gettext at the moment it is raised), never a code, a field
name or the deadline engine's developer text.

Views turn them into a message on the page, the API into a 409 with the code and the message
(STYLE.md). What a ticket allows now, and the words for what it does not, come first from
`tickets.actions.available_actions`, which raises these same refusals.
A refusal changes nothing: services raise it before writing anything.
"""

from __future__ import annotations


class Refusal(Exception):
    code = "refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransitionRefused(Refusal):
    code = "illegal_transition"


class ExtensionRefused(Refusal):
    code = "extension_not_allowed"


class AssignmentRefused(Refusal):
    code = "assignment_not_allowed"


class PauseRefused(Refusal):
    code = "pause_not_allowed"


class NothingToDo(Refusal):
    code = "nothing_to_do"


class SatisfactionRefused(Refusal):
    code = "satisfaction_not_allowed"


class RetentionRefused(Refusal):
    code = "erasure_not_due"


class ErasedRefused(Refusal):
    """The ticket's personal data was erased under the retention rule: nobody can be answered,
    and nothing may be added to what is now only an audit skeleton."""

    code = "personal_data_erased"
