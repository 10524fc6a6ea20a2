"""Classifier benchmark: start-up time, RSS, reports/s on one core, latency percentiles, and
the router's cost per report against plain ``jieba.lcut`` on the same dev.tsv messages.

Run: ``python benchmarks/classifier_bench.py [--seconds 5]``. Reports are built from sentences
written for the benchmark (typical 12345 length, 60-300 characters), not from any data set.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

OPENINGS = [
    "尊敬的领导：",
    "您好，",
    "我是大祥区居民，",
    "我代表选区群众反映：",
    "",
    "邵东市廉桥镇村民反映，",
]
ISSUES = [
    "小区门口的流动摊贩占道经营，早晚高峰车辆无法通行，城管来了就跑，走了又回来",
    "包工头拖欠我们二十多个农民工的工资，总共十几万元，找了劳动监察也没有结果",
    "孩子今年该上小学，户口和房子都在学区内，学校却说学位已满让我们去很远的学校",
    "楼下烧烤店每天营业到凌晨三点，油烟和噪音扰民，老人孩子都睡不好觉",
    "附近的化工厂晚上偷排废水，河水发黑发臭，鱼都死了",
    "我们这一片这个月停电五次，电压也不稳，冰箱都烧坏了，供电所电话打不通",
    "小区电梯经常停运，维保单位说要等配件，老人上下楼非常困难",
    "异地就医的住院费用回来报销，医保窗口说材料不全，到底需要哪些材料",
    "农村公路修了一半就停工，路面坑坑洼洼，下雨天学生上学很危险",
    "公交站台被拆了以后一直没有恢复，群众等车只能站在马路边",
    "菜市场有商贩缺斤少两，投诉到市场监管所也没人处理",
    "村里低保评定不公开，真正困难的家庭评不上",
]
ENDINGS = ["希望有关部门尽快处理。", "请相关部门调查处理，谢谢！", "", "盼复。", "恳请领导重视！"]


def reports(n: int, seed: int = 1) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    combos = list(itertools.product(OPENINGS, ISSUES, ENDINGS))
    out = []
    for _ in range(n):
        o, i, e = rng.choice(combos)
        extra = "，".join(rng.sample(ISSUES, rng.randint(0, 2)))
        out.append((i[:12], f"{o}{i}。{extra}{e}"))
    return out


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2, help="rounds over dev.tsv vs jieba")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    rss0 = rss_mb()
    t0 = time.perf_counter()
    from classifiers import load_router

    router = load_router()
    startup = time.perf_counter() - t0
    rss1 = rss_mb()
    data = reports(500)
    for title, text in data[:50]:  # warm the fuzzy cache like a running bot
        router.classify(text, title=title)
    lat = []
    chars = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    for title, text in itertools.cycle(data):
        t = time.perf_counter()
        router.classify(text, title=title)
        lat.append(time.perf_counter() - t)
        chars += len(text) + len(title)
        if time.perf_counter() - start > args.seconds:
            break
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    lat.sort()
    pct = lambda q: 1000 * lat[min(len(lat) - 1, int(q * len(lat)))]  # noqa: E731
    print(f"classifier {router.version}")
    print(f"start-up (tokenizer + directory + model): {startup:.2f} s")
    print(f"RSS: {rss1:.0f} MB after load ({rss1 - rss0:.0f} MB for the classifier)")
    print(f"reports: {len(lat)} in {total:.2f} s, avg {chars / len(lat):.0f} chars")
    print(f"throughput: {len(lat) / total:,.0f} reports/s on one core")
    print(f"latency: p50 {pct(0.5):.2f} ms, p90 {pct(0.9):.2f} ms, p99 {pct(0.99):.2f} ms")
    # Wall-clock figures count the time other processes held this core; CPU time does not.
    print(f"CPU: {len(lat) / cpu:,.0f} reports per CPU second ({cpu / total:.0%} of the core)")
    against_jieba(router, args.rounds)
    return 0


def dev_messages(limit: int = 1000) -> list[tuple[str, str]]:
    """(title, text) of ../shared/data/dev.tsv (read, never copied), else the built reports."""
    from classifiers.datasets import SHARED_DATA, read_tsv

    path = SHARED_DATA / "dev.tsv"
    if not path.is_file():
        return reports(limit)
    return [(r.title, r.text) for r in read_tsv(path)[:limit]]


def against_jieba(router: object, rounds: int) -> None:
    """The router's cost per report against plain ``jieba.lcut`` of the same messages (title
    and text), in one run, interleaved round by round so that both see the same machine."""
    import jieba

    classify = router.classify  # type: ignore[attr-defined]
    messages = dev_messages()
    jieba.initialize()
    for title, text in messages[:50]:  # warm both
        classify(text, title=title)
        jieba.lcut(title)
        jieba.lcut(text)
    cut_time = route_time = 0.0
    lat: list[float] = []
    per_round = []
    for _ in range(rounds):
        t0 = time.process_time()
        for title, text in messages:
            jieba.lcut(title)
            jieba.lcut(text)
        cut = time.process_time() - t0
        routed = 0.0
        for title, text in messages:
            t = time.perf_counter()
            c0 = time.process_time()
            classify(text, title=title)
            routed += time.process_time() - c0
            lat.append(time.perf_counter() - t)
        cut_time += cut
        route_time += routed
        per_round.append(f"{routed / max(cut, 1e-9):.2f}x")
    n = len(messages) * rounds
    lat.sort()
    p99 = 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))]
    print(
        f"dev.tsv messages: {len(messages)} x {rounds} rounds, "
        f"avg {sum(len(a) + len(b) for a, b in messages) / len(messages):.0f} chars"
    )
    print(
        f"per report (CPU): jieba.lcut {1000 * cut_time / n:.2f} ms, "
        f"router.classify {1000 * route_time / n:.2f} ms "
        f"= {route_time / max(cut_time, 1e-9):.2f}x jieba.lcut (target <= 1.0x)"
    )
    print(f"per round: {', '.join(per_round)} (the first one meets every word for the first time)")
    print(f"router P99 per report: {p99:.2f} ms (wall clock)")


if __name__ == "__main__":
    raise SystemExit(main())
