"""The script library over HTTP: drafts and approval by a supervisor, versions, refusals with a
message per field that save nothing, previews that put nothing on air, recordings, archiving,
and announcing a script (or one-off text) from the announcer's desk.

One daemon serves the tests that never put anything on air (starting one costs more than all
their requests); each test uses its own codes. The tests that go on air get a fresh daemon."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import scripts as scripts_api
from broadcaster.actors import Role
from broadcaster.daemon import Daemon
from tests.api.conftest import start_daemon
from tests.kit.accounts import api_client, as_role
from tests.kit.media import make_quiet_wav, make_tone
from tests.kit.programme import rule

P = "/api/v1/scripts"
RULES = "/api/v1/programme/rules"
CJK = re.compile(r"[\u4e00-\u9fff]")
SUPERVISOR = as_role(Role.SUPERVISOR)
DESK = as_role(Role.SERVICE_DESK)
ANNOUNCER = as_role(Role.ANNOUNCER)
CORRUPT = bytes((i * 7919 + 13) % 251 for i in range(4096))  # as tests.kit.media.make_corrupt
WELCOME_TEXT = "Good morning, / and welcome to *Riverside Mall*. // Enjoy your visit."


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Daemon, TestClient]]:
    data = tmp_path_factory.mktemp("scripts") / "data"
    make_quiet_wav(data / "music" / "a.wav", 600)
    make_tone(data / "announcements" / "hello.wav", 1, 440)
    (data.parent / "secret.wav").write_bytes((data / "announcements" / "hello.wav").read_bytes())
    daemon = start_daemon(data)
    with api_client(daemon) as client:
        yield daemon, client
    daemon.stop()


@pytest.fixture
def library(shared: tuple[Daemon, TestClient]) -> Daemon:
    return shared[0]


@pytest.fixture
def api(shared: tuple[Daemon, TestClient]) -> TestClient:
    return shared[1]


def ok(reply: Any, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json() if reply.content else None


def assert_refused(reply: Any, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    detail = reply.json()["detail"]
    assert detail["code"] == code, detail
    assert detail["message"] and CJK.search(detail["message_zh"]), detail
    return detail


def body(code: str | None = None, **changes: Any) -> dict[str, Any]:
    """A valid new script, with ``changes`` (None removes a field)."""
    base: dict[str, Any] = {"code": code, "title": "Opening welcome", "category": "opening",
                            "language": "en", "text": WELCOME_TEXT}  # fmt: skip
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def create(api: TestClient, code: str | None = None, **changes: Any) -> dict[str, Any]:
    return ok(api.post(P, json=body(code, **changes), headers=SUPERVISOR), 201)


def approve(api: TestClient, script_id: int, **request: Any) -> Any:
    return api.post(f"{P}/{script_id}/approve", json=request or None, headers=SUPERVISOR)


def approved(api: TestClient, code: str, **changes: Any) -> dict[str, Any]:
    created = create(api, code, **changes)
    return ok(approve(api, created["id"]))


def versions(api: TestClient, script_id: int) -> list[tuple[int, str]]:
    return [(v["number"], v["status"]) for v in ok(api.get(f"{P}/{script_id}/versions"))]


def nothing_on_air(client: TestClient) -> bool:
    status = client.get("/api/v1/status").json()
    spoken = client.get(
        "/api/v1/log", params={"order": "asc", "kind": ["announcement", "page"]}
    ).json()
    return status["voice"] is None and status["queue"] == [] and spoken == []


def recordings(daemon: Daemon) -> list[str]:
    folder = daemon.settings.data_dir / "recordings"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- creating, reading, listing ---------------------------------------------------------------


def test_a_new_script_is_a_draft_that_is_not_on_air(api):
    created = create(api, "opening_welcome")
    assert created["code"] == "opening_welcome" and created["on_air"] is None
    draft = created["draft"]
    assert (draft["number"], draft["status"], draft["text"]) == (1, "draft", WELCOME_TEXT)
    assert created["created_by"] == "Wang Fang (supervisor)"
    assert ok(api.get(f"{P}/{created['id']}")) == created
    assert versions(api, created["id"]) == [(1, "draft")]


def test_a_script_without_a_code_gets_one(api):
    created = create(api)
    assert created["code"] == f"s{created['id']}"


@pytest.mark.audio
def test_the_list_filters_by_category_and_approval(api):
    on_air = approved(api, "list_promo", category="promotion", title="Weekend sale")
    draft = create(api, "list_floor", category="floor_guide", title="Floor guide")
    everything = {s["code"] for s in ok(api.get(P))}
    assert {"list_promo", "list_floor"} <= everything

    promotions = ok(api.get(P, params={"category": "promotion"}))
    assert on_air["id"] in [s["id"] for s in promotions]
    assert all((s["on_air"] or s["draft"])["category"] == "promotion" for s in promotions)

    yes = [s["id"] for s in ok(api.get(P, params={"approved": "true"}))]
    no = [s["id"] for s in ok(api.get(P, params={"approved": "false"}))]
    assert on_air["id"] in yes and on_air["id"] not in no
    assert draft["id"] in no and draft["id"] not in yes
    assert_refused(api.get(P, params={"category": "jazz"}), 422, "invalid_script")


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", ""), ("get", "/versions"), ("get", "/preview"), ("patch", ""), ("delete", ""),
     ("post", "/approve")],
)  # fmt: skip
def test_an_unknown_script_is_404_in_both_languages(api, method, url):
    kwargs: dict[str, Any] = {"json": {"title": "x"}} if method == "patch" else {}
    reply = api.request(method, f"{P}/424242{url}", headers=SUPERVISOR, **kwargs)
    assert "424242" in assert_refused(reply, 404, "not_found")["message"]


# --- approval and versions --------------------------------------------------------------------


@pytest.mark.audio
def test_only_a_supervisor_writes_and_approves_a_script(api):
    for headers in (ANNOUNCER, DESK):
        assert_refused(api.post(P, json=body("not_mine"), headers=headers), 403, "forbidden")
    created = create(api, "approve_roles")
    for headers in (ANNOUNCER, DESK):
        reply = api.post(f"{P}/{created['id']}/approve", headers=headers)
        assert_refused(reply, 403, "forbidden")
    assert ok(api.get(f"{P}/{created['id']}"))["on_air"] is None

    script = ok(approve(api, created["id"]))
    assert script["draft"] is None
    on_air = script["on_air"]
    assert (on_air["number"], on_air["status"]) == (1, "approved")
    assert on_air["approved_by"] == "Wang Fang (supervisor)"
    assert_refused(approve(api, created["id"]), 409, "nothing_to_approve")


@pytest.mark.audio
def test_editing_an_approved_script_makes_a_new_draft_and_the_approved_words_stay_on_air(api):
    script = approved(api, "versions_flow")
    sid = script["id"]
    edited = ok(api.patch(f"{P}/{sid}", json={"text": "Good morning! // Welcome."}))
    assert edited["on_air"]["number"] == 1 and edited["on_air"]["text"] == WELCOME_TEXT
    assert edited["draft"]["number"] == 2 and edited["draft"]["text"] == "Good morning! // Welcome."
    assert versions(api, sid) == [(1, "approved"), (2, "draft")]
    again = ok(api.patch(f"{P}/{sid}", json={"title": "Morning welcome"}))  # the draft, in place
    assert again["draft"]["number"] == 2 and again["draft"]["title"] == "Morning welcome"
    assert again["on_air"]["title"] == "Opening welcome"
    assert versions(api, sid) == [(1, "approved"), (2, "draft")]

    # The supervisor read version 1, but version 2 is the newest draft: refused, nothing changes.
    assert_refused(approve(api, sid, version=1), 409, "not_newest_draft")
    assert versions(api, sid) == [(1, "approved"), (2, "draft")]

    script = ok(approve(api, sid, version=2))
    assert script["on_air"]["number"] == 2 and script["draft"] is None
    assert versions(api, sid) == [(1, "superseded"), (2, "approved")]


def test_editing_a_draft_changes_it_in_place(api):
    sid = create(api, "draft_in_place")["id"]
    ok(api.patch(f"{P}/{sid}", json={"title": "Welcome (v2 wording)"}))
    script = ok(api.patch(f"{P}/{sid}", json={"text": "Welcome. // Again."}))
    assert script["draft"]["number"] == 1 and script["draft"]["title"] == "Welcome (v2 wording)"
    assert versions(api, sid) == [(1, "draft")]


@pytest.mark.audio
def test_an_edit_that_changes_nothing_adds_no_version(api):
    script = approved(api, "no_op_edit")
    sid = script["id"]
    for patch in ({}, {"title": "Opening welcome"}, {"title": "  Opening welcome  "},
                  {"text": WELCOME_TEXT, "category": "opening"}):  # fmt: skip
        after = ok(api.patch(f"{P}/{sid}", json=patch))
        assert after["draft"] is None and after["on_air"]["number"] == 1, patch
    assert versions(api, sid) == [(1, "approved")]


# --- refusals ---------------------------------------------------------------------------------

# (case id, changes to a valid body, field, words the English message contains)
INVALID_SCRIPTS: list[tuple[str, dict[str, Any], str, str]] = [
    ("unclosed emphasis", {"text": "Welcome to *Riverside Mall."}, "text", "not closed"),
    ("backslash before a letter", {"text": "C:\\temp"}, "text", "backslash"),
    ("marks but no words", {"text": "/ // *  *"}, "text", "nothing to say"),
    ("empty title", {"title": ""}, "title", "empty"),
    ("blank title", {"title": "   "}, "title", "empty"),
    ("long title", {"title": "x" * 121}, "title", "at most 120"),
    ("10,000-character text", {"text": "a" * 10_000}, "text", "at most 4000"),
    ("NUL in text", {"text": "Welcome\x00 to the mall"}, "text", "NUL"),
    ("unknown category", {"category": "jazz"}, "category", "one of"),
    ("unknown language", {"language": "fr"}, "language", "one of"),
    ("bell in title", {"title": "Sale\x07 today"}, "title", "control"),
    ("NUL in title", {"title": "Sale\x00"}, "title", "control"),
    ("valid_until before valid_from", {"valid_from": "2026-12-01", "valid_until": "2026-11-30"},
     "valid_until", "before valid_from"),
    ("not a date", {"valid_from": "2026-02-30"}, "valid_from", "Not a date"),
    ("code with spaces", {"code": "opening welcome"}, "code", "lower-case letters"),
    ("upper-case code", {"code": "Opening"}, "code", "lower-case letters"),
    ("long code", {"code": "a" * 61}, "code", "at most 60"),
    ("missing text", {"text": None}, "text", "Required"),
    ("unknown field", {"colour": "red"}, "colour", "Unknown field"),
    ("recording outside the data folder", {"recording": "../secret.wav"}, "recording",
     "data folder"),
    ("missing recording", {"recording": "recordings/none.wav"}, "recording", "No such file"),
]  # fmt: skip


INVISIBLE_TITLE = pytest.param(
    {"code": "rtl_title", "title": "Sale \u202eyadot"}, "title", "control", id="right-to-left override in title",
)  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [pytest.param(*c[1:], id=c[0]) for c in INVALID_SCRIPTS] + [INVISIBLE_TITLE],
)
def test_an_invalid_script_is_refused_per_field_and_nothing_is_saved(api, changes, field, words):
    before = ok(api.get(P))
    reply = api.post(P, json=body(**{"code": "refused_script", **changes}))
    detail = assert_refused(reply, 422, "invalid_script")
    assert field in detail["fields"], detail
    assert words.lower() in detail["fields"][field]["message"].lower(), detail
    assert CJK.search(detail["fields"][field]["message_zh"])
    assert ok(api.get(P)) == before


@pytest.mark.audio
def test_an_edit_that_breaks_a_script_is_refused_and_changes_nothing(api):
    script = approved(api, "broken_edit")
    sid = script["id"]
    for patch, field in (({"text": "*unclosed"}, "text"), ({"title": "\x1b[31mred"}, "title"),
                         ({"valid_from": "2026-12-02", "valid_until": "2026-12-01"},
                          "valid_until"), ({"text": None}, "text"),
                         ({"code": "renamed"}, "code")):  # fmt: skip
        detail = assert_refused(api.patch(f"{P}/{sid}", json=patch), 422, "invalid_script")
        assert field in detail["fields"], (patch, detail)
    assert ok(api.get(f"{P}/{sid}")) == script
    assert versions(api, sid) == [(1, "approved")]


def test_a_taken_code_is_409_and_nothing_is_saved(api):
    create(api, "taken_code")
    before = ok(api.get(P))
    detail = assert_refused(api.post(P, json=body("taken_code")), 409, "code_taken")
    assert "code" in detail["fields"]
    detail = assert_refused(api.post(P, json=body("  taken_code ")), 409, "code_taken")
    assert ok(api.get(P)) == before


@pytest.mark.audio
def test_html_and_sql_are_stored_as_text(api):
    title = "<script>alert(1)</script>'; DROP TABLE script; --"
    text = "<b>Sale</b> today'; DROP TABLE script_version; -- <img src=x onerror=alert(1)>"
    created = create(api, "hostile_text", title=title, text=text)
    assert (created["draft"]["title"], created["draft"]["text"]) == (title, text)
    assert ok(api.get(f"{P}/{created['id']}"))["draft"]["text"] == text
    assert created["id"] in [s["id"] for s in ok(api.get(P))]  # both tables still work
    assert versions(api, created["id"]) == [(1, "draft")]
    # The voice reads the tags as text: a preview renders, nothing is taken for SSML.
    preview = api.get(f"{P}/{created['id']}/preview")
    assert preview.status_code == 200 and preview.content[:4] == b"RIFF"


# --- previews ---------------------------------------------------------------------------------


@pytest.mark.audio
def test_the_preview_of_a_draft_is_audio_and_puts_nothing_on_air(api):
    sid = create(api, "preview_draft")["id"]
    reply = api.get(f"{P}/{sid}/preview")
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("audio/wav")
    assert reply.content[:4] == b"RIFF" and len(reply.content) > 10_000
    assert api.get(f"{P}/{sid}/preview", params={"version": 1}).content == reply.content
    assert_refused(api.get(f"{P}/{sid}/preview", params={"version": 2}), 404, "not_found")
    assert nothing_on_air(api)


@pytest.mark.audio
def test_the_preview_of_an_edit_is_the_new_draft(api):
    sid = approved(api, "preview_edit")["id"]
    first = api.get(f"{P}/{sid}/preview").content
    ok(api.patch(f"{P}/{sid}", json={"text": "Closing in *ten minutes*. // Thank you."}))
    newest = api.get(f"{P}/{sid}/preview").content
    assert newest[:4] == b"RIFF" and newest != first
    assert api.get(f"{P}/{sid}/preview", params={"version": 1}).content == first
    assert nothing_on_air(api)


@pytest.mark.audio
def test_text_can_be_previewed_before_it_is_saved(api):
    before = ok(api.get(P))
    reply = api.post(f"{P}/preview", json={"text": "Hello, / *shoppers*.", "language": "en"})
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("audio/wav")
    assert reply.content[:4] == b"RIFF"
    zh = api.post(f"{P}/preview", json={"text": "顾客朋友们，/ 欢迎光临。"})
    assert zh.status_code == 200 and zh.content[:4] == b"RIFF"
    assert ok(api.get(P)) == before and nothing_on_air(api)


@pytest.mark.parametrize(
    ("request_body", "field"),
    [({"text": "Hello *there"}, "text"), ({"text": ""}, "text"), ({"text": "a" * 4001}, "text"),
     ({"text": "Hello", "language": "fr"}, "language"), ({}, "text")],
    ids=["unclosed emphasis", "empty", "too long", "unknown language", "no text"],
)  # fmt: skip
def test_a_preview_of_bad_text_is_refused_per_field(api, request_body, field):
    detail = assert_refused(api.post(f"{P}/preview", json=request_body), 422, "invalid_script")
    assert field in detail["fields"] and CJK.search(detail["fields"][field]["message_zh"])


# --- recordings -------------------------------------------------------------------------------


def upload(api: TestClient, script_id: int, name: str, content: bytes) -> Any:
    return api.put(f"{P}/{script_id}/recording", files={"file": (name, content, "audio/wav")},
                   headers=SUPERVISOR)  # fmt: skip


@pytest.mark.audio
def test_an_uploaded_recording_goes_into_a_new_draft(api, library, tmp_path: Path):
    sid = approved(api, "recorded")["id"]
    wav = make_tone(tmp_path / "take1.wav", 1, 330).read_bytes()
    script = ok(upload(api, sid, "take1.WAV", wav))
    assert script["on_air"]["number"] == 1 and script["on_air"]["recording"] is None
    recording = script["draft"]["recording"]
    assert script["draft"]["number"] == 2 and recording.startswith("recordings/")
    assert (library.settings.data_dir / recording).read_bytes() == wav
    assert [n for n in recordings(library) if n.startswith(".")] == []  # no partial upload left
    # The recording wins over the voice: the preview of the draft is the file itself.
    assert api.get(f"{P}/{sid}/preview").content == wav
    assert ok(approve(api, sid, version=2))["on_air"]["recording"] == recording


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("take.wav", CORRUPT, 422, "not_playable"),
        ("take.mp3", b"ID3" + bytes(2000), 422, "not_playable"),
        ("take.wav", b"", 422, "not_playable"),
        ("setup.exe", b"MZ" + bytes(2000), 422, "bad_recording_type"),
        ("take", b"RIFF", 422, "bad_recording_type"),
        ("take.wav.exe", b"MZ", 422, "bad_recording_type"),
    ],
    ids=["corrupt wav", "corrupt mp3", "empty", "exe", "no extension", "double extension"],
)
def test_a_bad_recording_is_refused_and_no_file_is_kept(api, library, name, content, status,
                                                        code):  # fmt: skip
    script = create(api)
    before = recordings(library)
    assert_refused(upload(api, script["id"], name, content), status, code)
    assert recordings(library) == before
    assert ok(api.get(f"{P}/{script['id']}")) == script


def test_an_oversized_recording_is_refused_with_413(api, library, tmp_path, monkeypatch):
    monkeypatch.setattr(scripts_api, "UPLOAD_MAX_BYTES", 64 * 1024)  # not 50 MB of test data
    script = create(api, "too_long_take")
    before = recordings(library)
    wav = make_tone(tmp_path / "long.wav", 2, 330).read_bytes()  # ~350 kB
    assert_refused(upload(api, script["id"], "long.wav", wav), 413, "recording_too_large")
    assert recordings(library) == before
    assert ok(api.get(f"{P}/{script['id']}")) == script


# --- archiving --------------------------------------------------------------------------------


@pytest.mark.audio
def test_an_archived_script_is_gone(api):
    sid = approved(api, "to_archive")["id"]
    reply = api.delete(f"{P}/{sid}")
    assert reply.status_code == 204 and reply.content == b""
    assert_refused(api.get(f"{P}/{sid}"), 404, "not_found")
    assert_refused(api.delete(f"{P}/{sid}"), 404, "not_found")
    assert sid not in [s["id"] for s in ok(api.get(P))]
    detail = assert_refused(api.post("/api/v1/announcements", json={"script_id": sid}), 422,
                            "invalid_request")  # fmt: skip
    assert "script_id" in detail["fields"]


@pytest.mark.parametrize("used_as", ["content", "spot"])
@pytest.mark.audio
def test_a_script_the_programme_uses_cannot_be_archived(api, used_as):
    code = f"in_use_{used_as}"
    sid = approved(api, code)["id"]
    script = {"kind": "script", "ref": code, "title": "Welcome"}
    if used_as == "content":
        made = rule(name=f"Morning {code}", content=script)
    else:
        made = rule("recurring", name=f"Spots {code}", spots=[script])
    created = ok(api.post(RULES, json=made), 201)

    detail = assert_refused(api.delete(f"{P}/{sid}"), 409, "script_in_use")
    assert made["name"] in detail["message"] and made["name"] in detail["message_zh"]
    assert ok(api.get(f"{P}/{sid}"))["code"] == code

    ok(api.delete(f"{RULES}/{created['id']}"), 204)
    assert api.delete(f"{P}/{sid}").status_code == 204


@pytest.mark.audio
def test_only_an_approved_script_can_be_scheduled(api):
    sid = ok(api.post(P, json=body("autumn_draft")), 201)["id"]
    made = rule(name="Autumn campaign", content={"kind": "script", "ref": "autumn_draft"})
    detail = assert_refused(api.post(RULES, json=made), 422, "invalid_rule")
    assert "approved" in detail["fields"]["content.ref"]["message"]
    assert "审核" in detail["fields"]["content.ref"]["message_zh"]
    assert all(r["name"] != "Autumn campaign" for r in api.get(RULES).json())

    ok(api.post(f"{P}/{sid}/approve", headers=SUPERVISOR))
    created = ok(api.post(RULES, json=made), 201)
    ok(api.delete(f"{RULES}/{created['id']}"), 204)


# --- announcing a script ----------------------------------------------------------------------


@pytest.mark.audio
def test_an_approved_script_is_announced_with_its_title_and_version(client, daemon, run_for):
    sid = ok(client.post(P, json=body("shop_welcome", title="Shop welcome")), 201)["id"]
    ok(client.post(f"{P}/{sid}/approve", headers=SUPERVISOR))
    ok(client.patch(f"{P}/{sid}", json={"title": "Draft wording", "text": "Not yet approved."}))

    accepted = ok(client.post("/api/v1/announcements", json={"script_id": sid}), 202)
    assert (accepted["kind"], accepted["title"]) == ("announcement", "Shop welcome")
    assert client.get("/api/v1/status").json()["voice"]["title"] == "Shop welcome"
    run_for(0.3)  # past the duck fade: the words start
    [row] = client.get("/api/v1/log", params={"order": "asc", "kind": "announcement"}).json()
    assert row["title"] == "Shop welcome" and row["outcome"] is None  # on air now
    assert "script shop_welcome v1" in row["detail"]  # the approved words, not the draft
    run_for(30)
    [row] = client.get("/api/v1/log", params={"order": "asc", "kind": "announcement"}).json()
    assert row["outcome"] == "completed"
    assert client.get("/api/v1/status").json()["voice"] is None


@pytest.mark.audio
def test_a_one_off_text_is_announced_and_logged_as_unapproved(client, daemon, run_for):
    text = "The car with plate *A12345*, / please move it from the fire lane."
    accepted = ok(client.post("/api/v1/announcements", json={"text": text, "language": "en"}), 202)
    assert accepted["title"].startswith("The car with plate")
    run_for(0.3)
    [row] = client.get("/api/v1/log", params={"order": "asc", "kind": "announcement"}).json()
    assert "unapproved" in row["detail"] and row["outcome"] is None
    run_for(30)
    [row] = client.get("/api/v1/log", params={"order": "asc", "kind": "announcement"}).json()
    assert row["outcome"] == "completed"


@pytest.mark.audio
def test_a_one_off_text_is_titled_with_its_words_not_its_marks(client):
    text = "The car with plate *A12345*, / please move it from the fire lane."
    accepted = ok(client.post("/api/v1/announcements", json={"text": text, "language": "en"}), 202)
    assert accepted["title"] == "The car with plate A12345, please move i"


@pytest.mark.audio
def test_a_script_that_may_not_go_on_air_is_refused_and_nothing_is_queued(api):
    draft = create(api, "not_yet_approved")
    detail = assert_refused(api.post("/api/v1/announcements", json={"script_id": draft["id"]}),
                            409, "not_approved")  # fmt: skip
    assert "not_yet_approved" in detail["message"]

    detail = assert_refused(api.post("/api/v1/announcements", json={"script_id": 424242}), 422,
                            "invalid_request")  # fmt: skip
    assert CJK.search(detail["fields"]["script_id"]["message_zh"])

    expired = approved(api, "last_summer", valid_from="2026-07-01", valid_until="2026-08-31")
    detail = assert_refused(api.post("/api/v1/announcements", json={"script_id": expired["id"]}),
                            409, "not_valid_today")  # fmt: skip
    assert "2026-08-31" in detail["message"] and "2026-11-23" in detail["message"]
    future = approved(api, "next_spring", valid_from="2027-03-01")
    assert_refused(api.post("/api/v1/announcements", json={"script_id": future["id"]}), 409,
                   "not_valid_today")  # fmt: skip
    assert nothing_on_air(api)


@pytest.mark.parametrize(
    "request_body",
    [{"file": "announcements/hello.wav", "text": "Hello"}, {"script_id": 1, "text": "Hello"},
     {}, {"title": "nothing to say"}, {"text": ""}, {"text": "Hello *there"},
     {"text": "a" * 2001}],
    ids=["file and text", "script and text", "nothing", "title only", "empty text",
         "bad markup", "text too long"],
)  # fmt: skip
def test_an_announcement_needs_exactly_one_thing_to_say(api, request_body):
    detail = assert_refused(api.post("/api/v1/announcements", json=request_body), 422,
                            "invalid_request")  # fmt: skip
    assert detail["fields"] and nothing_on_air(api)


def test_an_announcement_with_two_sources_is_refused_in_each_language_separately(api):
    reply = api.post("/api/v1/announcements", json={"file": "announcements/hello.wav",
                                                    "text": "Hello"})  # fmt: skip
    [problem] = assert_refused(reply, 422, "invalid_request")["fields"].values()
    assert not CJK.search(problem["message"]) and "Value error" not in problem["message"]
    assert "Value error" not in problem["message_zh"] and "only one" not in problem["message_zh"]


# --- emergencies from the library, and a warm cache ------------------------------------------


@pytest.mark.audio
def test_an_emergency_can_say_an_approved_script_and_not_a_draft(client):
    sid = ok(client.post(P, json=body("evacuate", title="疏散通知", category="emergency")), 201)
    refused = client.post("/api/v1/emergency", json={"script_id": sid["id"]})
    assert_refused(refused, 409, "not_approved")
    assert client.get("/api/v1/status").json()["emergency"] is None  # nothing started

    ok(client.post(f"{P}/{sid['id']}/approve", headers=SUPERVISOR))
    started = ok(client.post("/api/v1/emergency", json={"script_id": sid["id"]}), 202)
    assert started["title"] == "疏散通知"
    state = client.get("/api/v1/status").json()
    assert state["emergency"]["title"] == "疏散通知" and state["bed"]["mode"] == "stopped"
    ok(client.delete("/api/v1/emergency"))


@pytest.mark.audio
def test_approving_a_script_renders_it_ahead_of_its_first_play(daemon, client):
    text = "Attention please. / The *north car park* closes at nine tonight."
    sid = ok(client.post(P, json=body("car_park", text=text, language="en")), 201)["id"]
    assert daemon.renderer.local.lookup([("en", text)]) is None  # a draft is not rendered
    ok(client.post(f"{P}/{sid}/approve", headers=SUPERVISOR))
    hit = daemon.renderer.local.lookup([("en", text)])  # background task ran after the reply
    assert hit is not None and hit.duration_ms > 1000


def test_the_desk_can_read_the_templates_to_build_its_form(client):
    templates = {t["name"]: t for t in ok(client.get("/api/v1/pages/templates"))}
    assert set(templates) == {"lost_person", "lost_item", "found_item"}
    fields = {f["name"]: f for f in templates["lost_person"]["fields"]}
    assert fields["name"]["required"] and fields["meet_at"]["required"]
    assert fields["name"]["label_zh"] and fields["name"]["max_length"] > 0
