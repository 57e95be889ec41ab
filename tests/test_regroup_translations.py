"""The translations are grouped by part of the app, and tools/regroup_translations.py keeps them so
without changing a single translation."""

import shutil

from babel.messages.pofile import read_po

from game.i18n import TRANSLATIONS_DIR, load_catalogues
from tools.regroup_translations import FILES, check, part_of, regroup, uses


def test_each_string_is_in_the_file_of_the_part_that_uses_it():
    wrong = check(TRANSLATIONS_DIR, uses())
    assert not wrong, "Move these (or run tools/regroup_translations.py):\n" + "\n".join(wrong)


def test_every_file_with_strings_belongs_to_a_part():
    # A new template or module with strings must be given a part in the tool's PARTS.
    for path in {place for places in uses().values() for place, _line in places}:
        assert part_of(path) in FILES


def test_a_string_used_by_several_parts_is_shared():
    assert part_of("templates/play.html") == "phone.po"
    assert part_of("game/web/live/offline.py") == "phone.po"  # the words of play_more.js
    assert part_of("templates/wall.html") == "projector.po"
    assert part_of("game/decks/checks.py") == "decks.po"
    assert part_of("templates/base.html") == "shared.po"
    where = uses()
    assert {part_of(path) for path, _line in where["pass"]} >= {"phone.po", "projector.po"}
    assert 'msgid "pass"' in (TRANSLATIONS_DIR / "nl" / "shared.po").read_text(encoding="utf-8")


def entries(directory):
    """``{msgid: file name}`` over every .po of the Dutch folder."""
    found = {}
    for po in sorted((directory / "nl").glob("*.po")):
        with po.open("rb") as f:
            for message in read_po(f, locale="nl"):
                if message.id:
                    key = message.id[0] if isinstance(message.id, tuple) else message.id
                    assert key not in found, f"{key!r} in {found[key]} and {po.name}"
                    found[key] = po.name
    return found


def test_regrouping_after_a_merge_moves_strings_home_and_keeps_every_translation(tmp_path):
    shutil.copytree(TRANSLATIONS_DIR, tmp_path, dirs_exist_ok=True)
    nl = tmp_path / "nl"
    # A branch from before the regrouping brings back an old file, with a string of the phone
    # that is also still in phone.po (same translation) and a new one of the projector.
    (nl / "live.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: nl\\n"\n\n'
        'msgid "Paused — look up"\nmsgstr "Pauze — kijk even op"\n\n'
        'msgid "Not a string of the code"\nmsgstr "Geen tekst uit de code"\n',
        encoding="utf-8",
    )
    before = load_catalogues(tmp_path)["nl"]
    assert check(tmp_path, uses())

    regroup(tmp_path, uses())

    assert sorted(p.name for p in nl.glob("*.po")) == sorted(FILES)
    assert dict(load_catalogues(tmp_path)["nl"]) == dict(before)
    placed = entries(tmp_path)
    assert placed["Paused — look up"] == "phone.po"
    assert placed["Not a string of the code"] == "shared.po"
    assert not check(tmp_path, uses())
    # A second run changes nothing.
    texts = {p.name: p.read_bytes() for p in nl.glob("*.po")}
    regroup(tmp_path, uses())
    assert {p.name: p.read_bytes() for p in nl.glob("*.po")} == texts
