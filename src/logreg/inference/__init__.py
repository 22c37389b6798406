"""Inference beyond the summary table, one module per method.

    leverage    HC2 / HC3 sandwich meats from the weighted hat matrix
    hypothesis  likelihood-ratio test of nested fits, Wald test of R beta = q
    margins     average and at-the-mean marginal effects (delta method)
    firth       Firth's bias-reduced logistic regression (logistf's iteration)
    profile     profile-likelihood intervals and per-coefficient LR p-values

:mod:`logreg.stats` re-exports the public functions.
"""
