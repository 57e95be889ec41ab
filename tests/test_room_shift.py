"""How the room moved on one card (`game.core.shift.room_shift`): the tables' shifts added up,
as the projector's and the plenary board's "How the room moved" show them. Every field pinned,
with numbers that differ from one another, so a changed start value, sum or order shows."""

from game.core.shift import room_shift


def table_shift(before, after, moves, passes=(0, 0), people=(0, 0, 0, 0)):
    changed, stayed, joined, left = people
    return {
        "before": before,
        "after": after,
        "passes_before": passes[0],
        "passes_after": passes[1],
        "moves": moves,
        "changed": changed,
        "stayed": stayed,
        "joined": joined,
        "left": left,
    }


def test_the_room_is_the_sum_of_its_tables_with_its_moves_largest_first():
    first = table_shift(
        [3, 1, 0],
        [1, 2, 1],
        [{"from": 0, "to": 1, "count": 1}, {"from": 0, "to": 2, "count": 1}],
        passes=(1, 0),
        people=(2, 2, 1, 0),
    )
    second = table_shift(
        [0, 2, 2],
        [0, 1, 4],
        [{"from": 1, "to": 2, "count": 1}, {"from": 0, "to": 2, "count": 2}],
        passes=(0, 3),
        people=(3, 1, 0, 2),
    )
    quiet = table_shift([1, 0, 0], [1, 0, 0], None, people=(0, 1, None, None))

    room = room_shift([first, second, quiet], 3, scale=True)

    assert room == {
        "tables": 3,
        "before": [4, 3, 2],
        "after": [2, 3, 5],
        "passes_before": 1,
        "passes_after": 3,
        "moves": [  # by count, largest first; equal counts in a fixed order
            {"from": 0, "to": 2, "count": 3},
            {"from": 0, "to": 1, "count": 1},
            {"from": 1, "to": 2, "count": 1},
        ],
        "changed": 5,
        "stayed": 4,
        "joined": 1,
        "left": 2,
        "mean_before": round((1 * 4 + 2 * 3 + 3 * 2) / 9, 2),  # 1.78
        "mean_after": round((1 * 2 + 2 * 3 + 3 * 5) / 10, 2),  # 2.3
    }


def test_a_choice_card_has_no_mean_and_no_table_no_shift():
    room = room_shift([table_shift([1, 1], [0, 2], [{"from": 0, "to": 1, "count": 1}])], 2, False)
    assert room is not None
    assert (room["mean_before"], room["mean_after"]) == (None, None)
    assert (room["before"], room["after"], room["tables"]) == ([1, 1], [0, 2], 1)
    assert room_shift([], 2, False) is None


def test_passes_move_like_options():
    moves = [{"from": "pass", "to": 1, "count": 2}, {"from": 0, "to": "pass", "count": 2}]
    room = room_shift([table_shift([1, 0], [0, 2], moves, passes=(2, 1))], 2, False)
    # Equal counts in one fixed order, whatever order the tables gave them in (the move as text).
    assert room["moves"] == [
        {"from": "pass", "to": 1, "count": 2},
        {"from": 0, "to": "pass", "count": 2},
    ]
    again = room_shift([table_shift([1, 0], [0, 2], moves[::-1], passes=(2, 1))], 2, False)
    assert again["moves"] == room["moves"]
    assert (room["passes_before"], room["passes_after"]) == (2, 1)
