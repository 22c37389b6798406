"""``logreg explain``: the seeds' derivation on a tiny real example, checked number by number."""

from __future__ import annotations

import io

import numpy as np
import pytest
from rich.console import Console

from logreg import explain as ex
from logreg import graph


@pytest.fixture(scope="module")
def example():
    X, y, names, description, _ = ex.breast_cancer_example()
    return X, y, names, description


def _by_label(checks):
    return {c.label.strip(): c for c in checks}


def test_tiny_real_example_has_both_classes(example):
    X, y, names, description = example
    assert X.shape == (6, 2) and names == ["mean radius", "mean texture"]
    assert set(y) == {0.0, 1.0}
    assert "breast-cancer" in description


def test_seed_002_components_at_the_seeds_start(example):
    """Seed 002 at w = 0, b = 0: z = 0, a = 1/2, so the five components take textbook values."""
    X, y, names, _ = example
    e = ex.explain(X, y, feature_names=names)
    z, a, L = (v for _, _, v in e.forward)
    assert (z, a) == (0.0, 0.5) and L == pytest.approx(np.log(2))
    c = _by_label(e.components)
    yi = y[0]
    # component 1: dL/da = -y/a + (1-y)/(1-a) = +-2 at a = 1/2
    assert float(c["1  dL/da"].analytic) == pytest.approx(-yi / 0.5 + (1 - yi) / 0.5)
    # component 2: da/dz = a(1-a) = 1/4
    assert float(c["2  da/dz"].analytic) == pytest.approx(0.25)
    # component 3: dL/dz = a - y
    assert float(c["3  dL/dz"].analytic) == pytest.approx(0.5 - yi)
    # component 4: dz/dw_i = x_i; component 5: dz/db = 1
    np.testing.assert_array_equal(c["4  dz/dw"].analytic, X[0])
    assert float(c["5  dz/db"].analytic) == 1.0
    # the products: dL/dw_i = (a - y) x_i, dL/db = a - y
    np.testing.assert_allclose(c["dL/dw"].analytic, (0.5 - yi) * X[0])
    assert float(c["dL/db"].analytic) == pytest.approx(0.5 - yi)


@pytest.mark.parametrize("row", [0, 3])
def test_every_backward_value_matches_its_finite_difference_and_the_seed_formula(example, row):
    X, y, names, _ = example
    rng = np.random.default_rng(row)
    e = ex.explain(X, y, feature_names=names, row=row, w=rng.normal(size=2), b=0.3)
    for check in [*e.components, *e.batch]:
        np.testing.assert_allclose(check.analytic, check.numeric, rtol=1e-6, atol=1e-8, err_msg=check.label)
        np.testing.assert_allclose(check.analytic, check.closed_form, rtol=1e-12, atol=1e-14, err_msg=check.label)
    assert e.max_error < 1e-6


def test_batch_gradients_are_seed_003s_matrix_form(example):
    """Seed 003 eqs. (9) and (11), with rows as samples: dJ/dw = X^T (A - Y)/n, dJ/db = sum(A - Y)/n."""
    X, y, names, _ = example
    w, b = np.array([0.4, -0.7]), -0.2
    e = ex.explain(X, y, feature_names=names, w=w, b=b)
    A = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    c = _by_label(e.batch)
    np.testing.assert_allclose(c["dJ/dw"].analytic, X.T @ (A - y) / len(y), rtol=1e-13)
    assert float(c["dJ/db"].analytic) == pytest.approx(np.sum(A - y) / len(y), rel=1e-13)
    J = np.mean(-y * np.log(A) - (1 - y) * np.log(1 - A))
    assert e.cost == pytest.approx(J, rel=1e-13)


def test_gradient_descent_steps_are_seed_001s_update_and_the_cost_falls(example):
    """Seed 001 (4-2)/(4-3): w <- w - (alpha/m) X^T (yhat - y), b <- b - (alpha/m) sum(yhat - y)."""
    X, y, names, _ = example
    alpha, m = 0.5, len(y)
    e = ex.explain(X, y, feature_names=names, steps=4, learning_rate=alpha)
    w, b = np.zeros(2), 0.0
    costs = [e.cost]
    for step in e.steps:
        yhat = 1.0 / (1.0 + np.exp(-(X @ w + b)))
        w, b = w - alpha / m * X.T @ (yhat - y), b - alpha / m * np.sum(yhat - y)
        np.testing.assert_allclose(step.w, w, rtol=1e-12, atol=1e-15)
        assert step.b == pytest.approx(b, abs=1e-15)
        costs.append(step.cost)
    assert len(e.steps) == 4 and e.cost_fell
    assert all(b < a for a, b in zip(costs, costs[1:], strict=False))


def test_too_large_a_step_is_reported_as_not_falling(example):
    X, y, names, _ = example
    e = ex.explain(X * 50, y, feature_names=names, steps=3, learning_rate=50.0)
    assert not e.cost_fell


def test_uses_the_graph_nodes_not_a_copy(example, monkeypatch):
    """Break Sigmoid.backward in logreg.graph: explain's da/dz must show it (and disagree with the FD)."""
    X, y, names, _ = example
    monkeypatch.setattr(graph.Sigmoid, "backward", staticmethod(lambda cache, da: 2.0 * da * cache * (1 - cache)))
    e = ex.explain(X, y, feature_names=names)
    c = _by_label(e.components)
    assert float(c["2  da/dz"].analytic) == pytest.approx(0.5)
    assert c["2  da/dz"].error > 0.1


def test_bad_arguments():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="0 and 1"):
        ex.explain(X, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="out of range"):
        ex.explain(X, np.array([0.0, 1.0, 1.0]), row=3)


def test_select_rows_alternates_classes_in_file_order():
    y = np.array([1, 1, 1, 1, 0, 1, 0, 0])
    np.testing.assert_array_equal(ex.select_rows(y, 4), [0, 1, 4, 6])


def test_render_and_json(example):
    X, y, names, description = example
    e = ex.explain(X, y, feature_names=names, description=description)
    buf = io.StringIO()
    ex.render(e, Console(file=buf, width=200))
    text = buf.getvalue()
    for needle in ("dL/da", "a(1 − a)", "a − y", "finite difference", "Gradient descent", "fell at every step"):
        assert needle in text
    d = e.to_dict()
    assert [c["label"].strip()[0] for c in d["components"][:5]] == list("12345")
    assert d["cost_fell"] is True and d["max_abs_error"] < 1e-6
    assert len(d["steps"]) == 5
