"""The built-in 2D loss surfaces: f and its analytic gradient, with what each one teaches.

Every surface follows the engine's protocol: ``value_and_grad(p)`` takes p of shape (2, *B), coordinates first,
and returns f (shape B) and a new gradient array (2, *B). B may be empty (one run): p[0] is then a NumPy
scalar, whose arithmetic is several times cheaper than a one-element array's, so gradients are written as
``grad[i] = ...`` and never with ``out=grad[i]``. Definitions are the standard ones of the
optimization test-function literature; minima were refined by Newton's method to full double precision.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optviz.engine.spec import Spec, format_latex, validate_all

Point = tuple[float, float]


@dataclass(frozen=True)
class Surface:
    """A 2D loss surface and what the interface needs to show it."""

    name: str
    label_en: str
    label_zh: str
    latex: str
    value_and_grad: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
    view: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max
    starts: tuple[Point, ...]
    minima: tuple[Point, ...]  # known local minima, the global ones first
    f_star: float | None  # the global minimum value, None when f is unbounded below or unknown
    lesson_en: str
    lesson_zh: str
    parameters: dict[str, Any] = field(default_factory=dict)
    hessian_eigenvalues: tuple[float, ...] | None = None  # for quadratics: the theory of Distill's article
    saddles: tuple[Point, ...] = ()
    data: Any = None  # a data surface's DataProblem (optviz/surfaces/data.py): the points, the model, the batches
    axis_names: tuple[str, str] = ("x", "y")  # what the two coordinates are (w and b for a data surface)

    def label(self, lang: str) -> str:
        """The display name in language `lang`."""
        return self.label_zh if lang == "zh" else self.label_en

    def lesson(self, lang: str) -> str:
        """What this surface teaches about optimizers, in language `lang`."""
        return self.lesson_zh if lang == "zh" else self.lesson_en

    def value(self, points: np.ndarray) -> np.ndarray:
        """f at points of shape (..., 2)."""
        return self._evaluate(points)[0]

    def gradient(self, points: np.ndarray) -> np.ndarray:
        """The gradient at points of shape (..., 2), as (..., 2)."""
        return self._evaluate(points)[1]

    def _evaluate(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        points = np.asarray(points, dtype=np.float64)
        single = points.ndim == 1
        params = np.moveaxis(points.reshape(1, 2) if single else points, -1, 0)
        with np.errstate(all="ignore"):
            value, grad = self.value_and_grad(np.ascontiguousarray(params))
        grad = np.moveaxis(grad, 0, -1)
        return (value[0], grad[0]) if single else (value, grad)


@dataclass(frozen=True)
class Family:
    """A surface with settings (e.g. a and b of a·x² + b·y²): specs for them and a builder."""

    name: str
    specs: dict[str, Spec]
    build: Callable[..., Surface]

    def make(self, **settings: Any) -> Surface:
        """The surface for `settings` (defaults filled in, each value validated)."""
        checked = validate_all(self.specs, settings, f"surface {self.name}")
        for key, value in checked.items():
            if isinstance(value, np.ndarray):
                raise ValueError(f"surface {self.name}: {key} must be one number")
        return self.build(**checked)


def _coefficient(name: str, symbol: str, default: float, en: str, zh: str, low: float = 0.0) -> Spec:
    return Spec(name, en, zh, symbol, default, low=low, low_inclusive=False, high=1000.0, ui_low=0.01,
                ui_high=100.0, log=True, help_en=en, help_zh=zh)


# ---------------------------------------------------------------- quadratics


def _quadratic(a: float, b: float) -> Surface:
    def value_and_grad(p):
        x, y = p[0], p[1]
        grad = np.empty_like(p)
        if grad.ndim > 1:  # a batch (a sweep): one pass per row, no temporaries
            np.multiply(x, 2 * a, out=grad[0])
            np.multiply(y, 2 * b, out=grad[1])
        else:
            grad[0] = x * (2 * a)
            grad[1] = y * (2 * b)
        return a * (x * x) + b * (y * y), grad

    return Surface(
        "quadratic", "Quadratic bowl a·x² + b·y²", "二次碗 a·x² + b·y²",
        rf"f(x, y) = {_factor(a)}x^2 + {_factor(b)}y^2",
        value_and_grad, (-6.0, 6.0, -4.0, 4.0), ((-5.0, -2.0), (4.0, 3.0)), ((0.0, 0.0),), 0.0,
        "The a·x² + b·y² exercise. When b is much larger than a the bowl is a narrow valley: a learning rate "
        "small enough for the steep y direction crawls along x, and one a little larger zig-zags across the "
        "valley. Gradient descent diverges once η·2·max(a, b) > 2.",
        "课堂上的 a·x² + b·y² 练习。b 远大于 a 时碗变成狭长山谷：对陡峭的 y 方向足够小的学习率在 x 方向上爬得很慢，"
        "稍大一点又会在山谷两侧来回振荡。当 η·2·max(a, b) > 2 时梯度下降发散。",
        {"a": a, "b": b}, (2 * a, 2 * b),
    )


def _rotated_quadratic(l1: float, l2: float, angle: float) -> Surface:
    theta = math.radians(angle)
    cos, sin = math.cos(theta), math.sin(theta)

    def value_and_grad(p):
        x, y = p[0], p[1]
        u = cos * x + sin * y
        v = cos * y - sin * x
        grad = np.empty_like(p)
        grad[0] = u * (l1 * cos)
        grad[0] -= l2 * sin * v
        grad[1] = u * (l1 * sin)
        grad[1] += l2 * cos * v
        return 0.5 * (l1 * u * u + l2 * v * v), grad

    return Surface(
        "rotated_quadratic", "Rotated narrow valley", "倾斜的狭长山谷",
        rf"f = \tfrac12\left({_factor(l1)}u^2 + {_factor(l2)}v^2\right),\ "
        rf"\begin{{pmatrix}}u\\v\end{{pmatrix}} = R_{{{_num(angle)}^\circ}}\begin{{pmatrix}}x\\y\end{{pmatrix}}",
        value_and_grad, (-5.0, 5.0, -5.0, 5.0), ((-4.0, 2.0), (3.5, 3.5)), ((0.0, 0.0),), 0.0,
        "A quadratic whose valley is not aligned with the axes, with Hessian eigenvalues λ₁ and λ₂ "
        "(condition number λ₂/λ₁). Methods that rescale each coordinate (AdaGrad, RMSProp, Adam) help less "
        "here than on an axis-aligned valley; momentum helps just as much.",
        "山谷方向与坐标轴不平行的二次函数，Hessian 特征值为 λ₁、λ₂（条件数 λ₂/λ₁）。逐坐标缩放的方法（AdaGrad、"
        "RMSProp、Adam）在这里的帮助不如在与坐标轴对齐的山谷中明显；动量法的帮助则一样大。",
        {"l1": l1, "l2": l2, "angle": angle}, (min(l1, l2), max(l1, l2)),
    )


# ---------------------------------------------------------------- classic test functions


def _rosenbrock(a: float, b: float) -> Surface:
    def value_and_grad(p):
        x, y = p[0], p[1]
        valley = y - x * x
        offset = a - x
        grad = np.empty_like(p)
        grad[0] = -4 * b * x * valley - 2 * offset
        grad[1] = valley * (2 * b)
        return offset * offset + b * (valley * valley), grad

    return Surface(
        "rosenbrock", "Rosenbrock's banana valley", "Rosenbrock 香蕉谷",
        rf"f(x, y) = ({_num(a)} - x)^2 + {_factor(b)}(y - x^2)^2",
        value_and_grad, (-2.0, 2.0, -1.0, 3.0), ((-1.5, 2.0), (0.0, -0.5)), ((a, a * a),), 0.0,
        "A curved, flat-bottomed valley. Reaching the valley floor is easy; following it to the minimum at "
        "(a, a²) is slow. Plain gradient descent needs a tiny learning rate, momentum overshoots the bends, "
        "adaptive methods move along the floor faster.",
        "弯曲且谷底平坦的山谷。到达谷底很容易，沿谷底走到最小值 (a, a²) 却很慢。普通梯度下降需要极小的学习率，"
        "动量法会在弯道处冲过头，自适应方法沿谷底前进得更快。",
        {"a": a, "b": b},
    )


def _beale() -> Surface:
    def value_and_grad(p):
        x, y = p[0], p[1]
        y2 = y * y
        y3 = y2 * y
        t1 = 1.5 - x + x * y
        t2 = 2.25 - x + x * y2
        t3 = 2.625 - x + x * y3
        grad = np.empty_like(p)
        grad[0] = 2 * (t1 * (y - 1) + t2 * (y2 - 1) + t3 * (y3 - 1))
        grad[1] = 2 * x * (t1 + 2 * t2 * y + 3 * t3 * y2)
        return t1 * t1 + t2 * t2 + t3 * t3, grad

    return Surface(
        "beale", "Beale", "Beale 函数",
        r"f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        value_and_grad, (-4.5, 4.5, -4.5, 4.5), ((1.0, 1.5), (-2.0, -2.0)), ((3.0, 0.5),), 0.0,
        "Flat plains and sharp ridges near the corners: gradients differ by orders of magnitude from place "
        "to place, so a learning rate that suits one region is wrong for the next. Adaptive methods cope.",
        "大片平原与角落附近的陡峭山脊：不同位置的梯度相差几个数量级，适合一处的学习率到了另一处就不合适。"
        "自适应方法更能应对。",
    )


_HIMMELBLAU_MINIMA = (
    (3.0, 2.0),
    (-2.805118086952745, 3.131312518250573),
    (-3.779310253377747, -3.283185991286169),
    (3.5844283403304917, -1.8481265269644036),
)


def _himmelblau() -> Surface:
    def value_and_grad(p):
        x, y = p[0], p[1]
        a = x * x + y - 11
        b = x + y * y - 7
        grad = np.empty_like(p)
        grad[0] = 4 * x * a + 2 * b
        grad[1] = 2 * a + 4 * y * b
        return a * a + b * b, grad

    return Surface(
        "himmelblau", "Himmelblau (four minima)", "Himmelblau 函数（四个最小值）",
        r"f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        value_and_grad, (-5.0, 5.0, -5.0, 5.0), ((0.0, 0.0), (-1.0, -1.0), (0.5, -4.0)), _HIMMELBLAU_MINIMA, 0.0,
        "Four equally deep minima. Which one a run ends in depends on where it starts, on the optimizer and "
        "on its settings: the basins of attraction are not the same for every method.",
        "四个同样深的最小值。一次运行落到哪一个，取决于起点、优化器及其设置：不同方法的吸引域并不相同。",
    )


def _booth() -> Surface:
    def value_and_grad(p):
        x, y = p[0], p[1]
        a = x + 2 * y - 7
        b = 2 * x + y - 5
        grad = np.empty_like(p)
        grad[0] = 2 * a + 4 * b
        grad[1] = 4 * a + 2 * b
        return a * a + b * b, grad

    return Surface(
        "booth", "Booth", "Booth 函数",
        r"f = (x + 2y - 7)^2 + (2x + y - 5)^2",
        value_and_grad, (-10.0, 10.0, -10.0, 10.0), ((-8.0, -6.0), (8.0, 8.0)), ((1.0, 3.0),), 0.0,
        "A tilted quadratic bowl (Hessian eigenvalues 2 and 18): every method gets there, at different speeds. "
        "A baseline before the hard cases.",
        "一个倾斜的二次碗（Hessian 特征值为 2 和 18）：每种方法都能到达最小值，只是快慢不同。是困难例子之前的基准。",
        hessian_eigenvalues=(2.0, 18.0),
    )


def _saddle() -> Surface:
    def value_and_grad(p):
        x, y = p[0], p[1]
        grad = np.empty_like(p)
        grad[0] = x * 2.0
        grad[1] = y * -2.0
        return x * x - y * y, grad

    return Surface(
        "saddle", "Saddle point x² − y²", "鞍点 x² − y²",
        r"f(x, y) = x^2 - y^2",
        value_and_grad, (-2.0, 2.0, -2.0, 2.0), ((-1.8, 0.001), (-1.8, 0.3)), (), None,
        "Downhill along y, uphill along x, flat at the centre. Started almost on the ridge, gradient descent "
        "slides to the saddle and waits there, since its gradient vanishes; noise or adaptive steps escape "
        "much sooner. The function has no minimum: a run that escapes goes on downhill forever.",
        "沿 y 方向下降、沿 x 方向上升，中心处平坦。从几乎在脊线上的点出发，梯度下降滑向鞍点并在那里停滞，因为梯度"
        "趋于零；加噪声或自适应步长能更早逃离。此函数没有最小值：逃离鞍点的运行会一直向下。",
        saddles=((0.0, 0.0),),
    )


def _monkey_saddle() -> Surface:
    def value_and_grad(p):
        x, y = p[0], p[1]
        grad = np.empty_like(p)
        grad[0] = 3 * (x * x - y * y)
        grad[1] = -6 * x * y
        return x * x * x - 3 * x * y * y, grad

    return Surface(
        "monkey_saddle", "Monkey saddle x³ − 3xy²", "猴鞍面 x³ − 3xy²",
        r"f(x, y) = x^3 - 3xy^2",
        value_and_grad, (-1.5, 1.5, -1.5, 1.5), ((1.2, 0.0), (1.0, 0.3)), (), None,
        "A saddle with three valleys and a flat centre where even the second derivative vanishes: near it "
        "the gradient is tiny in every direction, which stalls plain gradient descent.",
        "有三条下降山谷的鞍面，中心处连二阶导数都为零：附近各方向的梯度都很小，普通梯度下降会停滞。",
        saddles=((0.0, 0.0),),
    )


def _rastrigin() -> Surface:
    two_pi = 2 * math.pi

    def value_and_grad(p):
        x, y = p[0], p[1]
        grad = np.empty_like(p)
        grad[0] = 2 * x + 10 * two_pi * np.sin(two_pi * x)
        grad[1] = 2 * y + 10 * two_pi * np.sin(two_pi * y)
        return 20 + x * x - 10 * np.cos(two_pi * x) + y * y - 10 * np.cos(two_pi * y), grad

    return Surface(
        "rastrigin", "Rastrigin (many local minima)", "Rastrigin 函数（大量局部最小值）",
        r"f = 20 + \sum_{u \in \{x, y\}} \left(u^2 - 10\cos 2\pi u\right)",
        value_and_grad, (-5.12, 5.12, -5.12, 5.12), ((3.3, 2.7), (-4.5, 1.2)), ((0.0, 0.0),), 0.0,
        "An egg-box of local minima on a bowl. Every local method gets stuck in the nearest cup; large steps or "
        "noise hop between cups, but no optimizer here is guaranteed to find the global minimum.",
        "碗面上布满鸡蛋格一样的局部最小值。所有局部方法都会陷入最近的小坑；大步长或噪声能在坑之间跳跃，"
        "但这里没有一个优化器能保证找到全局最小值。",
    )


def _ackley() -> Surface:
    two_pi = 2 * math.pi

    def value_and_grad(p):
        x, y = p[0], p[1]
        radius = np.sqrt(0.5 * (x * x + y * y))
        outer = 20 * np.exp(-0.2 * radius)
        ripple = np.exp(0.5 * (np.cos(two_pi * x) + np.cos(two_pi * y)))
        # d(radius)/dx = 0.5 x / radius; at the origin the cone's gradient is taken as 0 (its subgradient).
        with np.errstate(divide="ignore", invalid="ignore"):
            cone = np.where(radius > 0, 0.2 * outer * 0.5 / radius, 0.0)
        grad = np.empty_like(p)
        grad[0] = cone * x + ripple * math.pi * np.sin(two_pi * x)
        grad[1] = cone * y + ripple * math.pi * np.sin(two_pi * y)
        return -outer - ripple + math.e + 20, grad

    return Surface(
        "ackley", "Ackley", "Ackley 函数",
        r"f = -20 e^{-0.2\sqrt{(x^2 + y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20",
        value_and_grad, (-5.0, 5.0, -5.0, 5.0), ((3.2, 2.6), (-4.0, -1.5)), ((0.0, 0.0),), 0.0,
        "A nearly flat plateau riddled with small dips around one deep funnel. Far out the gradient is small "
        "and noisy; methods with momentum or normalized steps cross the plateau, the others stop in a dip.",
        "一个深漏斗周围是布满小坑、几乎平坦的高原。远处梯度又小又乱；带动量或归一化步长的方法能穿过高原，"
        "其他方法会停在某个小坑里。",
    )


def _goldstein_price() -> Surface:
    def value_and_grad(p):
        x, y = p[0], p[1]
        a = x + y + 1
        b = 19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y
        c = 2 * x - 3 * y
        d = 18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y
        first = 1 + a * a * b
        second = 30 + c * c * d
        db = -14 + 6 * x + 6 * y  # db/dx = db/dy
        d_first = 2 * a * b + a * a * db  # d(first)/dx = d(first)/dy
        d_second_x = 4 * c * d + c * c * (-32 + 24 * x - 36 * y)
        d_second_y = -6 * c * d + c * c * (48 - 36 * x + 54 * y)
        grad = np.empty_like(p)
        grad[0] = d_first * second + first * d_second_x
        grad[1] = d_first * second + first * d_second_y
        return first * second, grad

    return Surface(
        "goldstein_price", "Goldstein–Price", "Goldstein–Price 函数",
        r"f = \left[1 + (x+y+1)^2(19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\right]"
        r"\left[30 + (2x-3y)^2(18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\right]",
        value_and_grad, (-2.0, 2.0, -2.0, 2.0), ((-1.5, 1.5), (1.0, 1.0)),
        ((0.0, -1.0), (-0.6, -0.4), (1.8, 0.2), (1.2, 0.8)), 3.0,
        "Values span six orders of magnitude (from 3 to about a million): raw gradients explode at the edges. "
        "Without clipping or an adaptive method, a step from the edge flies out of the view.",
        "函数值跨越六个数量级（从 3 到约一百万）：边缘处的原始梯度会爆炸。不用梯度裁剪或自适应方法，"
        "从边缘出发的一步就会飞出视野。",
    )


_CAMEL_MINIMA = (
    (0.08984201310031807, -0.7126564030207396),
    (-0.08984201310031807, 0.7126564030207396),
    (1.7036067149699814, -0.7960835686726251),
    (-1.7036067149699814, 0.7960835686726251),
    (1.6071047529201976, 0.5686514548841313),
    (-1.6071047529201976, -0.5686514548841313),
)


def _six_hump_camel() -> Surface:
    def value_and_grad(p):
        x, y = p[0], p[1]
        x2 = x * x
        y2 = y * y
        grad = np.empty_like(p)
        grad[0] = 8 * x - 8.4 * x2 * x + 2 * x2 * x2 * x + y
        grad[1] = x - 8 * y + 16 * y2 * y
        return (4 - 2.1 * x2 + x2 * x2 / 3) * x2 + x * y + (-4 + 4 * y2) * y2, grad

    return Surface(
        "six_hump_camel", "Six-hump camel", "六峰驼背函数",
        r"f = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (-4 + 4y^2)\,y^2",
        value_and_grad, (-2.0, 2.0, -1.0, 1.0), ((0.0, 0.0), (-1.5, -0.8), (1.9, 0.9)), _CAMEL_MINIMA,
        -1.0316284534898774,
        "Six minima, two of them global (f ≈ −1.0316). A run from the centre must choose a side; from the "
        "edges, runs often settle in one of the four shallower minima.",
        "六个极小值，其中两个是全局最小值（f ≈ −1.0316）。从中心出发的运行必须选择一侧；从边缘出发的运行常常停在"
        "另外四个较浅的极小值之一。",
    )


_STYBLINSKI = (-2.903534027771177, 2.746802770990837)


def _styblinski_tang() -> Surface:
    def value_and_grad(p):
        x, y = p[0], p[1]
        grad = np.empty_like(p)
        grad[0] = 2 * x * x * x - 16 * x + 2.5
        grad[1] = 2 * y * y * y - 16 * y + 2.5
        x2 = x * x
        y2 = y * y
        return 0.5 * (x2 * x2 - 16 * x2 + 5 * x + y2 * y2 - 16 * y2 + 5 * y), grad

    low, high = _STYBLINSKI
    return Surface(
        "styblinski_tang", "Styblinski–Tang", "Styblinski–Tang 函数",
        r"f = \tfrac12 \sum_{u \in \{x, y\}} \left(u^4 - 16u^2 + 5u\right)",
        value_and_grad, (-5.0, 5.0, -5.0, 5.0), ((0.5, 0.5), (4.5, -4.5)),
        ((low, low), (low, high), (high, low), (high, high)), -78.33233140754282,
        "Four minima of different depths, the deepest at about (−2.90, −2.90). Starting near the centre, the "
        "first step decides the basin: small slopes there amplify small differences between optimizers.",
        "四个深浅不同的极小值，最深的在约 (−2.90, −2.90)。从中心附近出发时第一步就决定了落入哪个盆地："
        "那里坡度很小，会放大优化器之间的细微差别。",
    )


# ---------------------------------------------------------------- surfaces made for a lesson


def _plateau() -> Surface:
    def value_and_grad(p):
        x, y = p[0], p[1]
        well = np.exp(-(x * x + y * y) / 2)
        grad = np.empty_like(p)
        grad[0] = x * well
        grad[1] = y * well
        return 1 - well, grad

    return Surface(
        "plateau", "Plateau around a well", "深井周围的平台",
        r"f(x, y) = 1 - e^{-(x^2 + y^2)/2}",
        value_and_grad, (-5.0, 5.0, -5.0, 5.0), ((4.0, 3.0), (-3.5, 1.0)), ((0.0, 0.0),), 0.0,
        "A wide, nearly flat plateau: at distance 5 the gradient is about 2·10⁻⁵. Gradient descent hardly moves "
        "(with η = 0.5 about 0.05 in 5 000 steps); Adam and RMSProp divide by the gradient's own size and walk "
        "off the plateau at full speed. Momentum adds the tiny gradients up and builds up speed: from (4, 3) with "
        "η = 0.5 it reaches the well after about 500 steps with β = 0.99, about 2 500 with β = 0.9.",
        "宽阔且几乎平坦的平台：在距离 5 处梯度约为 2·10⁻⁵。梯度下降几乎不动（η = 0.5 时 5 000 步只移动约 0.05）；"
        "Adam 和 RMSProp 用梯度自身的大小做除数，以全速走出平台。动量法把微小的梯度累加起来，逐渐积累速度："
        "从 (4, 3) 出发、η = 0.5 时，β = 0.99 约 500 步到达深井，β = 0.9 约需 2 500 步。",
    )


def _cliff() -> Surface:
    def value_and_grad(p):
        x, y = p[0], p[1]
        wall = np.tanh(3 * x)
        grad = np.empty_like(p)
        grad[0] = 0.1 * (x - 3) - 30 * (1 - wall * wall)
        grad[1] = y
        return 0.05 * (x - 3) ** 2 + 0.5 * y * y + 10 * (1 - wall), grad

    return Surface(
        "cliff", "Cliff (exploding gradient)", "悬崖（梯度爆炸）",
        r"f(x, y) = 0.05\,(x - 3)^2 + 0.5\,y^2 + 10\,(1 - \tanh 3x)",
        value_and_grad, (-5.0, 6.0, -3.0, 3.0), ((-3.0, 1.5), (-4.0, -1.0)), ((3.0000182739714027, 0.0),),
        3.0458289138825205e-07,
        "A gentle slope ends in a cliff at x = 0, where the gradient jumps to about 30. A run that lands on its "
        "face takes one enormous step and is thrown far out of the view (with η = 1 from the default start, to "
        "x ≈ 30). Clipping the gradient's norm bounds the step: the run walks down the cliff and goes on.",
        "平缓的斜坡在 x = 0 处变成悬崖，梯度骤增到约 30。落在崖壁上的运行会迈出巨大的一步，被抛出视野"
        "（从默认起点、η = 1 时被抛到 x ≈ 30）。按范数裁剪梯度能限制步长：运行平稳走下悬崖并继续前进。",
    )


_DIPS = (((-2.0, 1.5), 1.5, 0.8), ((2.0, -1.0), 1.0, 0.7), ((1.5, 2.5), 0.8, 0.6), ((-1.5, -2.5), 0.6, 0.6))
_BUMPY_MINIMA = (
    (-1.838050036862271, 1.3785376343467528),
    (1.8142041430699278, -0.9071017297579684),
    (1.364462338653635, 2.2745183071053163),
    (-1.3100048300505716, -2.1832367114804807),
)


def _bumpy_bowl() -> Surface:
    def value_and_grad(p):
        x, y = p[0], p[1]
        value = 0.1 * (x * x + y * y)
        grad = np.empty_like(p)
        grad[0] = x * 0.2
        grad[1] = y * 0.2
        for (cx, cy), depth, width in _DIPS:
            dx, dy = x - cx, y - cy
            dip = depth * np.exp(-(dx * dx + dy * dy) / (2 * width * width))
            value = value - dip
            grad[0] += dip * dx / (width * width)
            grad[1] += dip * dy / (width * width)
        return value, grad

    return Surface(
        "bumpy_bowl", "Bowl with dips (local minima)", "带凹坑的碗（局部最小值）",
        r"f = 0.1\,(x^2 + y^2) - \sum_{k=1}^{4} A_k\, e^{-\lVert (x, y) - c_k \rVert^2 / 2s_k^2}",
        value_and_grad, (-4.5, 4.5, -4.5, 4.5), ((0.0, 0.0), (3.5, 3.5), (-3.5, -0.5)), _BUMPY_MINIMA,
        -0.9248567891978844,
        "A wide bowl with four Gaussian dips of different depths. Each dip is a local minimum; only the deepest, "
        "at about (−1.84, 1.38), is global. Which one a run reaches depends on start, optimizer and momentum.",
        "一个宽碗上有四个深浅不同的高斯凹坑。每个凹坑都是局部最小值，只有最深的（约 (−1.84, 1.38)）是全局最小值。"
        "运行落入哪个凹坑取决于起点、优化器和动量。",
    )


def _num(value: float) -> str:
    """A coefficient in a formula: 0.1 stays 0.1, 1e-09 becomes 10^{-9} (never "1e − 09")."""
    return format_latex(value)


def _factor(value: float) -> str:
    """A coefficient written before a term: '' for 1 (x², not 1 x²), '-' for −1, else the number and a thin space."""
    if value == 1:
        return ""
    if value == -1:
        return "-"
    return _num(value) + r"\,"


FAMILIES: dict[str, Family] = {
    "quadratic": Family("quadratic", {
        "a": _coefficient("a", "a", 1.0, "coefficient a of x²", "x² 的系数 a"),
        "b": _coefficient("b", "b", 10.0, "coefficient b of y²", "y² 的系数 b"),
    }, _quadratic),
    "rotated_quadratic": Family("rotated_quadratic", {
        "l1": _coefficient("l1", r"\lambda_1", 1.0, "small Hessian eigenvalue λ₁", "较小的 Hessian 特征值 λ₁"),
        "l2": _coefficient("l2", r"\lambda_2", 20.0, "large Hessian eigenvalue λ₂", "较大的 Hessian 特征值 λ₂"),
        "angle": Spec("angle", "rotation (degrees)", "旋转角（度）", r"\varphi", 30.0, low=-180.0, high=180.0,
                      ui_low=-90.0, ui_high=90.0, help_en="Angle between the valley and the x axis.",
                      help_zh="山谷与 x 轴的夹角。"),
    }, _rotated_quadratic),
    "rosenbrock": Family("rosenbrock", {
        "a": Spec("a", "minimum at x = a", "最小值位置 a", "a", 1.0, low=-5.0, high=5.0, ui_low=-2.0, ui_high=2.0,
                  help_en="The minimum is at (a, a²).", help_zh="最小值位于 (a, a²)。"),
        "b": _coefficient("b", "b", 100.0, "steepness of the valley walls b", "山谷侧壁陡峭程度 b"),
    }, _rosenbrock),
    "beale": Family("beale", {}, _beale),
    "himmelblau": Family("himmelblau", {}, _himmelblau),
    "booth": Family("booth", {}, _booth),
    "saddle": Family("saddle", {}, _saddle),
    "monkey_saddle": Family("monkey_saddle", {}, _monkey_saddle),
    "rastrigin": Family("rastrigin", {}, _rastrigin),
    "ackley": Family("ackley", {}, _ackley),
    "goldstein_price": Family("goldstein_price", {}, _goldstein_price),
    "six_hump_camel": Family("six_hump_camel", {}, _six_hump_camel),
    "styblinski_tang": Family("styblinski_tang", {}, _styblinski_tang),
    "plateau": Family("plateau", {}, _plateau),
    "cliff": Family("cliff", {}, _cliff),
    "bumpy_bowl": Family("bumpy_bowl", {}, _bumpy_bowl),
}

# Surfaces made of data (linear and logistic regression), after the others in every list.
from .data import DATA_FAMILIES  # noqa: E402  (data.py builds on Surface and Family above)

FAMILIES.update(DATA_FAMILIES)

# One-click settings of the quadratic family, named in the interface and on the command line.
QUADRATIC_PRESETS: dict[str, dict[str, float]] = {
    "exercise": {"a": 1.0, "b": 10.0},  # the a·x² + b·y² exercise of the course notes (a, b adjustable)
    "d2l": {"a": 1.0, "b": 2.0},  # d2l.ai 12.3: f = x1² + 2 x2²
    "d2l_ill": {"a": 0.1, "b": 2.0},  # d2l.ai 12.6-12.8: f = 0.1 x1² + 2 x2²
}
