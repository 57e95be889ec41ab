"""Put every translated string in the catalogue file of the part of the app that uses it.

    .venv/bin/python tools/regroup_translations.py           # rewrite translations/<lang>/*.po
    .venv/bin/python tools/regroup_translations.py --check   # only say what is out of place

The rule (docs/architecture.md, "Translations"): a string used by one part of the app lives in
that part's file (``phone.po``, ``facilitator.po``, ``projector.po``, ``editor.po``, ``decks.po``,
``exports.po``, ``game.po``, ``operating.po``); a string used by several parts lives in
``shared.po``, so editing a part's file never changes another part's words. Where a string is used
is found as ``tests/test_i18n.py`` finds interface strings (Babel's extractor over ``game/`` and
``templates/``, plus marked strings inside f-strings); which part a file belongs to is `PARTS`.

Run it after a merge that brings back an old catalogue file or puts strings in the wrong one: it
reads every ``.po`` of each language, keeps each entry as it is (msgid, plural forms, msgstr,
flags, translators' comments), writes the part files and deletes any other ``.po`` file there. A
msgid found in two files keeps the translation the app was using (`game.i18n.load_catalogues`
reads the files in name order, so the last file's wins). It refuses to write when that would
change the translations the app loads. The ``#:`` lines are rewritten from the code (files only,
no line numbers, which go stale); a string no code uses goes to ``shared.po`` marked so, unless it
already sits in a part's file.
"""

import argparse
import io
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.i18n import TRANSLATIONS_DIR, load_catalogues  # noqa: E402
from tests.test_i18n import interface_strings  # noqa: E402

# Each part's file, what it holds, and the source files that belong to it (path prefixes).
PARTS = {
    "phone.po": (
        "the participant's phone (the card, votes, notes, takeaway)",
        (
            "templates/play.html",
            "templates/join_unknown.html",
            "templates/takeaway.html",
            "game/web/live/offline.py",  # the words of templates/play_more.js
            "game/web/live/takeaway.py",
        ),
    ),
    "facilitator.po": (
        "the facilitator's pages (home, sign-in, new session, live)",
        (
            "templates/home.html",
            "templates/_sessions.html",
            "templates/sign_in.html",
            "templates/host_new.html",
            "templates/host_session.html",
            "game/web/live/routes.py",
            "game/web/live/programme_form.py",
            "game/web/pages/home.py",
            "game/web/pages/security.py",
            "game/web/pages/signins.py",
        ),
    ),
    "projector.po": ("the projector (the wall)", ("templates/wall.html",)),
    "editor.po": (
        "the deck editor (library, editing, inbox, print sheets)",
        (
            "templates/decks.html",
            "templates/deck_edit.html",
            "templates/inbox.html",
            "templates/deck_print.html",
            "game/web/decks/",
            "game/storage/deckfiles.py",
        ),
    ),
    "decks.po": (
        "the deck format (validator messages, spreadsheets)",
        ("game/decks/",),
    ),
    "exports.po": (
        "results (the report, downloads, comparing runs)",
        (
            "templates/report.html",
            "templates/compare.html",
            "game/core/export/",
            "game/core/compare.py",
            "game/core/takeaway.py",
            "game/web/pages/results.py",
            "game/web/pages/compare.py",
        ),
    ),
    "game.po": (
        "the game's words and the rules' answers to commands",
        ("game/core/", "game/errors.py", "game/hub.py", "game/web/live/namespace.py"),
    ),
    "operating.po": (
        "running it (command line, serving, store, processes)",
        (
            "game/cli/",
            "game/web/serving/",
            "game/storage/",
            "game/ownership.py",
            "game/live_session.py",
            "game/launch.py",
            "game/places.py",
        ),
    ),
}
SHARED = "shared.po"
SHARED_DESCRIPTION = "strings several parts use (or none at present, marked so)"
# Pages every part shows: their strings count as used by several parts.
EVERYWHERE = ("templates/base.html", "templates/error.html")
UNUSED = "Not used by the code at present."
HEADER = """\
# Tafelronde in Dutch, {name}: {description}.
# One file per part of the app; a string that several parts use is in shared.po. A new string goes
# in the file of the part that uses it (tools/regroup_translations.py; docs/architecture.md).
msgid ""
msgstr ""
"Project-Id-Version: Tafelronde\\n"
"Language: {lang}\\n"
"Plural-Forms: {plural_forms}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"

"""
FILES = (*PARTS, SHARED)


def part_of(path):
    """The catalogue file of the part that source file `path` belongs to (shared.po for pages
    every part shows)."""
    if path.startswith(EVERYWHERE):
        return SHARED
    for name, (_description, prefixes) in PARTS.items():
        if path.startswith(prefixes):
            return name
    raise ValueError(f"{path}: no part of the app claims this file; add it to PARTS")


PREFIXES = [*EVERYWHERE, *(prefix for _d, prefixes in PARTS.values() for prefix in prefixes)]
UNUSED_LAST = len(PREFIXES)


def source_order(path, line):
    """Where a use comes in the files' order: by `PARTS` (a page's strings together, top to
    bottom), so each file reads in the order its part shows the strings."""
    rank = next(i for i, prefix in enumerate(PREFIXES) if path.startswith(prefix))
    return (rank, path, line)


def uses():
    """``{msgid: [(path, line), ...]}``: where each marked string is used, in source order."""
    found = defaultdict(list)
    for message, where in interface_strings():
        path, line = where.rsplit(":", 1)
        found[message].append((path, int(line)))
    return {message: sorted(set(places)) for message, places in found.items()}


def home_of(msgid, places, current):
    """The file `msgid` belongs in: its part's, shared.po when several parts use it; a string no
    code uses stays in the part file it is in (`current`), or goes to shared.po."""
    if not places:
        return current if current in FILES else SHARED
    files = {part_of(path) for path, _line in places}
    return files.pop() if len(files) == 1 else SHARED


def key_of(message):
    """The singular msgid, which is how the code and the loader name a message."""
    return message.id[0] if isinstance(message.id, tuple) else message.id


def read_language(lang_dir):
    """Every entry of the language's ``.po`` files: ``{msgid: (message, file name)}`` with the
    entry the loader would use when a msgid is in several files, the plural forms, and the
    duplicates dropped (``[(msgid, file name, its msgstr, msgstr kept)]``)."""
    entries = {}
    dropped = []
    plural_forms = None
    for po in sorted(lang_dir.glob("*.po")):
        with po.open("rb") as f:
            catalog = read_po(f, locale=lang_dir.name)
        plural_forms = catalog.plural_forms
        for message in catalog:
            if not message.id:
                continue
            key = key_of(message)
            earlier = entries.get(key)
            # The loader skips fuzzy and empty entries, so those never replace a translation.
            if earlier and (message.fuzzy or not message.string or not all(message.string)):
                dropped.append((key, po.name, message.string, earlier[0].string))
                continue
            if earlier:
                dropped.append((key, earlier[1], earlier[0].string, message.string))
            entries[key] = (message, po.name)
    return entries, dropped, plural_forms


def plan(lang_dir, where):
    """``{file name: [Message]}``: the part files of one language, each entry with its ``#:``
    lines from the code, in the order the code uses them (unused strings last)."""
    entries, dropped, plural_forms = read_language(lang_dir)
    files = {name: [] for name in FILES}
    for key, (old, current) in entries.items():
        places = where.get(key, [])
        message = Message(
            old.id,
            old.string,
            locations=[(path, None) for path in dict.fromkeys(p for p, _ in places)],
            flags=old.flags,
            auto_comments=[] if places else [UNUSED],
            # The old files' section headings ("--- the rules ---") described their neighbours
            # there, not this entry.
            user_comments=[c for c in old.user_comments if not c.startswith("---")],
            previous_id=old.previous_id,
            context=old.context,
        )
        first = min((source_order(path, line) for path, line in places), default=(UNUSED_LAST,))
        # The msgid breaks ties (two strings on one line), so a second run changes nothing.
        files[home_of(key, places, current)].append(((*first, key), message))
    ordered = {
        name: [m for _, m in sorted(items, key=lambda x: x[0])] for name, items in files.items()
    }
    return ordered, dropped, plural_forms


def render(name, messages, lang, plural_forms):
    """One part file's text: our short header, then the entries, unwrapped (grep finds them)."""
    description = PARTS[name][0] if name in PARTS else SHARED_DESCRIPTION
    catalog = Catalog(locale=lang)
    for message in messages:
        catalog[message.id] = message
    body = io.BytesIO()
    write_po(body, catalog, width=0, omit_header=True, include_lineno=False)
    header = HEADER.format(name=name, description=description, lang=lang, plural_forms=plural_forms)
    return header + body.getvalue().decode("utf-8").lstrip("\n")


def check(directory, where):
    """What is out of place: ``["file: 'msgid' belongs in other.po", ...]``, and files that are
    not part files."""
    wrong = []
    for lang_dir in sorted(p for p in Path(directory).iterdir() if p.is_dir()):
        for po in sorted(lang_dir.glob("*.po")):
            if po.name not in FILES:
                wrong.append(
                    f"{lang_dir.name}/{po.name}: not a part of the app ({', '.join(FILES)})"
                )
                continue
            with po.open("rb") as f:
                for message in read_po(f, locale=lang_dir.name):
                    key = message.id and key_of(message)
                    if key and key in where:
                        home = home_of(key, where[key], po.name)
                        if home != po.name:
                            wrong.append(f"{lang_dir.name}/{po.name}: {key!r} belongs in {home}")
    return wrong


def regroup(directory, where):
    """Rewrite each language's files into the part files; refuse if the loaded translations would
    change. Returns ``{lang: ({file: count}, dropped duplicates)}``."""
    report = {}
    before = load_catalogues(directory)
    for lang_dir in sorted(p for p in Path(directory).iterdir() if p.is_dir()):
        files, dropped, plural_forms = plan(lang_dir, where)
        texts = {
            name: render(name, messages, lang_dir.name, plural_forms)
            for name, messages in files.items()
            if messages
        }
        with tempfile.TemporaryDirectory() as scratch:
            trial = Path(scratch) / lang_dir.name
            trial.mkdir()
            for name, text in texts.items():
                (trial / name).write_text(text, encoding="utf-8")
            after = load_catalogues(scratch)[lang_dir.name]
            old = before[lang_dir.name]
            counts = range(200)
            if dict(after) != dict(old) or [*map(after.plural, counts)] != [
                *map(old.plural, counts)
            ]:
                raise SystemExit(
                    f"{lang_dir.name}: the regrouped files would translate differently"
                )
        for po in lang_dir.glob("*.po"):
            if po.name not in texts:
                po.unlink()
        for name, text in texts.items():
            (lang_dir / name).write_text(text, encoding="utf-8")
        report[lang_dir.name] = ({name: len(files[name]) for name in texts}, dropped)
    return report


def main(argv=None):
    """Regroup, or with ``--check`` list what is out of place (exit status 1 if anything is)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="change nothing; list misplaced strings"
    )
    parser.add_argument("--directory", default=str(TRANSLATIONS_DIR), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    where = uses()
    if args.check:
        wrong = check(args.directory, where)
        print("\n".join(wrong) or "Every string is in its part's file.")
        return 1 if wrong else 0
    for lang, (counts, dropped) in regroup(args.directory, where).items():
        for name, count in counts.items():
            print(f"{lang}/{name}: {count}")
        for key, name, string, kept in dropped:
            if string == kept:
                print(f"{lang}: {key!r} was in {name} too, with the same translation")
            else:
                print(f"{lang}: {key!r} was in {name} too as {string!r}; kept {kept!r}, in use")
    return 0


if __name__ == "__main__":
    sys.exit(main())
