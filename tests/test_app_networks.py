"""The networks page under AppTest: train lanes, boundaries and curves, the test table, the torch check, and what
the page says about early stopping, BatchNorm, the CNN, held-out sets and long trainings."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "networks.py")
SMALL = {"nt_epochs": 5, "nt_size": 150}


def start(state=None):
    app = AppTest.from_file(PAGE, default_timeout=180)
    for name, value in (state or {}).items():
        app.session_state[name] = value
    return app.run()


def train_button(app):
    return next(button for button in app.button if button.label in ("Train", "开始训练"))


def press_train(app):
    train_button(app).click().run()
    return app


def results_table(app):
    return next(element.value for element in app.markdown if element.value.startswith("| "))


def rows(app):
    return [[cell.strip() for cell in line.split("|")[1:-1]] for line in results_table(app).splitlines()[2:]]


def test_before_training_the_chart_column_shows_the_data():
    app = start()
    assert not app.exception
    assert app.info[0].value.startswith("Press Train") and "changed" not in app.info[0].value  # nothing changed yet
    assert len(app.get("plotly_chart")) == 1  # the data set, before any training
    assert [tab.label for tab in app.tabs] == ["Data", "Model", "Training", "Optimizers", "Tune"]
    assert "2 runs to train" in app.caption[-1].value or any("2 runs to train" in c.value for c in app.caption)


def test_two_lanes_train_and_report():
    app = press_train(start({"nt_epochs": 15, "nt_size": 200}))
    assert not app.exception and not app.error
    assert len(app.get("plotly_chart")) == 2  # the decision boundaries, the gradient norms
    table = results_table(app)
    assert "1. SGD" in table and "2. Adam" in table and "%" in table and "last (epoch 15)" in table
    assert len(app.latex) == 2
    assert app.select_slider(key="nt_moment").value == 15  # the boundary slider counts epochs
    app.select_slider(key="nt_moment").set_value(0).run()
    assert not app.exception
    app.segmented_control(key="nt_view").set_value("curves").run()
    assert not app.exception and len(app.get("plotly_chart")) == 2
    app.segmented_control(key="nt_view").set_value("lanes").run()
    assert not app.exception and len(app.get("plotly_chart")) == 2
    assert not app.info  # nothing changed: the results come from the session's store


def test_check_against_torch_reports_the_first_step_apart():
    app = press_train(start({**SMALL, "nt_check": True, "nt_float64": True}))
    assert not app.exception
    header = results_table(app).splitlines()[0]
    assert "first step apart by > 10⁻⁶" in header
    for row in rows(app):
        assert row[-2].startswith("none of")  # float64: the engine and torch.optim agree at every step
        assert float(row[-1]) < 1e-10
    assert any("compares the loss of every step" in caption.value for caption in app.caption)


def test_a_diverging_lane_is_reported_and_the_others_go_on():
    state = {"nt_epochs": 10, "nt_size": 150, "nt_dataset": "plane", "nt_0_hp_lr": 10.0}
    app = press_train(start(state))
    assert not app.exception
    assert "diverged at epoch" in app.error[0].value
    first, second = rows(app)
    assert first[1].startswith("— (diverged at epoch") and first[2] == "—"  # no "nan" loss
    assert second[0] == "2. Adam"


def test_chinese():
    # AppTest cannot click through select boxes whose options are translated, so this one only renders
    app = start({**SMALL, "lang": "zh"})
    assert not app.exception
    assert [tab.label for tab in app.tabs] == ["数据", "模型", "训练", "优化器", "调参"]
    assert app.selectbox(key="nt_dataset").label == "数据集"
    assert "开始训练" in [button.label for button in app.button]
    assert any("需要训练 2 次" in caption.value for caption in app.caption)


def test_digits_with_the_small_cnn_hide_the_mlp_settings_and_keep_them_out_of_the_key():
    app = press_train(start({"nt_dataset": "digits", "nt_cnn": True, "nt_epochs": 2, "nt_size": 200,
                             "nt_channels": 4}))
    assert not app.exception and not app.error
    keys = {slider.key for slider in app.slider} | {box.key for box in app.selectbox}
    assert not keys & {"nt_layers", "nt_width", "nt_activation", "nt_norm", "nt_dropout"}
    assert len(app.get("plotly_chart")) == 2  # curves and gradient norms: no plane to draw a boundary on
    assert "%" in results_table(app)
    app.session_state["nt_layers"] = 5  # an MLP setting: the CNN does not change, nothing to train again
    app.run()
    assert not app.info and train_button(app).disabled


def test_switching_to_digits_keeps_the_number_of_points():
    app = start({"nt_size": 1000})
    app.selectbox(key="nt_dataset").set_value("digits").run()
    assert not app.exception
    assert app.slider(key="nt_size").value == 1000
    app.slider(key="nt_size").set_value(2000).run()
    assert "all 1,797 are used" in app.caption[0].value or any("1,797" in c.value for c in app.caption)


def test_early_stopping_that_restores_the_untrained_network_says_so():
    state = {"nt_epochs": 30, "nt_size": 200, "nt_dataset": "spiral", "nt_patience": 5, "nt_lanes": [0],
             "nt_0_optimizer": "sgd", "nt_0_hp_lr": 3.0}
    app = press_train(start(state))
    assert not app.exception
    assert "restored the untrained network" in app.warning[0].value
    assert rows(app)[0][-1] == "restored: epoch 0 (untrained)"
    slider = app.select_slider(key="nt_moment")
    assert slider.value == "restored" and slider.format_func("restored") == "restored weights"


def test_batch_norm_with_a_last_mini_batch_of_one_sample_trains():
    # 450 points, validation 0.3, test 0.2: 225 training points, batches of 32 leave one sample at the end
    state = {"nt_epochs": 2, "nt_size": 450, "nt_validation": 0.3, "nt_norm": "batch", "nt_batch": 32}
    app = press_train(start(state))
    assert not app.exception and not app.error and not app.warning
    assert any("joined the batch before it" in caption.value for caption in app.caption)


def test_settings_that_cannot_train_are_refused_in_words_before_training():
    app = start({"nt_norm": "batch", "nt_batch": 1})
    assert "cannot train with batch size 1" in app.error[0].value and train_button(app).disabled
    app = start({"nt_size": 50, "nt_validation": 0.05, "lang": "zh"})
    assert "验证集只有 2 个点" in app.error[0].value and train_button(app).disabled


def test_a_long_training_is_announced_before_it_starts():
    app = start({"nt_size": 2000, "nt_layers": 6, "nt_width": 64, "nt_batch": 1, "nt_epochs": 500})
    assert "This will take a while" in app.warning[0].value and "min" in app.warning[0].value


def test_lanes_with_the_same_optimizer_are_told_apart():
    state = {**SMALL, "nt_epochs": 2, "nt_lanes": [0, 1], "nt_next_id": 2, "nt_0_optimizer": "adam",
             "nt_1_optimizer": "adam", "nt_0_hp_lr": 0.05, "nt_1_hp_lr": 0.005}
    app = press_train(start(state))
    names = [row[0] for row in rows(app)]
    assert names == ["1. Adam, lr 0.05", "2. Adam, lr 0.005"]


def test_a_lane_torch_cannot_mirror_is_explained_and_still_trains():
    state = {"nt_epochs": 3, "nt_size": 150, "nt_check": True, "nt_1_tricks": ["l1"], "nt_convention": "textbook"}
    app = press_train(start(state))
    assert not app.exception and not app.warning
    assert [row[-2] for row in rows(app)] == ["— textbook form", "— textbook form"]
    assert any("torch.optim implements the PyTorch form only" in caption.value for caption in app.caption)


def test_figures_label_log_axes_by_decades_and_count_gradient_epochs_from_one():
    import numpy as np

    from optviz.plots.networks import curves_figure, grad_norms_figure

    labels = {"title": "", "loss": "", "accuracy": "", "train": "t", "val": "v", "epoch": ""}

    def series(losses):
        return [{"label": "1. SGD", "colour": "#000", "train_loss": losses, "val_loss": losses,
                 "train_acc": losses, "val_acc": losses}]

    wide = curves_figure(series(np.geomspace(1, 1e-4, 5)), labels, False).layout.yaxis
    assert list(wide.ticktext) == ["10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "1"]
    some = curves_figure(series(np.geomspace(0.7, 0.03, 5)), labels, False).layout.yaxis
    assert list(some.ticktext) == ["0.05", "0.1", "0.2", "0.5"]  # not the lone 10⁻¹ plotly drew
    narrow = curves_figure(series(np.linspace(0.5, 0.3, 5)), labels, False).layout.yaxis
    assert (narrow.dtick, narrow.tickformat) == ("D1", ".2~g")  # every digit, written out: not a single tick
    assert list(grad_norms_figure(np.ones((4, 3)), {"title": "", "epoch": "", "layer": "layer"}).data[0].x) == \
        [1, 2, 3, 4]


def test_the_data_chart_keys_colour_to_class_and_shape_to_part_as_its_title_says():
    """The title says colour: class, shape: part. The legend's parts are grey shapes (no class's colour) and its
    classes coloured dots in the very colours of their points; the points themselves stay out of the legend."""
    import json

    import numpy as np
    from plotly.colors import sample_colorscale

    from optviz.plots.networks import PART_SYMBOLS, data_figure

    app = start({"nt_size": 150})
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    keys = [trace for trace in spec["data"] if trace.get("showlegend", True)]
    assert [trace["name"] for trace in keys] == ["train", "validation", "test", "class 0", "class 1"]
    classes = {trace["name"]: trace["marker"]["color"] for trace in keys[3:]}
    parts = [trace["marker"]["color"] for trace in keys[:3]]
    assert len(set(parts)) == 1 and not set(parts) & set(classes.values())  # one neutral colour for every part
    assert [trace["marker"]["symbol"] for trace in keys[:3]] == list(PART_SYMBOLS.values())
    assert set(classes.values()) == set(sample_colorscale("RdBu", [0.0, 1.0]))
    drawn = [trace for trace in spec["data"] if not trace.get("showlegend", True)]
    assert drawn and all(trace["marker"]["colorscale"] for trace in drawn)  # the points: coloured by their class
    app.session_state["lang"] = "zh"
    app.run()
    names = [trace["name"] for trace in json.loads(app.get("plotly_chart")[0].proto.spec)["data"]
             if trace.get("showlegend", True)]
    assert names[-2:] == ["类别 0", "类别 1"]
    # a regression: no class keys (its colour bar tells the target), the parts still grey shapes
    preview = {"points": np.zeros((3, 2)), "targets": np.array([0.1, 0.5, 2.0]),
               "parts": np.array(["train", "val", "test"]), "regression": True}
    figure = data_figure(preview, {"title": "", "train": "t", "val": "v", "test": "x", "class": "class {label}"})
    assert [trace.name for trace in figure.data if trace.showlegend is not False] == ["t", "v", "x"]
