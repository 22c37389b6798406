"""L-BFGS on the one-pass value_and_grad, through scipy.optimize."""

from __future__ import annotations

import numpy as np
from scipy import optimize

from .base import Solver, SolverResult, register


@register
class LBFGS(Solver):
    """scipy's L-BFGS-B with scikit-learn's stopping rule (max |grad| <= tol).

    Options
    -------
    memory : int
        Number of correction pairs (default 10).
    """

    name = "lbfgs"
    option_names = frozenset({"memory"})
    requires = ("value_and_grad",)
    supports_bounds = True  # L-BFGS-B's own box

    def solve(self, objective, theta0):
        history = []
        state = {"it": 0}

        def fun(theta):
            return objective.value_and_grad(theta)

        def cb(intermediate_result):
            state["it"] += 1
            g = intermediate_result.jac if hasattr(intermediate_result, "jac") else None
            gn = objective.optimality(intermediate_result.x, g) if g is not None else np.nan
            history.append(float(intermediate_result.fun))
            self._report(state["it"], history[-1], gn)

        theta0 = objective.clip(np.asarray(theta0, dtype=np.float64))
        history.append(objective.value_and_grad(theta0)[0])
        bounds = None
        if objective.bounds is not None:
            bounds = optimize.Bounds(*objective.bounds)
        res = optimize.minimize(
            fun,
            theta0,
            method="L-BFGS-B",
            jac=True,
            bounds=bounds,
            callback=cb,
            options={
                "maxiter": self.max_iter,
                "maxfun": max(15000, 4 * self.max_iter),
                "gtol": self.tol,
                # stop on the gradient, not on a stalled function value, so tol means
                # the same for every solver
                "ftol": np.finfo(float).eps,
                "maxcor": int(self.options.get("memory", 10)),
                "maxls": 50,
            },
        )
        theta = res.x
        # with bounds L-BFGS-B stops on the projected gradient, which optimality() also is
        gnorm = objective.optimality(theta, res.jac)
        converged = gnorm <= self.tol
        # stopped before max_iter without reaching tol: its line search found no lower J
        stalled = not converged and int(res.nit) < self.max_iter
        return SolverResult(
            theta, int(res.nit), bool(converged), history, gnorm, objective.n_passes, str(res.message), stalled
        )
