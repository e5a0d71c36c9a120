"""The network-landscape page under AppTest: train three optimizers, then each lazy tab and the batch study."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "network_landscape.py")
TABS = ("Start → end", "Random 2D slice", "Paths on the PCA plane", "Sharpness", "Batch size")


def start(state=None):
    app = AppTest.from_file(PAGE, default_timeout=180)
    for name, value in {"nl_epochs": 15, "nl_size": 200, **(state or {})}.items():
        app.session_state[name] = value
    return app.run()


def press(app, label):
    next(button for button in app.button if button.label == label).click().run()
    return app


def open_tab(app, index):
    app.session_state["nl_tab"] = TABS[index]
    return app.run()


def test_nothing_is_computed_until_asked_and_the_data_is_shown_meanwhile():
    app = start()
    assert not app.exception
    assert "Train and record the paths" in app.info[0].value
    assert len(app.get("plotly_chart")) == 1  # the data set
    assert [tab.label for tab in app.tabs] == ["Data", "Model", "Training", "Optimizers"]


def test_every_view_draws_after_training():
    app = press(start(), "Train and record the paths")
    assert not app.exception and not app.error and not app.warning
    assert len(app.get("plotly_chart")) == 1  # the line from start to end
    assert len(app.latex) == 3 + 1  # the three lanes' update rules and the line's formula
    assert app.slider(key="nl_alpha").value == (-0.25, 1.25)  # the view's control, beside the chart
    assert any("114 parameters" in caption.value for caption in app.caption)
    app = open_tab(app, 1)
    assert not app.exception and len(app.get("plotly_chart")) == 1
    assert any("Loss at θ*" in caption.value for caption in app.caption)
    app = open_tab(app, 2)
    assert not app.exception and len(app.get("plotly_chart")) == 1
    explained = next(caption.value for caption in app.caption if "explains" in caption.value)
    assert "The plane explains" in explained
    assert float(explained.split("explains ")[1].split("%")[0]) > 50
    app = open_tab(app, 3)
    assert not app.exception and len(app.get("plotly_chart")) == 1
    sharpness = next(element.value for element in app.markdown if element.value.startswith("| "))
    assert sharpness.count("\n") == 4 and "1. SGD" in sharpness and "3. Adam" in sharpness
    app = open_tab(app, 4)
    assert "Train and measure" in app.info[0].value
    app = press(app, "Train and measure")
    assert not app.exception and len(app.get("plotly_chart")) == 1
    batches = [element.value for element in app.markdown if element.value.startswith("| ")][-1]
    assert "full batch" in batches and batches.count("\n") == 5
    app.run()  # the results come from the session's store: nothing asks to train again
    assert not app.info and len(app.get("plotly_chart")) == 1


def test_a_diverging_optimizer_is_reported_and_left_out():
    app = press(start({"nl_dataset": "plane", "nl_0_hp_lr": 10.0}), "Train and record the paths")
    assert not app.exception
    assert "diverged at epoch" in app.error[0].value
    assert len(app.get("plotly_chart")) == 1
    app = open_tab(app, 2)
    assert not app.exception and len(app.get("plotly_chart")) == 1


def test_when_every_optimizer_diverges_the_page_says_what_to_do():
    state = {"nl_dataset": "plane", "nl_lanes": [0], "nl_0_optimizer": "sgd", "nl_0_hp_lr": 10.0}
    app = press(start(state), "Train and record the paths")
    assert not app.exception
    assert "lower a learning rate" in app.warning[0].value
    assert not app.get("plotly_chart")


def test_chinese():
    # AppTest cannot click through select boxes whose options are translated, so this one only renders
    app = start({"lang": "zh"})
    assert not app.exception
    assert [tab.label for tab in app.tabs] == ["数据", "模型", "训练", "优化器"]
    assert "训练并记录路径" in app.info[0].value


def test_a_long_training_is_announced_before_it_starts():
    app = start({"nl_size": 2000, "nl_layers": 6, "nl_width": 64, "nl_batch": 1, "nl_epochs": 500})
    assert not app.exception
    assert "This will take a while: 3 runs" in app.warning[0].value
