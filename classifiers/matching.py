"""Candidate matters of the 派单目录 for one report: exact term hits, word overlap with the
typical phrasings, and rapidfuzz over the phrasings of the few best candidates.

Everything is precomputed at build time (term table, word postings, word weights), so a report
costs one dict lookup per distinct word plus a handful of rapidfuzz calls: no loop over the
catalogue's 500 matters or 3,000 phrasings.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from .catalogue import Catalogue, Matter

# Words a phrasing uses that say nothing about which matter it is (they stay in the phrasing
# but weigh nothing): generic verbs of complaint, quantities, time and place words.
GENERIC_WORDS = frozenset(
    """问题 情况 反映 投诉 举报 咨询 建议 求助 希望 要求 请求 处理 解决 办理 部门 有关 相关 单位
    严重 影响 群众 居民 市民 老百姓 大家 附近 周边 这里 那里 这边 这条 这家 一家 那家 家里 我家
    小区 地方 门口 旁边 每天 天天 经常 一直 总是 还是 没有 不能 不会 不是 一个 很多 好多 多次 几次
    时间 现在 晚上 白天 早上 半夜 凌晨 最近 之前 以后 多久 怎么 怎么办 为什么 什么 哪里 谁 能不能
    可不可以 是不是 有没有 需要 应该 到底 已经 一下 一些 出来 起来 过来 进去 说 问 找 去
    来 看 想 做
    让 弄 搞 管 没人管 不管 不理 反复 多年 好几 几个 多少 东西 事情 事 人 钱 路 街 市 县 区 镇 村
    家 里 上 下 前 后 边 天 年 月 号 次 个 多 少 大 小 新 老 好 坏 不 没 一 二 三 两 几 到
    开 打 用 过 走
    拿 加 交 发 给 跟 和 同 被 把 在 又 还 也 都 才 就 只 太 更 最 真 全 快 慢 高 低 长 短
    多 每 点 些 吃
    住 买 卖 收 要 能 会 可 让 叫 等 得 地 着 完 成 回 出 进 起 对 向 往 从 自己 别人 有人
    他们 人家""".split()
)
TERM_WEIGHT = 1.0  # one exact term names the matter
PHRASING_WEIGHT = 0.8  # a phrasing whose words are all in the report
BAG_WEIGHT = 0.8  # the matter's other words found in the report, relative to the best
FUZZ_BONUS = 0.3  # a phrasing found almost verbatim (rapidfuzz partial_ratio >= FUZZ_CUTOFF)
FUZZ_CUTOFF = 88.0
BAG_ONLY_WORDS = 2  # words a matter needs in the report to be a candidate without a term
MIN_COVERAGE = 0.75  # share (by weight) of a phrasing's words the report must contain
_FUZZ_MATTERS = 3
_MAX_JOIN = 6  # a term cut in two by jieba is found by joining neighbours up to this length


@dataclass(frozen=True, slots=True)
class MatterHit:
    """A candidate matter with its score and the report's words that matched it."""

    matter: Matter
    score: float
    words: tuple[str, ...]  # whole report words (terms first), in report order
    terms: tuple[str, ...]  # the exact term hits among them


class CatalogueMatcher:
    def __init__(self, catalogue: Catalogue, tokenize: Callable[[str], list[str]]) -> None:
        self.catalogue = catalogue
        self.matters = catalogue.matters
        n = max(len(self.matters), 1)
        self._terms: dict[str, tuple[int, ...]] = {}
        table: dict[str, set[int]] = {}
        for i, m in enumerate(self.matters):
            for t in m.terms:
                table.setdefault(t.lower(), set()).add(i)
        self._terms = {t: tuple(sorted(ix)) for t, ix in table.items()}
        self._term_lens = sorted({len(t) for t in self._terms})
        self._term_prefixes = frozenset(t[:k] for t in self._terms for k in range(1, len(t)))
        # phrasings as content words; word weights = inverse matter frequency
        phr_words: list[list[tuple[str, tuple[str, ...]]]] = []
        df: dict[str, set[int]] = {}
        for i, m in enumerate(self.matters):
            mine = []
            for p in m.phrasings:
                words = tuple(dict.fromkeys(w for w in tokenize(p) if w not in GENERIC_WORDS))
                if words:
                    mine.append((p, words))
                for w in words:
                    df.setdefault(w, set()).add(i)
            for t in m.terms:
                df.setdefault(t.lower(), set()).add(i)
            phr_words.append(mine)
        self.weight = {w: math.log(1.0 + n / len(ix)) for w, ix in df.items()}
        self._phrasings: list[tuple[int, str, tuple[str, ...], float]] = []
        postings: dict[str, list[tuple[int, int, float]]] = {}
        bag: dict[str, list[int]] = {}
        for i, m in enumerate(self.matters):
            for text, words in phr_words[i]:
                pid = len(self._phrasings)
                total = sum(self.weight[w] for w in words)
                self._phrasings.append((i, text, words, total))
                for w in words:
                    postings.setdefault(w, []).append((pid, i, self.weight[w] / total))
            for w in {w for _, ws in phr_words[i] for w in ws} | {t.lower() for t in m.terms}:
                bag.setdefault(w, []).append(i)
        # One id per word; per word the phrasings it is in (with its share of each) and the
        # matters whose bag holds it, as arrays: a report is scored by two bincounts.
        vocab = sorted(set(postings) | set(bag))
        self._vocab = {w: i for i, w in enumerate(vocab)}
        empty_i, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0)
        self._p_idx = [
            np.array([p[0] for p in postings.get(w, ())], dtype=np.int64) for w in vocab
        ]
        self._p_share = [np.array([p[2] for p in postings.get(w, ())]) for w in vocab]
        self._b_idx = [np.array(bag.get(w, ()), dtype=np.int64) for w in vocab]
        self._b_w = [np.full(len(bag.get(w, ())), self.weight.get(w, 0.0)) for w in vocab]
        self._empty = (empty_i, empty_f)
        self._phr_matter = np.array([p[0] for p in self._phrasings], dtype=np.int64)
        self._matter_words = [
            frozenset({w for _, ws in phr_words[i] for w in ws} | {t.lower() for t in m.terms})
            for i, m in enumerate(self.matters)
        ]
        self._contained: dict[str, tuple[str, ...]] = {}
        self._fuzz_phrasings = [tuple(p for p in m.phrasings if len(p) >= 4) for m in self.matters]

    def _terms_in(self, token: str) -> tuple[str, ...]:
        """The terms a token is or contains (路灯杆 → 路灯杆, 路灯), cached per token."""
        hit = self._contained.get(token)
        if hit is None:
            found = []
            for k in self._term_lens:
                if k > len(token):
                    break
                for s in range(len(token) - k + 1):
                    sub = token[s : s + k]
                    if sub in self._terms:
                        found.append(sub)
            hit = tuple(sorted(dict.fromkeys(found), key=len, reverse=True))
            if len(self._contained) > 50000:
                self._contained.clear()
            self._contained[token] = hit
        return hit

    def match(self, tokens: Sequence[str], text: str, top: int = 8) -> list[MatterHit]:
        """Candidate matters, best first; ``tokens`` are the report's content words (one
        segmentation), ``text`` the cleaned report for the rapidfuzz check."""
        words = list(dict.fromkeys(tokens))
        found_terms: dict[str, None] = {}
        terms_in = self._terms_in
        for w in words:
            for t in terms_in(w):
                found_terms[t] = None
        prefixes, terms = self._term_prefixes, self._terms
        n_tok = len(tokens)
        for i in [i for i, tok in enumerate(tokens) if tok in prefixes]:
            joined = tokens[i]  # a term jieba cut in two (or three)
            for j in range(i + 1, min(n_tok, i + 3)):
                joined += tokens[j]
                if len(joined) > _MAX_JOIN:
                    break
                if joined in terms:
                    found_terms[joined] = None
                if joined not in prefixes:
                    break
        present = list(dict.fromkeys([*words, *found_terms]))
        vocab = self._vocab
        ids = [i for i in (vocab.get(w) for w in present) if i is not None]
        if not ids:
            return []
        n_matters = len(self.matters)
        p_idx = np.concatenate([self._p_idx[i] for i in ids])
        phr_score = np.zeros(n_matters)
        if len(p_idx):
            cover = np.bincount(
                p_idx,
                np.concatenate([self._p_share[i] for i in ids]),
                minlength=len(self._phr_matter),
            )
            good = np.flatnonzero(cover >= MIN_COVERAGE)
            np.maximum.at(phr_score, self._phr_matter[good], cover[good])
        b_idx = np.concatenate([self._b_idx[i] for i in ids])
        if not len(b_idx):
            return []
        bag = np.bincount(b_idx, np.concatenate([self._b_w[i] for i in ids]), minlength=n_matters)
        bag_count = np.bincount(b_idx, minlength=n_matters)
        weight = self.weight
        term = np.zeros(n_matters)
        term_words: dict[int, list[str]] = {}
        for t in found_terms:
            for mi in terms[t]:
                # the first term counts fully, more terms of the same matter a little more
                tw = TERM_WEIGHT * (0.25 if mi in term_words else 1.0)
                term[mi] += tw * min(1.0, weight[t] / 4.0 + 0.5)
                term_words.setdefault(mi, []).append(t)
        base = term + PHRASING_WEIGHT * phr_score
        # one ordinary shared word is not a candidate
        candidate = (base > 0.0) | (bag_count >= BAG_ONLY_WORDS)
        best_bag = float(bag.max())
        scores = np.where(candidate, base + BAG_WEIGHT * bag / best_bag, 0.0)
        n_cand = int(candidate.sum())
        if not n_cand:
            return []
        keep = min(n_cand, max(top, _FUZZ_MATTERS))
        order = np.argsort(-scores, kind="stable")[:keep].tolist()
        final = {mi: float(scores[mi]) for mi in order}
        # rapidfuzz: a phrasing written nearly verbatim (typos, a word changed) lifts a matter
        # that no exact term named; with a cutoff it stops early on a mismatch
        for mi in order[:_FUZZ_MATTERS]:
            if mi in term_words:
                continue
            for phrasing in self._fuzz_phrasings[mi]:
                if fuzz.partial_ratio(phrasing, text, score_cutoff=FUZZ_CUTOFF):
                    final[mi] += FUZZ_BONUS
                    break
        order = sorted(order, key=lambda mi: -final[mi])[:top]
        out = []
        present_set = frozenset(present)
        for mi in order:
            hit_terms = tuple(term_words.get(mi, ()))
            # the matter's words in the report, the rarest first (ties: alphabetical)
            rest = sorted(
                self._matter_words[mi].intersection(present_set).difference(hit_terms),
                key=lambda w: (-weight[w], w),
            )
            out.append(
                MatterHit(self.matters[mi], round(final[mi], 4), (*hit_terms, *rest), hit_terms)
            )
        return out
