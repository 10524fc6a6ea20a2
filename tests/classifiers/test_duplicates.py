from __future__ import annotations

from datetime import UTC, datetime, timedelta

from classifiers import CandidateReport, DuplicateFinder

NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
NEW = "双清区东风路菜市场门口流动摊贩占道经营，早上堵得车过不去"


def _cand(rid: str, text: str, days: float, district: str = "双清区", dept: str = "CG"):
    return CandidateReport(rid, text, district, dept, NOW - timedelta(days=days))


def test_similar_recent_report_is_offered() -> None:
    cands = [
        _cand("a", "东风路菜市场门口每天早上都有流动摊贩占道经营，车辆通行困难", 3),
        _cand("b", "东风路一家餐馆油烟直排，熏得楼上没法开窗", 2),
    ]
    hits = DuplicateFinder().find(NEW, "双清区", "CG", cands, now=NOW)
    assert [h.report_id for h in hits] == ["a"]
    assert 0.45 <= hits[0].score <= 1.0


def test_window_district_and_department_filter() -> None:
    same = "东风路菜市场门口每天早上都有流动摊贩占道经营，车辆通行困难"
    cands = [
        _cand("old", same, 45),  # outside the 30-day window
        _cand("other-district", same, 1, district="大祥区"),
        _cand("other-dept", same, 1, dept="JJ"),
        _cand("ok", same, 29),
    ]
    finder = DuplicateFinder(window=timedelta(days=30))
    assert [h.report_id for h in finder.find(NEW, "双清区", "CG", cands, now=NOW)] == ["ok"]
    wide = DuplicateFinder(window=timedelta(days=60))
    assert {h.report_id for h in wide.find(NEW, "双清区", "CG", cands, now=NOW)} == {"old", "ok"}


def test_naive_timestamps_and_empty_text() -> None:
    naive = CandidateReport("n", NEW, "双清区", "CG", datetime(2026, 5, 19, 10, 0))
    assert DuplicateFinder().find(NEW, "双清区", "CG", [naive], now=NOW)[0].report_id == "n"
    assert DuplicateFinder().find("", "双清区", "CG", [naive], now=NOW) == []
    assert DuplicateFinder().find(NEW, None, "CG", [naive], now=NOW) == []
