"""The app in headless Chromium against a real streamlit server on 127.0.0.1."""

import json
import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TIMEOUT = 30_000


def wait_for_app(page: Page) -> None:
    expect(page.locator('[data-testid="stApp"]')).to_be_visible(timeout=TIMEOUT)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT
    )


def assert_no_exception(page: Page) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_landing_page_switches_language_and_back(page: Page, app_url, screenshot_dir):
    page.goto(app_url)
    heading = page.get_by_role("heading", name="optviz — watch how deep networks learn")
    expect(heading).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".katex").first).to_be_visible(timeout=TIMEOUT)
    assert_no_exception(page)
    page.screenshot(path=screenshot_dir / "home-en.png", full_page=False)

    page.get_by_text("简体中文", exact=True).click()
    expect(page.get_by_role("heading", name="optviz —— 看深度网络如何学习")).to_be_visible(timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"[?&]lang=zh"))
    assert_no_exception(page)
    wait_for_app(page)
    page.screenshot(path=screenshot_dir / "home-zh.png", full_page=False)

    page.get_by_text("English", exact=True).click()
    expect(heading).to_be_visible(timeout=TIMEOUT)
    assert_no_exception(page)


def test_a_shared_link_opens_in_its_language(page: Page, app_url):
    page.goto(f"{app_url}/?lang=zh")
    expect(page.get_by_role("heading", name="optviz —— 看深度网络如何学习")).to_be_visible(timeout=TIMEOUT)
    assert_no_exception(page)


def test_schedule_chart_and_convention_switch(page: Page, app_url, screenshot_dir):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="optviz — watch how deep networks learn")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("radio", name="Textbook (d2l.ai, course notes)").click()
    expect(page.get_by_text("v_t = \\mu").first).to_be_attached(timeout=TIMEOUT)
    page.get_by_role("tab", name="Learning-rate schedules").click()
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart).to_be_visible(timeout=TIMEOUT)
    expect(chart.locator(".scatterlayer .trace")).to_have_count(7, timeout=TIMEOUT)
    assert_no_exception(page)
    page.screenshot(path=screenshot_dir / "home-schedules.png", full_page=False)


# The first lane's path as drawn (its trace has meta 'path-0'); plotly keeps the arrays it was sent (binary, base64)
# in graph.data, so their JSON changes exactly when the path does.
FIRST_LANE_PATH = """() => {
    const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    const path = graph && graph.data ? graph.data.find(trace => trace.meta === 'path-0') : null;
    return path ? JSON.stringify([path.x, path.y]) : null;
}"""


def test_playground_slider_moves_the_path(page: Page, app_url, screenshot_dir):
    page.goto(f"{app_url}/playground")
    expect(page.get_by_role("heading", name="Playground: optimizers on a surface")).to_be_visible(timeout=TIMEOUT)
    page.wait_for_function(FIRST_LANE_PATH, timeout=TIMEOUT)
    wait_for_app(page)
    before = page.evaluate(FIRST_LANE_PATH)
    page.screenshot(path=screenshot_dir / "playground-en.png", full_page=False)

    slider = page.locator('[data-testid="stSlider"]').filter(has_text="learning rate").first.get_by_role("slider")
    slider.focus()
    for _ in range(3):  # 0.001 -> 0.0012 -> 0.0015 -> 0.002, each press its own rerun
        slider.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "0.002", timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"lane1=sgd%3Blr%3D0\.002|lane1=sgd;lr=0\.002"), timeout=TIMEOUT)
    changed = f"() => {{ const now = ({FIRST_LANE_PATH})(); return now !== null && now !== {json.dumps(before)}; }}"
    page.wait_for_function(changed, timeout=TIMEOUT)
    wait_for_app(page)
    assert_no_exception(page)

    page.get_by_text("简体中文", exact=True).click()
    expect(page.get_by_role("heading", name="游乐场：曲面上的优化器")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("排行榜")).to_be_visible(timeout=TIMEOUT)
    assert_no_exception(page)
    wait_for_app(page)
    page.screenshot(path=screenshot_dir / "playground-zh.png", full_page=False)


def test_more_settings_open_in_place_and_stay_open_while_used(page: Page, app_url):
    # the lane's secondary widgets live in a popover, built by the browser only when opened
    page.goto(f"{app_url}/playground")
    page.wait_for_function(FIRST_LANE_PATH, timeout=TIMEOUT)
    wait_for_app(page)
    lane_sliders = page.locator('[data-testid="stSlider"]').count()
    before = page.evaluate(FIRST_LANE_PATH)
    page.locator('[data-testid="stPopoverButton"]').filter(has_text="More settings").first.click()
    panel = page.locator('[data-testid="stPopoverBody"]')
    expect(panel.get_by_text("Training tricks")).to_be_visible(timeout=TIMEOUT)
    momentum = panel.locator('[data-testid="stSlider"]').filter(has_text="momentum").first.get_by_role("slider")
    momentum.focus()
    momentum.press("ArrowRight")  # lane 1 is SGD: its momentum is in the panel, 0 -> 0.001
    expect(page).to_have_url(re.compile(r"lane1=sgd%3Blr%3D0\.001%3Bmomentum%3D0\.001"), timeout=TIMEOUT)
    changed = f"() => {{ const now = ({FIRST_LANE_PATH})(); return now !== null && now !== {json.dumps(before)}; }}"
    page.wait_for_function(changed, timeout=TIMEOUT)
    wait_for_app(page)
    expect(panel.get_by_text("Training tricks")).to_be_visible()  # the rerun left the panel open
    assert page.locator('[data-testid="stSlider"]').count() > lane_sliders
    assert_no_exception(page)


FIRST_HEATMAP = """() => {
    const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    if (!graph || !graph.data || !graph.data.length) return null;
    return JSON.stringify([graph.data[0].x, graph.data[0].z]);
}"""


def test_leaving_the_playground_and_coming_back_keeps_its_settings(page: Page, app_url):
    # widgets' values used to be dropped by Streamlit on a page switch: the playground came back broken
    page.goto(f"{app_url}/playground?start=-1.2,1.5&steps=321")
    expect(page.get_by_role("heading", name="Playground: optimizers on a surface")).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)
    page.locator('[data-testid="stTopNavLink"]', has_text="Landscape").first.click()
    expect(page).to_have_url(re.compile(r"/landscape"), timeout=TIMEOUT)
    wait_for_app(page)
    page.locator('[data-testid="stTopNavLink"]', has_text="Playground").first.click()
    expect(page.get_by_role("heading", name="Playground: optimizers on a surface")).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)
    assert_no_exception(page)
    expect(page).to_have_url(re.compile(r"start=-1\.2%2C1\.5&steps=321"), timeout=TIMEOUT)
    expect(page.get_by_label("steps")).to_have_value("321")


def test_landscape_grid_change_redraws_the_heatmap(page: Page, app_url, screenshot_dir):
    page.goto(f"{app_url}/landscape")
    expect(page.get_by_role("heading", name="Hyperparameter landscape")).to_be_visible(timeout=TIMEOUT)
    page.wait_for_function(FIRST_HEATMAP, timeout=TIMEOUT)
    wait_for_app(page)
    before = page.evaluate(FIRST_HEATMAP)
    page.screenshot(path=screenshot_dir / "landscape-en.png", full_page=False)
    points = page.locator('[data-testid="stNumberInput"]').filter(has_text="points").first.locator("input")
    points.fill("40")
    points.press("Enter")
    changed = f"() => {{ const now = ({FIRST_HEATMAP})(); return now !== null && now !== {json.dumps(before)}; }}"
    page.wait_for_function(changed, timeout=TIMEOUT)
    wait_for_app(page)
    assert_no_exception(page)


def test_networks_train_two_lanes(page: Page, app_url, screenshot_dir):
    page.goto(f"{app_url}/networks")
    expect(page.get_by_role("heading", name="Networks: train small networks, optimizers side by side")).to_be_visible(
        timeout=TIMEOUT)
    wait_for_app(page)
    charts = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot')
    expect(charts).to_have_count(1, timeout=TIMEOUT)  # the data set, before training
    page.get_by_role("button", name="Train").click()
    expect(charts).to_have_count(2, timeout=120_000)  # the decision boundaries and the gradient norms
    expect(page.get_by_text("1. SGD — epoch 60")).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)
    assert_no_exception(page)
    charts.first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=screenshot_dir / "networks-en.png", full_page=False)

    # the same configuration opens on the network-landscape page: its two lanes, not that page's default three
    page.get_by_role("button", name="Look at the loss landscape of this configuration").click()
    expect(page.get_by_role("heading", name="The loss landscape of a network")).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)
    page.get_by_role("tab", name="Optimizers").click()
    heads = page.locator(".ov-lane-head")
    expect(heads.filter(has_text="Lane 2")).to_be_visible(timeout=TIMEOUT)
    expect(heads.filter(has_text="Lane 3")).to_have_count(0)
    assert_no_exception(page)


def test_network_landscape_trains_and_draws_the_pca_plane(page: Page, app_url, screenshot_dir):
    page.goto(f"{app_url}/network_landscape")
    expect(page.get_by_role("heading", name="The loss landscape of a network")).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)
    page.get_by_role("button", name="Train and record the paths").click()
    charts = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot')
    expect(charts).to_have_count(1, timeout=120_000)
    page.get_by_role("tab", name="Paths on the PCA plane").click()
    expect(page.get_by_text("The optimizers' paths on their PCA plane")).to_be_visible(timeout=60_000)
    expect(charts.first.locator(".scatterlayer .trace")).to_have_count(7, timeout=TIMEOUT)  # 3 paths, 3 ends, start
    wait_for_app(page)
    assert_no_exception(page)
    charts.first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=screenshot_dir / "network-landscape-en.png", full_page=False)


def test_networks_keep_choices_and_results_across_a_language_switch(page: Page, app_url):
    """At 1366 x 768 the chart and Train are in view together; after a switch to Chinese and the next rerun, the
    data set chosen and the trained results are still there."""
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{app_url}/networks")
    wait_for_app(page)
    pick(page, "nt_dataset", "two moons")
    wait_for_app(page)
    train = page.get_by_role("button", name="Train")
    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    expect(chart).to_be_in_viewport(timeout=TIMEOUT)
    expect(train).to_be_in_viewport()
    train.click()
    expect(page.get_by_text("1. SGD — epoch 60")).to_be_visible(timeout=120_000)
    expect(chart).to_be_in_viewport()
    wait_for_app(page)
    page.get_by_text("简体中文", exact=True).click()
    wait_for_app(page)
    page.get_by_role("radio", name="损失和准确率").click()  # the next interaction: a rerun in Chinese
    wait_for_app(page)
    expect(page.get_by_text("训练与验证曲线")).to_be_visible(timeout=TIMEOUT)  # the results are still there
    expect(page.get_by_role("combobox", name="数据集")).to_have_value("双月")
    assert_no_exception(page)


def test_network_landscape_keeps_choices_and_results_across_a_language_switch(page: Page, app_url):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{app_url}/network_landscape")
    wait_for_app(page)
    pick(page, "nl_dataset", "two moons")
    wait_for_app(page)
    page.get_by_role("button", name="Train and record the paths").click()
    expect(page.get_by_text("Loss along the line from θ₀ to θ*")).to_be_visible(timeout=120_000)
    expect(page.locator(".st-key-nl_alpha")).to_be_in_viewport()  # the view's control, beside its chart
    wait_for_app(page)
    page.get_by_text("简体中文", exact=True).click()
    wait_for_app(page)
    page.get_by_role("tab", name="尖锐度").click()  # the next interaction: a rerun in Chinese
    wait_for_app(page)
    expect(page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first).to_be_visible(timeout=60_000)
    expect(page.get_by_role("combobox", name="数据集")).to_have_value("双月")
    assert_no_exception(page)


def pick(page: Page, key: str, option: str) -> None:
    """Choose `option` in the select box whose widget key is `key`."""
    page.locator(f".st-key-{key} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_labs_page_draws(page: Page, app_url, screenshot_dir):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{app_url}/labs")
    expect(page.get_by_role("heading", name="Training-tricks labs")).to_be_visible(timeout=TIMEOUT)
    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    expect(chart).to_be_visible(timeout=120_000)
    wait_for_app(page)
    pick(page, "lab", "RNN vs LSTM")
    expect(page.get_by_text("Gradient reaching the first input at initialization")).to_be_visible(timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"[?&]lab=rnn"))
    pick(page, "lab", "Gradient clipping")
    expect(page.get_by_text("Training loss per step (ReLU RNN, SGD)")).to_be_visible(timeout=120_000)
    wait_for_app(page)
    # the workbench at 1366 × 768: the chart and the slider that changes it in view together, no page scrolling
    slider = page.locator(".st-key-lab_clip_gain")
    for element in (chart, slider):
        box = element.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + min(box["height"], 200) <= 768
    assert page.evaluate("() => window.scrollY") == 0
    # no formula of the lessons' controls is cut off at this width
    overflowing = page.evaluate("""() => [...document.querySelectorAll('.st-key-lab_controls .katex-display')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).length""")
    assert overflowing == 0
    assert_no_exception(page)
    page.screenshot(path=screenshot_dir / "labs-clipping-en.png", full_page=False)


def test_momentum_rate_map_follows_its_slider_and_keeps_the_lesson_in_chinese(page: Page, app_url, screenshot_dir):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{app_url}/momentum?distill=rate_map")
    expect(page.get_by_text("Phase diagram at αλ = 0.5, β = 0.6")).to_be_visible(timeout=120_000)
    wait_for_app(page)
    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    slider = page.locator(".st-key-mo_scaled_lr").get_by_role("slider")
    for element in (chart, slider):  # the map and the slider that moves its point, in view together
        box = element.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + min(box["height"], 200) <= 768
    slider.focus()
    for _ in range(5):  # 0.50 -> 0.55, each press its own rerun
        slider.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "0.55", timeout=TIMEOUT)
    expect(page.get_by_text("Phase diagram at αλ = 0.55, β = 0.6")).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)
    overflowing = page.evaluate("""() => [...document.querySelectorAll('.st-key-lab_controls .katex-display')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).length""")
    assert overflowing == 0
    page.get_by_text("简体中文", exact=True).click()
    expect(page.get_by_text("相图：αλ = 0.55，β = 0.6")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".st-key-distill input")).to_have_value("(α, β) 收敛速率图")
    assert_no_exception(page)
    page.screenshot(path=screenshot_dir / "momentum-rate-map-zh.png", full_page=False)


def test_labs_keep_the_lesson_and_its_choices_across_a_language_switch(page: Page, app_url):
    page.goto(f"{app_url}/labs?lab=vanishing")
    expect(page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first).to_be_visible(timeout=120_000)
    wait_for_app(page)
    page.get_by_role("switch", name="residual connections").wait_for(timeout=TIMEOUT)
    pick(page, "lab_norm", "BatchNorm")
    wait_for_app(page)
    page.get_by_text("简体中文", exact=True).click()
    expect(page.locator(".st-key-lab_norm input")).to_have_value("批量归一化", timeout=TIMEOUT)
    wait_for_app(page)
    page.locator(".st-key-lab_residual label").click()  # the next interaction sends every widget's value again
    wait_for_app(page)
    expect(page.locator(".st-key-lab_residual input")).to_be_checked(timeout=TIMEOUT)
    expect(page.locator(".st-key-lab_norm input")).to_have_value("批量归一化", timeout=TIMEOUT)
    expect(page.locator(".st-key-lab input")).to_have_value("梯度消失")
    assert_no_exception(page)


def lanes_in_url(page: Page) -> list[str]:
    from urllib.parse import parse_qsl, urlsplit

    return [f"{name}={value}" for name, value in parse_qsl(urlsplit(page.url).query) if name.startswith("lane")]


def test_a_lane_that_changes_optimizer_or_a_lesson_keeps_no_hidden_value_of_the_lane_before(page: Page, app_url):
    # A widget inside a closed popover is not mounted in the browser: it kept a Momentum lane's β = 0.9 after the
    # lane became SGD and sent it back at the next click (the lanes now get fresh ids, hence fresh widgets).
    page.goto(f"{app_url}/playground")
    wait_for_app(page)
    boxes = page.get_by_role("combobox")
    expect(boxes.first).to_be_visible(timeout=TIMEOUT)
    values = [boxes.nth(index).input_value() for index in range(boxes.count())]
    momentum = boxes.nth(values.index("Momentum"))
    momentum.scroll_into_view_if_needed()
    momentum.click()
    page.keyboard.type("SGD")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"lane2=sgd%3Blr%3D0\.001(&|$)"), timeout=TIMEOUT)
    wait_for_app(page)
    page.get_by_role("radio", name="Curves").click()
    wait_for_app(page)
    page.wait_for_timeout(1000)
    assert "lane2=sgd;lr=0.001" in lanes_in_url(page)
    # a lesson that turns the Momentum lane into SGD with a schedule, then another view
    page.goto(f"{app_url}/playground")
    wait_for_app(page)
    page.get_by_role("combobox").first.click()
    page.get_by_role("option", name=re.compile("noise ball")).click()
    expect(page).to_have_url(re.compile(r"schedule%3Dinverse_time"), timeout=TIMEOUT)
    wait_for_app(page)
    page.get_by_role("radio", name="Curves").click()
    wait_for_app(page)
    page.wait_for_timeout(1000)
    assert not any("momentum" in lane for lane in lanes_in_url(page)), lanes_in_url(page)
    assert_no_exception(page)


def test_tuning_view_tunes_a_lane_and_keeps_its_other_settings(page: Page, app_url, screenshot_dir):
    """The Tuning view at 1366 × 768: the sensitivity chart and the criterion beside it; a lane's Tune button sets its
    learning rate and β in the browser too, and the next click does not bring the old values back."""
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{app_url}/playground?view=tune")
    expect(page.get_by_text("How sensitive is each lane to its learning rate?")).to_be_visible(timeout=120_000)
    wait_for_app(page)
    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    criterion = page.locator(".st-key-pg_tune_criterion")
    for element in (chart, criterion):
        box = element.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + min(box["height"], 200) <= 768
    # a fresh session's lanes are 0 (SGD), 1 (Momentum) and 2 (Adam)
    rate = page.locator(".st-key-pg_1_hp_lr").get_by_role("slider")
    beta = page.locator(".st-key-pg_1_hp_momentum").get_by_role("slider")
    expect(rate).to_have_attribute("aria-valuetext", "0.001", timeout=TIMEOUT)
    page.locator(".st-key-pg_1_tune button").first.click()
    expect(rate).to_have_attribute("aria-valuetext", "0.00137", timeout=TIMEOUT)  # its tuned η on Rosenbrock
    expect(beta).to_have_attribute("aria-valuetext", re.compile(r"0\.945"), timeout=TIMEOUT)
    wait_for_app(page)
    pick(page, "pg_tune_criterion", "Final loss")  # any other rerun: the tuned values stay
    expect(page.get_by_text("How sensitive is each lane to its learning rate? (final loss)")).to_be_visible(
        timeout=TIMEOUT)
    wait_for_app(page)
    expect(rate).to_have_attribute("aria-valuetext", "0.00137")
    expect(beta).to_have_attribute("aria-valuetext", re.compile(r"0\.945"))
    assert_no_exception(page)
    page.screenshot(path=screenshot_dir / "playground-tuning-en.png", full_page=False)


def test_networks_tune_tab_writes_a_suggestion_and_the_best_trial_into_the_lane(page: Page, app_url, screenshot_dir):
    """The networks page's Tune tab in Chromium: the range test's chart; "Use … (min ÷ 10)" sets the lane's rate
    and Train trains with it; the search's "Apply best" sets the rate and the weight decay (a widget in the lane's
    closed More-settings popover) and the next rerun does not bring the old values back."""
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{app_url}/networks")
    wait_for_app(page)
    page.get_by_role("tab", name="Tune").click()
    page.get_by_role("button", name="Range test of every lane").click()
    expect(page.get_by_text("Loss while the learning rate grows")).to_be_visible(timeout=120_000)
    wait_for_app(page)
    use = page.get_by_role("button", name=re.compile(r"^Use .* \(min ÷ 10\)$")).first
    value = re.search(r"Use (\S+) ", use.inner_text()).group(1)
    use.click()
    note = page.get_by_text(f"Written into 1. SGD: lr {value}.")
    expect(note).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)
    page.get_by_role("button", name="Train").click()
    expect(page.get_by_text("1. SGD — epoch 60")).to_be_visible(timeout=120_000)
    wait_for_app(page)
    expect(note).to_have_count(0)  # Train clears the message
    page.get_by_role("tab", name="Optimizers").click()
    rate = page.locator("[class*='st-key-nt_'][class*='_hp_lr']").first.get_by_role("slider")
    expect(rate).to_have_attribute("aria-valuetext", value, timeout=TIMEOUT)  # the browser sent no older one back

    page.get_by_role("tab", name="Tune").click()
    page.get_by_role("button", name="Search: 12 trials").click()
    apply = page.get_by_role("button", name=re.compile(r"^Apply best: lr \S+, wd \S+$"))
    expect(apply).to_be_visible(timeout=120_000)
    wait_for_app(page)
    expect(page.get_by_text("Search for 1. SGD: 12 trials")).to_be_visible()
    values = apply.inner_text().split(": ", 1)[1]
    best_lr, best_decay = (float(part.split()[1]) for part in values.split(", "))
    apply.click()
    best = page.get_by_text(f"Written into 1. SGD: {values}.")
    expect(best).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)
    page.get_by_role("button", name="Train").click()  # another rerun, with the lane's popover closed
    expect(page.get_by_text("1. SGD — epoch 60")).to_be_visible(timeout=120_000)
    wait_for_app(page)
    page.get_by_role("tab", name="Optimizers").click()
    expect(rate).to_have_attribute("aria-valuetext", re.compile(".+"), timeout=TIMEOUT)
    assert float(rate.get_attribute("aria-valuetext")) == best_lr
    page.get_by_role("button", name="More settings").first.click()  # the weight decay lives in the popover
    decay = page.locator("[class*='st-key-nt_'][class*='_hp_weight_decay']").first.get_by_role("slider")
    expect(decay).to_be_visible(timeout=TIMEOUT)
    assert float(decay.get_attribute("aria-valuetext")) == best_decay  # not the old value brought back
    assert_no_exception(page)
