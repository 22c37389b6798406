"""Newton's method: exact for few parameters, trust-region Newton-CG otherwise.

Exact Newton solves H p = -g with the full Hessian (one pass over X gives it)
and takes an Armijo line search along p: quadratic convergence in a handful of
passes when the number of parameters is small.  For many parameters the
Hessian is never formed: scipy's trust-region Newton-CG works on one-pass
Hessian-vector products.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg, optimize

from .base import Solver, SolverResult, register

#: Above this many parameters the Hessian is not formed.
EXACT_MAX_PARAMS = 500


def _newton_direction(H, g):
    """Solve H p = -g; H is PSD, possibly singular (softmax, separable data)."""
    try:
        c = linalg.cho_factor(H, check_finite=False)
        p = -linalg.cho_solve(c, g, check_finite=False)
        if np.all(np.isfinite(p)):
            return p
    except linalg.LinAlgError:
        pass
    # semi-definite: minimum-norm solution on the range of H
    vals, vecs = linalg.eigh(H)
    keep = vals > vals.max() * 1e-12 if vals.size else vals > 0
    return -(vecs[:, keep] @ ((vecs[:, keep].T @ g) / vals[keep]))


@register
class Newton(Solver):
    """Newton's method (exact or trust-region Newton-CG).

    Options
    -------
    exact : bool or None
        Force the Hessian (True) or Hessian-free (False) variant; None chooses
        by the number of parameters (Hessian up to 500).
    hessian_rows : int, 'auto' or None
        Rows used to estimate the Hessian (sub-sampled Newton; the gradient is
        always exact, so the fixed point is the exact optimum and only the
        rate changes).  None uses every row; 'auto' (default) keeps
        max(20000, 50 * n_params) rows once n is four times that.
    """

    name = "newton"
    requires = ("value_and_grad", "hessp", "hessian")

    def solve(self, objective, theta0):
        exact = self.options.get("exact")
        if exact is None:
            exact = objective.n_params <= EXACT_MAX_PARAMS
        if exact:
            return self._exact(objective, theta0)
        return self._trust_ncg(objective, theta0)

    def _hessian_rows(self, objective):
        rows = self.options.get("hessian_rows", "auto")
        if rows != "auto":
            return rows
        keep = max(20000, 50 * objective.n_params)
        n = objective.datafit.data.n_samples
        return keep if n > 4 * keep else None

    def _exact(self, objective, theta0):
        max_rows = self._hessian_rows(objective)
        theta = np.array(theta0, dtype=np.float64)
        f, g = objective.value_and_grad(theta)
        history = [f]
        gnorm = objective.optimality(theta, g)
        it = 0
        converged = gnorm <= self.tol
        while not converged and it < self.max_iter:
            it += 1
            H = objective.hessian(theta, max_rows=max_rows)
            p = _newton_direction(H, g)
            slope = g @ p
            if not slope < 0:  # numerical trouble: fall back to steepest descent
                p, slope = -g, -(g @ g)
            t = 1.0
            while True:
                cand = theta + t * p
                f_new, g_new = objective.value_and_grad(cand)
                if f_new <= f + 1e-4 * t * slope or t < 1e-10:
                    break
                # near the optimum f changes by less than its rounding error
                # (a sum over n rows); then a smaller gradient decides
                if f_new - f <= 1e-13 * max(1.0, abs(f)) and np.max(np.abs(g_new)) < np.max(np.abs(g)):
                    break
                t *= 0.5
            theta, f, g = cand, f_new, g_new
            gnorm = objective.optimality(theta, g)
            history.append(f)
            self._report(it, f, gnorm)
            converged = gnorm <= self.tol
        return SolverResult(theta, it, bool(converged), history, gnorm, objective.n_passes)

    def _trust_ncg(self, objective, theta0):
        history = []
        state = {"it": 0}
        theta0 = np.asarray(theta0, dtype=np.float64)
        cache = {}

        def fun(theta):
            f, g = objective.value_and_grad(theta)
            cache["g"] = (theta.copy(), g)
            return f

        def jac(theta):
            key, g = cache.get("g", (None, None))
            if key is not None and np.array_equal(key, theta):
                return g
            return objective.value_and_grad(theta)[1]

        def cb(intermediate_result):
            state["it"] += 1
            history.append(float(intermediate_result.fun))
            # trust-region results carry only x and fun; the gradient costs a pass unless cached,
            # so take it only when someone reads it
            gn = np.nan
            if self.verbose or self.callback is not None:
                gn = float(np.max(np.abs(jac(intermediate_result.x))))
            self._report(state["it"], history[-1], gn)

        f0, g0 = objective.value_and_grad(theta0)
        history.append(f0)
        if objective.optimality(theta0, g0) <= self.tol:
            return SolverResult(theta0.copy(), 0, True, history, objective.optimality(theta0, g0), objective.n_passes)
        res = optimize.minimize(
            fun,
            theta0,
            method="trust-ncg",
            jac=jac,
            hessp=objective.hessp,
            callback=cb,
            options={"gtol": self.tol, "maxiter": self.max_iter},
        )
        g = jac(res.x)
        gnorm = objective.optimality(res.x, g)
        return SolverResult(
            res.x, int(res.nit), bool(gnorm <= self.tol), history, gnorm, objective.n_passes, str(res.message)
        )
