"""Why momentum works: Distill's lessons (Goh 2017) as workbenches, one function per lesson, each chart beside its
controls and the closed form (with live values) that predicts it.

The computations are optviz.distill's plain functions (picklable arguments and results), cached here with bounds.
The lesson is a language-free key under LESSON_KEY, in the session and in the URL (``?distill=rate_map``).
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from optviz import distill
from optviz.plots import distill as figures

from .i18n import t
from .labs import labels, workbench
from .layout import CHART_HEIGHT
from .tables import table

LESSONS = ("milestones", "rate_map", "polynomial", "colorization", "stochastic")
LESSON_KEY = "distill"
EIGENVALUE_CHOICES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
LR_CHOICES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 1.5, 1.9, 2.0, 2.1, 2.5, 3.0, 3.5, 3.9, 4.5)
STEP_CHOICES = (1, 3, 10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 100_000)
STOCHASTIC_EIGENVALUES = (0.1, 1.0)


def number(value: float, digits: int = 3) -> str:
    """A number as a person writes it: 0.0123, 1.5e-07, 2 160."""
    return f"{value:.{digits}g}"


def rate_text(value: float) -> str:
    """A factor per step: 4 significant digits, more when it would round to 1 without being 1 (0.999999)."""
    text = f"{value:.4g}"
    return f"{value:.7f}".rstrip("0") if text == "1" and value != 1 else text


def latex_number(value: float, digits: int = 3) -> str:
    """A number for LaTeX: 1.5 \\cdot 10^{-7} rather than 1.5e-07."""
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, power = text.split("e")
        return rf"{mantissa} \cdot 10^{{{int(power)}}}"
    return text


def complex_latex(value: complex) -> str:
    """σ as a + bi (b shown only when it is not zero)."""
    if abs(value.imag) < 1e-12:
        return latex_number(value.real, 4)
    sign = "+" if value.imag > 0 else "-"
    return rf"{latex_number(value.real, 4)} {sign} {latex_number(abs(value.imag), 4)}\,i"


# ------------------------------------------------------------------------------------------ cached computations


@st.cache_data(max_entries=32, show_spinner=False)
def milestones_cached(eigenvalues: tuple[float, ...], lr: float, momentum: float, steps: int) -> dict:
    """optviz.distill.milestones, cached."""
    return distill.milestones(eigenvalues, lr, momentum, steps)


@st.cache_data(max_entries=2, show_spinner=False)
def rate_map_cached(columns: int, rows: int) -> dict:
    """optviz.distill.rate_map over αλ in [0, 4] and β in [0, 0.999], cached."""
    return distill.rate_map(np.linspace(0.0, 4.0, columns), np.linspace(0.0, 0.999, rows))


@st.cache_data(max_entries=8, show_spinner=False)
def polynomial_cached(noise: float) -> dict:
    """optviz.distill.polynomial_regression with a checkpoint at every step choice, cached."""
    return distill.polynomial_regression(10, 9, noise, 0, checkpoints=STEP_CHOICES)


@st.cache_data(max_entries=4, show_spinner=False)
def colorization_cached(method: str, steps: int) -> list[dict]:
    """optviz.distill.colorization for every graph, cached."""
    return [distill.colorization(name, steps, method) for name in distill.GRAPHS]


@st.cache_data(max_entries=16, show_spinner=False)
def stochastic_cached(lr: float, momentum: float, noise: float, decay: float) -> dict:
    """optviz.distill.stochastic (1 000 runs, 200 steps), cached."""
    return distill.stochastic(STOCHASTIC_EIGENVALUES, lr, momentum, noise, decay, 200, 1000)


# ----------------------------------------------------------------------------------------------------- the lessons


def run_lesson(lesson: str) -> None:
    """Draw the lesson `lesson` (a key of LESSONS)."""
    LABS[lesson]()


def insight(text: str) -> None:
    st.info(text, icon=":material/insights:")


def milestones_lab() -> None:
    """The error split into its eigen-components: each one measured beside its closed form."""
    chart, controls = workbench()
    with controls:
        chosen = st.multiselect(t("mo.eigenvalues"), EIGENVALUE_CHOICES, default=[0.01, 0.1, 1.0],
                                key="mo_eigenvalues", max_selections=5, persist_state="session",
                                placeholder=t("app.choose"), format_func=lambda value: f"{value:g}")
        left, right = st.columns(2)
        lr = left.select_slider("α", LR_CHOICES, value=1.0, key="mo_lr", persist_state="session")
        momentum = right.slider("β", 0.0, 0.99, 0.0, 0.01, key="mo_momentum", persist_state="session")
        steps = st.select_slider(t("mo.steps"), (50, 100, 150, 200, 300, 500), value=150, key="mo_steps",
                                 persist_state="session")
        caption_place = st.empty()
        st.markdown(t("mo.milestones_text"))
        formulas_place = st.container()
    eigenvalues = tuple(sorted(float(value) for value in chosen if value in EIGENVALUE_CHOICES))
    if not eigenvalues:
        with chart:
            st.warning(t("mo.no_eigenvalues"), icon=":material/warning:")
        return
    result = milestones_cached(eigenvalues, float(lr), float(momentum), int(steps))
    with chart:
        left, right = st.columns([1.1, 1])
        left.plotly_chart(figures.milestones_figure(result, {
            "title": t("mo.components_title"), "component": t("mo.component"), "measured": t("mo.measured"),
            "closed": t("mo.closed"), "step": t("axis.step")}, height=CHART_HEIGHT), width="stretch")
        right.plotly_chart(figures.loss_parts_figure(result, {
            "title": t("mo.loss_parts_title"), "total": t("mo.total"), "step": t("axis.step"),
            "y": "½ λᵢ xᵢ²"}, height=CHART_HEIGHT), width="stretch")
    caption_place.info(milestones_caption(result), icon=":material/insights:")
    with formulas_place:
        if momentum == 0:
            st.latex(r"x_k^{(i)} = (1 - \alpha\lambda_i)^k\, x_0^{(i)},\quad \alpha = " + latex_number(lr))
        else:
            st.latex(r"x_{k+1} = (1 + \beta - \alpha\lambda)\,x_k - \beta\,x_{k-1},\quad x_k = c_1\sigma_1^k + "
                     r"c_2\sigma_2^k")
            st.latex(r"\sigma^2 - (1 + \beta - \alpha\lambda)\,\sigma + \beta = 0,\quad \alpha = "
                     + latex_number(lr) + r",\ \beta = " + latex_number(momentum))
        rows = []
        for value, (first, second), rate in zip(result["eigenvalues"], result["roots"], result["rate"], strict=True):
            rows.append(rf"\lambda = {latex_number(value)}:&\ \sigma_{{1,2}} = {complex_latex(complex(first))},\ "
                        rf"{complex_latex(complex(second))};\ \max|\sigma| = {latex_number(rate, 4)}")
        st.latex(r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}")


def milestones_caption(result: dict) -> str:
    """The slowest and the fastest component after the last step, their rates, and how close the closed form is."""
    final = np.abs(result["measured"][-1])
    steps = len(result["measured"]) - 1
    slowest = int(np.argmax(result["rate"]))
    with np.errstate(invalid="ignore"):  # a diverged run's inf − inf
        scale = np.maximum(1.0, np.abs(result["closed"]))
        gap = float(np.nanmax(np.abs(result["measured"] - result["closed"]) / scale))
    if not np.all(np.isfinite(final)) or result["rate"].max() >= 1:
        diverging = [number(value) for value, rate in zip(result["eigenvalues"], result["rate"], strict=True)
                     if rate >= 1]
        return t("mo.milestones_diverged", eigenvalues=", ".join(diverging), steps=steps)
    if len(final) > 1 and np.ptp(result["rate"]) < 1e-9 and result["momentum"] > 0:  # all complex: rate √β
        text = [t("mo.milestones_equal", beta=number(result["momentum"]), rate=number(result["rate"][0], 4),
                  steps=steps, error=number(final.max()))]
    else:
        text = [t("mo.milestones_slowest", steps=steps, eigenvalue=number(result["eigenvalues"][slowest]),
                  error=rate_text(final[slowest]), rate=rate_text(result["rate"][slowest]))]
    if result["momentum"] == 0 and len(result["eigenvalues"]) > 1:
        values = result["eigenvalues"]
        best_lr = 2 / (values.min() + values.max())
        kappa = values.max() / values.min()
        text.append(t("mo.milestones_gd", lr=number(best_lr), rate=number((kappa - 1) / (kappa + 1), 4)))
    elif result["momentum"] > 0 and len(result["eigenvalues"]) > 1:
        _, best_beta, best_rate = optimal(result["eigenvalues"])
        text.append(t("mo.milestones_momentum", beta=number(best_beta, 3), rate=number(best_rate, 4)))
    text.append(t("mo.agreement", gap=f"{gap:.1e}"))
    return " ".join(text)


def optimal(eigenvalues: np.ndarray) -> tuple[float, float, float]:
    """Polyak's (α*, β*, rate) for the given eigenvalues."""
    from optviz.theory import momentum_optimal

    return momentum_optimal(eigenvalues)


def rate_map_lab() -> None:
    """The rate max(|σ₁|, |σ₂|) over (αλ, β), its regions and critical damping; the phase diagram of one point."""
    chart, controls = workbench()
    with controls:
        scaled_lr = st.slider("αλ", 0.01, 4.0, 0.5, 0.01, key="mo_scaled_lr", persist_state="session")
        critical = float(distill.critical_momentum(scaled_lr))
        at_critical = st.toggle(t("mo.at_critical"), key="mo_at_critical", persist_state="session")
        momentum = st.slider("β", 0.0, 0.99, 0.6, 0.01, key="mo_map_momentum", persist_state="session",
                             disabled=at_critical)
        if at_critical:
            momentum = min(critical, 0.99)
        caption_place = st.empty()
        st.markdown(t("mo.rate_map_text"))
        formulas_place = st.container()
    result = distill.phase(float(scaled_lr), float(momentum), 60)
    with chart:
        left, right = st.columns([1.25, 1])
        left.plotly_chart(figures.rate_map_figure(rate_map_cached(161, 101), (scaled_lr, momentum), {
            "title": t("mo.rate_map_title"), "rate": "max|σ|", "critical": t("mo.critical"),
            "divergence": t("mo.divergence_border"), "point": t("mo.point"), "complex": t("mo.region.0"),
            "real": t("mo.region.1"), "divergent": t("mo.region.2"), "x": "αλ", "y": "β"}, height=CHART_HEIGHT),
            width="stretch")
        right.plotly_chart(figures.phase_figure(result, {
            "title": t("mo.phase_title", lr=number(scaled_lr), beta=number(momentum)), "path": t("mo.phase_path"),
            "start": t("mo.phase_start")}, height=CHART_HEIGHT), width="stretch")
    first, second = result["roots"]
    caption_place.info(rate_caption(scaled_lr, momentum, result), icon=":material/insights:")
    with formulas_place:
        st.latex(r"\sigma^2 - (1 + \beta - \alpha\lambda)\,\sigma + \beta = 0")
        st.latex(rf"\sigma_{{1,2}} = {complex_latex(first)},\ {complex_latex(second)}")
        st.latex(rf"\max(|\sigma_1|, |\sigma_2|) = {latex_number(result['rate'], 4)}")
        st.caption(t("mo.critical"))
        st.latex(rf"\beta^\ast = (1 - \sqrt{{\alpha\lambda}})^2 = {latex_number(critical, 4)},\quad "
                 rf"|\sigma| = |1 - \sqrt{{\alpha\lambda}}| = {latex_number(abs(1 - math.sqrt(scaled_lr)), 4)}")
        st.caption(t("mo.divergence_border"))
        st.latex(r"\alpha\lambda < 2 + 2\beta")


def rate_caption(scaled_lr: float, momentum: float, result: dict) -> str:
    """Which region the point is in, its rate, the steps to shrink the error 1 000 times, and the critical β."""
    region = t(f"mo.region.{result['region']}")
    rate = result["rate"]
    text = [t("mo.rate_here", region=region, rate=number(rate, 4))]
    if rate < 1:
        text.append(t("mo.rate_steps", steps=number(math.log(1e-3) / math.log(max(rate, 1e-300)), 3)))
    if scaled_lr <= 1:
        best_beta, best_rate = distill.best_momentum(scaled_lr)
        gd = abs(1 - scaled_lr)
        text.append(t("mo.rate_best", beta=number(best_beta, 3), rate=number(best_rate, 4), gd=number(gd, 4)))
    return " ".join(text)


def polynomial_lab() -> None:
    """Polynomial regression by gradient descent: the fit after k steps, built from eigenfeatures; Tikhonov beside."""
    chart, controls = workbench()
    with controls:
        steps = st.select_slider(t("mo.poly_steps"), STEP_CHOICES, value=100, key="mo_poly_steps",
                                 persist_state="session", format_func=lambda value: f"{value:,}".replace(",", " "))
        noise = st.select_slider(t("mo.poly_noise"), (0.0, 0.05, 0.15, 0.3), value=0.15, key="mo_poly_noise",
                                 persist_state="session")
        caption_place = st.empty()
        st.markdown(t("mo.polynomial_text"))
        formulas_place = st.container()
    result = polynomial_cached(float(noise))
    index = int(np.searchsorted(result["checkpoints"], steps))
    penalty = distill.matched_penalty(result["lr"], steps)
    _, tikhonov = distill.tikhonov_fit(result, penalty)
    early = distill.early_stopping_filter(result["lr"], result["eigenvalues"], steps)
    kept = distill.tikhonov_filter(penalty, result["eigenvalues"])
    with chart:
        left, right = st.columns([1.2, 1])
        left.plotly_chart(figures.polynomial_figure(result, index, tikhonov, {
            "title": t("mo.poly_title", steps=f"{steps:,}".replace(",", " ")), "exact": t("mo.poly_exact"),
            "tikhonov": t("mo.tikhonov", penalty=number(penalty, 2)), "early": t("mo.early", steps=steps),
            "points": t("mo.poly_points"), "y": "d"}, height=CHART_HEIGHT - 180), width="stretch")
        right.plotly_chart(figures.filters_figure(result["eigenvalues"], early, kept, {
            "title": t("mo.filters_title"), "early": "1 − (1 − αλ)ᵏ", "tikhonov": "λ / (λ + η)", "x": "λ",
            "y": t("mo.filters_y")}, height=CHART_HEIGHT - 180), width="stretch")
        st.plotly_chart(figures.eigenfeatures_figure(result, early, {"title": t("mo.eigenfeatures_title")},
                                                     height=215), width="stretch")
    fitted = int(np.sum(early > 0.5))
    gap = float(np.abs(result["fits"][index] - tikhonov).max())
    caption_place.info(t("mo.poly_caption", steps=f"{steps:,}".replace(",", " "), fitted=fitted,
                         total=len(early), error=number(result["train_error"][index], 3),
                         penalty=number(penalty, 2), gap=number(gap, 2)), icon=":material/insights:")
    with formulas_place:
        st.latex(r"f(w) = \tfrac12 \lVert Zw - d \rVert^2,\quad Z_{ij} = \xi_i^{\,j},\quad Z^\top Z = Q\Lambda Q^\top")
        st.latex(r"w^k = \sum_i \bigl(1 - (1 - \alpha\lambda_i)^k\bigr)\,\frac{q_i^\top Z^\top d}{\lambda_i}\,q_i,\ "
                 r"\alpha = \frac{1}{\lambda_1} = " + latex_number(result["lr"]))
        st.latex(r"w_\eta = \sum_i \frac{\lambda_i}{\lambda_i + \eta}\,\frac{q_i^\top Z^\top d}{\lambda_i}\,q_i,\ "
                 r"\eta = \frac{1}{\alpha k} = " + latex_number(penalty))


def colorization_lab() -> None:
    """Colour spreading over three graphs by gradient descent or momentum, explained by each graph's κ."""
    chart, controls = workbench()
    total = 300
    with controls:
        method = st.segmented_control(t("mo.method"), ("gd", "momentum"), default="gd", required=True,
                                      key="mo_color_method", persist_state="session",
                                      format_func=labels("mo.method."))
        method = method if method in ("gd", "momentum") else "gd"
        step = st.slider(t("mo.color_step"), 0, total, 100, key="mo_color_step", persist_state="session")
        caption_place = st.empty()
        st.markdown(t("mo.colorization_text"))
        formulas_place = st.container()
    results = colorization_cached(method, total)
    names = {name: t(f"mo.graph.{name}") for name in distill.GRAPHS}
    with chart:
        st.plotly_chart(figures.graphs_figure(results, step, {"title": t("mo.graphs_title", step=step), **names},
                                              height=CHART_HEIGHT - 245), width="stretch")
        st.plotly_chart(figures.colour_error_figure(results, step, {"title": t("mo.colour_error_title"),
                                                                    "step": t("axis.step"), **names},
                                                    height=235), width="stretch")
    far = {result["name"]: float(result["colours"][step][-1] if result["name"] == "path" else
                                 result["colours"][step].min()) for result in results}
    caption_place.info(t("mo.color_caption", step=step, path=number(far["path"], 2), grid=number(far["grid"], 2),
                         expander=number(far["expander"], 2),
                         kappas=t("app.list_separator").join(f"{names[result['name']]} {result['kappa']:.0f}"
                                                             for result in results)),
                       icon=":material/insights:")
    with formulas_place:
        st.latex(r"f(w) = \tfrac12 (w_0 - 1)^2 + \tfrac12 \sum_{(i,j) \in E} (w_i - w_j)^2,\quad "
                 r"\nabla^2 f = L_G + e_0 e_0^\top")
        if method == "gd":
            st.latex(r"\alpha = \frac{2}{\lambda_{\min} + \lambda_{\max}},\quad \rho = "
                     r"\frac{\kappa - 1}{\kappa + 1}")
        else:
            st.latex(r"\alpha = \Bigl(\frac{2}{\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}}}\Bigr)^2,\ "
                     r"\beta = \Bigl(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\Bigr)^2,\ \rho = \sqrt\beta")
        table([{t("mo.graph"): names[result["name"]], "κ": f"{result['kappa']:.0f}",
                "α": number(result["lr"], 3), "β": number(result["momentum"], 3),
                t("mo.rate"): number(result["rate"], 4),
                t("mo.steps_1000"): f"{math.log(1e-3) / math.log(result['rate']):.0f}"} for result in results])


def stochastic_lab() -> None:
    """SGD's expected error split into its deterministic and noise parts, at a constant and a decaying rate."""
    chart, controls = workbench()
    with controls:
        left, right = st.columns(2)
        lr = left.select_slider("α", (0.05, 0.1, 0.2, 0.5, 1.0, 1.5), value=0.5, key="mo_sgd_lr",
                                persist_state="session")
        momentum = right.select_slider("β", (0.0, 0.5, 0.8, 0.9), value=0.0, key="mo_sgd_momentum",
                                       persist_state="session")
        noise = left.select_slider(t("mo.noise"), (0.02, 0.05, 0.1, 0.2, 0.5), value=0.1, key="mo_sgd_noise",
                                   persist_state="session")
        decay = right.select_slider(t("mo.decay"), (0.005, 0.01, 0.02, 0.05, 0.1, 0.2), value=0.05,
                                    key="mo_sgd_decay", persist_state="session")
        caption_place = st.empty()
        st.markdown(t("mo.stochastic_text"))
        formulas_place = st.container()
    result = stochastic_cached(float(lr), float(momentum), float(noise), float(decay))
    with chart:
        st.plotly_chart(figures.stochastic_figure(result, {
            "title": t("mo.stochastic_title", lambdas=", ".join(f"{value:g}" for value in STOCHASTIC_EIGENVALUES)),
            "constant": t("mo.constant", lr=number(lr)), "decaying": t("mo.decaying", lr=number(lr),
                                                                         decay=number(decay)),
            "deterministic": t("mo.deterministic"), "noise": t("mo.noise_part"), "expected": t("mo.expected"),
            "measured": t("mo.monte_carlo", runs=result["runs"]), "step": t("axis.step"), "y": "E f(wₖ)"},
            height=CHART_HEIGHT), width="stretch")
    caption_place.info(stochastic_caption(lr, momentum, noise, result), icon=":material/insights:")
    with formulas_place:
        st.latex(r"g_k = \lambda w_k + \varepsilon_k,\quad \varepsilon_k \sim \mathcal N(0, s^2),\ s = "
                 + latex_number(noise))
        st.latex(r"\mathbb E f(w_k) = \underbrace{\tfrac12 \textstyle\sum_i \lambda_i\, (\mathbb E w_k^{(i)})^2}_{"
                 r"\text{" + t("mo.deterministic") + r"}} + \underbrace{\tfrac12 \textstyle\sum_i \lambda_i "
                 r"\operatorname{Var} w_k^{(i)}}_{\text{" + t("mo.noise_part") + r"}}")
        st.latex(r"\alpha_k = \frac{" + latex_number(lr) + r"}{1 + " + latex_number(decay) + r"\,(k - 1)}")
        if momentum == 0:
            st.latex(r"\operatorname{Var} w_k = s^2 \sum_{j<k} \alpha_j^2 \prod_{j<i<k} (1 - \alpha_i\lambda)^2 "
                     r"\;\xrightarrow{\alpha \text{ const}}\; \frac{\alpha s^2}{\lambda(2 - \alpha\lambda)}")
        else:
            st.latex(r"\begin{pmatrix} w \\ b \end{pmatrix}_{k+1} = \begin{pmatrix} 1 - \alpha_k\lambda & "
                     r"-\alpha_k\beta \\ \lambda & \beta \end{pmatrix} \begin{pmatrix} w \\ b \end{pmatrix}_k + "
                     r"\begin{pmatrix} -\alpha_k \\ 1 \end{pmatrix} \varepsilon_k")


def stochastic_caption(lr: float, momentum: float, noise: float, result: dict) -> str:
    """The two schedules' expected loss at the end, which part dominates, and the constant rate's noise floor."""
    constant, decaying = result["constant"], result["decaying"]
    text = []
    if not np.isfinite(constant["expected"][-1]) or constant["expected"][-1] > constant["expected"][0]:
        return t("mo.sgd_diverged")
    text.append(t("mo.sgd_constant", loss=number(constant["expected"][-1], 3),
                  noise=number(constant["noise"][-1] / constant["expected"][-1] * 100, 3)))
    if momentum == 0:
        floor = sum(distill.noise_floor(lr, value, noise) for value in STOCHASTIC_EIGENVALUES)
        text.append(t("mo.sgd_floor", floor=number(floor, 3)))
    text.append(t("mo.sgd_decaying", loss=number(decaying["expected"][-1], 3),
                  deterministic=number(decaying["deterministic"][-1], 3), noise=number(decaying["noise"][-1], 3)))
    better = "decaying" if decaying["expected"][-1] < constant["expected"][-1] else "constant"
    text.append(t(f"mo.sgd_better_{better}"))
    gap = float(np.max(np.abs(constant["measured"][1:] / constant["expected"][1:] - 1)))
    text.append(t("mo.sgd_measured", runs=result["runs"], gap=f"{gap:.0%}"))
    return " ".join(text)


LABS = {"milestones": milestones_lab, "rate_map": rate_map_lab, "polynomial": polynomial_lab,
        "colorization": colorization_lab, "stochastic": stochastic_lab}
