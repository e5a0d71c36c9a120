"""The networks page under AppTest: train two lanes, curves, boundaries, the test table, the torch check."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "networks.py")


def start(state=None):
    app = AppTest.from_file(PAGE, default_timeout=180)
    for name, value in (state or {}).items():
        app.session_state[name] = value
    return app.run()


def press_train(app):
    next(button for button in app.button if button.label in ("Train", "开始训练")).click().run()
    return app


def test_nothing_trains_until_asked():
    app = start()
    assert not app.exception
    assert "press Train" in app.info[0].value
    assert not app.get("plotly_chart")


def test_two_lanes_train_and_report():
    app = press_train(start({"nt_epochs": 15, "nt_size": 200}))
    assert not app.exception and not app.error
    assert len(app.get("plotly_chart")) == 3  # curves, boundaries, gradient norms
    tables = [element.value for element in app.markdown if element.value.startswith("| ")]
    assert "1. SGD" in tables[0] and "2. Adam" in tables[0] and "%" in tables[0]
    assert len(app.latex) == 2
    app.run()  # nothing changed: the results come from the session's store
    assert not app.info


def test_check_against_torch_shows_a_tiny_difference():
    app = press_train(start({"nt_epochs": 5, "nt_size": 150, "nt_check": True}))
    assert not app.exception
    table = next(element.value for element in app.markdown if element.value.startswith("| "))
    differences = [float(line.split("|")[-2]) for line in table.splitlines()[2:]]
    assert len(differences) == 2 and max(differences) < 1e-5


def test_a_diverging_lane_is_reported_and_the_others_go_on():
    state = {"nt_epochs": 10, "nt_size": 150, "nt_dataset": "plane", "nt_0_hp_lr": 10.0}
    app = press_train(start(state))
    assert not app.exception
    assert "diverged at epoch" in app.error[0].value
    assert "2. Adam" in next(element.value for element in app.markdown if element.value.startswith("| "))


def test_chinese():
    # AppTest cannot click through select boxes whose options are translated, so this one only renders
    app = start({"lang": "zh"})
    assert not app.exception
    assert app.title[0].value.startswith("神经网络")
    assert app.selectbox(key="nt_dataset").label == "数据集"
    assert "开始训练" in [button.label for button in app.button]


def test_digits_with_the_small_cnn():
    app = press_train(start({"nt_dataset": "digits", "nt_cnn": True, "nt_epochs": 3, "nt_size": 300,
                             "nt_channels": 4}))
    assert not app.exception and not app.error
    assert len(app.get("plotly_chart")) == 2  # curves and gradient norms: no plane to draw a boundary on
    table = next(element.value for element in app.markdown if element.value.startswith("| "))
    assert "%" in table


def test_curves_side_by_side():
    app = press_train(start({"nt_epochs": 5, "nt_size": 150}))
    app.toggle(key="nt_side_by_side").set_value(True).run()
    assert not app.exception and len(app.get("plotly_chart")) == 3


def test_a_lane_torch_cannot_mirror_is_explained_and_still_trains():
    state = {"nt_epochs": 3, "nt_size": 150, "nt_check": True, "nt_1_tricks": ["l1"]}
    app = press_train(start(state))
    assert not app.exception
    assert "torch.optim reference covers" in app.warning[0].value
    table = next(element.value for element in app.markdown if element.value.startswith("| "))
    assert "2. Adam" in table
