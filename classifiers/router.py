"""The Router: one classify() call gives department, category, confidence and all signals."""

from __future__ import annotations

import threading
from pathlib import Path

from . import modelfile
from .calibration import DEFAULT_CALIBRATION, RoutingCalibration
from .catalogue import Catalogue, load_catalogue, parse_catalogue
from .directory import Directory, load_directory
from .evidence import EvidenceBuilder
from .lexicon import AliasMatcher
from .markup import strip_markup
from .places import PlaceFinder
from .routing import RouteScorer, RouteScores
from .scoring import Scorer, margin
from .signals import appeal_type, urgency
from .text import TextAnalyzer, directory_terms
from .training import ModelPair
from .types import Candidate, Classification, MatterMatch

# Used when the model file carries no calibration; `train` stores the cross-validated one.
DEFAULT_THRESHOLD = DEFAULT_CALIBRATION.threshold
MAX_CHARS = 20000  # longer input is cut: a report is never this long, and time stays bounded
_MATTERS_SHOWN = 5
_WORDS_SHOWN = 4


class Router:
    """The 派单目录 first, a named unit strongly, the learned model as the prior
    (``routing.py``); confidence from the calibration ``train`` fitted by cross-validation."""

    def __init__(
        self,
        directory: Directory,
        analyzer: TextAnalyzer,
        version: str,
        pair: ModelPair,
        threshold: float | None = None,
        catalogue: Catalogue | None = None,
    ) -> None:
        self.directory = directory
        self.analyzer = analyzer
        self.version = version
        self.pair = pair
        self.calibration: RoutingCalibration = pair.routing or DEFAULT_CALIBRATION
        self.threshold = self.calibration.threshold if threshold is None else threshold
        self.catalogue = catalogue or load_catalogue(directory, complete=False)
        self.scorer = Scorer(directory, pair.category, pair.department, AliasMatcher(directory))
        self.routes = RouteScorer(directory, self.catalogue, analyzer, self.scorer)
        self.places = PlaceFinder(directory)
        self.evidence = EvidenceBuilder(self.scorer)

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
        text = strip_markup(TextAnalyzer.clean(text)[:MAX_CHARS])
        title = strip_markup(TextAnalyzer.clean(title)[:MAX_CHARS])
        analyzer = self.analyzer
        t_words, b_words = analyzer.words(title), analyzer.words(text)
        t_tokens, b_tokens = analyzer.content(t_words), analyzer.content(b_words)
        scores = self.routes.score(t_words, b_words, t_tokens, b_tokens, f"{title} {text}")
        learned = scores.learned
        cat_model = self.scorer.cat
        c_best, c_margin = margin(learned.category_scores)
        category = cat_model.classes[c_best] if c_best >= 0 else ""
        candidates = self._candidates(scores, max(1, top_k))
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
            auto_route=best.confidence >= self.threshold and self._routable(scores),
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
            matters=self._matters(scores),
        )

    def _routable(self, scores: RouteScores) -> bool:
        """A unit the model has not learned (added in the console since ``train``) is
        auto-routed only on a matter of its own; on its name alone it is a suggestion."""
        code = scores.codes[0]
        return self.scorer.is_learned(code) or code in scores.by_unit

    def _matters(self, scores: RouteScores) -> list[MatterMatch]:
        out = []
        for h in scores.hits[:_MATTERS_SHOWN]:
            unit = (
                self.directory.department(h.matter.unit)
                if self.directory.has_department(h.matter.unit)
                else None
            )
            out.append(
                MatterMatch(
                    h.matter.id,
                    h.matter.name,
                    h.matter.unit,
                    unit.name if unit else h.matter.unit,
                    h.matter.area,
                    h.score,
                    h.words[:_WORDS_SHOWN],
                )
            )
        return out

    def _candidates(self, scores: RouteScores, top_k: int) -> list[Candidate]:
        order = scores.codes[:top_k]
        conf_best = self.calibration.confidence(scores.features())
        if not scores.supported():
            # neither a matter nor a naming: only the learned model speaks, and its own
            # calibrated confidence (cross-validated at `train`) is what it is worth
            _, m = margin(scores.learned.department_scores)
            conf_best = min(conf_best, self.scorer.dep.confidence(m))
        if not self._routable(scores):  # a suggestion to confirm: never above the bar
            conf_best = min(conf_best, max(0.0, self.threshold - 0.01))
        reasons = self.evidence.for_units(scores, order)
        out = []
        for rank, code in enumerate(order):
            info = self.directory.department(code)
            if rank == 0:
                conf = conf_best
            else:  # a runner-up: how sure we would be of it, given its gap to the best
                gap = scores.total[order[0]] - scores.total[code]
                conf = min(1.0 - conf_best, self.calibration.confidence([-gap, 0.0, 0.0, 0.0]))
            out.append(
                Candidate(
                    code,
                    info.name,
                    round(scores.total[code], 4),
                    round(conf, 4),
                    reasons[code],
                )
            )
        return out


def load_router(
    model_path: Path | None = None,
    threshold: float | None = None,
    directory: Directory | None = None,
    analyzer: TextAnalyzer | None = None,
    catalogue: Catalogue | None = None,
) -> Router:
    """Build the tokenizer, load the directory, the 派单目录 and the newest model. Call once at
    start-up: the shipped catalogue is validated against the shipped directory here."""
    shipped = directory is None
    directory = directory or load_directory()
    if catalogue is None:
        catalogue = load_catalogue(directory, complete=shipped)
    analyzer = analyzer or TextAnalyzer(directory)
    version, pair = modelfile.load(model_path or modelfile.newest_model())
    return Router(directory, analyzer, version, pair, threshold, catalogue)


class RouterHolder:
    """Keeps the current Router; ``reload()`` swaps in a new one (the newest model on SIGHUP,
    the database's directory after an admin's edit) while calls in flight finish on the old
    one. The tokenizer is rebuilt only when the directory's words changed."""

    def __init__(
        self,
        router: Router | None = None,
        model_path: Path | None = None,
        threshold: float | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._model_path = model_path
        self._threshold = threshold  # None: the model's calibrated threshold
        self._router = router or load_router(model_path, threshold)

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
            analyzer = (
                old.analyzer
                if same_words
                else TextAnalyzer(directory, catalogue_terms=old.analyzer.catalogue_terms)
            )
            catalogue = parse_catalogue(old.catalogue.documents(), directory, complete=False)
            if model:
                self._router = load_router(
                    self._model_path, self._threshold, directory, analyzer, catalogue
                )
            else:
                self._router = Router(
                    directory, analyzer, old.version, old.pair, self._threshold, catalogue
                )
            return self._router.version

    def reload_catalogue(self, documents: list[dict[str, object]]) -> str:
        """Swap in a Router over an edited 派单目录 (one ``{"unit", "matters"}`` document per
        unit, as the files hold them), same directory and model; the tokenizer is rebuilt only
        when the terms changed. Invalid documents raise CatalogueError and the old Router
        stays. Returns the new catalogue's version."""
        with self._lock:
            old = self._router
            catalogue = parse_catalogue(documents, old.directory, complete=False)
            terms = sorted(set(catalogue.words()))
            same = terms == sorted(old.analyzer.catalogue_terms)
            analyzer = old.analyzer if same else TextAnalyzer(old.directory, catalogue_terms=terms)
            self._router = Router(
                old.directory, analyzer, old.version, old.pair, self._threshold, catalogue
            )
            return catalogue.version
