"""Music rotation: no song again within the window, artists kept apart, weights, seeded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playlists.rotation import Played, Rotation, RotationRules, Track

OPENING = datetime(2024, 3, 1, 8, 0)


def on_air(
    rotation: Rotation, pool: Sequence[Track], picks: int, start: datetime = OPENING
) -> list[tuple[Track, datetime]]:
    """Play `picks` tracks back to back, each starting when the previous one ends."""
    now, aired = start, []
    for _ in range(picks):
        track = rotation.pick(pool, now)
        assert track is not None
        rotation.played(track, now)
        aired.append((track, now))
        now += timedelta(seconds=track.duration_s)
    return aired


def shortest_gap(aired: list[tuple[Track, datetime]], group=lambda t: t.key) -> timedelta:
    """The least time between two plays of one track (or one artist); a day if nothing repeated."""
    last: dict[object, datetime] = {}
    gaps = [timedelta(days=1)]
    for track, at in aired:
        name = group(track)
        if name in last:
            gaps.append(at - last[name])
        last[name] = at
    return min(gaps)


def songs(n: int, minutes: float = 3, artists: Sequence[str | None] = (None,)) -> list[Track]:
    return [
        Track(f"/music/{i:02}.mp3", artist=artists[i % len(artists)], duration_s=minutes * 60)
        for i in range(n)
    ]


def test_the_same_seed_gives_the_same_fifty_picks():
    pool = songs(12, artists=["A", "B", "C"])
    first = on_air(Rotation(seed=7), pool, 50)
    second = on_air(Rotation(seed=7), pool, 50)
    assert [t.key for t, _ in first] == [t.key for t, _ in second]
    other = on_air(Rotation(seed=8), pool, 50)
    assert [t.key for t, _ in other] != [t.key for t, _ in first]


def test_ten_hours_of_twenty_short_songs_never_repeat_one_within_the_hour():
    rotation = Rotation(RotationRules(no_repeat=timedelta(hours=1)), seed=1)
    aired = on_air(rotation, songs(20, minutes=3), picks=10 * 20)
    assert aired[-1][1] - aired[0][1] >= timedelta(hours=9, minutes=57)
    assert shortest_gap(aired) == timedelta(hours=1)


def test_a_pool_smaller_than_the_window_still_plays_least_recently_heard_first():
    pool = songs(3, minutes=4)
    aired = on_air(Rotation(seed=3), pool, 30)  # 3-hour window, 12 minutes of music
    keys = [t.key for t, _ in aired]
    assert set(keys[:3]) == {t.key for t in pool}
    assert all(keys[i] == keys[i - 3] for i in range(3, len(keys)))
    assert all(a != b for a, b in pairwise(keys))


def test_a_two_track_pool_alternates_and_a_one_track_pool_repeats():
    pair = songs(2)
    keys = [t.key for t, _ in on_air(Rotation(seed=0), pair, 10)]
    assert all(a != b for a, b in pairwise(keys))
    single = songs(1)
    assert {t.key for t, _ in on_air(Rotation(seed=0), single, 5)} == {single[0].key}


def test_a_window_no_longer_than_a_song_still_never_plays_it_twice_in_a_row():
    pool = [Track("/long.mp3", duration_s=300), Track("/short.mp3", duration_s=60)]
    history = [
        Played("/short.mp3", None, OPENING - timedelta(minutes=1)),
        Played("/long.mp3", None, OPENING),
    ]
    rules = RotationRules(no_repeat=timedelta(minutes=5), artist_apart=timedelta(0))
    for seed in range(10):
        rotation = Rotation(rules, seed=seed, history=history)
        assert rotation.pick(pool, OPENING + timedelta(minutes=5)) == pool[1]


def test_an_artist_returns_only_after_half_an_hour_when_the_pool_allows():
    pool = songs(20, minutes=10, artists=["Abba", "Queen", "Blur", "Pulp"])
    rules = RotationRules(no_repeat=timedelta(hours=1), artist_apart=timedelta(minutes=30))
    for seed in range(5):
        aired = on_air(Rotation(rules, seed=seed), pool, 60)
        assert shortest_gap(aired, group=lambda t: t.artist) >= timedelta(minutes=30)
        assert shortest_gap(aired) >= timedelta(hours=1)


def test_no_two_songs_in_a_row_by_one_artist_even_when_the_rules_cannot_all_hold():
    # Four artists of 3-minute songs cannot be kept 30 minutes apart; they still never touch.
    pool = songs(20, minutes=3, artists=["Abba", "Queen", "Blur", "Pulp"])
    for seed in range(5):
        aired = on_air(Rotation(seed=seed), pool, 200)
        artists = [t.artist for t, _ in aired]
        assert all(a != b for a, b in pairwise(artists))


def test_artist_names_differing_only_in_case_or_spacing_are_one_artist():
    pool = [
        Track("/a1.mp3", artist="The Beatles", duration_s=180),
        Track("/a2.mp3", artist="  the  BEATLES ", duration_s=180),
        Track("/b1.mp3", artist="Queen", duration_s=180),
    ]
    for seed in range(20):
        rotation = Rotation(RotationRules(no_repeat=timedelta(0)), seed=seed)
        rotation.played(pool[0], OPENING)
        assert rotation.pick(pool, OPENING + timedelta(minutes=3)) == pool[2]


def test_a_track_weighing_three_plays_about_three_times_as_often():
    pool = [Track("/heavy.mp3", weight=3, duration_s=200), Track("/light.mp3", duration_s=200)]
    rules = RotationRules(no_repeat=timedelta(0), artist_apart=timedelta(0))
    counts = Counter(t.key for t, _ in on_air(Rotation(rules, seed=11), pool, 2000))
    assert counts["/heavy.mp3"] / counts["/light.mp3"] == pytest.approx(3, rel=0.2)


def test_a_track_weighing_nothing_stays_off_air_while_others_can_play():
    pool = [*songs(4, artists=["A", "B"]), Track("/silent.mp3", artist="C", weight=0)]
    for seed in range(10):
        keys = {t.key for t, _ in on_air(Rotation(seed=seed), pool, 100)}
        assert "/silent.mp3" not in keys
    # Only when every track weighs nothing do they play.
    muted = [Track("/x.mp3", weight=0, duration_s=60), Track("/y.mp3", weight=0, duration_s=60)]
    assert {t.key for t, _ in on_air(Rotation(seed=0), muted, 6)} == {"/x.mp3", "/y.mp3"}


def test_after_a_restart_the_last_songs_are_not_replayed():
    pool = songs(30, minutes=3)
    before = Rotation(seed=5)
    aired = on_air(before, pool, 20)
    recent = {t.key for t, _ in aired}
    restart_at = aired[-1][1] + timedelta(minutes=3)
    for seed in range(10):
        after = Rotation(seed=seed, history=reversed(before.history))  # order does not matter
        resumed = on_air(after, pool, 10, start=restart_at)
        assert not recent & {t.key for t, _ in resumed}


def test_history_from_the_play_log_is_honoured_at_construction():
    pool = songs(3)
    history = [Played(pool[0].key, None, OPENING), Played(pool[1].key, None, OPENING)]
    rotation = Rotation(seed=0, history=history)
    assert rotation.pick(pool, OPENING + timedelta(minutes=3)) == pool[2]


def test_history_stays_bounded_over_days_of_play():
    pool = songs(100, minutes=3, artists=["A", "B", "C", "D", "E"])
    rotation = Rotation(seed=2)
    on_air(rotation, pool, 10_000)
    # Three hours of three-minute songs, plus the one that just started.
    assert len(rotation.history) <= 61
    unlimited = Rotation(RotationRules(timedelta(0), timedelta(0)), seed=2)
    on_air(unlimited, pool, 10_000)
    assert len(unlimited.history) == 1


def test_an_empty_pool_gives_nothing():
    assert Rotation(seed=0).pick([], OPENING) is None


@pytest.mark.parametrize(
    "rules",
    [
        {"no_repeat": timedelta(minutes=-1)},
        {"artist_apart": timedelta(seconds=-1)},
        {"no_repeat": 3600},
    ],
)
def test_invalid_rules_are_refused_with_a_clear_message(rules):
    with pytest.raises(ValueError, match=r"no_repeat|artist_apart"):
        RotationRules(**rules)


@pytest.mark.parametrize("weight", [-1.0, float("nan"), float("inf")])
def test_invalid_weights_are_refused(weight):
    with pytest.raises(ValueError, match="weight"):
        Track("/a.mp3", weight=weight)


def reference_rested(aired: list[tuple[Track, datetime]], key: str, now, window) -> bool:
    """Not heard within the window, and not the song just heard (whatever its length)."""
    if aired and aired[-1][0].key == key:
        return False
    return all(now - at >= window for t, at in aired if t.key == key)


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    size=st.integers(1, 30),
    seed=st.integers(0, 2**32),
    no_repeat_min=st.integers(1, 180),
    artist_apart_min=st.integers(0, 60),
)
def test_any_pool_plays_from_itself_without_early_repeats(
    data, size, seed, no_repeat_min, artist_apart_min
):
    pool = [
        Track(
            f"/t{i}.mp3",
            artist=data.draw(st.sampled_from([None, "Abba", "abba ", "Queen", "Blur"])),
            duration_s=data.draw(st.integers(60, 300)),
            weight=data.draw(st.sampled_from([0.5, 1.0, 2.0])),
        )
        for i in range(size)
    ]
    window = timedelta(minutes=no_repeat_min)
    rotation = Rotation(
        RotationRules(no_repeat=window, artist_apart=timedelta(minutes=artist_apart_min)),
        seed=seed,
    )
    aired: list[tuple[Track, datetime]] = []
    now = OPENING
    for _ in range(200):
        could_rest = any(reference_rested(aired, t.key, now, window) for t in pool)
        track = rotation.pick(pool, now)
        assert track in pool
        if could_rest:
            assert reference_rested(aired, track.key, now, window)
        if aired and size > 1:
            assert track.key != aired[-1][0].key
        rotation.played(track, now)
        aired.append((track, now))
        now += timedelta(seconds=track.duration_s)
