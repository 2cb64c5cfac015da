"""The pit rate rule's window (rules/timeline.py) answers as a plain list of pairs would: the last pair at
or before an instant, after dropping the old end, whatever the pattern of appends, drops and questions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.timeline import Timeline

steps = st.lists(
    st.tuples(st.sampled_from(["append", "drop", "ask"]), st.floats(0, 50, allow_nan=False)), max_size=400
)


@settings(max_examples=200, deadline=None)
@given(steps)
def test_answers_as_a_list_of_pairs_does(ops: list[tuple[str, float]]) -> None:
    line, plain, now = Timeline(), [], 0.0
    for op, x in ops:
        if op == "append":
            now += x  # in ts order, equal ts allowed
            line.append(now, x)
            plain.append((now, x))
        elif op == "drop":
            plain = [p for p in plain if p[0] >= now - x]
            line.drop_before(now - x)
        else:
            q = now - x
            expected = [p for p in plain if p[0] <= q]
            assert line.at_or_before(q) == (expected[-1] if expected else None)
        assert len(line) == len(plain)


def test_a_long_window_is_compacted_and_still_answers() -> None:
    line, most = Timeline(), 0
    for t in range(200_000):
        line.append(float(t), t * 0.5)
        line.drop_before(t - 86_400.0)
        most = max(most, len(line._ts))
    # the dropped end given back once it is a quarter of the arrays (issue #55: at a half, a pit's windows
    # under a long backlog held up to twice their pairs)
    assert len(line) == 86_401 and most <= 4 * 86_401 // 3 + 1
    assert line.at_or_before(150_000.5) == (150_000.0, 75_000.0)
    assert line.at_or_before(1_000.0) is None  # dropped long ago
