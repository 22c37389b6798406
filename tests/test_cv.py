"""logreg.LogisticRegressionCV against sklearn.linear_model.LogisticRegressionCV on the same folds:
the chosen C and l1_ratio, scores_ and coefs_paths_ (scikit-learn newton-cholesky at tol=1e-12 for
L2, saga for L1/elastic net), both layouts of the fitted attributes; the held-out scores recomputed
from single fits and scikit-learn's weighted metrics."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegressionCV as SkLogisticRegressionCV
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from logreg import LogisticRegression, LogisticRegressionCV, load
from logreg.exceptions import ConvergenceWarning


@functools.cache
def data(n_classes):
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_redundant=0, n_classes=n_classes, flip_y=0.1, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    X.setflags(write=False)
    return X, y


def sk_cv(X, y, sample_weight=None, groups=None, **kw):
    fit_kw = {} if groups is None else {"groups": groups}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # scikit-learn 1.9's deprecation notices
        return SkLogisticRegressionCV(**kw).fit(X, y, sample_weight=sample_weight, **fit_kw)


def centred(paths, n_features):
    """Softmax intercepts are defined up to a constant: compare them centred over the classes."""
    out = np.array(paths, dtype=float)
    if out.shape[-2] > 1 and out.shape[-1] > n_features:
        out[..., n_features] -= out[..., n_features].mean(axis=-1, keepdims=True)
    return out


@pytest.mark.parametrize("n_classes", [2, 3], ids=["binary", "multinomial"])
@pytest.mark.parametrize("scoring", [None, "neg_log_loss"])
def test_l2_matches_sklearn_with_weights(n_classes, scoring):
    X, y = data(n_classes)
    sw = np.random.default_rng(0).uniform(0.2, 3.0, len(y))
    ours = LogisticRegressionCV(Cs=6, scoring=scoring, tol=1e-10).fit(X, y, sample_weight=sw)
    ref = sk_cv(X, y, sw, Cs=6, scoring=scoring, solver="newton-cholesky", tol=1e-12, max_iter=1000, l1_ratios=None)
    assert_array_equal(ours.C_, ref.C_)
    assert_array_equal(ours.Cs_, ref.Cs_)
    assert list(ours.scores_) == list(ref.scores_) and list(ours.coefs_paths_) == list(ref.coefs_paths_)
    for k in ref.scores_:
        assert ours.scores_[k].shape == ref.scores_[k].shape == (5, 6)
        assert_allclose(ours.scores_[k], ref.scores_[k], rtol=1e-6, atol=1e-9)
        assert ours.coefs_paths_[k].shape == ref.coefs_paths_[k].shape == (5, 6, 6)
    paths = np.stack(list(ours.coefs_paths_.values()), axis=-2)
    ref_paths = np.stack(list(ref.coefs_paths_.values()), axis=-2)
    assert_allclose(centred(paths, 5), centred(ref_paths, 5), rtol=1e-5, atol=1e-7)
    assert ours.n_iter_.shape == ref.n_iter_.shape == (1, 5, 6)
    assert_array_equal(ours.l1_ratio_, ref.l1_ratio_)  # [None] * n: l1_ratios=None
    assert_allclose(ours.decision_function(X), ref.decision_function(X), rtol=1e-7, atol=1e-8)
    assert ours.score(X, y, sample_weight=sw) == pytest.approx(ref.score(X, y, sample_weight=sw), rel=1e-9)


@pytest.mark.parametrize(
    ("n_classes", "refit"), [(2, True), (2, False), (3, True)], ids=["binary", "binary-averaged", "multinomial"]
)
def test_elastic_net_grid_matches_sklearn_new_layout(n_classes, refit):
    X, y = data(n_classes)
    sw = np.random.default_rng(1).integers(1, 3, len(y)).astype(float)  # saga is reliable with these
    kw = dict(Cs=[0.1, 1.0, 10.0], l1_ratios=np.array([0.5, 1.0]), cv=3, scoring="neg_log_loss", refit=refit)
    ours = LogisticRegressionCV(**kw, tol=1e-10, use_legacy_attributes=False).fit(X, y, sample_weight=sw)
    ref = sk_cv(X, y, sw, **kw, solver="saga", tol=1e-10, max_iter=10000, random_state=0, use_legacy_attributes=False)
    assert ours.C_ == pytest.approx(ref.C_) and ours.l1_ratio_ == pytest.approx(ref.l1_ratio_)
    K = 1 if n_classes == 2 else n_classes
    assert ours.coefs_paths_.shape == ref.coefs_paths_.shape == (3, 2, 3, K, 6)
    assert ours.scores_.shape == ref.scores_.shape == ours.n_iter_.shape == (3, 2, 3)
    assert_allclose(ours.scores_, ref.scores_, rtol=1e-6)
    assert_allclose(centred(ours.coefs_paths_, 5), centred(ref.coefs_paths_, 5), rtol=1e-4, atol=1e-6)
    assert_allclose(ours.decision_function(X), ref.decision_function(X), rtol=1e-5, atol=1e-6)


def test_class_weight_balanced_matches_sklearn():
    X, y = data(3)
    y = np.where(np.arange(len(y)) % 4 == 0, 2, y)  # unbalanced classes
    sw = np.random.default_rng(2).uniform(0.5, 2.0, len(y))
    ours = LogisticRegressionCV(Cs=5, class_weight="balanced", tol=1e-10).fit(X, y, sample_weight=sw)
    ref = sk_cv(X, y, sw, Cs=5, class_weight="balanced", solver="newton-cholesky", tol=1e-12, l1_ratios=None)
    assert_array_equal(ours.C_, ref.C_)
    assert_allclose(ours.scores_[0], ref.scores_[0], rtol=1e-6)
    assert_allclose(ours.decision_function(X), ref.decision_function(X), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("scoring", ["accuracy", "neg_log_loss", "callable"])
def test_scores_are_weighted_held_out_scores_of_single_fits(scoring):
    """scores_[fold, C] = the (weighted) score, on the held-out rows, of a fit on the others."""
    X, y = data(2)
    sw = np.random.default_rng(3).uniform(0.0, 3.0, len(y))

    def weighted_accuracy(est, X, y, sample_weight=None):
        return accuracy_score(y, est.predict(X), sample_weight=sample_weight)

    scorer = weighted_accuracy if scoring == "callable" else scoring
    Cs = [0.01, 1.0]
    cv = KFold(3, shuffle=True, random_state=0)
    model = LogisticRegressionCV(Cs=Cs, cv=cv, scoring=scorer, tol=1e-10).fit(X, y, sample_weight=sw)
    for f, (train, test) in enumerate(cv.split(X, y)):
        for i, C in enumerate(Cs):
            single = LogisticRegression(C=C, tol=1e-10).fit(X[train], y[train], sample_weight=sw[train])
            if scoring == "neg_log_loss":
                expected = -log_loss(y[test], single.predict_proba(X[test]), sample_weight=sw[test])
            else:
                expected = accuracy_score(y[test], single.predict(X[test]), sample_weight=sw[test])
            assert model.scores_[1][f, i] == pytest.approx(expected, rel=1e-7)


def test_parallel_folds_equal_sequential():
    X, y = data(3)
    one = LogisticRegressionCV(Cs=4, cv=3, tol=1e-10).fit(X, y)
    two = LogisticRegressionCV(Cs=4, cv=3, tol=1e-10, n_jobs=2).fit(X, y)
    assert_array_equal(one.scores_[0], two.scores_[0])
    assert_allclose(one.coef_, two.coef_, rtol=1e-12)


def test_default_cv_is_stratified_5_fold_and_iterables_work():
    X, y = data(2)
    default = LogisticRegressionCV(Cs=3).fit(X, y)
    explicit = LogisticRegressionCV(Cs=3, cv=list(StratifiedKFold(5).split(X, y))).fit(X, y)
    assert default.scores_[1].shape == (5, 3)
    assert_array_equal(default.scores_[1], explicit.scores_[1])


def test_refit_model_serves_summary_and_save(tmp_path):
    X, y = data(2)
    model = LogisticRegressionCV(Cs=4, cv=3, tol=1e-10).fit(X, y)
    single = LogisticRegression(C=model.C_[0], tol=1e-10).fit(X, y)
    assert_allclose(model.coef_, single.coef_, rtol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # penalised-inference warning
        table = model.summary().to_frame()
    assert len(table) == 6
    model.save(tmp_path / "m.json")
    loaded = load(tmp_path / "m.json")
    assert loaded.C == model.C_[0]
    assert_allclose(loaded.predict_proba(X), model.predict_proba(X), rtol=1e-12)
    averaged = LogisticRegressionCV(Cs=4, cv=3, refit=False).fit(X, y)
    with pytest.raises(ValueError, match="refit=True"):
        averaged.summary()


def test_bad_settings_are_refused():
    X, y = data(2)
    with pytest.raises(ValueError, match="dual=False"):
        LogisticRegressionCV(dual=True).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratios"):
        LogisticRegressionCV(penalty="elasticnet").fit(X, y)
    with pytest.raises(ValueError, match=r"l1_ratios must be numbers in \[0, 1\]"):
        LogisticRegressionCV(l1_ratios=[0.5, 2.0]).fit(X, y)
    order = np.argsort(y, kind="stable")
    with pytest.raises(ValueError, match="a training fold has no row of class"):
        LogisticRegressionCV(Cs=2, cv=KFold(2)).fit(X[order], y[order])


def test_warnings_of_parallel_folds_are_gathered_once():
    X, y = data(3)
    filters = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        LogisticRegressionCV(Cs=3, cv=3, max_iter=1, tol=1e-12, n_jobs=2).fit(X, y)
    gathered = [w for w in caught if issubclass(w.category, ConvergenceWarning) and "of the 9 fits" in str(w.message)]
    assert len(gathered) == 1
    assert warnings.filters == filters  # no thread left its warning filters behind


def test_groups_reach_the_splitter_with_metadata_routing():
    X, y = data(2)
    groups = np.arange(len(y)) % 4
    cv = GroupKFold(4)
    with sklearn.config_context(enable_metadata_routing=True):
        ours = LogisticRegressionCV(Cs=3, cv=cv, tol=1e-10).fit(X, y, groups=groups)
        ref = sk_cv(X, y, Cs=3, cv=cv, solver="newton-cholesky", tol=1e-12, l1_ratios=None, groups=groups)
    assert_array_equal(ours.C_, ref.C_)
    assert_allclose(ours.scores_[1], ref.scores_[1], rtol=1e-6)
    assert ours.scores_[1].shape == (4, 3)  # one fold per group
    with pytest.raises(ValueError, match="groups"):  # without routing, as scikit-learn
        LogisticRegressionCV(Cs=3, cv=cv).fit(X, y, groups=groups)
