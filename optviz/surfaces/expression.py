"""User-typed surfaces: f(x, y) as text, checked against a whitelist, differentiated with sympy.

The text is never evaluated as Python. A tokenizer accepts only numbers, x, y, pi, e, the operators
+ - * / ^ ** , parentheses and the whitelisted functions; Python's ``ast`` then parses the token string (which
can no longer hold anything but arithmetic) and a walk over the tree enforces the remaining limits: size,
depth, function arity, exponents. Constant sub-expressions are folded with plain float arithmetic, so that
``9^9^9`` costs nothing. Only then is sympy imported, the tree rebuilt as a sympy expression node by node (no
``sympify`` of strings), differentiated, and both f and its gradient turned into NumPy functions.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

import numpy as np

from optviz.i18n import text

MAX_LENGTH = 300
MAX_DEPTH = 24
MAX_NODES = 200
MAX_EXPONENT = 64
MAX_NUMBER_LENGTH = 20

FUNCTIONS = {
    "sin": 1, "cos": 1, "tan": 1, "exp": 1, "log": 1, "sqrt": 1, "abs": 1,
    "tanh": 1, "sinh": 1, "cosh": 1, "min": 2, "max": 2,
}
VARIABLES = ("x", "y")
CONSTANTS = {"pi": math.pi, "e": math.e}

_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z]+)"
    r"|(?P<power>\*\*|\^)"
    r"|(?P<operator>[-+*/])"
    r"|(?P<open>\()"
    r"|(?P<close>\))"
    r"|(?P<comma>,)"
)


class ExpressionError(ValueError):
    """A typed expression that optviz refuses, with what is wrong and where (1-based column)."""

    def __init__(self, code: str, position: int | None = None, **fields: object) -> None:
        self.code = code
        self.position = position
        self.fields = fields
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        """The message in language `lang`."""
        detail = text(f"expr.{self.code}", lang, **self.fields)
        if self.position is None:
            return detail
        return text("expr.at_position", lang, detail=detail, position=self.position)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int  # 1-based column


def tokenize(source: str) -> list[_Token]:
    """Split `source` into whitelisted tokens, or raise ExpressionError naming the first bad spot."""
    tokens: list[_Token] = []
    depth = 0
    index = 0
    while index < len(source):
        match = _TOKEN.match(source, index)
        if match is None:
            character = source[index]
            raise ExpressionError("bad_character", index + 1, character=character,
                                  codepoint=f"U+{ord(character):04X}")
        kind = match.lastgroup
        token = _Token(kind, match.group(), index + 1)
        index = match.end()
        if kind == "space":
            continue
        if kind == "number" and len(token.text) > MAX_NUMBER_LENGTH:
            raise ExpressionError("number_too_long", token.position, limit=MAX_NUMBER_LENGTH)
        if kind == "name" and token.text not in FUNCTIONS and token.text not in VARIABLES and \
                token.text not in CONSTANTS:
            raise ExpressionError("unknown_name", token.position, name=token.text[:20],
                                  allowed=", ".join([*VARIABLES, *CONSTANTS, *FUNCTIONS]))
        if kind == "open":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError("too_deep", token.position, limit=MAX_DEPTH)
        if kind == "close":
            depth -= 1
            if depth < 0:
                raise ExpressionError("unmatched_close", token.position)
        if tokens:
            _check_neighbours(tokens[-1], token)
        tokens.append(token)
    if depth > 0:
        opening = [token for token in tokens if token.kind == "open"][-1]
        raise ExpressionError("unmatched_open", opening.position)
    if tokens and tokens[-1].kind == "name" and tokens[-1].text in FUNCTIONS:
        raise ExpressionError("function_needs_call", tokens[-1].position, name=tokens[-1].text)
    return tokens


def _check_neighbours(previous: _Token, token: _Token) -> None:
    """Catch what Python would misread or report badly: '2x', 'sin x', 'x(2)'."""
    operand_end = previous.kind in ("number", "close") or (previous.kind == "name" and previous.text not in FUNCTIONS)
    operand_start = token.kind in ("number", "name", "open")
    if previous.kind == "name" and previous.text in FUNCTIONS and token.kind != "open":
        raise ExpressionError("function_needs_call", previous.position, name=previous.text)
    if operand_end and operand_start:
        raise ExpressionError("missing_operator", token.position, before=previous.text, after=token.text)


def parse(source: str) -> ast.Expression:
    """The checked syntax tree of `source`: whitelisted tokens, within every limit. Raises ExpressionError."""
    if not isinstance(source, str):
        raise ExpressionError("empty")
    if len(source) > MAX_LENGTH:
        raise ExpressionError("too_long", length=len(source), limit=MAX_LENGTH)
    if not source.strip():
        raise ExpressionError("empty")
    tokens = tokenize(source)
    python_text = " ".join("**" if token.kind == "power" else token.text for token in tokens)
    try:
        tree = ast.parse(python_text, mode="eval")
    except SyntaxError as error:
        offset = (error.offset or 0) - 1
        if not 0 <= offset < len(python_text.rstrip()):
            # Python reports a text that stops too early ("x**", "x^2+y^2+") at offset 0: the fault is the end.
            raise ExpressionError("ends_early", len(source.rstrip()), last=tokens[-1].text) from None
        raise ExpressionError("syntax", _source_column(tokens, python_text, offset)) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("too_complex", limit=MAX_NODES) from None
    _Checker(tokens, python_text).check(tree)
    return tree


def _source_column(tokens: list[_Token], python_text: str, offset: int) -> int:
    """The column in the user's text of a character offset in the joined token string."""
    cursor = 0
    for token in tokens:
        shown = "**" if token.kind == "power" else token.text
        if offset < cursor + len(shown) + 1:
            return token.position
        cursor += len(shown) + 1
    return tokens[-1].position + len(tokens[-1].text) if tokens else 1


class _Checker:
    """Walks the tree once: only arithmetic, whitelisted calls, bounded size, bounded constant exponents."""

    def __init__(self, tokens: list[_Token], python_text: str) -> None:
        self.tokens = tokens
        self.python_text = python_text
        self.nodes = 0

    def where(self, node: ast.AST) -> int | None:
        offset = getattr(node, "col_offset", None)
        return None if offset is None else _source_column(self.tokens, self.python_text, offset)

    def check(self, tree: ast.Expression) -> None:
        self.visit(tree.body, 0)

    def visit(self, node: ast.AST, depth: int) -> bool:
        """Check `node`; return True when it depends on x or y."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError("too_complex", limit=MAX_NODES)
        if depth > 2 * MAX_DEPTH:
            raise ExpressionError("too_deep", self.where(node), limit=MAX_DEPTH)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and \
                not isinstance(node.value, bool):
            return False
        if isinstance(node, ast.Name):
            return node.id in VARIABLES
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return self.visit(node.operand, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
            left = self.visit(node.left, depth + 1)
            right = self.visit(node.right, depth + 1)
            if isinstance(node.op, ast.Pow) and not right:
                exponent = _literal(node.right)
                if exponent is None or abs(exponent) > MAX_EXPONENT:
                    raise ExpressionError("exponent", self.where(node.right), limit=MAX_EXPONENT)
            return left or right
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
            if node.keywords or len(node.args) != FUNCTIONS[node.func.id]:
                raise ExpressionError("arguments", self.where(node), name=node.func.id,
                                      count=FUNCTIONS[node.func.id])
            return any([self.visit(argument, depth + 1) for argument in node.args])
        raise ExpressionError("not_allowed", self.where(node))


def _literal(node: ast.AST) -> float | None:
    """The value of a number written directly (with an optional sign), else None."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return sign * float(node.value)
    return None


def _fold(node: ast.AST) -> float:
    """Evaluate a constant sub-tree with float arithmetic (no Python eval); overflow gives inf."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp):
        value = _fold(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        left, right = _fold(node.left), _fold(node.right)
        with np.errstate(all="ignore"):
            operation = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide,
                         ast.Pow: np.power}[type(node.op)]
            if isinstance(node.op, ast.Div) and right == 0:
                raise ExpressionError("division_by_zero")
            return float(operation(np.float64(left), np.float64(right)))
    assert isinstance(node, ast.Call)
    arguments = [np.float64(_fold(argument)) for argument in node.args]
    with np.errstate(all="ignore"):
        return float(_NUMPY_FUNCTIONS[node.func.id](*arguments))


_NUMPY_FUNCTIONS = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs,
    "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh, "min": np.minimum, "max": np.maximum,
}


def _depends(node: ast.AST) -> bool:
    return any(isinstance(child, ast.Name) and child.id in VARIABLES for child in ast.walk(node))


def to_sympy(tree: ast.Expression):
    """The sympy expression of a checked tree, built node by node; constants folded to floats."""
    import sympy

    x, y = sympy.symbols("x y", real=True)
    names = {"x": x, "y": y, "pi": sympy.pi, "e": sympy.E}
    functions = {
        "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "exp": sympy.exp, "log": sympy.log,
        "sqrt": sympy.sqrt, "abs": sympy.Abs, "tanh": sympy.tanh, "sinh": sympy.sinh, "cosh": sympy.cosh,
        "min": sympy.Min, "max": sympy.Max,
    }

    def build(node: ast.AST):
        if not _depends(node):
            if isinstance(node, ast.Name):
                return names[node.id]  # pi and e stay exact in the formula
            value = _fold(node)
            if not math.isfinite(value):
                raise ExpressionError("not_finite")
            if value == int(value) and abs(value) <= 10**6:
                return sympy.Integer(int(value))  # x^2 stays x**2, with an exact derivative
            return sympy.Float(value)
        if isinstance(node, ast.Name):
            return names[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            left, right = build(node.left), build(node.right)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if isinstance(node.op, ast.Div):
                return left / right
            return left**right
        return functions[node.func.id](*[build(argument) for argument in node.args])

    return build(tree.body), (x, y)


@dataclass(frozen=True)
class CompiledExpression:
    """A checked f(x, y): its LaTeX, and value_and_grad in the engine's protocol (params (2, *B))."""

    source: str
    latex: str
    value_and_grad: object


def compile_expression(source: str) -> CompiledExpression:
    """Check, differentiate and compile `source`. Raises ExpressionError with what is wrong and where."""
    tree = parse(source)
    import sympy

    expression, (x, y) = to_sympy(tree)
    if expression.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan):
        raise ExpressionError("not_finite")
    gradient = [sympy.diff(expression, symbol) for symbol in (x, y)]
    value_function = sympy.lambdify((x, y), expression, modules="numpy")
    gradient_functions = [sympy.lambdify((x, y), part, modules="numpy") for part in gradient]

    def value_and_grad(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        px, py = params[0], params[1]
        with np.errstate(all="ignore"):
            value = np.broadcast_to(np.asarray(value_function(px, py), dtype=np.float64), px.shape).copy()
            grad = np.empty_like(params)
            for index, function in enumerate(gradient_functions):
                grad[index] = np.broadcast_to(np.asarray(function(px, py), dtype=np.float64), px.shape)
        return value, grad

    return CompiledExpression(source, sympy.latex(expression), value_and_grad)
