"""How real GeoReport v2 servers differ from our facade, switched on by tests.

Seen in the City of Helsinki's server (6aika/issue-reporting): `requested_datetime` and
`updated_datetime` come from two `now()` calls microseconds apart; a service that needs a
location answers HTTP 500 (a Django error page) when only `address_string` is sent; there is
no `tokens/{token}.json` and no `services/{code}.json`; errors are one `{"code", "detail"}`
object, not the spec's list. A server may also publish services whose definitions require
attributes (`metadata: true`), and refuse attributes it did not declare. Our facade follows
the spec by default; `start_intake(open311_quirks=Open311Quirks(...))` turns these on."""

from __future__ import annotations

from dataclasses import dataclass, field

# Two `now()` calls on create: what the Helsinki server stamps between them.
STAMP_GAP_MICROSECONDS = 37


@dataclass(frozen=True)
class Open311Quirks:
    stamps_apart: bool = False
    coordinates_required: bool = False  # 500 with an HTML page without lat/long
    no_tokens: bool = False  # POST answers the id; tokens/{token}.json is 404
    no_service_definitions: bool = False  # services/{code}.json is 404
    errors_as_objects: bool = False  # {"code", "detail"} instead of [{code, description}]
    strict_attributes: bool = False  # an attribute[...] no definition declares: 400
    # service_code → attribute codes its definition requires (metadata: true)
    required_attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ignore_idempotency_key: bool = False  # a repeated POST makes a second request
