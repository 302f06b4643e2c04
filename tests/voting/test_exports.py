"""A round's result as CSV, PDF and Popolo vote_event JSON (issue 14, item 7): read from the result
stored at the close; staff download it once closed, everyone who may follow the sitting once an
open poll's result is published; a secret round exports its counts only."""

import csv
import io
import json
from pathlib import Path

import jsonschema
import pypdf
import pytest
from django.conf import settings
from django.test import Client

from tests.secrecy import SecretHunt
from voting.models import Round

from .records import delegates, ready, voted_round

POPOLO = Path(settings.BASE_DIR).parent / "shared" / "standards" / "popolo"
URLS = ("result.csv", "result.pdf", "vote_event.json")


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def get(client, round_id, what):
    return client.get(f"/voting/round/{round_id}/{what}")


def validate_popolo(event: dict) -> None:
    """Against Popolo's own schemas where they are (beside the project); where they are not, the
    export's other checks still run and test_the_exports_validate_against_popolo skips, saying so."""
    if POPOLO.is_dir():
        popolo_validator().validate(event)


@pytest.mark.beside_project
def test_the_exports_validate_against_popolo(sitting, actors, users, council):
    validator = popolo_validator()  # skips, saying where the schemas should be, when they are absent
    assert not validator.is_valid({"counts": [{"option": "yes"}]})  # the schema is read: a count needs its value
    round_id = voted_round(sitting, actors, {council[3]: {"option": "yes"}, council[4]: {"option": "no"}})
    validator.validate(json.loads(get(client_for(users["chair"]), round_id, "vote_event.json").content))


def popolo_validator():
    """Popolo's own JSON Schemas (draft-03), from ../shared/standards/popolo beside the project
    (their $refs resolved to those files: no network)."""
    if not POPOLO.is_dir():
        pytest.skip(f"the Popolo JSON Schemas are not here ({POPOLO}): they live beside the project, "
                    "in ../shared/standards/popolo, not in it")
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT3

    resources = []
    for path in POPOLO.glob("*.json"):
        schema = json.loads(path.read_text())
        if "id" in schema:
            resources.append((schema["id"].rstrip("#"), Resource(schema, specification=DRAFT3)))
    registry = Registry().with_resources(resources)
    schema = json.loads((POPOLO / "vote_event.json").read_text())
    jsonschema.Draft3Validator.check_schema(schema)
    return jsonschema.Draft3Validator(schema, registry=registry)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def council(sitting, actors):
    ready(sitting, actors)
    return delegates()


def test_an_open_vote_exports_counts_groups_and_each_delegates_vote(sitting, actors, users, council):
    a, b, c = council[3], council[4], council[5]
    round_id = voted_round(sitting, actors, {a: {"option": "yes"}, b: {"option": "yes"}, c: {"option": "no"}})
    chair = client_for(users["chair"])

    rows = list(csv.reader(io.StringIO(get(chair, round_id, "result.csv").content.decode("utf-8-sig"))))
    assert ["Nội dung biểu quyết", "Thông qua Nghị quyết"] in rows
    assert ["Kết quả", "Không được thông qua"] in rows  # 2 of 20 is not more than half of the total
    assert ["Tán thành", "2", "10.0"] in rows and ["Không tán thành", "1", "5.0"] in rows
    assert [a.full_name, a.delegate_group.short_name or a.delegate_group.name, "Tán thành"] in rows
    assert [c.full_name, c.delegate_group.short_name or c.delegate_group.name, "Không tán thành"] in rows

    pdf = get(chair, round_id, "result.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "KẾT QUẢ BIỂU QUYẾT" in text and a.full_name in text and "Không được thông qua" in text

    event = json.loads(get(chair, round_id, "vote_event.json").content)
    validate_popolo(event)
    totals = {x["option"]: x["value"] for x in event["counts"] if "group" not in x}
    assert totals == {"yes": 2, "no": 1, "abstain": 0} and event["result"] == "fail"
    assert sorted((v["voter"]["name"], v["option"]) for v in event["votes"]) == sorted(
        [(a.full_name, "yes"), (b.full_name, "yes"), (c.full_name, "no")])
    by_group = sum(x["value"] for x in event["counts"] if "group" in x)
    assert by_group == 3 and event["group_results"]


def test_who_may_download_a_result(sitting, actors, users, council):
    round_id = voted_round(sitting, actors, {council[3]: {"option": "yes"}}, close=False)
    staff = [client_for(users["chair"]), client_for(sitting.secretary)]
    others = [client_for(), client_for(users["alice"]), client_for(users["guest"])]
    for client in staff + others:  # nothing while the round is open
        assert all(get(client, round_id, what).status_code == 404 for what in URLS)
    from voting import services
    services.close_round(actors["chair"], sitting.pk, round_id)
    for client in staff:
        assert all(get(client, round_id, what).status_code == 200 for what in URLS)
    for client in others:  # closed, not published: staff only
        assert all(get(client, round_id, what).status_code == 404 for what in URLS)
    services.publish(actors["chair"], sitting.pk, round_id)
    for client in staff + others:  # an open poll's published result is public
        assert all(get(client, round_id, what).status_code == 200 for what in URLS)
    sitting.is_public = False
    sitting.save(update_fields=["is_public"])
    assert get(client_for(), round_id, "result.csv").status_code == 404  # a closed sitting: not the public
    assert get(client_for(users["alice"]), round_id, "result.csv").status_code == 200
    assert get(client_for(users["chair"]), 999999, "result.csv").status_code == 404


def test_a_secret_round_exports_its_counts_only(sitting, actors, users, council):
    voters = council[3:8]
    candidates = council[10:13]
    with SecretHunt() as hunt:
        round_id = voted_round(
            sitting, actors, {v: {"chosen": [f"m{candidates[i % 2].pk}"]} for i, v in enumerate(voters)},
            publish=True, board=council[15:18], kind="election", title="Bầu Phó Chủ tịch HĐND tỉnh",
            candidate_ids=[m.pk for m in candidates])
        chair = client_for(users["chair"])
        responses = {what: get(chair, round_id, what) for what in URLS}
    assert all(r.status_code == 200 for r in responses.values())
    event = json.loads(responses["vote_event.json"].content)
    validate_popolo(event)
    assert "votes" not in event and "group_results" not in event
    assert {x["option"]: x["value"] for x in event["counts"]} == {
        f"m{candidates[0].pk}": 3, f"m{candidates[1].pk}": 2, f"m{candidates[2].pk}": 0}
    texts = [responses["result.csv"].content.decode("utf-8-sig"), pdf_text(responses["result.pdf"].content),
             responses["vote_event.json"].content.decode()]
    for text in texts:  # no voter, no group: nothing to join a ballot to a delegate
        assert not any(v.full_name in text for v in voters)
        assert not any(v.delegate_group.name in text for v in voters)
    assert all(candidates[0].full_name in text for text in texts[:2])  # Popolo's counts name the option: m<id>
    # not for anyone but staff, even published
    for user in (None, users["alice"], users["guest"]):
        assert all(get(client_for(user), round_id, what).status_code == 404 for what in URLS)
    # the ballots are in the urn alone, even after the exports were made
    ballots = [json.dumps({"chosen": [f"m{c.pk}"]}, ensure_ascii=False) for c in candidates[:2]]
    assert hunt.find(*ballots, allowed={"voting.Urn"}) == []
    assert Round.objects.get(pk=round_id).status == "published"


def test_a_rating_exports_each_officials_levels(sitting, actors, users, council):
    officials = council[15:17]
    keys = [f"m{m.pk}" for m in officials]
    round_id = voted_round(sitting, actors, {v: {"ratings": {keys[0]: "low", keys[1]: "high"}} for v in council[1:12]},
                           kind="rating", title="Lấy phiếu tín nhiệm", candidate_ids=[m.pk for m in officials])
    chair = client_for(users["chair"])
    event = json.loads(get(chair, round_id, "vote_event.json").content)
    validate_popolo(event)
    counts = {x["option"]: x["value"] for x in event["counts"]}
    assert counts[f"{keys[0]}:low"] == 11 and counts[f"{keys[1]}:high"] == 11 and event["result"] is None
    rows = list(csv.reader(io.StringIO(get(chair, round_id, "result.csv").content.decode("utf-8-sig"))))
    assert [f"{officials[0].full_name} — Tín nhiệm thấp", "11", "55.0"] in rows
