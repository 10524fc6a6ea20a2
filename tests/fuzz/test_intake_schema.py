"""schemathesis against intake/openapi.yaml, on a real intake over loopback: generated valid
and invalid requests, signed with signature v2, give no server error and no answer the
document does not describe (status, content type, body schema).

`make test` runs a bounded sample; `make fuzz` runs ≥ 5,000 requests (FUZZ_EXAMPLES)."""

from __future__ import annotations

import asyncio
import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks

from intake import start_intake
from protocol.signing import signed_headers

SPEC = Path(__file__).parents[2] / "intake" / "openapi.yaml"
SECRET = "fuzz-secret"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))  # per operation and generation mode
# The harness signs requests, so it cannot show what the API does without authentication
# (tests/protocol and tests/intake/test_replay.py do), and valid-looking data the schema cannot
# describe fully (a known department code, a decodable JPEG) may rightly be refused with 422.
EXCLUDED = [checks.ignored_auth, checks.positive_data_acceptance]
SIGNATURE, TIMESTAMP = re.compile(r"v2=[0-9a-f]{64}"), re.compile(r"[0-9]{1,12}")


class Signer(requests.auth.AuthBase):
    """Signs what schemathesis generated with a well-formed signature; a malformed or missing
    one (negative cases) is sent as it is, and must be refused."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        headers = request.headers
        signature, stamp = str(headers.get("X-Signature", "")), str(headers.get("X-Timestamp", ""))
        if not (SIGNATURE.fullmatch(signature) and TIMESTAMP.fullmatch(stamp)):
            return request
        body = request.body or b""
        raw = body.encode() if isinstance(body, str) else bytes(body)  # type: ignore[arg-type]
        key = headers.get("Idempotency-Key")
        key = key.decode() if isinstance(key, bytes) else key
        path = request.path_url
        headers.update(signed_headers(SECRET, request.method or "GET", path, raw, key=key))
        return request


def fuzz(base_url: str, examples: int) -> tuple[int, Counter[str]]:
    schema = schemathesis.openapi.from_path(SPEC)
    session = requests.Session()
    tally = Counter[str]()
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # the document is valid
        if operation.method.upper() == "GET" and operation.path == "/openapi.yaml":
            continue  # no input to generate
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _cases(operation, mode, base_url, session, examples, tally)()
    sent = tally.pop("sent", 0)
    return sent, tally


def _cases(
    operation: schemathesis.APIOperation,
    mode: GenerationMode,
    base_url: str,
    session: requests.Session,
    examples: int,
    tally: Counter[str],
) -> Callable[[], None]:
    """The generated test of one operation in one mode; failures are counted, not raised."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        tally["sent"] += 1
        response = case.call(base_url=base_url, session=session, auth=Signer())
        try:
            case.validate_response(response, excluded_checks=EXCLUDED)
        except BaseException as error:  # a group of the checks that failed
            for failure in getattr(error, "exceptions", [error]):
                title = str(failure).splitlines()[0][:100]
                tally[f"{operation.label} {mode.value}: {title}"] += 1
                tally[f"  e.g. {case.as_curl_command()[:400]}"] += 0

    return run


async def test_generated_requests_get_no_server_error_and_only_documented_answers(
    tmp_path: Path,
) -> None:
    intake = await start_intake(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'intake.sqlite3'}",
        secret=SECRET,
        callback_url=None,
        media_dir=tmp_path / "media",
    )
    try:
        sent, failures = await asyncio.to_thread(fuzz, intake.base_url + "/api/v1", EXAMPLES)
    finally:
        await intake.close()
    print(f"schemathesis: {sent} requests, {sum(failures.values())} failures")
    assert not +failures, "\n".join(failures)  # + drops the example lines counted 0
    if sent < EXAMPLES:
        pytest.fail(f"only {sent} requests were generated")
