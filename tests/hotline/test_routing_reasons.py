"""The hotline reads the router's reasons in the deputy's terms: a 派单目录 matter with the
report's words, a named unit, or a learned word; never a zero or negative weight."""

from __future__ import annotations

from bot.hotline.outbox.requests import routing_of
from storage.models import RoutingDecision, RoutingMethod


def test_matter_named_unit_and_word_reasons() -> None:
    decision = RoutingDecision(
        report_id=1,
        classifier_version="clf-test",
        tokens=[],
        candidates=[
            {
                "department_code": "CG",
                "confidence": 0.62,
                "evidence": [
                    {
                        "term": "路灯",
                        "matched": "路灯不亮或损坏",
                        "weight": 1.6,
                        "source": "matter",
                        "words": ["路灯", "坏了"],
                    },
                    {"term": "城管", "matched": "城管", "weight": 0.9, "source": "alias"},
                    {"term": "修复", "matched": "修复", "weight": 0.1, "source": "lexicon"},
                    {"term": "解放路", "matched": "解放路", "weight": -0.2, "source": "lexicon"},
                ],
            }
        ],
        confidence=0.62,
        method=RoutingMethod.SUGGESTED,
        decided_by="classifier",
    )
    routing = routing_of(decision, "CG")
    assert routing is not None and routing.unsure
    assert routing.reasons == ("“路灯”“坏了”→ 事项“路灯不亮或损坏”", "点名“城管”", "修复")
