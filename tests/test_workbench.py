"""The workbench in headless Chromium at a laptop's 1366 × 768: each page's main chart and the control that changes
it are in view together without scrolling, a slider move redraws the chart with both still in view, a language
switch keeps every choice, and the surface stays under an animation while it plays."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser import TIMEOUT, assert_no_exception, wait_for_app

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
# The main chart of each page and the first control that changes it (a locator relative to the page).
PAGES = {
    "playground": lambda page: page.locator('[data-testid="stSlider"]').filter(
        has_text=re.compile("learning rate|学习率")).first,
    "landscape": lambda page: page.locator('[data-testid="stSelectbox"]').filter(
        has=page.locator("label", has_text=re.compile("^(Surface|曲面)$"))).first,
    "networks": lambda page: page.locator('[data-testid="stSlider"]:visible').first,
    "network_landscape": lambda page: page.locator('[data-testid="stSlider"]:visible').first,
    "labs": lambda page: page.locator('[data-testid="stSlider"]:visible, [data-testid="stSelectbox"]:visible').nth(1),
    "momentum": lambda page: page.locator('[data-testid="stSlider"]:visible').first,
    "playground_tuning": lambda page: page.locator(".st-key-pg_tune_criterion"),
}
ADDRESSES = {"playground_tuning": "playground?view=tune"}  # a view of a page, shown as a page of its own


def address(app_url: str, name: str, lang: str) -> str:
    path = ADDRESSES.get(name, "" if name == "home" else name)
    return f"{app_url}/{path}" + (("&" if "?" in path else "?") + "lang=zh" if lang == "zh" else "")
FIRST_PATH = """() => {
    const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    const path = graph && graph.data ? graph.data.find(trace => trace.meta === 'path-0') : null;
    return path ? JSON.stringify([path.x, path.y]) : null;
}"""


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    yield page
    context.close()


def in_view(locator) -> bool:
    """The element's whole box lies inside the 1366 × 768 viewport."""
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["x"] >= 0 and box["y"] + box["height"] <= LAPTOP["height"] + 1 \
        and box["x"] + box["width"] <= LAPTOP["width"] + 1


def main_chart(page: Page):
    return page.locator('[data-testid="stPlotlyChart"]').first


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", list(PAGES))
def test_the_chart_and_its_first_control_are_in_view_together(laptop: Page, app_url, screenshot_dir, name, lang):
    laptop.goto(address(app_url, name, lang))
    expect(main_chart(laptop).locator(".main-svg").first).to_be_visible(timeout=120_000)
    wait_for_app(laptop)
    assert_no_exception(laptop)
    control = PAGES[name](laptop)
    expect(control).to_be_visible(timeout=TIMEOUT)
    assert in_view(main_chart(laptop)), f"{name}: the main chart is not wholly in view at 1366 × 768"
    assert in_view(control), f"{name}: its first control is not in view beside the chart"
    laptop.wait_for_timeout(500)  # the last chart's fonts and transitions settle
    laptop.screenshot(path=screenshot_dir / f"{name}-{lang}-1366.png")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", ["home", *PAGES])
def test_every_page_on_a_large_screen(browser, app_url, screenshot_dir, name, lang):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    try:
        page.goto(address(app_url, name, lang))
        shown = ".katex" if name == "home" else '[data-testid="stPlotlyChart"] .main-svg'
        expect(page.locator(shown).first).to_be_visible(timeout=120_000)
        wait_for_app(page)
        assert_no_exception(page)
        if name != "home":
            assert page.locator('[data-testid="stPlotlyChart"]').first.bounding_box()["y"] < 300
        page.wait_for_timeout(500)
        page.screenshot(path=screenshot_dir / f"{name}-{lang}-1920.png")
        if name == "home":  # the other pages are taken at 1366 × 768 by the in-view test
            page.set_viewport_size(LAPTOP)
            page.wait_for_timeout(800)
            page.screenshot(path=screenshot_dir / f"{name}-{lang}-1366.png")
    finally:
        context.close()


def test_a_slider_move_redraws_the_chart_with_both_in_view(laptop: Page, app_url):
    laptop.goto(f"{app_url}/playground")
    laptop.wait_for_function(FIRST_PATH, timeout=120_000)  # a first visit may find the server cold
    wait_for_app(laptop)
    before = laptop.evaluate(FIRST_PATH)
    slider = laptop.locator('[data-testid="stSlider"]').filter(has_text="learning rate").first.get_by_role("slider")
    slider.focus()
    for _ in range(3):  # 0.001 -> 0.0012 -> 0.0015 -> 0.002, each press its own rerun
        slider.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "0.002", timeout=TIMEOUT)
    laptop.wait_for_function(f"() => {{ const now = ({FIRST_PATH})(); return now !== null && now !== "
                             f"{json.dumps(before)}; }}", timeout=TIMEOUT)
    wait_for_app(laptop)
    assert in_view(main_chart(laptop)) and in_view(slider)
    assert_no_exception(laptop)


def selected_text(page: Page, label: str) -> str:
    """What the select box labelled `label` shows (its combobox's text)."""
    return page.get_by_role("combobox", name=label, exact=True).first.input_value()


def test_a_language_switch_keeps_every_choice_on_the_playground(laptop: Page, app_url):
    laptop.goto(f"{app_url}/playground?surface=himmelblau&view=curves&lane1=rmsprop;lr=0.02")
    laptop.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=120_000)
    wait_for_app(laptop)
    laptop.locator('[data-testid="stSelectbox"]').first.click()  # the lesson picker in the header
    laptop.get_by_role("option", name="Adam vs SGD at a saddle point").click()
    wait_for_app(laptop)
    expect(laptop).to_have_url(re.compile(r"surface=saddle"), timeout=TIMEOUT)
    laptop.get_by_text("简体中文", exact=True).click()
    expect(laptop.get_by_role("heading", name="游乐场：曲面上的优化器")).to_be_visible(timeout=TIMEOUT)
    wait_for_app(laptop)
    laptop.get_by_role("radio", name="曲线").click()  # the next interaction sends every widget's value back
    wait_for_app(laptop)
    expect(laptop).to_have_url(re.compile(r"view=curves"), timeout=TIMEOUT)
    expect(laptop).to_have_url(re.compile(r"surface=saddle"), timeout=TIMEOUT)
    assert selected_text(laptop, "课程预设") == "鞍点处的 Adam 与 SGD"  # the lesson, in Chinese
    assert_no_exception(laptop)


def test_a_language_switch_keeps_the_landscapes_optimizer(laptop: Page, app_url):
    laptop.goto(f"{app_url}/landscape")
    main_chart(laptop).locator(".main-svg").first.wait_for(timeout=120_000)
    wait_for_app(laptop)
    picker = laptop.locator('[data-testid="stSelectbox"]').filter(has=laptop.locator("label", has_text="Optimizer"))
    picker.first.click()
    laptop.get_by_role("option", name="Adam", exact=True).click()
    wait_for_app(laptop)
    laptop.get_by_text("简体中文", exact=True).click()
    expect(laptop.get_by_role("heading", name="超参数地形")).to_be_visible(timeout=TIMEOUT)
    wait_for_app(laptop)
    laptop.get_by_role("radio", name="发散").click()
    wait_for_app(laptop)
    assert selected_text(laptop, "优化器") == "Adam"
    assert_no_exception(laptop)


def test_the_surface_stays_under_a_playing_animation(laptop: Page, app_url):
    laptop.goto(f"{app_url}/playground?view=animation")
    chart = main_chart(laptop)
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=120_000)
    wait_for_app(laptop)
    pictures = chart.locator(".imagelayer image")
    expect(pictures).to_have_count(1)
    chart.get_by_text("Play").click()
    laptop.wait_for_timeout(800)
    expect(pictures).to_have_count(1)  # while playing
    chart.get_by_text("Pause").click()
    laptop.wait_for_timeout(300)
    expect(pictures).to_have_count(1)
    assert_no_exception(laptop)
