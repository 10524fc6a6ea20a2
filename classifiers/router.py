"""The Router: one classify() call gives department, category, confidence and all signals."""

from __future__ import annotations

import threading
from pathlib import Path

from . import modelfile
from .directory import Directory, load_directory
from .lexicon import AliasMatcher
from .linear import calibrated
from .places import PlaceFinder
from .scoring import CATEGORY_WEIGHT, Scored, Scorer, margin
from .signals import appeal_type, urgency
from .text import TextAnalyzer, directory_terms
from .training import ModelPair
from .types import Candidate, Classification, Evidence

DEFAULT_THRESHOLD = 0.82  # 5-fold CV on dev.tsv categories: 80% auto-routed at 0.954 precision
MAX_CHARS = 20000  # longer input is cut: a report is never this long, and time stays bounded
_EVIDENCE_TERMS = 5


class Router:
    def __init__(
        self,
        directory: Directory,
        analyzer: TextAnalyzer,
        version: str,
        pair: ModelPair,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.directory = directory
        self.analyzer = analyzer
        self.version = version
        self.threshold = threshold
        self.pair = pair
        self.scorer = Scorer(directory, pair.category, pair.department, AliasMatcher(directory))
        self.places = PlaceFinder(directory)

    def classify(
        self,
        text: str,
        title: str | None = None,
        location: tuple[float, float] | None = None,
        top_k: int = 3,
        address: str | None = None,
    ) -> Classification:
        """`address`: where it happened, read for the district and town only: the names of
        streets and 街道 say where, not what (街道 would otherwise pull to the 街道办事处)."""
        text = TextAnalyzer.clean(text)[:MAX_CHARS]
        title = TextAnalyzer.clean(title)[:MAX_CHARS]
        t_tokens, b_tokens = self.analyzer.tokens(title), self.analyzer.tokens(text)
        scored = self.scorer.score(t_tokens, b_tokens)
        cat_model = self.scorer.cat
        c_best, c_margin = margin(scored.category_scores)
        category = cat_model.classes[c_best] if c_best >= 0 else ""
        candidates = self._candidates(scored, max(1, top_k))
        best = candidates[0]
        appeal, appeal_ev = appeal_type(title, text)
        level, urgent_ev, emergency = urgency(title, text)
        district, town = self.places.find(f"{title} {text}\n{address or ''}", location)
        return Classification(
            version=self.version,
            tokens=[*t_tokens, *b_tokens],
            candidates=candidates,
            department_code=best.department_code,
            department_name=best.department_name,
            confidence=best.confidence,
            # a unit the model has not learned yet is suggested on its name, never auto-routed
            auto_route=best.confidence >= self.threshold
            and self.scorer.is_learned(best.department_code),
            category=category,
            category_confidence=round(cat_model.confidence(c_margin), 4),
            appeal_type=appeal,
            appeal_evidence=appeal_ev,
            urgency=level,
            urgency_evidence=urgent_ev,
            emergency=emergency,
            district=district,
            town=town,
            threshold=self.threshold,
        )

    def _candidates(self, scored: Scored, top_k: int) -> list[Candidate]:
        scorer = self.scorer
        dep, cat = scorer.dep, scorer.cat
        scores = scored.department_scores
        order = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)[:top_k]
        # model columns of the learned departments among them (added units have no terms)
        cols = {i: scorer.columns[i] for i in order if i < scorer.learned}
        dep_terms = dep.contributions(scored.department_vec, list(cols.values()), _EVIDENCE_TERMS)
        cat_idx = sorted({ci for i in order if (ci := scorer.dep_cat[i]) is not None})
        cat_terms = cat.contributions(scored.category_vec, cat_idx, 3)
        ranked = sorted(scores, reverse=True)
        out = []
        for i in order:
            # the rival of the best is the runner-up; of any other, the best
            rival = ranked[1] if scores[i] >= ranked[0] and len(ranked) > 1 else ranked[0]
            conf = round(calibrated(scores[i] - rival, dep.calibration), 4)
            code = scorer.codes[i]
            info = self.directory.department(code)
            ev = list(scored.aliases.get(code, [])[:2])
            terms = dep_terms[cols[i]] if i in cols else []
            ev += [Evidence(t, info.name, w, "lexicon") for t, w in terms]
            ci = scorer.dep_cat[i]
            if ci is not None:
                c_score = round(CATEGORY_WEIGHT * scored.category_scores[ci], 4)
                ev.append(Evidence(info.category, info.category, c_score, "category"))
                ev += [Evidence(t, info.category, w, "lexicon") for t, w in cat_terms[ci]]
            out.append(Candidate(code, info.name, round(scores[i], 4), conf, ev))
        return out


def load_router(
    model_path: Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    directory: Directory | None = None,
    analyzer: TextAnalyzer | None = None,
) -> Router:
    """Build the tokenizer, load the directory and the newest model. Call once at start-up."""
    directory = directory or load_directory()
    analyzer = analyzer or TextAnalyzer(directory)
    version, pair = modelfile.load(model_path or modelfile.newest_model())
    return Router(directory, analyzer, version, pair, threshold)


class RouterHolder:
    """Keeps the current Router; ``reload()`` swaps in a new one (the newest model on SIGHUP,
    the database's directory after an admin's edit) while calls in flight finish on the old
    one. The tokenizer is rebuilt only when the directory's words changed."""

    def __init__(self, router: Router | None = None, model_path: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._model_path = model_path
        self._router = router or load_router(model_path)

    @property
    def router(self) -> Router:
        return self._router

    def classify(
        self,
        text: str,
        title: str | None = None,
        location: tuple[float, float] | None = None,
        top_k: int = 3,
        address: str | None = None,
    ) -> Classification:
        return self._router.classify(
            text, title=title, location=location, top_k=top_k, address=address
        )

    def reload(self, directory: Directory | None = None, *, model: bool = True) -> str:
        """Swap in a Router over ``directory`` (default: the shipped files) and the newest model
        (``model=False``: keep the current one); return the model version. On error the old
        Router stays."""
        with self._lock:
            old = self._router
            directory = directory or load_directory()
            same_words = set(directory_terms(directory)) == set(directory_terms(old.directory))
            analyzer = old.analyzer if same_words else TextAnalyzer(directory)
            if model:
                self._router = load_router(self._model_path, old.threshold, directory, analyzer)
            else:
                self._router = Router(directory, analyzer, old.version, old.pair, old.threshold)
            return self._router.version
