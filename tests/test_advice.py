"""The guide's advice, through the API: a diagnosis with its lean, moves, questions, risks to
watch and evidence, on a tiny knowledge base whose tensions carry poles, signals and signs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ambidex.checks import validate
from api.app import create_app
from api.schemas import AdviceOut, GuideOut
from api.settings import Settings
from tests.conftest import BIB, concept, write_files

V1 = "/api/v1"
LIMIT = 2000
MORE_BIB = """
@article{becker2020proactive,
  author  = {Becker, Jan U. and Spann, Martin and Barrot, Christian},
  title   = {Impact of Proactive Postsales Service and Cross-Selling Activities on Customer Churn},
  journal = {Journal of Service Research},
  year    = {2020},
  design  = {field-experiment}
}

@online{humanedgendcustomers,
  author  = {{Human Edge}},
  title   = {Customers on Your Left Hand, Sales Target in Your Right},
  url     = {https://human-edge.com/customers-on-your-left-hand-sales-target-in-your-right/}
}
"""


def pole(name: str, concept_id: str, signals: list[str], moves: list[str], questions: list[str]) -> str:
    lines = [f"  - name: {name}", f"    concept: {concept_id}", "    signals:"]
    lines += [f'      - "{s}"' for s in signals]
    lines += ["    moves:"] + [f'      - "{m}"' for m in moves]
    lines += ["    questions:"] + [f'      - "{q}"' for q in questions]
    return "\n".join(lines) + "\n"


def orientation(concept_id: str, tension: str) -> str:
    return concept(
        concept_id,
        type="orientation",
        summary="One side of the tension [@gabler2017dark].",
        extra=f"relations:\n  pole-of: [{tension}]\n",
    )


FILES = {
    "references.bib": BIB + MORE_BIB,
    "kb/vocabulary.yml": "synonyms:\n  - [salesperson, rep, account manager]\n"
    "  - [new customer, new logo, prospect]\n  - [customer churn, customers leaving, lose customers]\n",
    "kb/dilemmas/service-vs-sales.md": concept(
        "service-vs-sales",
        type="dilemma",
        title="Service vs. sales",
        summary="Whether a customer contact solves the problem or opens a sale [@gabler2017dark].",
        extra="in_short: >-\n  Helping a customer and selling to them pull a contact two ways.\n"
        "  Teams lean one way.\n"
        "evidence:\n  - A survey finding on dual roles [@gabler2017dark].\n"
        "  - A field experiment on cross-selling in service calls [@becker2020proactive].\n"
        "poles:\n"
        + pole(
            "Serving first",
            "service-orientation",
            [
                "Support calls run long and nobody mentions the new plans.",
                "Agents fix the fault and hang up.",
            ],
            ["Make one offer after the fault is fixed [@becker2020proactive]."],
            ["Which fixed faults ended without any offer?", "What does the customer still need?"],
        )
        + pole(
            "Pushing the sale",
            "sales-orientation",
            ["Every support call ends with an upgrade pitch.", "Help turns into a sales pitch."],
            [
                "Fix the fault before any offer [@becker2020proactive].",
                "Reward solved problems as well as sales [@gabler2017dark].",
                "Let agents skip the pitch when the customer is upset [@humanedgendcustomers].",
            ],
            ["How many calls ended with a pitch the customer did not want?"],
        ),
    ),
    "kb/dilemmas/hunting-vs-farming.md": concept(
        "hunting-vs-farming",
        type="dilemma",
        title="Hunting vs. farming",
        summary="Winning new customers or growing existing ones [@mullins2020ambidextrous].",
        extra="poles:\n"
        + pole(
            "Winning new customers",
            "hunting",
            ["Reps chase new logos and forget accounts once the contract is signed."],
            ["Give every won account an owner [@mullins2020ambidextrous]."],
            ["Who visits last year's new accounts?"],
        )
        + pole(
            "Growing current accounts",
            "farming",
            [
                "The calendar is full of account reviews, not first meetings.",
                "Prospecting waits for next week.",
            ],
            ["Book prospecting time first [@mullins2020ambidextrous]."],
            ["How many first meetings did we hold this month?"],
        ),
    ),
    "kb/dilemmas/senior-reps-vs-new-hires.md": concept(
        "senior-reps-vs-new-hires",
        type="dilemma",
        title="Senior reps vs. new hires",
        summary="Relying on the seasoned or developing the newcomers [@gabler2017dark].",
    ),
    "kb/dilemmas/low-end-vs-top-end-customers.md": concept(
        "low-end-vs-top-end-customers",
        type="dilemma",
        title="Low-end vs. top-end customers",
        summary="Serving small accounts cheaply and key accounts richly [@gabler2017dark].",
    ),
    "kb/orientations/service-orientation.md": orientation("service-orientation", "service-vs-sales"),
    "kb/orientations/sales-orientation.md": orientation("sales-orientation", "service-vs-sales"),
    "kb/orientations/hunting.md": orientation("hunting", "hunting-vs-farming"),
    "kb/orientations/farming.md": orientation("farming", "hunting-vs-farming"),
    "kb/risks/employee-burnout.md": concept(
        "employee-burnout",
        title="Employee burnout",
        summary="Exhaustion from demands that outrun resources [@gabler2017dark].",
        extra="signs:\n  - Sick days are rising.\n  - People work weekends to catch up on tickets.\n"
        "relations:\n  risk-of: [service-vs-sales]\n",
    ),
    "kb/risks/customer-churn.md": concept(
        "customer-churn",
        title="Customer churn",
        summary="Customers leaving after contacts that felt like pitches [@becker2020proactive].",
        extra="signs:\n  - Big accounts threaten to leave.\n  - Customers complain about pushy calls.\n"
        "relations:\n  risk-of: [sales-orientation]\n"
        "evidence:\n  - Cross-selling in service calls went with churn [@becker2020proactive].\n",
    ),
}

PITCH = (
    "Our helpdesk now ends every support call with an upgrade pitch. Customers complain that help "
    "turns into a sales pitch, and two big accounts threaten to leave."
)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("advice")
    write_files(root, FILES)
    _, problems = validate(root)
    assert [p for p in problems if p.is_error] == []
    return root


@pytest.fixture(scope="module")
def client(root: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(root=root))) as c:
        yield c


def advise(client: TestClient, situation: str, **params: str) -> dict:  # type: ignore[type-arg]
    r = client.get(f"{V1}/guide", params={"situation": situation, **params})
    assert r.status_code == 200, r.text
    body: dict = r.json()  # type: ignore[type-arg]
    return body


def test_the_answer_is_advice_in_its_shape(client: TestClient) -> None:
    r = client.get(f"{V1}/guide", params={"situation": PITCH}, headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert AdviceOut.model_validate_json(r.content).model_dump_json().encode() == r.content
    body = r.json()
    assert body["situation"] == PITCH and body["message"] is None and body["did_you_mean"] == []
    first = body["diagnosis"][0]
    assert (first["id"], first["title"], first["url"]) == (
        "service-vs-sales",
        "Service vs. sales",
        f"{V1}/concepts/service-vs-sales",
    )
    # What is at stake: the first sentence of the entry's "In short", in plain words.
    assert first["stake"] == "Helping a customer and selling to them pull a contact two ways."
    assert first["lean"]["pole"] == "Pushing the sale" and first["lean"]["concept"] == "sales-orientation"
    assert first["lean"]["signalled_by"] and all(
        w.lower() in PITCH.lower() for w in first["lean"]["signalled_by"]
    )
    assert 0 < first["confidence"] <= 1
    assert 1 <= len(body["diagnosis"]) <= 3
    # The moves of the leaning pole, each with one source: key, APA in-text form, badge, link.
    assert [m["text"] for m in body["moves"]] == [
        "Fix the fault before any offer.",
        "Reward solved problems as well as sales.",
        "Let agents skip the pitch when the customer is upset.",
    ]
    experiment, survey, practitioner = (m["citation"] for m in body["moves"])
    assert experiment["key"] == "becker2020proactive" and experiment["in_text"] == "(Becker et al., 2020)"
    assert experiment["url"] == f"{V1}/references/becker2020proactive"
    assert "Field experiment" in experiment["label"] and "Survey" in survey["label"]
    assert "ractitioner" in practitioner["label"]
    assert 1 <= len(body["questions"]) <= 3
    assert body["questions"][0]["text"] == "How many calls ended with a pitch the customer did not want?"
    # The risk whose signs the situation shows comes first, with its best evidence.
    assert 1 <= len(body["watch"]) <= 3
    churn = body["watch"][0]
    assert churn["id"] == "customer-churn" and churn["signalled_by"]
    assert churn["citation"]["key"] == "becker2020proactive" and "churn" in churn["evidence"]
    # At most five pieces of evidence, no study twice, the tension's own first.
    keys = [e["citation"]["key"] for e in body["evidence"]]
    assert 1 <= len(keys) <= 5 and len(keys) == len(set(keys))
    assert body["evidence"][0]["concept"]["id"] == "service-vs-sales"


def test_the_answer_shows_no_ids_or_arrows_in_its_sentences(client: TestClient) -> None:
    body = advise(client, PITCH)
    sentences = [body["diagnosis"][0]["stake"], *(m["text"] for m in body["moves"])]
    sentences += [w["evidence"] for w in body["watch"]] + [e["text"] for e in body["evidence"]]
    for sentence in sentences:
        assert "[@" not in sentence and "[[" not in sentence and "→" not in sentence, sentence


@pytest.mark.parametrize(
    "situation",
    [
        "our senior reps",
        "the top reps and the account managers",
        "the board and the sales team and our best salespeople",
        "senior reps, new hires",
    ],
)
def test_words_that_say_who_alone_select_no_tension(client: TestClient, situation: str) -> None:
    body = advise(client, situation)
    assert body["diagnosis"] == [] and body["moves"] == []
    assert body["message"]


def test_words_that_say_who_change_nothing_in_a_situation(client: TestClient) -> None:
    plain = advise(client, PITCH)
    with_roles = advise(client, "Our senior account managers say: " + PITCH + " The top reps agree.")
    assert [d["id"] for d in with_roles["diagnosis"]] == [d["id"] for d in plain["diagnosis"]]
    assert with_roles["diagnosis"][0]["lean"] == plain["diagnosis"][0]["lean"]


@pytest.mark.parametrize(
    "situation",
    [
        "Should we chase new logos or hold account reviews with the customers we have?",
        "Hunting or farming?",
        "Do we keep fixing the fault and hanging up, or end every support call with an upgrade pitch?",
    ],
)
def test_a_neutral_either_or_has_no_lean(client: TestClient, situation: str) -> None:
    body = advise(client, situation)
    assert body["diagnosis"], body["message"]
    assert all(d["lean"] is None for d in body["diagnosis"])
    # Neither pole's moves alone: the first move of each.
    assert len(body["moves"]) == 2


def test_a_lean_is_a_pole_of_its_own_tension(client: TestClient, root: Path) -> None:
    kb, _ = validate(root)
    situations = [
        PITCH,
        "The calendar is full of account reviews, not first meetings, and prospecting waits for next week.",
        "Reps chase new logos and nobody looks after accounts once the contract is signed.",
        "Support calls run long, agents fix the fault and hang up, and nobody mentions the new plans.",
    ]
    leans = 0
    for situation in situations:
        for d in advise(client, situation)["diagnosis"]:
            if d["lean"] is None:
                continue
            leans += 1
            poles = kb.concepts[d["id"]].poles
            assert d["lean"]["pole"] in [p.name for p in poles]
            assert d["lean"]["concept"] in [p.concept for p in poles]
    assert leans >= len(situations)


def test_the_lean_follows_the_signals(client: TestClient) -> None:
    farming = advise(client, "The calendar is full of account reviews, not first meetings.")
    assert farming["diagnosis"][0]["id"] == "hunting-vs-farming"
    assert farming["diagnosis"][0]["lean"]["concept"] == "farming"
    hunting = advise(client, "Reps chase new logos and forget the accounts once the contract is signed.")
    assert hunting["diagnosis"][0]["lean"]["concept"] == "hunting"


def test_confidence_grows_with_the_match(client: TestClient) -> None:
    weak = advise(client, "an upgrade pitch at the end of support calls")["diagnosis"][0]
    strong = advise(client, PITCH)["diagnosis"][0]
    assert weak["id"] == strong["id"] and 0 < weak["confidence"] < strong["confidence"] <= 1


@pytest.mark.parametrize(
    ("situation", "says"),
    [
        ("my cat is sick and the vet is closed on sundays", "sales"),
        ("qwzx vbnm plok", "describe"),
        ("Unsere Verkäufer sollen im Service auch verkaufen und sind damit überfordert.", "English"),
        ("Nos vendeurs doivent aussi faire du service et ils sont épuisés par la double tâche.", "English"),
    ],
)
def test_out_of_domain_and_other_languages_get_a_message(
    client: TestClient, situation: str, says: str
) -> None:
    body = advise(client, situation)
    assert body["diagnosis"] == [] and body["moves"] == [] and body["watch"] == []
    assert body["message"] and says.lower() in body["message"].lower()


def test_a_faint_match_says_so_and_offers_tensions(client: TestClient) -> None:
    body = advise(client, "weekends")
    assert body["diagnosis"] == [] and body["message"]
    assert [d["id"] for d in body["did_you_mean"]] == ["service-vs-sales"]


def test_two_thousand_characters_are_read_and_one_more_is_refused(client: TestClient) -> None:
    text = (PITCH + " ") * (LIMIT // len(PITCH) + 1)
    at_limit = text[:LIMIT]
    r = client.get(f"{V1}/guide", params={"situation": at_limit}, headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200 and r.json()["diagnosis"][0]["id"] == "service-vs-sales"
    assert len(r.content) <= 8 * 1024
    over = client.get(f"{V1}/guide", params={"situation": text[: LIMIT + 1]})
    assert over.status_code == 400
    assert over.headers["content-type"] == "application/problem+json"
    assert "2,000" in over.json()["detail"] and "2,001" in over.json()["detail"]


def test_the_default_answer_is_at_most_eight_kilobytes(client: TestClient) -> None:
    for situation in [PITCH, "Hunting or farming?", "Sick days are rising. " + PITCH]:
        r = client.get(
            f"{V1}/guide", params={"situation": situation}, headers={"Accept-Encoding": "identity"}
        )
        assert r.status_code == 200 and len(r.content) <= 8 * 1024


def test_the_full_graph_walk_is_there_on_request(client: TestClient) -> None:
    r = client.get(
        f"{V1}/guide", params={"situation": PITCH, "detail": "full"}, headers={"Accept-Encoding": "identity"}
    )
    assert r.status_code == 200
    assert GuideOut.model_validate_json(r.content).model_dump_json().encode() == r.content
    assert r.json()["tensions"][0]["tension"]["id"] == "service-vs-sales"


def test_a_concept_asked_for_by_id_is_advised_on(client: TestClient) -> None:
    pole_asked = client.get(f"{V1}/guide", params={"concept": "farming"}).json()
    assert pole_asked["diagnosis"][0]["id"] == "hunting-vs-farming"
    assert pole_asked["diagnosis"][0]["lean"]["concept"] == "farming"
    assert pole_asked["moves"][0]["text"] == "Book prospecting time first."
    risk_asked = client.get(f"{V1}/guide", params={"concept": "employee-burnout"}).json()
    assert risk_asked["diagnosis"][0]["id"] == "service-vs-sales"


@pytest.mark.parametrize(
    ("question", "found"),
    [
        ("sick days rising", "employee-burnout"),
        ("calendar full of account reviews", "farming|hunting-vs-farming"),
        ("help turns into a sales pitch", "sales-orientation|service-vs-sales"),
    ],
)
def test_search_finds_a_concept_by_its_signals_and_signs(
    client: TestClient, question: str, found: str
) -> None:
    hits = client.get(f"{V1}/search", params={"q": question, "kind": "concept"}).json()["items"]
    assert hits and re.fullmatch(found, hits[0]["id"]), [h["id"] for h in hits]
