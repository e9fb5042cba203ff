"""Events pushed to our webhook: seq order, HMAC signature, retries, drop and duplicate faults."""

import json
import time

from tests.towersim.conftest import OPERATOR, SECRET, Receiver, call, events, move, vin, wait_for
from tower.protocol import signature, signature_is_valid


def started(start_tower, receiver: Receiver, seeded: dict, **kwargs):
    app = start_tower(webhook_url=receiver.url, max_backoff_s=0.2, **kwargs)
    call(app.url, "PUT", "/v1/inventory", {"bays": seeded}, OPERATOR)
    return app


def test_events_arrive_in_seq_order_signed_over_timestamp_and_body(start_tower, receiver, seeded) -> None:
    app = started(start_tower, receiver, seeded)
    body = move("retrieve", "L04-B03", "D1", vin(1))
    call(app.url, "POST", "/v1/commands", body)
    wait_for(lambda: len(receiver.deliveries) == 4)  # inventory_loaded, accepted, running, completed
    assert [e["seq"] for e in receiver.bodies()] == [1, 2, 3, 4]
    for headers, raw in receiver.deliveries:
        timestamp = headers["X-Tower-Timestamp"]
        expected = signature(SECRET, timestamp, raw)
        assert headers["X-Tower-Signature"] == expected
        assert signature_is_valid(SECRET, headers, raw)
        assert headers["X-Tower-Id"] == "t-test"
        assert headers["X-Tower-Event-Seq"] == str(json.loads(raw)["seq"])
    assert receiver.bodies() == events(app.url)


def test_the_signing_string_is_timestamp_dot_body() -> None:
    import hashlib
    import hmac

    body = b'{"seq":1}'
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature("k", "1700000000", body) == expected


def test_a_forged_or_stale_delivery_does_not_verify() -> None:
    body = b'{"seq":1}'
    now = time.time()
    fresh = {"X-Tower-Timestamp": str(int(now)), "X-Tower-Signature": signature(SECRET, str(int(now)), body)}
    assert signature_is_valid(SECRET, fresh, body)
    assert not signature_is_valid(SECRET, fresh, b'{"seq":2}')
    assert not signature_is_valid("other-secret", fresh, body)
    assert not signature_is_valid(SECRET, fresh, body, now=now + 301)


def test_a_failing_receiver_gets_the_event_again_later(start_tower, receiver, seeded) -> None:
    receiver.failures = 3
    started(start_tower, receiver, seeded)
    wait_for(lambda: receiver.deliveries)
    assert [e["kind"] for e in receiver.bodies()] == ["inventory_loaded"]


def test_dropped_webhooks_can_still_be_read_from_the_event_log(start_tower, receiver, seeded) -> None:
    app = started(start_tower, receiver, seeded)
    wait_for(lambda: len(receiver.deliveries) == 1)
    call(app.url, "POST", "/v1/faults/webhooks", {"drop": 2})
    body = move("retrieve", "L04-B03", "D1", vin(1))
    call(app.url, "POST", "/v1/commands", body)
    wait_for(lambda: len(receiver.deliveries) == 2)
    assert [e["seq"] for e in receiver.bodies()] == [1, 4]  # accepted (2) and running (3) dropped
    assert [e["seq"] for e in events(app.url, after=1)] == [2, 3, 4]


def test_duplicated_webhooks_arrive_twice_with_the_same_seq(start_tower, receiver, seeded) -> None:
    app = started(start_tower, receiver, seeded)
    wait_for(lambda: len(receiver.deliveries) == 1)
    call(app.url, "POST", "/v1/faults/webhooks", {"duplicate": 1})
    call(app.url, "POST", "/v1/commands", move("retrieve", "L04-B03", "D1", vin(1)))
    wait_for(lambda: len(receiver.deliveries) == 5)
    assert [e["seq"] for e in receiver.bodies()] == [1, 2, 2, 3, 4]


def test_events_page_with_after_and_limit(tower) -> None:
    call(tower.url, "POST", "/v1/commands", move("retrieve", "L04-B03", "D1", vin(1)))
    wait_for(lambda: len(events(tower.url)) == 4)
    page = call(tower.url, "GET", "/v1/events?after=1&limit=2")[1]
    assert [e["seq"] for e in page["events"]] == [2, 3]
    assert page["high_water_seq"] == 4
