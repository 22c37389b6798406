"""The grammar a logreg formula may use, checked before formulaic evaluates anything.

formulaic evaluates a formula's factors as Python expressions, and a model file
may come from anyone: a formula read from a file must not be a program.  Every
factor is parsed with :mod:`ast` and allowed only column names, numbers, strings,
arithmetic, comparisons and calls of the functions in :data:`FUNCTIONS` (no
attribute access, subscripts, lambdas or names starting with ``_``), at fit
and at load.  Errors are ValueErrors naming the formula and the problem.
"""

from __future__ import annotations

import ast
import re
from typing import Any

__all__ = ["FUNCTIONS", "dotted", "has_intercept", "intercept_in", "one_line", "parse", "target_name", "target_of"]

#: The functions a formula may call (whose state, if any, is plain numbers and levels).
FUNCTIONS = frozenset(
    {
        "C",
        "I",
        "center",
        "scale",
        "standardize",
        "bs",
        "log",
        "exp",
        "sqrt",
        "np.log",
        "np.log1p",
        "np.log2",
        "np.log10",
        "np.exp",
        "np.expm1",
        "np.sqrt",
        "np.abs",
        "np.square",
        "contr.treatment",
        "contr.sum",
        "contr.helmert",
        "contr.diff",
        "contr.poly",
    }
)
_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
_ANSI = re.compile(r"\x1b\[[0-9;]*m|[⧛⧚]")


def one_line(text: object) -> str:
    return " ".join(_ANSI.sub("", str(text)).split())


# ------------------------------------------------------------------ safety
def dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _check_node(node: ast.AST, expr: str) -> None:
    def refuse(what: str) -> None:
        raise ValueError(
            f"formula factor {expr!r} uses {what}, which logreg formulas do not allow; factors may use column "
            f"names, numbers, arithmetic, comparisons and the functions {', '.join(sorted(FUNCTIONS))}"
        )

    if isinstance(node, ast.Expression):
        _check_node(node.body, expr)
    elif isinstance(node, ast.Name):
        if node.id.startswith("_"):
            refuse(f"the name {node.id!r}")
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, int | float | str | bool | type(None)):
            refuse(f"the constant {node.value!r}")
    elif isinstance(node, ast.Call):
        name = dotted(node.func)
        if name not in FUNCTIONS:
            refuse(f"the function {name or ast.unparse(node.func)!r}")
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            _check_node(arg, expr)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, _BINOPS):
        _check_node(node.left, expr)
        _check_node(node.right, expr)
    elif isinstance(node, ast.UnaryOp):
        _check_node(node.operand, expr)
    elif isinstance(node, ast.Compare):
        for part in [node.left, *node.comparators]:
            _check_node(part, expr)
    elif isinstance(node, ast.BoolOp):
        for part in node.values:
            _check_node(part, expr)
    elif isinstance(node, ast.List | ast.Tuple):
        for part in node.elts:
            _check_node(part, expr)
    else:
        refuse(f"{type(node).__name__.lower()} syntax ({ast.unparse(node)!r})")


def _check_factor(expr: str) -> None:
    """Refuse a Python factor outside the allowed grammar (``ValueError``)."""
    # `quoted names` are columns: a placeholder keeps ast from reading their text
    plain = re.sub(r"`[^`]*`", "q_", expr)
    try:
        tree = ast.parse(plain, mode="eval")
    except SyntaxError:
        raise ValueError(f"formula factor {expr!r} is not a valid expression") from None
    _check_node(tree, expr)


def parse(formula: str) -> Any:
    """formulaic's Formula of ``formula``, its factors checked; errors as ValueError."""
    from formulaic import Formula
    from formulaic.errors import FormulaicError

    if not isinstance(formula, str) or not formula.strip():
        raise ValueError(f"the formula must be a non-empty string like 'y ~ x1 + x2', got {formula!r}")
    try:
        parsed = Formula(formula)
    except (FormulaicError, SyntaxError, ValueError) as exc:
        raise ValueError(f"formula {formula!r} does not parse: {one_line(exc)}") from None
    if not hasattr(parsed, "lhs") or not hasattr(parsed, "rhs"):
        raise ValueError(f"formula {formula!r} has no target: write it as 'target ~ x1 + x2'")
    for part in (parsed.lhs, parsed.rhs):
        for term in part:
            for factor in term.factors:
                if factor.eval_method.value == "python":
                    _check_factor(factor.expr)
    return parsed


def target_name(parsed: Any, formula: str) -> str:
    factors = [f for term in parsed.lhs for f in term.factors]
    if len(factors) != 1 or factors[0].eval_method.value != "lookup":
        raise ValueError(
            f"the left side of formula {formula!r} must be the name of the target column, got {str(parsed.lhs)!r}"
        )
    return str(factors[0].expr)


def intercept_in(parsed: Any) -> bool:
    return any(str(term) == "1" for term in parsed.rhs)


def target_of(formula: str) -> str:
    """The target column a formula names on its left side (``ValueError`` if it names none)."""
    return target_name(parse(formula), formula)


def has_intercept(formula: str) -> bool:
    """Whether the formula's right side keeps its intercept (no ``- 1`` or ``+ 0``)."""
    return intercept_in(parse(formula))
