"""Shadow scoring: the candidate models score each request again after its response is sent,
and the shadow log keeps their answers beside the promoted ones.

Nothing here may fail or slow a request. Candidates load beside the ones in use and replace
them in one reference assignment, as the hot swap does; a load that fails keeps the previous
candidates, and a scoring that fails is logged and dropped.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from incident_intel.scoring.candidates import candidate_versions
from incident_intel.scoring.promoted import PromotedModels
from incident_intel.scoring.scorer import IncidentScorer, as_records
from incident_intel.scoring.service import ScoringInputs
from incident_intel.shadow.log import ShadowLog
from incident_intel.shadow.rows import shadow_rows
from incident_intel.storage.model_store import ModelStore

log = logging.getLogger(__name__)


class ShadowScorer:
    """The candidate models of the moment, and the log their answers go to."""

    def __init__(self, store: ModelStore, shadow_log: ShadowLog) -> None:
        self._store = store
        self._log = shadow_log
        self._swap_lock = threading.Lock()
        self.scorer: IncidentScorer | None = None
        self.versions: dict[str, str] | None = None  # None until candidates were first looked for
        self.refresh()

    def refresh(self) -> bool:
        """Load the candidates anew if they changed; True when it did."""
        with self._swap_lock:
            try:
                wanted = candidate_versions(self._store)
                if wanted == self.versions:
                    return False
                models = PromotedModels.exactly(self._store, wanted) if wanted else None
            # Whatever broke the load, requests are unaffected and the previous candidates stay.
            except Exception:
                log.exception("loading the shadow candidates failed; the previous ones stay")
                return False
            self.scorer = None if models is None else IncidentScorer(models)
            self.versions = wanted
            log.info("shadow candidates: %s", wanted or "none")
            return True

    def score_and_log(
        self, inputs: ScoringInputs, served: list[dict[str, Any]], scored_at: datetime
    ) -> None:
        """Score the inputs of a request with the candidates, and log them beside `served`,
        the promoted scores it was sent; with no candidate, nothing."""
        scorer = self.scorer
        if scorer is None:
            return
        try:
            shadow = scorer.score(inputs.rows, inputs.embeddings, similar_k=0, explain=False)
            self._log.append(shadow_rows(served, as_records(shadow), scored_at))
        # The response is already sent: a shadow failure costs its log rows, nothing more.
        except Exception:
            log.exception("shadow scoring failed; the response was not affected")
