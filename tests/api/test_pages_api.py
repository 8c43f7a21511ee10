"""Service-desk pages (寻人寻物) over HTTP: a notice from a template goes on air with a chime,
repeats every few minutes until it has played its times or the desk resolves or cancels it, and
whatever the desk types into the form is either refused per field or read as plain words.

The tests that let time pass get a fresh daemon and drive its virtual clock (``run_for``); the
form refusals share one daemon, since a refusal must leave nothing behind anyway."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from broadcaster.actors import Role
from broadcaster.daemon import Daemon
from tests.api.conftest import start_daemon
from tests.kit.accounts import api_client, as_role
from tests.kit.media import make_quiet_wav

PAGES = "/api/v1/pages"
CJK = re.compile(r"[\u4e00-\u9fff]")
DESK = as_role(Role.SERVICE_DESK)
LELE = {"name": "乐乐", "age": "五岁左右", "clothing": "红色外套", "meet_at": "一楼服务台"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Daemon, TestClient]]:
    data = tmp_path_factory.mktemp("pages") / "data"
    make_quiet_wav(data / "music" / "a.wav", 600)
    daemon = start_daemon(data)
    with api_client(daemon) as client:
        yield daemon, client
    daemon.stop()


@pytest.fixture
def desk(shared: tuple[Daemon, TestClient]) -> TestClient:
    """The API of a daemon shared by the tests that must leave nothing on air."""
    return shared[1]


def ok(reply: Any, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json()


def assert_refused(reply: Any, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    detail = reply.json()["detail"]
    assert detail["code"] == code, detail
    assert detail["message"] and CJK.search(detail["message_zh"]), detail
    return detail


def page_body(**changes: Any) -> dict[str, Any]:
    base = {"template": "lost_person", "fields": LELE, "languages": ["zh-CN", "en"], "times": 3,
            "every_min": 1}  # fmt: skip
    return {**base, **changes}


def start_page(client: TestClient, **changes: Any) -> dict[str, Any]:
    return ok(client.post(PAGES, json=page_body(**changes), headers=DESK), 202)


def page_rows(client: TestClient) -> list[dict[str, Any]]:
    return client.get("/api/v1/log", params={"order": "asc", "kind": "page"}).json()


def status(client: TestClient) -> dict[str, Any]:
    return client.get("/api/v1/status").json()


def notice_on_air(client: TestClient, daemon: Daemon) -> bool:
    """The notice itself (after the chime) is playing on the voice layer."""
    voice = status(client)["layers"]["voice"]
    return voice["playing"] and voice["file"] not in (None, daemon.chime.name)


def seconds_between(earlier: str, later: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


def run_until(run_for: Any, done: Any, limit_s: float = 600, step_s: float = 5) -> None:
    """Let virtual time pass in steps until ``done()``; fail after ``limit_s``."""
    waited = 0.0
    while not done():
        assert waited < limit_s, "not reached in the virtual time given"
        run_for(step_s)
        waited += step_s


# --- a page's life ----------------------------------------------------------------------------


@pytest.mark.audio
def test_a_page_plays_after_a_chime_and_repeats_until_it_has_played_its_times(
    client, daemon, run_for
):
    page = start_page(client)
    assert page["status"] == "active" and page["id"] >= 1
    assert (page["times"], page["every_s"], page["plays"]) == (3, 60, 0)
    assert page["title"] == "寻人启事：乐乐" and page["languages"] == ["zh-CN", "en"]
    assert page["fields"]["name"] == "乐乐" and page["created_by"] == "Li Na"

    voice = status(client)["voice"]
    assert (voice["kind"], voice["title"], voice["segment"]) == ("page", "寻人启事：乐乐", 0)
    run_for(0.2)  # the music ducks, then the chime
    assert status(client)["layers"]["voice"]["file"] == daemon.chime.name
    run_until(run_for, lambda: notice_on_air(client, daemon), step_s=0.5)  # then the notice

    run_until(run_for, lambda: len(page_rows(client)) == 2)  # the first play done, a repeat
    first = page_rows(client)[0]
    assert first["outcome"] == "completed" and first["title"] == "寻人启事：乐乐"
    assert ok(client.get(f"{PAGES}/{page['id']}"))["plays"] == 1

    run_until(run_for, lambda: ok(client.get(f"{PAGES}/{page['id']}"))["status"] == "finished")
    run_for(600)  # and nothing after that
    rows = page_rows(client)
    assert [r["outcome"] for r in rows] == ["completed"] * 3
    assert [re.findall(r"play (\d)/3", r["detail"]) for r in rows] == [["1"], ["2"], ["3"]]
    for earlier, later in pairwise(rows):
        # Every minute from the start of the last play, or at once when it took longer.
        gap = seconds_between(earlier["started_at"], later["started_at"])
        assert gap >= 60
        assert seconds_between(earlier["ended_at"], later["started_at"]) < 1 or gap < 60.5
    finished = ok(client.get(f"{PAGES}/{page['id']}"))
    assert (finished["plays"], finished["attempts"], finished["next_at"]) == (3, 3, None)
    assert status(client)["voice"] is None and status(client)["queue"] == []


@pytest.mark.audio
def test_the_status_follows_the_page_from_the_chime_to_the_notice(client, daemon, run_for):
    start_page(client)
    run_until(run_for, lambda: notice_on_air(client, daemon), step_s=0.5)
    assert status(client)["voice"]["segment"] == 1


@pytest.mark.audio
def test_a_resolved_page_never_plays_again(client, daemon, run_for):
    page = start_page(client, every_min=2, times=5)
    run_until(run_for, lambda: page_rows(client) and page_rows(client)[0]["outcome"])
    waiting = ok(client.get(f"{PAGES}/{page['id']}"))
    assert waiting["status"] == "active" and waiting["next_at"] is not None

    resolved = ok(client.post(f"{PAGES}/{page['id']}/resolve", headers=DESK))
    assert resolved["status"] == "resolved" and resolved["ended_by"] == "Li Na"
    assert resolved["next_at"] is None
    run_for(20 * 60)  # ten intervals
    [row] = page_rows(client)
    assert row["outcome"] == "completed"
    assert status(client)["voice"] is None and status(client)["queue"] == []

    again = assert_refused(client.post(f"{PAGES}/{page['id']}/resolve"), 409, "page_over")
    assert "resolved" in again["message"]
    assert_refused(client.post(f"{PAGES}/{page['id']}/cancel"), 409, "page_over")
    assert_refused(client.post(f"{PAGES}/424242/resolve"), 404, "not_found")
    assert_refused(client.post(f"{PAGES}/424242/cancel"), 404, "not_found")
    assert_refused(client.get(f"{PAGES}/424242"), 404, "not_found")


@pytest.mark.audio
def test_resolving_withdraws_a_repeat_waiting_behind_an_emergency(client, daemon, run_for):
    page = start_page(client, every_min=2)
    run_until(run_for, lambda: page_rows(client) and page_rows(client)[0]["outcome"])
    ok(client.post("/api/v1/emergency", json={"title": "fire drill"}), 202)
    run_for(120)  # the repeat comes due and waits: an emergency holds the whole air
    assert status(client)["voice"]["kind"] == "emergency"
    [waiting] = status(client)["queue"]
    assert waiting["kind"] == "page"

    ok(client.post(f"{PAGES}/{page['id']}/resolve", headers=DESK))
    assert status(client)["queue"] == []
    ok(client.delete("/api/v1/emergency"))
    run_for(10 * 60)
    rows = page_rows(client)
    assert [r["outcome"] for r in rows] == ["completed", "cancelled"]
    assert "resolved" in rows[1]["detail"] and "play 2/3" in rows[1]["detail"]
    assert rows[1]["started_at"] is None  # never reached the speakers
    assert status(client)["voice"] is None


@pytest.mark.audio
def test_resolving_a_page_on_air_fades_it_out_within_a_second(client, daemon, run_for):
    page = start_page(client)
    run_until(run_for, lambda: notice_on_air(client, daemon), step_s=0.5)
    run_for(5)  # well into the notice
    resolved = ok(client.post(f"{PAGES}/{page['id']}/resolve", headers=DESK))
    assert resolved["status"] == "resolved"
    fading = status(client)["layers"]["voice"]
    assert fading["playing"] and fading["volume_db"] <= -60  # going down to silence
    run_for(1)
    now = status(client)
    assert now["voice"] is None and not now["layers"]["voice"]["playing"]
    [row] = page_rows(client)
    assert row["outcome"] == "cancelled" and "resolved by Li Na" in row["detail"]
    assert "faded out" in row["detail"]
    assert seconds_between(row["started_at"], row["ended_at"]) < 2.2 + 5 + 1.1  # chime, 5 s
    run_for(10 * 60)
    assert len(page_rows(client)) == 1 and status(client)["queue"] == []


@pytest.mark.audio
def test_the_desk_may_let_a_found_page_finish_its_sentence(client, daemon, run_for):
    page = start_page(client)
    run_until(run_for, lambda: notice_on_air(client, daemon), step_s=0.5)
    run_for(2)
    refused = client.post(f"{PAGES}/{page['id']}/resolve", json={"let_finish": "perhaps"})
    assert_refused(refused, 422, "invalid_request")
    ok(client.post(f"{PAGES}/{page['id']}/resolve", json={"let_finish": True}, headers=DESK))
    run_for(1)
    assert status(client)["layers"]["voice"]["playing"]  # still speaking
    run_until(run_for, lambda: page_rows(client)[0]["outcome"], step_s=1)
    [row] = page_rows(client)
    assert row["outcome"] == "completed"
    run_for(10 * 60)
    assert len(page_rows(client)) == 1


@pytest.mark.audio
def test_cancelling_a_page_on_air_stops_it_at_once(client, daemon, run_for):
    page = start_page(client)
    run_until(run_for, lambda: notice_on_air(client, daemon), step_s=0.5)
    run_for(5)  # well into the notice
    assert status(client)["layers"]["voice"]["playing"]

    cancelled = ok(client.post(f"{PAGES}/{page['id']}/cancel", headers=DESK))
    assert cancelled["status"] == "cancelled" and cancelled["ended_by"] == "Li Na"
    now = status(client)
    assert now["voice"] is None and not now["layers"]["voice"]["playing"]
    [row] = page_rows(client)
    assert row["outcome"] == "cancelled" and "cancelled by Li Na" in row["detail"]
    run_for(10 * 60)
    assert len(page_rows(client)) == 1 and status(client)["queue"] == []


@pytest.mark.audio
def test_the_active_filter_lists_the_pages_still_to_play(desk):
    first = start_page(desk, fields={"name": "小明", "meet_at": "二楼服务台"})
    second = start_page(desk, template="found_item",
                        fields={"item": "一把蓝色雨伞", "where_to_claim": "一楼服务台"})  # fmt: skip
    ok(desk.post(f"{PAGES}/{first['id']}/cancel"))
    active = [p["id"] for p in ok(desk.get(PAGES, params={"active": "true"}))]
    assert second["id"] in active and first["id"] not in active
    assert all(p["status"] == "active" for p in ok(desk.get(PAGES, params={"active": "true"})))
    over = [p["id"] for p in ok(desk.get(PAGES, params={"active": "false"}))]
    assert first["id"] in over and second["id"] not in over
    ok(desk.post(f"{PAGES}/{second['id']}/cancel"))
    assert ok(desk.get(PAGES, params={"active": "true"})) == []


# --- what the desk types ----------------------------------------------------------------------

LONG = "乐" * 10_000

# (case id, request changes, field, words the English message contains)
REFUSED: list[tuple[str, dict[str, Any], str, str]] = [
    ("10,000 characters", {"fields": {**LELE, "name": LONG}}, "fields.name", "limit is 40"),
    ("only control characters", {"fields": {**LELE, "name": "\x00\x07\u202e"}}, "fields.name",
     "control or invisible"),
    ("control characters", {"fields": {**LELE, "name": "乐\x00乐\x07\x1b[2J"}}, "fields.name",
     "U+0000, U+0007, U+001B"),
    ("a right-to-left override", {"fields": {**LELE, "name": "\u202e乐乐\u200b"}}, "fields.name",
     "U+202E, U+200B"),
    ("an emoji-only name", {"fields": {**LELE, "name": "🧒🎈"}}, "fields.name",
     "Chinese voice cannot say the name"),
    ("a symbols-only English name", {"fields_en": {"name": "★☆"}, "languages": ["zh-CN", "en"]},
     "fields_en.name", "English voice cannot say"),
    ("an invisible title", {"title": "寻人\u202e"}, "title", "U+202E"),
    ("unknown field", {"fields": {**LELE, "shoe_size": "32"}}, "fields.shoe_size",
     "no field 'shoe_size'"),
    ("missing required field", {"fields": {"name": "乐乐"}}, "fields.meet_at", "fill in"),
    ("blank required field", {"fields": {**LELE, "meet_at": "   "}}, "fields.meet_at", "fill in"),
    ("a number, not text", {"fields": {**LELE, "age": 5}}, "fields.age", "must be text"),
    ("unknown template", {"template": "lost_dog"}, "template", "lost_person"),
    ("unknown language", {"languages": ["fr"]}, "languages.0", "one of"),
    ("a language twice", {"languages": ["en", "en"]}, "languages", "twice"),
    ("no language", {"languages": []}, "languages", ""),
    ("never played", {"times": 0}, "times", "at least 1"),
    ("too often", {"every_min": 0}, "every_min", "at least 0.1"),
    ("template and text", {"text": "寻人"}, "body", "exactly one"),
    ("fields not an object", {"fields": ["乐乐"]}, "fields", "object"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field", "words"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
@pytest.mark.audio
def test_a_bad_form_is_refused_per_field_and_nothing_goes_on_air(desk, changes, field, words):
    before = ok(desk.get(PAGES))
    detail = assert_refused(desk.post(PAGES, json=page_body(**changes)), 422, "invalid_request")
    assert field in detail["fields"], detail
    assert words.lower() in detail["fields"][field]["message"].lower(), detail
    assert CJK.search(detail["fields"][field]["message_zh"])
    assert ok(desk.get(PAGES)) == before
    assert status(desk)["queue"] == [] and status(desk)["voice"] is None


# (case id, the name typed at the desk, the name the page keeps)
NEUTRALISED: list[tuple[str, str, str]] = [
    ("HTML", "<script>alert('乐乐')</script>", "<script>alert('乐乐')</script>"),
    ("SQL", "乐乐'); DROP TABLE page; --", "乐乐'); DROP TABLE page; --"),
    ("line breaks and tabs", " 乐\n\n乐\t小朋友 ", "乐 乐 小朋友"),
    ("markup", "*乐乐* / 小明 // \\", "*乐乐* / 小明 // \\"),
]


@pytest.mark.parametrize(
    ("typed", "kept"), [c[1:] for c in NEUTRALISED], ids=[c[0] for c in NEUTRALISED]
)
@pytest.mark.audio
def test_hostile_text_in_the_form_is_read_as_plain_words(desk, typed, kept):
    page = start_page(desk, fields={**LELE, "name": typed, "meet_at": f"{typed} 服务台"})
    try:
        assert page["fields"]["name"] == kept
        stored = ok(desk.get(f"{PAGES}/{page['id']}"))
        for value in stored["fields"].values():
            assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in value), value
        assert stored["title"] == f"寻人启事：{kept}"
        assert status(desk)["voice"]["title"] == f"寻人启事：{kept}"
        assert ok(desk.get(PAGES))  # the page table is still there
    finally:
        ok(desk.post(f"{PAGES}/{page['id']}/cancel"))
    assert status(desk)["voice"] is None


def test_a_bad_english_value_is_reported_where_it_was_typed(desk):
    before = ok(desk.get(PAGES))
    reply = desk.post(PAGES, json=page_body(fields_en={"name": LONG, "shoe_size": "32"}))
    fields = assert_refused(reply, 422, "invalid_request")["fields"]
    assert ok(desk.get(PAGES)) == before
    assert set(fields) == {"fields_en.name", "fields_en.shoe_size"}, fields


def test_a_title_with_control_characters_is_refused_or_cleaned(desk):
    reply = desk.post(PAGES, json=page_body(title="Lost\x07 child\x1b[2J\u202e\x00"))
    if reply.status_code == 202:
        ok(desk.post(f"{PAGES}/{reply.json()['id']}/cancel"))
        title = reply.json()["title"]
        assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in title), repr(title)
    else:
        assert "title" in assert_refused(reply, 422, "invalid_request")["fields"]


@pytest.mark.audio
def test_the_desk_listens_to_a_notice_before_sending_it_and_nothing_goes_on_air(desk):
    before = desk.get(PAGES).json()
    reply = desk.post(f"{PAGES}/preview", json={"template": "lost_person", "fields": LELE,
                                                 "languages": ["zh-CN"]}, headers=DESK)  # fmt: skip
    assert reply.status_code == 200 and reply.headers["content-type"] == "audio/wav"
    assert reply.content[:4] == b"RIFF" and len(reply.content) > 48_000
    said = unquote(reply.headers["X-Notice-Text"])  # what will be read, said before it is sent
    assert "乐乐" in said and "一楼服务台" in said and "*" not in said and "/" not in said
    bilingual = desk.post(f"{PAGES}/preview", headers=DESK, json={
        "template": "lost_person", "fields": {**LELE, "name": "乐乐😀"},
        "fields_en": {"name": "Lele"}, "languages": ["zh-CN", "en"]})  # fmt: skip
    zh, en = unquote(bilingual.headers["X-Notice-Text"]).split("\n")
    assert "乐乐😀" in zh and "Lele" in en  # something of the name is said: accepted
    bad = desk.post(f"{PAGES}/preview", json={"template": "lost_person", "fields": {"name": ""}},
                    headers=DESK)  # fmt: skip
    assert_refused(bad, 422, "invalid_request")
    unknown = desk.post(f"{PAGES}/preview", json={"template": "nope", "fields": {}}, headers=DESK)
    assert_refused(unknown, 422, "invalid_request")
    assert desk.get(PAGES).json() == before
