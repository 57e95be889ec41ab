"""The words of the game people see: every enumeration with its keys and labels, defined once.

Note kinds, calls for the facilitator, how a card's play stands, devices, seating and card flow,
response types: the rules check keys against these, and templates (a Jinja global), the pages'
JavaScript (a JSON block of labels, translated by the shell) and the exports take the labels from
here, so a new reason or kind is added in one place. Labels are marked with `N_` and translated
where they are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..errors import N_


@dataclass(frozen=True)
class Vocabulary:
    """An enumeration people see: its keys in order, each with a label (English, marked for
    translation). `key in vocabulary` and iterating give the keys."""

    name: str
    terms: tuple[tuple[str, str], ...]

    def __contains__(self, key: object) -> bool:
        return any(key == k for k, _ in self.terms)

    def __iter__(self) -> Iterator[str]:
        return iter(k for k, _ in self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def __getitem__(self, key: str) -> str:
        return self.label(key)

    def label(self, key: str) -> str:
        """The (untranslated) label of `key`; the key itself if unknown (an older log's word)."""
        return next((label for k, label in self.terms if k == key), key)

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys, in order."""
        return tuple(k for k, _ in self.terms)


NOTE_KINDS = Vocabulary(
    "note_kinds",
    (
        ("experience", N_("Experience")),
        ("tip", N_("Tip")),
        ("concern", N_("Concern")),
        ("question", N_("Question")),
    ),
)

FLAG_REASONS = Vocabulary(
    "flag_reasons",
    (
        ("need_help", N_("Need help")),
        ("sensitive", N_("Sensitive")),
        ("done", N_("Table is done")),
    ),
)

# How the play of a card stands (`features.care.status`).
PLAY_STATUSES = Vocabulary(
    "play_statuses",
    (
        ("talking", N_("still talking")),
        ("revealed", N_("revealed")),
        ("skipped", N_("Skipped by the table.")),
        ("abandoned", N_("Left before the votes were revealed.")),
        ("talked", N_("Talked it through (no vote).")),
    ),
)

DEVICE_MODES = Vocabulary(
    "device_modes",
    (
        ("personal", N_("Everyone votes on their own phone")),
        ("shared", N_("Each table shares one device and counts hands")),
    ),
)

SEATING_MODES = Vocabulary(
    "seating_modes",
    (
        ("choose", N_("People choose their table")),
        ("balance", N_("Tafelronde places people to keep tables even")),
        ("facilitator", N_("I place people myself")),
    ),
)

FLOW_MODES = Vocabulary(
    "flow_modes",
    (
        ("draw", N_("Each table draws at its own pace")),
        ("deal", N_("I deal the same card to all tables")),
    ),
)

RESPONSE_TYPES = Vocabulary(
    "response_types",
    (
        ("choice", N_("Choose one option")),
        ("scale", N_("Agree or disagree (5 points)")),
        ("open", N_("Open: talk and notes only")),
    ),
)

ALL = (
    NOTE_KINDS,
    FLAG_REASONS,
    PLAY_STATUSES,
    DEVICE_MODES,
    SEATING_MODES,
    FLOW_MODES,
    RESPONSE_TYPES,
)


def labels(translate: Callable[[str], str] | None = None) -> dict[str, dict[str, str]]:
    """Every vocabulary as ``{name: {key: label}}``, labels passed through `translate` (a
    gettext function) when given: what pages put in their JSON block for their JavaScript."""
    return {
        v.name: {k: translate(label) if translate else label for k, label in v.terms} for v in ALL
    }
