"""Tables that share one device: the table's show of hands is recorded as counts per option
(`record_tally`) and stands for that table's votes everywhere, marked as a tally. The
facilitator sets a table (or the whole session) to shared or personal devices (`set_devices`)."""

from typing import Literal, TypedDict

from ...errors import N_, Forbidden, InvalidInput, OutOfTurn
from .. import checks
from ..command import Actor, Command, Event, EventKind, Feature, Number
from ..model import SessionState
from ..vocabulary import DEVICE_MODES
from .care import open_play

MAX_HANDS = 500  # per option in a tally: more than a table, less than a typo of 10000


class TallyRecorded(TypedDict):
    type: Literal["tally_recorded"]
    table: int
    card: str
    round: int
    counts: list[int]
    passes: int
    at: Number


class DevicesSet(TypedDict):
    type: Literal["devices_set"]
    table: int
    devices: str
    at: Number


class DefaultDevicesSet(TypedDict):
    type: Literal["default_devices_set"]
    devices: str
    at: Number


def _tally_recorded(state: SessionState, e: TallyRecorded) -> None:
    play = state.tables[e["table"]].plays[-1]
    play.tally = list(e["counts"])
    play.tally_passes = e["passes"]
    play.revealed = True  # a show of hands is seen by everyone at the table


def _devices_set(state: SessionState, e: DevicesSet) -> None:
    state.tables[e["table"]].devices = e["devices"]


def _default_devices_set(state: SessionState, e: DefaultDevicesSet) -> None:
    state.settings.devices = e["devices"]


class TallyPayload(TypedDict, total=False):
    counts: list[int]
    passes: int
    card: str


class DevicesPayload(TypedDict, total=False):
    devices: str
    table: int


def _hands(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_HANDS


def record_tally(
    state: SessionState, actor: Actor, payload: TallyPayload, now: float
) -> list[Event]:
    """A shared device's show of hands: one count per option (and passes)."""
    _, table, play = open_play(state, actor, payload)
    if state.devices(table.id) != "shared":
        raise Forbidden(N_("At this table everyone votes on their own phone."))
    checks.refuse_skipped(play)
    options = checks.option_count(state, play.card)
    if not options:
        raise OutOfTurn(N_("This card has no vote; add a note instead."))
    counts = payload.get("counts")
    if not isinstance(counts, list) or len(counts) != options or not all(_hands(n) for n in counts):
        raise InvalidInput(N_("Give a number of hands (0 to 500) for every option."))
    passes = checks.field(payload, "passes", int, required=False) or 0
    if not _hands(passes):
        raise InvalidInput(N_("Give a number of hands (0 to 500) for every option."))
    if not sum(counts) + passes:
        raise InvalidInput(N_("Count at least one hand."))
    if play.tally == counts and play.tally_passes == passes:
        return []
    return [
        {
            "type": "tally_recorded",
            "table": table.id,
            "card": play.card,
            "round": play.round,
            "counts": list(counts),
            "passes": passes,
        }
    ]


def set_devices(
    state: SessionState, actor: Actor, payload: DevicesPayload, now: float
) -> list[Event]:
    """Shared or personal devices for one table, or (without `table`) the whole session: every
    table, and tables added later."""
    devices = payload.get("devices")
    if devices not in DEVICE_MODES:
        raise InvalidInput(N_("Devices are 'personal' or 'shared'."))
    if payload.get("table") is not None:
        table = checks.table(state, payload.get("table"))
        if state.devices(table.id) == devices:
            return []
        return [{"type": "devices_set", "table": table.id, "devices": devices}]
    events: list[Event] = []
    if state.settings.devices != devices:
        events.append({"type": "default_devices_set", "devices": devices})
    for table in state.tables:
        if table.devices is not None or state.settings.devices != devices:
            events.append({"type": "devices_set", "table": table.id, "devices": devices})
    return events


FEATURE = Feature(
    "devices",
    commands=(
        Command("record_tally", "participant", TallyPayload, record_tally, ("tally_recorded",)),
        Command(
            "set_devices",
            "facilitator",
            DevicesPayload,
            set_devices,
            ("default_devices_set", "devices_set"),
        ),
    ),
    events=(
        EventKind(TallyRecorded, _tally_recorded),
        EventKind(DevicesSet, _devices_set),
        EventKind(DefaultDevicesSet, _default_devices_set),
    ),
)
