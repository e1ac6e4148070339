"""The graph side of issue 17: Idempotency-Key claims, request-id claims, and formation status
moves, each against the real Neo4j."""

from __future__ import annotations

import threading

import neo4j
import pytest

from graph_schema import NotFoundError
from graph_schema import apikeys as K
from graph_schema.errors import AlreadyExistsError, TransitionError
from graph_schema.formation_queries import (
    claim_request,
    discard_request,
    get_formation,
    save_formation,
    set_status,
)


def test_an_idempotency_key_is_held_by_one_caller_until_finished_or_released(
    graph: neo4j.Driver,
) -> None:
    first = K.claim_idempotency(graph, "k1", "req", "h1")
    assert isinstance(first, K.IdempotencyClaim)
    second = K.claim_idempotency(graph, "k1", "req", "h1")
    assert isinstance(second, K.IdempotencyInProgress) and second.request_hash == "h1"
    assert 0 < second.seconds_left <= K.CLAIM_LEASE_S
    # Another API key has its own keys.
    assert isinstance(K.claim_idempotency(graph, "k2", "req", "h1"), K.IdempotencyClaim)

    K.release_idempotency(graph, "k1", "req", first)
    assert K.read_idempotency(graph, "k1", "req") is None
    again = K.claim_idempotency(graph, "k1", "req", "h1")
    assert isinstance(again, K.IdempotencyClaim)
    assert not K.finish_idempotency(graph, "k1", "req", first, 201, {})  # an old token
    assert K.finish_idempotency(graph, "k1", "req", again, 201, {"id": "x"})
    assert K.claim_idempotency(graph, "k1", "req", "h1") == K.IdempotencyRecord(
        "h1", 201, {"id": "x"}
    )


def test_parallel_claims_of_one_key_have_one_winner(graph: neo4j.Driver) -> None:
    n = 8
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def claim(i: int) -> None:
        barrier.wait()
        try:
            results[i] = K.claim_idempotency(graph, "k1", "race", "h")
        except Exception as exc:  # shown by the assertions below
            results[i] = exc

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(isinstance(r, K.IdempotencyClaim) for r in results) == 1, results
    assert sum(isinstance(r, K.IdempotencyInProgress) for r in results) == n - 1, results


def test_an_expired_claim_is_taken_over(graph: neo4j.Driver) -> None:
    dead = K.claim_idempotency(graph, "k1", "stale", "h", lease_s=-1)
    assert isinstance(dead, K.IdempotencyClaim)
    taken = K.claim_idempotency(graph, "k1", "stale", "h")
    assert isinstance(taken, K.IdempotencyClaim) and taken != dead
    assert not K.finish_idempotency(graph, "k1", "stale", dead, 201, {})


def test_a_request_id_is_claimed_once_and_discarded_with_its_formations(
    graph: neo4j.Driver,
) -> None:
    claim_request(graph, "demand", "D-new")
    with pytest.raises(AlreadyExistsError):
        claim_request(graph, "demand", "D-new")
    claim_request(graph, "topic", "D-new")  # another kind, another id space
    save_formation(graph, "team", "TEAM-x", "D-new", [])
    discard_request(graph, "demand", "D-new")
    n = graph.execute_query("MATCH (n) WHERE n:Demand OR n:Team RETURN count(n) AS n").records[0][
        "n"
    ]
    assert n == 0


def test_formation_status_moves(graph: neo4j.Driver) -> None:
    graph.execute_query("CREATE (:Demand {id: 'D'})")
    save_formation(graph, "team", "T1", "D", [])
    with pytest.raises(NotFoundError):
        set_status(graph, "T1", "confirmed", kind="panel")
    assert set_status(graph, "T1", "confirmed", kind="team") == "proposed"
    assert set_status(graph, "T1", "confirmed") == "confirmed"  # a no-op
    assert set_status(graph, "T1", "declined") == "confirmed"
    with pytest.raises(TransitionError, match="declined and cannot become confirmed"):
        set_status(graph, "T1", "confirmed")
    with pytest.raises(TransitionError):
        set_status(graph, "T1", "proposed")
    rec = get_formation(graph, "T1", kind="team")
    assert rec.status == "declined" and "_lock" not in rec.props
    with pytest.raises(NotFoundError):
        get_formation(graph, "T1", kind="consortium")
