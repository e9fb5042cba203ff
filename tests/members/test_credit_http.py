"""The http credit provider against a fake bureau on 127.0.0.1 (its contract, docs/CREDIT_BUREAU.md)."""

import pytest

from members.credit import CreditProviderUnavailable, CreditRequest, CreditSubjectNotFound
from members.credit.http import HttpCreditProvider
from tests.members.conftest import FakeBureau

REQUEST = CreditRequest(member_id=7, id_number="310101199005121016", full_name="Li Wei", date_of_birth=None)


def test_it_returns_the_bureaus_score(fake_bureau: FakeBureau) -> None:
    fake_bureau.answer((200, {"score": 731, "reference": "bx-1"}, 0))

    answer = HttpCreditProvider().fetch(REQUEST)

    assert (answer.score, answer.reference) == (731, "bx-1")
    sent = fake_bureau.requests[0]
    assert sent["path"] == "/v1/scores"
    assert sent["headers"]["Authorization"] == "Bearer test-key"
    assert sent["body"]["id_number"] == "310101199005121016"
    assert sent["body"]["subject_ref"] == "member-7"


def test_it_retries_a_server_error_with_the_same_idempotency_key(fake_bureau: FakeBureau) -> None:
    fake_bureau.answer((503, {}, 0), (502, {}, 0), (200, {"score": 650, "reference": "x"}, 0))

    assert HttpCreditProvider().fetch(REQUEST).score == 650
    keys = {r["headers"]["Idempotency-Key"] for r in fake_bureau.requests}
    assert len(fake_bureau.requests) == 3
    assert len(keys) == 1


def test_it_gives_up_after_the_retries_and_says_try_later(fake_bureau: FakeBureau) -> None:
    fake_bureau.answer((500, {}, 0))

    with pytest.raises(CreditProviderUnavailable):
        HttpCreditProvider().fetch(REQUEST)
    assert len(fake_bureau.requests) == 3  # one try and two retries


def test_a_slow_bureau_times_out(fake_bureau: FakeBureau, settings) -> None:
    settings.CREDIT_HTTP_RETRIES = 0
    fake_bureau.answer((200, {"score": 700}, 1.5))

    with pytest.raises(CreditProviderUnavailable):
        HttpCreditProvider().fetch(REQUEST)


def test_a_bureau_that_is_down_is_unavailable(settings) -> None:
    settings.CREDIT_HTTP_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.CREDIT_HTTP_RETRIES = 1
    settings.CREDIT_HTTP_BACKOFF_SECONDS = 0.01

    with pytest.raises(CreditProviderUnavailable):
        HttpCreditProvider().fetch(REQUEST)


def test_no_file_at_the_bureau_is_not_retried(fake_bureau: FakeBureau) -> None:
    fake_bureau.answer((404, {"error": "not_found"}, 0))

    with pytest.raises(CreditSubjectNotFound):
        HttpCreditProvider().fetch(REQUEST)
    assert len(fake_bureau.requests) == 1


def test_a_refused_key_is_not_retried(fake_bureau: FakeBureau) -> None:
    fake_bureau.answer((401, {"error": "bad key"}, 0))

    with pytest.raises(CreditProviderUnavailable):
        HttpCreditProvider().fetch(REQUEST)
    assert len(fake_bureau.requests) == 1


@pytest.mark.parametrize(
    "body",
    [b"<html>oops</html>", {"reference": "no score"}, {"score": 1200}, {"score": "720"}, {"score": True}],
)
def test_a_malformed_answer_is_never_taken_as_a_score(fake_bureau: FakeBureau, body: object) -> None:
    fake_bureau.answer((200, body, 0))

    with pytest.raises(CreditProviderUnavailable):
        HttpCreditProvider().fetch(REQUEST)


def test_without_a_url_it_is_unavailable_not_a_crash(settings) -> None:
    settings.CREDIT_HTTP_URL = ""

    with pytest.raises(CreditProviderUnavailable):
        HttpCreditProvider()
