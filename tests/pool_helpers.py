"""Models that misbehave inside a pool worker, or record what they are given (imported by
dotted path from cell configs)."""

from __future__ import annotations

import os
import signal
import time

from sklearn.linear_model import LogisticRegression


class CrashingClassifier(LogisticRegression):
    """Kills its own process on fit, as a segfault in native code would."""

    def fit(self, X, y, sample_weight=None):
        os.kill(os.getpid(), signal.SIGKILL)


class SleepingClassifier(LogisticRegression):
    """Takes a minute to fit: long enough to cancel its job meanwhile."""

    def fit(self, X, y, sample_weight=None):
        time.sleep(60)
        return super().fit(X, y, sample_weight)


class FailingClassifier(LogisticRegression):
    """Fits, then raises when asked for predictions, as a bug in a model would.

    (A failing fit would not do: the loop records it and falls back to label frequencies.)
    """

    def predict_proba(self, X):
        raise RuntimeError("this model always fails")

    def predict(self, X):
        raise RuntimeError("this model always fails")


class SlowClassifier(LogisticRegression):
    """Takes `seconds` per fit: keeps a run busy long enough to start another beside it."""

    def __init__(self, seconds=1.0, C=1.0, max_iter=100, random_state=None):
        super().__init__(C=C, max_iter=max_iter, random_state=random_state)
        self.seconds = seconds

    def fit(self, X, y, sample_weight=None):
        time.sleep(self.seconds)
        return super().fit(X, y, sample_weight)


class FragileClassifier(LogisticRegression):
    """Fails to predict 30 or more rows of two features (the moons' test set) and works
    elsewhere, also on the config check's probe (26 rows): a failure only a cell meets."""

    def predict_proba(self, X):
        if X.shape[1] == 2 and len(X) >= 30:
            raise RuntimeError("this model cannot handle two features")
        return super().predict_proba(X)

    def predict(self, X):
        if X.shape[1] == 2 and len(X) >= 30:
            raise RuntimeError("this model cannot handle two features")
        return super().predict(X)


class BrokenFitClassifier(LogisticRegression):
    """Cannot be fitted once it sees more than `limit` labels, as a model with a bug might."""

    def __init__(self, limit=12, max_iter=100, random_state=None):
        super().__init__(max_iter=max_iter, random_state=random_state)
        self.limit = limit

    def fit(self, X, y, sample_weight=None):
        if len(y) > self.limit:
            raise ValueError(f"cannot fit on {len(y)} samples")
        return super().fit(X, y, sample_weight)


class NoProbabilities(LogisticRegression):
    """A classifier without predict_proba, as SVC is without probability=True."""

    predict_proba = property(lambda self: (_ for _ in ()).throw(AttributeError("predict_proba")))


class ValidatingLogisticRegression(LogisticRegression):
    """A model that selects on a validation set: records what it was given."""

    seen: list = []

    def fit(self, X, y, X_val=None, y_val=None):
        ValidatingLogisticRegression.seen.append((len(y), None if y_val is None else len(y_val)))
        return super().fit(X, y)


class UncopyableClassifier(LogisticRegression):
    """A model that holds something `copy.deepcopy` refuses (a lock, once fitted)."""

    def fit(self, X, y, sample_weight=None):
        import threading

        self.lock_ = threading.Lock()
        return super().fit(X, y, sample_weight)
