"""Outcome expressions: a small, safe language over a sweep's per-run table.

Expressions (``moondust discover DIR --outcome EXPR``) combine outcomes and a sweep's inputs
(``input_<parameter>``, ``lever_<target>_<lever>``) with comparisons, ``and``/``or``/``not``
(or ``&``/``|``/``~``), ``in [...]``, arithmetic, and ``isna(x)``/``notna(x)``. They are parsed
into a syntax tree and only those constructs are evaluated — never Python's ``eval``:

>>> import pandas as pd
>>> table = pd.DataFrame({"first_bloc_he3_delivered": ["ilrs", "artemis", "ilrs"],
...                       "first_year_he3_delivered": [2041.0, 2038.0, float("nan")]})
>>> expr = Expression("first_bloc_he3_delivered == 'ilrs' and first_year_he3_delivered < 2050")
>>> expr.evaluate(table).tolist()
[True, False, False]
>>> Expression("__import__('os')")
Traceback (most recent call last):
...
moondust.errors.MoondustError: outcome expression "__import__('os')": function calls ...
"""

from __future__ import annotations

import ast
import difflib
import operator
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from moondust.errors import MoondustError

DEPRECATED_NAMES: dict[str, str] = {"first_he3_delivered_bloc": "first_bloc_he3_delivered"}
"""Old outcome name → the name to use instead. The race outcome had two names; the
``first_bloc_<milestone>`` family's is kept (it exists for every milestone, beside
``first_year_<milestone>`` and ``first_actor_<milestone>``, and spells nobody ``none``). The old
name, the engine metric ``Results.run_outcomes`` still writes, keeps working (its values as
before, ``""`` for nobody) with a :class:`DeprecationWarning` for one release (0.2)."""


def warn_if_deprecated(name: str) -> None:
    """Warn (:class:`DeprecationWarning`) when ``name`` is an outcome's deprecated alias.

    Parameters
    ----------
    name
        A name as a user wrote it in an outcome expression (``--outcome``); sweeps storing the
        engine's metrics under their names do not warn.
    """
    new = DEPRECATED_NAMES.get(name)
    if new is not None:
        warnings.warn(
            f"outcome {name!r} is deprecated and will be removed after moondust 0.2; use {new!r} "
            "(it spells nobody 'none' rather than '')",
            DeprecationWarning,
            stacklevel=3,
        )


def unknown_name_message(name: str, known: Iterable[str]) -> str:
    """``unknown outcome 'x'; did you mean …?`` with the closest known names."""
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown outcome {name!r}{hint} (see `moondust outcomes`)"


_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "isna": lambda x: pd.Series(x).isna() if not isinstance(x, pd.Series) else x.isna(),
    "notna": lambda x: pd.Series(x).notna() if not isinstance(x, pd.Series) else x.notna(),
    "abs": lambda x: abs(x),
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_ARITHMETIC: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


class Expression:
    """A parsed outcome expression; see the module docstring for the grammar.

    Parameters
    ----------
    text
        E.g. ``"first_bloc_he3_delivered == 'ilrs'"`` or just an outcome name.

    Raises
    ------
    MoondustError
        If the text is not an expression of the allowed grammar.
    """

    def __init__(self, text: str) -> None:
        self.text = text.strip()
        try:
            tree = ast.parse(self.text, mode="eval")
        except SyntaxError as exc:
            raise self._error(f"not a valid expression ({exc.msg})") from None
        self._tree = tree.body
        self.names: list[str] = []
        self._check(self._tree)
        if not self.names:
            raise self._error("names no outcome or input")

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    @property
    def is_name(self) -> bool:
        """True if the expression is a single outcome name."""
        return isinstance(self._tree, ast.Name)

    def _error(self, message: str) -> MoondustError:
        return MoondustError(f'outcome expression "{self.text}": {message}')

    def _check(self, node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            if node.id not in self.names:
                warn_if_deprecated(node.id)
                self.names.append(node.id)
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, str | int | float | bool):
                raise self._error(f"constant {node.value!r} is not allowed")
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self._check(value)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.Not | ast.Invert | ast.USub | ast.UAdd):
                raise self._error("unsupported unary operator")
            self._check(node.operand)
        elif isinstance(node, ast.BinOp):
            if not isinstance(node.op, ast.BitAnd | ast.BitOr) and type(node.op) not in _ARITHMETIC:
                raise self._error("only + - * / & | are allowed between values")
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, ast.Compare):
            self._check(node.left)
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.In | ast.NotIn):
                    if not isinstance(right, ast.List | ast.Tuple | ast.Set) or not all(
                        isinstance(e, ast.Constant) for e in right.elts
                    ):
                        raise self._error("'in' needs a list of constants, e.g. in ['ilrs', 'tie']")
                elif type(op) not in _COMPARE:
                    raise self._error("unsupported comparison")
                else:
                    self._check(right)
        elif isinstance(node, ast.Call):
            if (
                not isinstance(node.func, ast.Name)
                or node.func.id not in _FUNCTIONS
                or node.keywords
                or len(node.args) != 1
            ):
                raise self._error(
                    f"function calls other than {', '.join(_FUNCTIONS)} are not allowed"
                )
            self._check(node.args[0])
        else:
            raise self._error(f"{type(node).__name__} is not allowed")

    def evaluate(self, table: pd.DataFrame) -> pd.Series:
        """Evaluate over a table whose columns include :attr:`names`; one value per row.

        Raises
        ------
        MoondustError
            If a name is not a column (with the closest columns) or types do not fit.
        """
        missing = [name for name in self.names if name not in table.columns]
        if missing:
            raise self._error(unknown_name_message(missing[0], table.columns))
        try:
            with np.errstate(all="ignore"):
                result = self._eval(self._tree, table)
        except (TypeError, ValueError) as exc:
            raise self._error(f"cannot evaluate: {exc}") from None
        if not isinstance(result, pd.Series):
            result = pd.Series(result, index=table.index)
        return result

    def _eval(self, node: ast.AST, table: pd.DataFrame) -> Any:
        if isinstance(node, ast.Name):
            return table[node.id]
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.BoolOp):
            values = [self._boolean(self._eval(v, table)) for v in node.values]
            combine = operator.and_ if isinstance(node.op, ast.And) else operator.or_
            result = values[0]
            for value in values[1:]:
                result = combine(result, value)
            return result
        if isinstance(node, ast.UnaryOp):
            operand = self._eval(node.operand, table)
            if isinstance(node.op, ast.Not | ast.Invert):
                return ~self._boolean(operand)
            return -operand if isinstance(node.op, ast.USub) else +operand
        if isinstance(node, ast.BinOp):
            left, right = self._eval(node.left, table), self._eval(node.right, table)
            if isinstance(node.op, ast.BitAnd):
                return self._boolean(left) & self._boolean(right)
            if isinstance(node.op, ast.BitOr):
                return self._boolean(left) | self._boolean(right)
            return _ARITHMETIC[type(node.op)](left, right)
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, table)
            result = None
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.In | ast.NotIn):
                    assert isinstance(right_node, ast.List | ast.Tuple | ast.Set)
                    options = [e.value for e in right_node.elts if isinstance(e, ast.Constant)]
                    series = left if isinstance(left, pd.Series) else pd.Series([left])
                    part = series.isin(options)
                    part = ~part if isinstance(op, ast.NotIn) else part
                    right = None
                else:
                    right = self._eval(right_node, table)
                    part = _COMPARE[type(op)](left, right)
                result = part if result is None else result & part
                left = right
            return result
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            return _FUNCTIONS[node.func.id](self._eval(node.args[0], table))
        raise self._error(f"{type(node).__name__} is not allowed")  # pragma: no cover

    def _boolean(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, pd.Series) and pd.api.types.is_bool_dtype(value):
            return value.astype(bool)
        raise self._error("and/or/not need comparisons (e.g. x == 'ilrs'), not plain values")


def check_expression(
    expression: Expression, kinds: dict[str, str], want: Literal["boolean", "number"]
) -> None:
    """Check an expression's names against ``name → kind`` before any work is done.

    Raises
    ------
    MoondustError
        On an unknown name (with the closest names), or a bare category outcome where a
        true/false or numeric value is needed.
    """
    for name in expression.names:
        if name not in kinds:
            raise expression._error(unknown_name_message(name, kinds))
    if expression.is_name:
        name = expression.names[0]
        if kinds[name] == "category":
            raise expression._error(f"{name} is a category; compare it, e.g. {name} == 'ilrs'")
        if want == "boolean":
            raise expression._error(f"{name} is a number; compare it, e.g. {name} < 2050")


def outcome_names_in(expressions: Sequence[Expression]) -> list[str]:
    """The distinct names used by some expressions, in order."""
    return list(dict.fromkeys(name for e in expressions for name in e.names))
