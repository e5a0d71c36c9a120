"""Why momentum works: Distill's lessons (Goh 2017) on a quadratic, each run by the engine beside its closed form.

Each lesson is a workbench (optviz/ui/distill.py): its chart beside the controls that change it. The lesson picker
sits in the header; the choice is a language-free key kept in the session and the URL (?distill=rate_map)."""

from optviz.ui import t
from optviz.ui.distill import LESSON_KEY, LESSONS, run_lesson
from optviz.ui.labs import lesson_picker
from optviz.ui.layout import page_header
from optviz.ui.navigation import ensure_navigation

ensure_navigation()
lesson = lesson_picker(page_header(t("mo.title"), "momentum", t("mo.intro"), extra=True), LESSONS, LESSON_KEY, "mo.")
run_lesson(lesson)
