"""Density-weighted margin sampling (information density; Settles and Craven, EMNLP 2008).

Margin sampling picks the samples whose two likeliest classes are closest, which favours
outliers near the decision boundary. Information density weighs that uncertainty by how
representative a sample is of the unlabelled pool, its mean similarity to the pool's samples:

    utility(x) = (1 - margin(x)) * density(x) ** beta,
    density(x) = mean over unlabelled u of exp(-gamma * ||x - u||^2).

A batch is the `batch_size` samples of highest utility (ties broken at random), as
scikit-activeml's own uncertainty sampling builds its batches.
"""

from __future__ import annotations

import numpy as np
from skactiveml.base import SingleAnnotatorPoolQueryStrategy
from skactiveml.utils import MISSING_LABEL, is_unlabeled, simple_batch
from sklearn.base import clone
from sklearn.metrics.pairwise import rbf_kernel


class DensityWeightedMargin(SingleAnnotatorPoolQueryStrategy):
    """Margin sampling weighted by each candidate's RBF density in the unlabelled pool.

    Parameters
    ----------
    beta : float, default=1.0
        Weight of the density term (0: plain margin sampling).
    gamma : float or None, default=None
        RBF kernel width; None: 1 / n_features (scikit-learn's default).
    """

    def __init__(self, beta=1.0, gamma=None, missing_label=MISSING_LABEL, random_state=None):
        super().__init__(missing_label=missing_label, random_state=random_state)
        self.beta = beta
        self.gamma = gamma

    def query(
        self,
        X,
        y,
        clf,
        fit_clf=True,
        sample_weight=None,
        candidates=None,
        batch_size=1,
        return_utilities=False,
    ):
        X, y, candidates, batch_size, return_utilities = self._validate_data(
            X, y, candidates, batch_size, return_utilities, reset=True
        )
        X_cand, mapping = self._transform_candidates(candidates, X, y)
        if fit_clf:
            clf = clone(clf).fit(X, y, sample_weight=sample_weight)
        probas = np.sort(clf.predict_proba(X_cand), axis=1)
        margin = probas[:, -1] - probas[:, -2]
        pool = X[is_unlabeled(y, missing_label=self.missing_label_)]
        density = rbf_kernel(X_cand, pool, gamma=self.gamma).mean(axis=1)
        utilities_cand = (1.0 - margin) * density**self.beta
        if mapping is None:
            utilities = utilities_cand
        else:
            utilities = np.full(len(X), np.nan)
            utilities[mapping] = utilities_cand
        return simple_batch(
            utilities, self.random_state_, batch_size=batch_size, return_utilities=return_utilities
        )
