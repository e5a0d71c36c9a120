"""Training-tricks labs: the course notes' explanations turned into experiments, one lesson at a time.

Each lesson is a workbench (optviz/ui/labs.py): its chart beside the controls that change it. The lesson picker sits
in the header; the choice is a language-free key kept in the session and the URL (?lab=clipping)."""

from optviz.ui import t
from optviz.ui.labs import lesson_picker, run_lesson
from optviz.ui.layout import page_header
from optviz.ui.navigation import ensure_navigation

ensure_navigation()
lesson = lesson_picker(page_header(t("lab.title"), "labs", t("lab.intro"), extra=True))
run_lesson(lesson)
