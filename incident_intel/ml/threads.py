"""How many threads the models' numerical libraries may use while they fit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS on one thread, for scikit-learn's L-BFGS fits (its logistic regressions).

    SciPy's L-BFGS-B (in C since SciPy 1.15) calls BLAS level-1 routines on vectors the size of
    the coefficients at every iteration, and OpenBLAS wakes its threads for each call, which
    costs more than the call (scipy/scipy#22438). On the default lake's triage, one target's fit
    took 42 CPU seconds with one thread and 70 with two, to coefficients within 1e-9.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield
