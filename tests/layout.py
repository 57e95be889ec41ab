"""The layout check of the browser tests: every kind of page, at phone, laptop and projector
size, in English and Dutch, filled with realistic but stressful content, looked at for what a
person would see as broken (tests/assets/layout-check.js says what counts).

`VIEWS` lists the pages: a name, who looks (a guest, the signed-in facilitator, a phone by its
seat), the address, what to wait for and what to click first. A new screen is one more `View`
(and, if it needs a state of the session, a step in `Stage.build`); tests/test_e2e_layout.py
runs every view.
"""

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests import e2e
from tests.realclients import Facilitator, RealPhone

CHECK = (Path(__file__).parent / "assets" / "layout-check.js").read_text(encoding="utf-8")
SIZES = {"phone": e2e.PHONE, "laptop": e2e.LAPTOP, "projector": e2e.PROJECTOR}
LANGUAGES = ("en", "nl")
# The projector's readable size at 1920 x 1080; its sizes follow the screen height.
WALL_PX_AT_1080 = 24

# --- the content: long but real ------------------------------------------------------------------

DECK_SLUG = "youth-work-dilemmas-masterclass-march.en"
DECK_TITLE = "Youth work dilemmas: a masterclass for volunteer coordinators"
TABLES = [
    "Vrijwilligersorganisatiecoördinatoren",
    "Jongerenwerkers Amsterdam-Noord",
    "Gemeenteambtenaren en beleidsmedewerkers",
    "Tafel bij het raam",
]
NAMES = [
    "Maria-Magdalena van Oldenbarnevelt-Smit",
    "Jan-Willem Hoogerwerf",
    "Fatima Zahra El Khadiri-Bouazza",
    "Anne-Sophie Verschuuren-de Groot",
    "Willemijn Schimmelpenninck van der Oye",
    "Bas",
]
NOTES = [
    (
        "experience",
        "We hebben eerst met vijf vrijwilligers een kleine proef gedaan. Daarna durfde de "
        "coördinator het breder uit te rollen. Achteraf hadden we de ouders eerder moeten betrekken.",
    ),
    (
        "concern",
        "Our volunteer coordinators felt nobody was responsible for the Facebook group. We agreed "
        "on a rota in the end, but it took three months and two very long meetings.",
    ),
    (
        "question",
        "Wie is er eigenlijk verantwoordelijk als een vrijwilliger iets verkeerds plaatst? Moet de "
        "gemeente daar iets over zeggen?",
    ),
    (
        "tip",
        "Start small: one channel, one person in charge, and a review after six weeks with the "
        "whole team.",
    ),
]
CONCLUSION = (
    "Eerst een kleine proef met de trouwste vrijwilligerscoördinatoren, daarna samen met de "
    "jongerenwerkers beslissen."
)
PROPOSAL = (
    "Vrijwilligerscoördinatoren willen een eigen Facebookgroep",
    "De vrijwilligerscoördinatoren van drie buurthuizen willen een gezamenlijke Facebookgroep. "
    "Niemand heeft tijd om die bij te houden. Beginnen of niet?",
    ["Beginnen, met een rooster", "Niet beginnen, eerst een proef in één buurthuis"],
)
MESSAGE = (
    "Nog tien minuten voor deze ronde. Kies daarna samen één kaart om plenair te bespreken en "
    "schrijf jullie belangrijkste conclusie in één zin op."
)


# Roles to argue from, as long as the deck format allows (the phone's "Argue as: ...").
PERSPECTIVES = """
perspectives:
  - label: De vrijwilligersorganisatiecoördinator van het buurthuis
    description: >-
      Je bent verantwoordelijk voor veertig vrijwilligers en hun roosters. Je wilt dat iedereen
      zich gezien voelt, maar je hebt maar acht uur per week.
  - label: Een klachtenafhandelingscoördinator, op eigen titel
  - label: De woningbouwcorporatiedirecteur van Amsterdam-Noord
"""


def stress_deck(decks_dir):
    """The starter deck under a long file name and a long title (a test of the deck list, the
    editor's breadcrumb and the projector's lobby)."""
    text = (Path(decks_dir) / "social-media-dilemmas.en.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: .*$", f'title: "{DECK_TITLE}"', text, count=1)
    text = text.replace("\ncategories:", PERSPECTIVES + "\ncategories:", 1)  # "Argue as: ..."
    (Path(decks_dir) / f"{DECK_SLUG}.yaml").write_text(text, encoding="utf-8")


# --- the state of the room ---------------------------------------------------------------------


@dataclass
class Stage:
    """Three sessions of the stress deck on a real server, and the phones that sit in them:
    ``live`` (4 tables, 2 cards dealt, notes, a call, a timer, a message, a spotlight), ``ended``
    (played, then ended: evaluation, report, compare) and ``lobby`` (the Dutch deck, people
    joined, a timer and a message, nothing in the spotlight)."""

    server: object
    codes: dict = field(default_factory=dict)
    walls: dict = field(default_factory=dict)  # session name -> projector path
    seats: dict = field(default_factory=dict)  # phone name -> (session code, token)
    clients: list = field(default_factory=list)
    host: Facilitator | None = None
    pages: dict = field(default_factory=dict)  # page name -> path (a table's takeaway)

    def build(self):
        """Play the sessions up to the states the views show."""
        self.host = Facilitator(self.server.url)
        self._live()
        self._ended()
        self._lobby()
        self._deliberation()
        self._history()
        return self

    def _phone(self, code, name, seat=None, key=None):
        phone = RealPhone(self.server.url, code, name)
        phone.join()
        if seat is not None:
            assert phone.call("take_seat", table=seat)["ok"]
        self.clients.append(phone)
        if key:
            self.seats[key] = (code, phone.token)
        return phone

    def _socket(self, code):
        sio, _ = self.host.socket(code)
        self.clients.append(sio)
        return sio

    def _wall_path(self, code):
        page = self.host.http.get(f"{self.server.url}/host/s/{code}", timeout=5).text
        return re.search(r'href="(/wall/[^"#]+)"', page).group(1).replace("&amp;", "&")

    def _live(self):
        code = self.codes["live"] = self.host.create_session(
            deck=DECK_SLUG,
            tables_mode="names",
            table_names="\n".join(TABLES),
            seating="choose",
            flow="deal",
            devices="mixed",
            shared_tables="4",
        )
        self.walls["live"] = self._wall_path(code)
        sio = self._socket(code)
        people = [self._phone(code, name, seat=i // 2) for i, name in enumerate(NAMES)]
        a, b, c, d, e, f = people
        self.seats.update(
            {
                "voting": (code, b.token),
                "revealed": (code, c.token),
                "skipped": (code, e.token),
            }
        )
        self._phone(code, "Gemeenschappelijke telefoon", seat=3, key="shared")
        self._phone(code, "Christiaan Huygens-van Rijckevorsel", key="unseated")
        cards = e2e.deck().cards
        first, second = cards[0], cards[1]
        call = lambda phone, event, **p: phone.call(event, card=phone_card, **p)  # noqa: E731

        phone_card = first.id
        assert sio.call("deal_card", {"card": first.id}, timeout=5)["ok"]
        for n, phone in enumerate(people):
            assert call(phone, "cast_vote", choice=n % 4)["ok"]
        notes = []
        for phone, (kind, text) in zip((a, c, e, b), NOTES, strict=True):
            answer = call(phone, "add_note", kind=kind, text=text)
            assert answer["ok"], answer
        assert call(a, "record_choice", choice=1)["ok"]
        view = sio.call("sync", {}, timeout=5)["view"]
        notes = [n["id"] for t in view["tables"][:2] for n in t["current"]["notes"]]

        phone_card = second.id
        assert sio.call("deal_card", {"card": second.id}, timeout=5)["ok"]
        assert call(a, "cast_vote", choice=2)["ok"]  # b has not voted yet
        for phone in (c, d):
            assert call(phone, "cast_vote", choice=3)["ok"]
        assert call(c, "add_note", kind="tip", text=NOTES[3][1])["ok"]
        assert call(c, "flag_table", reason="need_help")["ok"]
        # A dilemma from the room: the facilitator's list, the phone's, the editor's inbox.
        answer = a.call("propose_dilemma", title=PROPOSAL[0], text=PROPOSAL[1], options=PROPOSAL[2])
        assert answer["ok"], answer
        assert call(e, "skip_card")["ok"]
        assert sio.call("start_timer", {"seconds": 600}, timeout=5)["ok"]
        assert sio.call("send_message", {"text": MESSAGE}, timeout=5)["ok"]
        answer = sio.call("spotlight", {"card": first.id, "notes": notes[:2]}, timeout=5)
        assert answer["ok"], answer

    def _ended(self):
        code = self.codes["ended"] = self.host.create_session(
            deck=DECK_SLUG, tables_mode="names", table_names="\n".join(TABLES[:2]), flow="deal"
        )
        sio = self._socket(code)
        people = [self._phone(code, name, seat=i % 2) for i, name in enumerate(NAMES[:4])]
        self.seats["evaluation"] = (code, people[0].token)
        card = e2e.deck().cards[0]
        assert sio.call("deal_card", {"card": card.id}, timeout=5)["ok"]
        for n, phone in enumerate(people):
            assert phone.call("cast_vote", choice=n % 3, card=card.id)["ok"]
            kind, text = NOTES[n]
            assert phone.call("add_note", kind=kind, text=text, card=card.id)["ok"]
        assert sio.call("end_session", {}, timeout=5)["ok"]
        mine = people[0].call("sync")["view"]["me"]["takeaway"]
        self.pages["takeaway"] = f"/j/{code}/takeaway/{mine['table']}/{mine['key']}"
        for n, phone in enumerate(people[1:]):
            answer = phone.call("submit_evaluation", useful=4 + n % 2, keep=NOTES[n][1], add="")
            assert answer["ok"], answer

    def _lobby(self):
        code = self.codes["lobby"] = self.host.create_session(
            deck="social-media-dilemmas.nl", table_count="3"
        )
        self.walls["lobby"] = self._wall_path(code)
        sio = self._socket(code)
        for name in NAMES[:3]:
            self._phone(code, name)
        assert sio.call("start_timer", {"seconds": 900}, timeout=5)["ok"]
        assert sio.call("send_message", {"text": MESSAGE}, timeout=5)["ok"]

    def _deliberation(self):
        """Three tables vote twice on one card (two people change their mind), with reasons
        and a conclusion; the card is in the spotlight: the board, the shift, the phone's."""
        code = self.codes["rounds"] = self.host.create_session(
            deck=DECK_SLUG,
            tables_mode="names",
            table_names="\n".join(TABLES[:3]),
            flow="deal",
            rounds="2",
        )
        self.walls["rounds"] = self._wall_path(code)
        sio = self._socket(code)
        seats = (0, 0, 0, 1, 2)
        people = [self._phone(code, name, seat=t) for name, t in zip(NAMES, seats, strict=False)]
        self.seats["moved"] = (code, people[0].token)
        card = e2e.deck().cards[0]
        assert sio.call("deal_card", {"card": card.id}, timeout=5)["ok"]
        vote = lambda phone, choice: phone.call("cast_vote", choice=choice, card=card.id)  # noqa: E731
        for phone, choice in zip(people, (0, 0, 1, 0, 1), strict=True):
            assert vote(phone, choice)["ok"]
        assert people[0].call("revote")["ok"]
        assert sio.call("reset_table", {}, timeout=5)["ok"]
        for phone, choice in zip(people, (1, 1, 1, 0, 1), strict=True):
            assert vote(phone, choice)["ok"]
        reasons = []
        for phone, (kind, text), option in zip(people[:3], NOTES[:3], (1, 1, 0), strict=True):
            answer = phone.call("add_note", kind=kind, text=text, card=card.id, option=option)
            assert answer["ok"], answer
            reasons.append(answer["note"])
        assert people[1].call("set_conclusion", text=CONCLUSION, card=card.id)["ok"]
        answer = sio.call("spotlight", {"card": card.id, "notes": reasons}, timeout=5)
        assert answer["ok"], answer

    def _history(self):
        """One save of the stress deck, so its history has a version to show."""
        api = f"{self.server.url}/api/decks/{DECK_SLUG}"
        headers = {"X-CSRF-Token": self.host.csrf}
        deck = self.host.http.get(api, headers=headers, timeout=5).json()
        text = deck["text"].replace(
            "title: An auction like the one for Haiti?",
            "title: An auction like the one for Haiti, a second time?",
        )
        text = re.sub(r"(?ms)^  - id: small-success\n.*?(?=^  - id: |\Z)", "", text)
        saved = self.host.http.put(
            api, json={"text": text, "base_revision": deck["revision"]}, headers=headers, timeout=5
        )
        assert saved.status_code == 200, saved.text

    def close(self):
        """Close every socket and the facilitator's HTTP session."""
        for client in self.clients:
            if isinstance(client, RealPhone):
                client.close()
            else:
                client.disconnect()
        if self.host:
            self.host.close()


# --- the views -------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """One screen to check. `path(stage)` is its address; `who` is "guest", "host" or the
    name of a seat in `Stage.seats` (the page is that phone); `ready` a CSS selector that is
    visible once the screen shows what it should; `then` clicks its way further (a tab, a
    dialog). `projector`: the wall's rules (no scrolling, large text)."""

    name: str
    path: Callable
    who: str = "host"
    ready: str = "main"
    then: Callable | None = None
    projector: bool = False
    sizes: tuple = tuple(SIZES)


def _open_history(page):
    page.get_by_role("button", name=re.compile("^(History|Geschiedenis)$")).click()
    page.locator("#history-list button").first.click()
    page.locator("#history-words li").first.wait_for()
    page.locator("#history-lines summary").click()
    page.locator("#history-diff span").first.wait_for()


def _open_propose(page):
    page.locator(".propose button").click()
    page.locator("#p_title").wait_for()
    page.evaluate("scrollTo(0, 0)")  # checked from the top, like every phone view


def _yaml(page):
    page.locator("#tab-yaml").click()
    page.locator("#yaml-text").wait_for()


def _to_board(page):
    page.locator("#board").scroll_into_view_if_needed()


def _live(name):
    return lambda stage: f"/host/s/{stage.codes[name]}"


def _phone(seat):
    return lambda stage: f"/j/{stage.seats[seat][0]}"


VIEWS = [
    View("home-guest", lambda s: "/", who="guest", ready="#code"),
    View("home-host", lambda s: "/", ready=".decklist"),
    View("sign-in", lambda s: "/host", who="guest", ready="#key"),
    View("new-session", lambda s: f"/host/new?deck={DECK_SLUG}", ready="form fieldset"),
    View("facilitator", _live("live"), ready="#tables .tcard"),
    View(
        "facilitator-ended", _live("ended"), ready="#ended:not([hidden])", sizes=("phone", "laptop")
    ),
    View(
        "projector-lobby",
        lambda s: s.walls["lobby"],
        ready="#lobby .huge",
        projector=True,
        sizes=("laptop", "projector"),
    ),
    View(
        "projector-spotlight",
        lambda s: s.walls["live"],
        ready=".spot h1",
        projector=True,
        sizes=("laptop", "projector"),
    ),
    View(
        "projector-comparison",
        lambda s: s.walls["live"] + "#comparison",
        ready=".cmp table",
        projector=True,
        sizes=("laptop", "projector"),
    ),
    View("phone-join", _phone("voting"), who="guest", ready="#name"),
    View("phone-seat", _phone("unseated"), who="unseated", ready=".seats .seat"),
    View("phone-vote", _phone("voting"), who="voting", ready=".opts .opt"),
    View("phone-revealed", _phone("revealed"), who="revealed", ready=".s-result .bars"),
    View("phone-skipped", _phone("skipped"), who="skipped", ready=".card h2"),
    View("phone-shared", _phone("shared"), who="shared", ready=".tally"),
    View("phone-evaluation", _phone("evaluation"), who="evaluation", ready=".scale"),
    View("phone-propose", _phone("voting"), who="voting", ready=".propose li", then=_open_propose),
    View("takeaway", lambda s: s.pages["takeaway"], who="guest", ready=".takeaway-card"),
    View("inbox", lambda s: "/decks/inbox", ready=".inbox-item"),
    View("facilitator-rounds", _live("rounds"), ready="#board .bcard .shiftbars", then=_to_board),
    View(
        "projector-shift",
        lambda s: s.walls["rounds"],
        ready=".spot .shiftbars",
        projector=True,
        sizes=("laptop", "projector"),
    ),
    View("phone-shift", _phone("moved"), who="moved", ready=".moved .shiftlist"),
    View("report", lambda s: f"/host/s/{s.codes['ended']}/report", ready=".report-card"),
    View(
        "compare",
        lambda s: f"/host/compare?deck={DECK_SLUG}&s={s.codes['live']}&s={s.codes['ended']}",
        ready=".compare-runs-cards",
    ),
    View("decks", lambda s: "/decks", ready=".decks-table"),
    View("editor-form", lambda s: f"/decks/{DECK_SLUG}/edit", ready="#nav-list li"),
    View("editor-yaml", lambda s: f"/decks/{DECK_SLUG}/edit", ready="#nav-list li", then=_yaml),
    View(
        "editor-history",
        lambda s: f"/decks/{DECK_SLUG}/edit",
        ready="#nav-list li",
        then=_open_history,
    ),
    View(
        "print",
        lambda s: f"/decks/{DECK_SLUG}/print?session={s.codes['live']}",
        ready="html[data-fitted=yes]",
    ),
]


def address(stage, view, lang):
    """The view's URL in language `lang` (?lang= before any #fragment)."""
    path, _, fragment = view.path(stage).partition("#")
    joiner = "&" if "?" in path else "?"
    return f"{stage.server.url}{path}{joiner}lang={lang}" + (f"#{fragment}" if fragment else "")


def seat_script(stage, who):
    """A script that gives a new browser context the seat of phone `who` (its token), as if
    that phone had joined in this browser."""
    code, token = stage.seats[who]
    return f"localStorage.setItem({f'tafelronde:{code}'!r}, JSON.stringify({{token: {token!r}}}));"


def problems(page, projector=False):
    """What the layout check finds on `page` as drawn now (see tests/assets/layout-check.js)."""
    height = page.viewport_size["height"]
    options = {"projector": projector, "minPx": round(WALL_PX_AT_1080 * height / 1080, 1)}
    return page.evaluate(CHECK, options)


def settle(page):
    """Two animation frames: what scripts draw after the view arrives is on the screen."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def log(where, found):
    """Append what was found to the JSON-lines file $TAFELRONDE_LAYOUT_LOG, when that is set
    (to count problems by kind over a whole run)."""
    target = os.environ.get("TAFELRONDE_LAYOUT_LOG")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps({"where": where, "found": found}) + "\n")


def line(where, problem):
    """One problem as a line of the failure message."""
    detail = f" ({problem['detail']})" if problem["detail"] else ""
    return f"{where}: {problem['kind']} {problem['text']!r} at {problem['where']}{detail}"
