"""The programme part of the new-session form: the session's name, which cards in which order
(openers and closers at the ends), perspectives and the takeaway on or off; and the form's last
settings per deck, remembered for the next session of that deck.

The form sends the chosen cards as ``card`` fields in the order they are shown (the page's
script moves them up and down; without it, the deck's order) and a ``place_<id>`` per card
(``opener``, ``closer`` or empty). The rules check the result (`game.core.programme`).
"""

from flask import current_app

from ...core.programme import suggested_minutes
from ...errors import N_
from ...storage.remembered import RememberedSettings
from ..language import translator

PLACES = ("opener", "", "closer")
REMEMBERED = "tafelronde.remembered_settings"
# The form's fields worth remembering; the CSRF token and the deck are not.
FIELDS = (
    "name",
    "tables_mode",
    "table_count",
    "table_names",
    "group_size",
    "seating",
    "flow",
    "devices",
    "shared_tables",
    "names_required",
    "same_order",
    "rounds",
    "perspectives",
    "takeaway",
)


def init_app(app):
    """Keep the remembered settings (a file in the instance folder) on the app."""
    path = f"{app.instance_path}/remembered-settings.json"
    app.extensions[REMEMBERED] = RememberedSettings(path)


def programme_from(form, deck):
    """The programme settings a posted form asks for, for `hub.create` (`ValueError` names
    the bad field)."""
    if form.get("programme") != "shown":
        # A form without the programme part (an older page, a script): the whole deck, as before.
        return {"name": form.get("name", "")}
    ids = [card.id for card in deck.cards]
    chosen = [card for card in dict.fromkeys(form.getlist("card")) if card in ids]
    if not chosen:
        raise ValueError("card")
    places = {card: form.get(f"place_{card}", "") for card in chosen}
    if any(place not in PLACES for place in places.values()):
        raise ValueError("place")
    # Openers first and closers last, each in the order shown; the rest in between.
    ordered = sorted(chosen, key=lambda card: PLACES.index(places[card]))
    settings = {
        "name": form.get("name", ""),
        "programme": ordered,
        "openers": sum(place == "opener" for place in places.values()),
        "closers": sum(place == "closer" for place in places.values()),
        "takeaway": form.get("takeaway") == "on",
    }
    if has_perspectives(deck):
        settings["perspectives"] = form.get("perspectives") == "on"
    return settings


def has_perspectives(deck):
    """Whether `deck` deals perspectives with any card."""
    return bool(deck.perspectives or any(card.perspectives for card in deck.cards))


def form_cards(deck, form):
    """The deck's cards as the form lists them: in the last chosen order (chosen ones first),
    each with whether it is chosen, its place and its minutes; and the chosen cards' minutes."""
    known = {card.id: card for card in deck.cards}
    chosen = [c for c in dict.fromkeys(_list(form, "card")) if c in known]
    if not chosen:
        chosen = list(known)  # a fresh form: every card, in the deck's order
    rest = [c for c in known if c not in chosen]
    cards = [
        {
            "card": known[card_id],
            "chosen": card_id in chosen,
            "place": form.get(f"place_{card_id}", "") if card_id in chosen else "",
            "minutes": deck.minutes_for(known[card_id]),
        }
        for card_id in chosen + rest
    ]
    return cards, suggested_minutes(deck, chosen)


def _list(form, key):
    """A list field of a posted form or of remembered settings (a plain dict)."""
    if hasattr(form, "getlist"):
        return form.getlist(key)
    value = form.get(key, [])
    return value if isinstance(value, list) else [value]


def remembered(deck_id):
    """The form as last sent for `deck_id` (a plain dict; empty the first time)."""
    return current_app.extensions[REMEMBERED].get(deck_id)


def remember(deck_id, form):
    """Keep the posted form's settings for the next session of `deck_id`."""
    settings = {key: form.get(key) for key in FIELDS if form.get(key) is not None}
    settings["card"] = form.getlist("card")
    for card in settings["card"]:
        if form.get(f"place_{card}"):
            settings[f"place_{card}"] = form.get(f"place_{card}")
    settings["sent"] = "yes"  # checkboxes left empty are remembered as off, not as new
    current_app.extensions[REMEMBERED].put(deck_id, settings)


ABOUT_MINUTES = N_("about %(minutes)d min")
ABOUT_HOURS = N_("about %(hours)d h %(minutes)02d min")


def minutes_text(minutes, gettext):
    """'about 1 h 40 min' / 'about 25 min' for the form, or '' without a script."""
    if not minutes:
        return ""
    whole = round(minutes)
    if whole >= 60:
        return gettext(ABOUT_HOURS, hours=whole // 60, minutes=whole % 60)
    return gettext(ABOUT_MINUTES, minutes=whole)


def about_templates():
    """The two texts of `minutes_text`, translated but not filled in: the page's script fills
    them as cards are chosen."""
    words = translator()
    return words.gettext(ABOUT_MINUTES), words.gettext(ABOUT_HOURS)
