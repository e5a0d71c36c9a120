"""The networks page's Tune tab under AppTest: the range test of every lane and its chart, the buttons that write
a suggestion into a lane (and the next Train uses it), the random search, its chart and "apply best", in English
and Chinese."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from optviz.engine.spec import format_plain
from optviz.ui import keys

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "networks.py")
SMALL = {"nt_size": 150, "nt_epochs": 3, "nt_width": 4, "nt_layers": 1}


def start(state=None):
    app = AppTest.from_file(PAGE, default_timeout=180)
    for name, value in {**SMALL, **(state or {})}.items():
        app.session_state[name] = value
    return app.run()


def button(app, key):
    return next(item for item in app.button if item.key == key)


def lane_lr(app, index):
    lane_id = app.session_state["nt_lanes"][index]
    return app.session_state[keys.hyperparameter_key(lane_id, "lr", "nt_")]


def test_the_range_test_draws_every_lane_and_its_button_sets_the_lane():
    app = start()
    assert [tab.label for tab in app.tabs][-1] == "Tune"
    assert len(app.get("plotly_chart")) == 1  # the data, before anything ran
    button(app, "nt_tune_range_run").click().run()
    assert not app.exception and not app.warning
    assert app.session_state["nt_view"] == "range"  # the chart column shows what was just computed
    assert len(app.get("plotly_chart")) == 1
    assert any("mini-batches of 32" in caption.value for caption in app.caption)
    assert button(app, "nt_tune_range_run").disabled  # nothing left to test for these settings
    use = button(app, "nt_tune_use_min_ten_0")
    assert use.label.startswith("Use ") and use.label.endswith("(min ÷ 10)")
    shown = float(use.label.split()[1])
    assert lane_lr(app, 0) != shown
    use.click().run()
    assert not app.exception
    assert lane_lr(app, 0) == shown and format_plain(shown) == use.label.split()[1]
    assert [message.value for message in app.success] == [f"Written into 1. SGD: lr {use.label.split()[1]}. Press "
                                                          "Train to see what it gives."]
    assert app.session_state["nt_view"] == "range"  # the chart stays: the test does not depend on the lane's rate
    assert button(app, "nt_tune_use_min_ten_0").label == use.label
    steepest = button(app, "nt_tune_use_steepest_1")
    steepest.click().run()
    assert lane_lr(app, 1) == float(steepest.label.split()[1])

    # the next Train trains the lanes at the rates the buttons wrote
    next(item for item in app.button if item.label == "Train").click().run()
    assert not app.exception
    assert app.segmented_control(key="nt_view").value == "boundaries"  # the training just finished is shown
    assert app.segmented_control(key="nt_view").options[-1] == "LR range test"  # and the range test a click away
    trained = {lane.optimizer: dict(lane.hyperparameters)["lr"] for _, lane, _ in app.session_state["nt_results"]}
    assert trained == {"sgd": shown, "adam": float(steepest.label.split()[1])}


def test_the_search_draws_its_trials_and_apply_best_writes_the_lane():
    app = start({"nt_tune_trials": 4, "nt_tune_epochs": 5})
    search = button(app, "nt_tune_search_run")
    assert search.label == "Search: 4 trials"
    assert any("4 trainings" in caption.value and "seed 0" in caption.value for caption in app.caption)
    search.click().run()
    assert not app.exception
    assert app.session_state["nt_view"] == "search" and len(app.get("plotly_chart")) == 1
    assert any(caption.value.startswith("4 of 4 trials, 5 epochs each") for caption in app.caption)
    assert button(app, "nt_tune_search_run").disabled  # this search is done
    apply = button(app, "nt_tune_apply_best")
    _, values = apply.label.split(": ", 1)
    lr_text, decay_text = (part.split()[-1] for part in values.split(", "))
    apply.click().run()
    assert not app.exception
    lane_id = app.session_state["nt_lanes"][0]
    assert app.session_state[keys.hyperparameter_key(lane_id, "lr", "nt_")] == float(lr_text)
    assert app.session_state[keys.hyperparameter_key(lane_id, "weight_decay", "nt_")] == float(decay_text)
    assert app.session_state["nt_view"] == "search"  # still drawn for the lane with its new values
    assert len(app.get("plotly_chart")) == 1


def test_the_search_over_batch_sizes_sets_the_page_batch_and_chinese_reads():
    app = start({"nt_tune_trials": 4, "nt_tune_epochs": 5, "nt_tune_batch": True, "nt_tune_lane": 1})
    button(app, "nt_tune_search_run").click().run()
    assert not app.exception
    apply = button(app, "nt_tune_apply_best")
    assert ", batch " in apply.label
    batch = int(apply.label.rsplit(" ", 1)[1])
    apply.click().run()
    assert not app.exception and app.session_state["nt_batch"] == batch
    assert app.session_state["nt_view"] == "search"  # the search drew the batch size: its chart stays
    # the same page in Chinese (AppTest cannot click a select box whose labels are translated: read only)
    app.session_state["lang"] = "zh"
    app.run()
    assert not app.exception
    assert [tab.label for tab in app.tabs][-1] == "调参"
    chinese = button(app, "nt_tune_apply_best").label
    assert chinese.startswith("应用最佳：") and chinese.endswith(f"批量 {batch}")
    assert any(caption.value.startswith("完成 4/4 次试验") for caption in app.caption)
    assert button(app, "nt_tune_range_run").label == "对每条赛道做范围测试"


def test_apply_best_with_a_batch_size_says_so_and_the_range_test_says_why_it_went():
    """"Apply best" of a search that drew the batch size changes every lane's: the message says so; the range
    test (run at the old batch size) leaves the chart with a note why; Train and a new search clear the message."""
    app = start({"nt_batch": 8, "nt_tune_trials": 4, "nt_tune_epochs": 5, "nt_tune_batch": True,
                 "nt_tune_lane": 1})
    button(app, "nt_tune_range_run").click().run()
    assert not app.exception and app.session_state["nt_view"] == "range"
    button(app, "nt_tune_search_run").click().run()
    assert not app.exception
    apply = button(app, "nt_tune_apply_best")
    batch = int(apply.label.rsplit(" ", 1)[1])
    assert batch != 8
    apply.click().run()
    assert not app.exception and app.session_state["nt_batch"] == batch
    [message] = [item.value for item in app.success]
    assert message.startswith("Written into 2. Adam: lr ")
    assert message.endswith(f"; batch size {batch} for every lane. Press Train to see what it gives.")
    # SGD's range test is gone only because of the batch size, Adam's because its weight decay was written too
    stale = f"The range test of 1. SGD was run with batch size 8; the batch size is now {batch}. A range test"
    assert any(item.value.startswith(stale) for item in app.info)  # in the Tune tab, where its buttons were
    assert any(item.value.endswith("The range test of 2. Adam was for its old settings (weight decay, batch size); "
                                   "run it again.") for item in app.info)
    assert not any(item.key == "nt_tune_use_min_ten_0" for item in app.button)
    # a search of another lane: the message about lane 2 goes
    app.session_state["nt_tune_lane"] = 0
    app.run()
    button(app, "nt_tune_search_run").click().run()
    assert not app.exception and not [item.value for item in app.success if "2. Adam" in item.value]
    # write lane 1's best, then Train: the message goes with the training
    button(app, "nt_tune_apply_best").click().run()
    assert [item.value for item in app.success if "1. SGD" in item.value]
    next(item for item in app.button if item.label == "Train").click().run()
    assert not app.exception and not app.success


def cancel_after(monkeypatch, trials):
    """Make the next search be cancelled as the Cancel button cancels it, once `trials` trials are finished: the
    job is asked to stop (Job.cancel) and the worker's cancel flag is raised (here, the inline run's own)."""
    from optviz import jobs
    from optviz.nets import tasks

    real = tasks.search_lane

    def search_lane(setup, lane, settings, *, progress):
        def listen(_fraction, run, _epoch):
            if run >= trials and not progress.cancelled:
                for job in list(jobs.pool().jobs.values()):
                    job.cancel()
                progress.flags[progress.slot] = 1

        progress.listener = listen
        return real(setup, lane, settings, progress=progress)

    monkeypatch.setattr(tasks, "search_lane", search_lane)


def test_apply_best_of_a_cancelled_search_says_of_how_many_trials(monkeypatch):
    """Cancelled at 2 of 6 trials, the search's best is the best of those 2: the button says so (and its help why),
    in English and Chinese; the complete search's button does not."""
    cancel_after(monkeypatch, 2)
    app = start({"nt_tune_trials": 6, "nt_tune_epochs": 5, "nt_tune_batch": True})
    button(app, "nt_tune_search_run").click().run()
    assert not app.exception
    assert any("Stopped: 2 of 6 trials finished" in item.value for item in app.caption)
    apply = button(app, "nt_tune_apply_best")
    assert apply.label.startswith("Apply best: lr ") and ", batch " in apply.label
    assert apply.label.endswith(" (best of 2 trials)")
    assert apply.help.startswith("The search was stopped after 2 of its 6 trials")
    app.session_state["lang"] = "zh"
    app.run()
    chinese = button(app, "nt_tune_apply_best")
    assert chinese.label.startswith("应用最佳：") and chinese.label.endswith("（2 次中最佳）")
    assert "6 次试验中只完成了 2 次" in chinese.help
    # run to its end, the same search's best is the best of all its trials: nothing more to say
    monkeypatch.undo()
    app = start({"nt_tune_trials": 6, "nt_tune_epochs": 5, "nt_tune_batch": True})
    button(app, "nt_tune_search_run").click().run()
    assert not app.exception
    assert not button(app, "nt_tune_apply_best").label.endswith("trials)")
    assert button(app, "nt_tune_apply_best").help.startswith("Write the best trial's values")


def test_apply_best_names_the_searched_lane_whose_range_test_went_with_its_old_settings():
    """A search of 1. SGD that drew the batch size, then "Apply best" and Train: both lanes' range tests are gone.
    Adam's only because of the batch size; SGD's because its own weight decay changed as well (the button gave the
    lane a new identity): the note names both, SGD with what changed, in English and Chinese."""
    app = start({"nt_tune_trials": 4, "nt_tune_epochs": 5, "nt_tune_batch": True, "nt_tune_lane": 0})
    button(app, "nt_tune_range_run").click().run()
    button(app, "nt_tune_search_run").click().run()
    assert not app.exception and not app.info
    apply = button(app, "nt_tune_apply_best")
    batch = int(apply.label.rsplit(" ", 1)[1])
    assert batch != 32 and ", wd " in apply.label
    apply.click().run()
    next(item for item in app.button if item.label == "Train").click().run()
    assert not app.exception
    assert not [item for item in app.button if (item.key or "").startswith("nt_tune_use_")]  # no lane's test holds
    [note] = [item.value for item in app.info]
    assert note == ("The range test of 1. SGD was for its old settings (weight decay, batch size); run it again. "
                    f"The range test of 2. Adam was run with batch size 32; the batch size is now {batch}. A range "
                    "test belongs to its batch size: run it again.")
    assert not note.lstrip()[:1].isdigit()  # Markdown would make a list of a note starting with '1.'
    app.session_state["lang"] = "zh"
    app.run()
    [note] = [item.value for item in app.info]
    assert note.startswith("范围测试（1. 随机梯度下降（SGD））是按这条赛道原来的设置（权重衰减，批量大小）做的："
                           "请重新运行。")
    assert "范围测试（2. Adam）是在批量大小 32 下做的" in note


def test_a_lane_setting_moved_by_hand_names_what_its_range_test_was_for():
    app = start()
    button(app, "nt_tune_range_run").click().run()
    lane_id = app.session_state["nt_lanes"][0]
    app.session_state[keys.hyperparameter_key(lane_id, "momentum", "nt_")] = 0.9
    app.run()
    assert not app.exception
    assert [item.value for item in app.info] == ["The range test of 1. SGD was for its old settings (momentum); run "
                                                 "it again."]
    assert button(app, "nt_tune_use_min_ten_1")  # Adam's still holds
    assert not [item for item in app.button if item.key == "nt_tune_use_min_ten_0"]
