"""Pages outside the live session: home, sign-in and its records, results, compare."""
