"""The playground under AppTest: defaults, sliders, lanes, convention, presets, URL state, clicks, divergence."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from optviz.presets import PRESETS

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "playground.py")


def start(query=None, state=None):
    app = AppTest.from_file(PAGE, default_timeout=60)
    for name, value in (query or {}).items():
        app.query_params[name] = value
    for name, value in (state or {}).items():
        app.session_state[name] = value
    return app.run()


class Rows(list):
    """A Markdown table read back: rows of cells, with .iloc[row, column] as the tests used to write."""

    @property
    def iloc(self):
        rows = self

        class Index:
            def __getitem__(self, where):
                row, column = where
                if isinstance(row, slice):
                    return [cells[column] for cells in rows[row]]
                return rows[row][column]

        return Index()


def markdown_tables(app):
    tables = []
    for element in app.markdown:
        lines = [line for line in element.value.splitlines() if line.startswith("|")]
        if len(lines) >= 2 and set(lines[1]) <= set("|-"):
            tables.append(Rows([[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]))
    return tables


def leaderboard(app):
    return markdown_tables(app)[0]


def test_defaults_run_and_show_three_lanes():
    app = start()
    assert not app.exception
    board = leaderboard(app)
    assert board.iloc[:, 0] == ["SGD", "Momentum", "Adam"]
    assert len(app.latex) == 4  # the surface and one formula per lane
    assert not app.error and not app.warning


def test_moving_the_learning_rate_changes_the_path():
    app = start()
    before = leaderboard(app).iloc[0, 1]
    app.select_slider(key="pg_0_hp_lr").set_value(0.002).run()
    assert not app.exception
    assert leaderboard(app).iloc[0, 1] != before
    assert any(r"\theta_t = \theta_{t-1} - 0.002\, g_t" in element.value for element in app.latex)
    assert "lr=0.002" in str(app.query_params["lane1"])


def test_adding_and_removing_lanes():
    app = start()
    add = next(button for button in app.button if button.label == "Add a lane")
    add.click().run()
    assert not app.exception and len(leaderboard(app)) == 4
    assert leaderboard(app).iloc[3, 0] == "Nesterov"  # an optimizer not yet on the page
    app.button(key="pg_0_remove").click().run()
    assert not app.exception
    assert leaderboard(app).iloc[:, 0] == ["Momentum", "Adam", "Nesterov"]


def test_switching_convention_changes_the_formula():
    app = start()
    assert any(r"b_t = 0.9\, b_{t-1} + g_t" in element.value for element in app.latex)
    app.segmented_control(key="pg_convention").set_value("textbook").run()
    assert not app.exception
    assert any(r"v_t = 0.9\, v_{t-1} + 0.001\, g_t" in element.value for element in app.latex)
    assert "textbook" in str(app.query_params["conv"])


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_loads_and_runs(name):
    app = start()
    app.selectbox(key="pg_preset").set_value(name).run()
    assert not app.exception
    preset = PRESETS[name]
    assert len(leaderboard(app)) == len(preset.lanes)
    assert app.number_input(key="pg_steps").value == preset.steps
    assert app.info and app.info[0].value  # the commentary


def test_the_url_restores_a_comparison():
    query = {"surface": "quadratic:a=1,b=10", "start": "-4,3", "steps": "120", "conv": "textbook",
             "lane1": "sgd;lr=0.05",
             "lane2": "adam;lr=0.2;clip_norm.max_norm=2;schedule=cosine;schedule.total_steps=60"}
    app = start(query)
    assert not app.exception and not app.warning
    assert app.selectbox(key="pg_surface").value == "quadratic"
    assert app.number_input(key="pg_x0").value == -4 and app.number_input(key="pg_steps").value == 120
    assert app.segmented_control(key="pg_convention").value == "textbook"
    assert leaderboard(app).iloc[:, 0] == ["SGD", "Adam"]
    assert app.select_slider(key="pg_1_hp_lr").value == 0.2
    assert app.multiselect(key="pg_1_tricks").value == ["clip_norm"]
    assert app.selectbox(key="pg_1_schedule").value == "cosine"


@pytest.mark.parametrize("query", [
    {"surface": "expr:__import__('os')"},
    {"start": "nan,1"},
    {"steps": "99999999"},
    {"conv": "<script>"},
    {"lane1": "adam;lr=-5"},
    {"lane1": "bogus;lr=1"},
    {"view": "4d"},
])
def test_a_tampered_url_gives_a_warning_and_no_exception(query):
    app = start(query)
    assert not app.exception
    assert app.warning and "ignored" in app.warning[0].value
    assert len(leaderboard(app)) >= 1


def test_a_click_on_the_chart_moves_the_start():
    app = start(state={"pg_chart": {"selection": {"points": [{"x": 0.5, "y": 0.25}]}}})
    assert not app.exception
    assert app.number_input(key="pg_x0").value == 0.5 and app.number_input(key="pg_y0").value == 0.25
    assert "0.5,0.25" in str(app.query_params["start"])


def test_a_diverging_lane_is_explained():
    app = start({"surface": "quadratic:a=1,b=10", "start": "-4,3", "steps": "200", "lane1": "sgd;lr=0.11"})
    assert not app.exception
    message = app.error[0].value
    assert "diverged at step 70" in message and "η·λ_max = 0.11 × 20 = 2.2 > 2" in message
    assert leaderboard(app).iloc[0, 3] == "70"


def test_a_typed_function_and_its_errors():
    app = start()
    app.selectbox(key="pg_surface").set_value("custom").run()
    assert not app.exception and not app.error
    app.text_input(key="pg_expression").input("x^2 + 2x").run()
    assert not app.exception
    assert "operator is missing" in app.error[0].value and "character 8" in app.error[0].value
    app.text_input(key="pg_expression").input("x^2 + 2*y^2").run()
    assert not app.error and len(leaderboard(app)) == 3


def test_chinese_labels():
    app = start(state={"lang": "zh"})
    assert not app.exception
    assert app.title[0].value == "游乐场：曲面上的优化器"
    assert app.selectbox(key="pg_surface").label == "曲面"


@pytest.mark.parametrize("view", ["multiples", "surface3d", "curves", "animation"])
def test_every_view_draws(view):
    app = start({"view": view})
    assert not app.exception
    assert app.segmented_control(key="pg_view").value == view


def test_the_step_inspector():
    app = start()
    app.selectbox(key="pg_inspect_lane").set_value(2).run()
    app.slider(key="pg_inspect_step").set_value(3).run()
    assert not app.exception
    table = markdown_tables(app)[1]
    names = [row[0] for row in table]
    assert "gradient g" in names and "first moment m" in names and "effective learning rate (update ÷ g)" in names


def test_the_page_never_imports_torch():
    import subprocess
    import sys

    code = ("import sys\nfrom streamlit.testing.v1 import AppTest\n"
            f"app = AppTest.from_file({PAGE!r}, default_timeout=60).run()\n"
            "assert not app.exception\nprint('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_a_rerun_sends_less_than_half_a_megabyte():
    """Bytes are deterministic, times are not: the overlay view with 5 lanes x 1 000 steps stays under budget."""
    query = {"surface": "rosenbrock", "steps": "1000"}
    for index, lane in enumerate(["sgd;lr=0.001", "momentum;lr=0.001", "adam;lr=0.05", "rmsprop;lr=0.01",
                                  "nesterov;lr=0.001"], start=1):
        query[f"lane{index}"] = lane
    app = start(query)
    assert not app.exception
    app.select_slider(key="pg_0_hp_lr").set_value(0.002).run()
    total, stack = 0, [app._tree]
    while stack:
        node = stack.pop()
        stack.extend(getattr(node, "children", {}).values())
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            total += proto.ByteSize()
    assert 100_000 < total <= 500_000


def test_lane_cards_show_the_main_sliders_and_keep_the_rest_in_more_settings():
    from optviz.engine import OPTIMIZERS
    from optviz.ui.playground import PRIMARY

    assert set(PRIMARY) == set(OPTIMIZERS)
    for name, shown in PRIMARY.items():
        assert shown[0] == "lr" and set(shown) <= set(OPTIMIZERS[name].specs)
    app = start(state={})
    popovers = app.get("popover")
    assert len(popovers) >= 3 + 1  # one per default lane, the page's guide
    inside = {widget.key for block in popovers for widget in block.get("slider") + block.get("select_slider")}
    # lane 1 is SGD: its momentum, dampening and weight decay are in its panel, its learning rate is not
    assert {"pg_0_hp_momentum", "pg_0_hp_dampening", "pg_0_hp_weight_decay"} <= inside
    assert "pg_0_hp_lr" not in inside and "pg_1_hp_momentum" not in inside


def test_a_lane_that_switches_optimizer_takes_that_optimizers_defaults():
    app = start({"lane1": "nesterov;lr=0.001;momentum=0.9", "lane2": "sgd;lr=0.003;clip_norm.max_norm=2"})
    assert not app.exception
    def pickers():  # the lanes' optimizer pickers, in order (a lane that changes optimizer gets a fresh id)
        return [box for box in app.selectbox if str(box.key).startswith("pg_") and str(box.key).endswith("_optimizer")]

    first = pickers()[0].key
    pickers()[0].set_value("rmsprop").run()
    assert not app.exception
    assert str(app.query_params["lane1"]) == "rmsprop;lr=0.01"  # no momentum carried over under More settings
    assert not any(r"b_t" in element.value for element in app.latex[1:2])
    assert pickers()[0].key != first  # new widgets: the browser cannot send back the old lane's hidden values
    pickers()[1].set_value("adagrad").run()
    assert not app.exception
    assert str(app.query_params["lane2"]) == "adagrad;lr=0.5"  # the playground's AdaGrad rate, no clipping
    lane_id = str(pickers()[1].key).split("_")[1]
    assert app.multiselect(key=f"pg_{lane_id}_tricks").value == []


def test_lanes_with_the_same_optimizer_are_named_by_what_differs():
    app = start({"lane1": "adam;lr=0.05", "lane2": "adam;lr=0.005", "lane3": "sgd;lr=0.001"}, state={"lang": "zh"})
    assert not app.exception
    assert leaderboard(app).iloc[:, 0] == ["Adam，学习率 0.05", "Adam，学习率 0.005", "随机梯度下降（SGD）"]
    # twins that differ by a schedule: named by the schedule, not by its key or by a number
    app = start({"lane1": "sgd;lr=0.05", "lane2": "sgd;lr=0.05;schedule=inverse_time"})
    assert leaderboard(app).iloc[:, 0] == ["SGD, constant rate", "SGD, inverse-time decay"]
    app = start({"lane1": "sgd;lr=0.05", "lane2": "sgd;lr=0.05;schedule=inverse_time"}, state={"lang": "zh"})
    assert leaderboard(app).iloc[:, 0] == ["随机梯度下降（SGD），恒定学习率", "随机梯度下降（SGD），反时间衰减"]


def test_no_english_words_in_the_chinese_leaderboard_and_legend():
    import re

    from optviz.engine import OPTIMIZERS

    app = start({"lane1": "sgd;lr=0.001", "lane2": "nesterov;lr=0.001", "lane3": "adagrad;lr=0.5",
                 "lane4": "rmsprop;lr=0.01"}, state={"lang": "zh"})
    assert not app.exception
    names = {entry.label("zh") for entry in OPTIMIZERS.values()}
    board = leaderboard(app)
    assert set(board.iloc[:, 0]) <= names
    for row in board:
        for cell in row[1:]:
            assert not re.search(r"[A-Za-z]{3,}", cell), cell  # numbers, "—" and Chinese status words only
    chart = app.get("plotly_chart")[0]
    legend = {trace["name"] for trace in __import__("json").loads(chart.proto.spec)["data"]
              if trace.get("showlegend", True) and trace.get("name") not in (None, "click", "colour bar")}
    assert legend <= names | {"最小值", "起点"}


def test_a_refused_typed_function_keeps_every_other_control():
    app = start()
    app.selectbox(key="pg_surface").set_value("custom").run()
    app.text_input(key="pg_expression").set_value("x**").run()
    assert not app.exception
    assert app.error and "**" in app.error[0].value
    assert app.number_input(key="pg_steps").value == 500  # the run settings and the lanes are still there
    assert app.select_slider(key="pg_0_hp_lr").value == 0.001


def test_the_inspected_step_is_marked_on_the_chart():
    import json

    app = start()
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert not any(trace.get("meta") == "inspected" for trace in spec["data"])  # nothing until the inspector is used
    app.slider(key="pg_inspect_step").set_value(40).run()
    assert not app.exception
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    mark = next(trace for trace in spec["data"] if trace.get("meta") == "inspected")
    assert mark["text"] == ["SGD, step 40"]
    app.toggle(key="pg_inspect_show").set_value(False).run()
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert not any(trace.get("meta") == "inspected" for trace in spec["data"])
