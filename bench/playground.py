"""Server time of one playground rerun after a slider move: 5 lanes x 1 000 steps (target <= 150 ms).

Measured with streamlit's AppTest, which runs the page script as the server does (widgets, caches, figures),
without the browser. The other four lanes come from the cache, as they do for a user; the moved lane is
computed anew each time (a new learning rate each move).

Usage: python bench/playground.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

LANES = ["sgd;lr=0.001", "momentum;lr=0.001", "adam;lr=0.05", "rmsprop;lr=0.01", "nesterov;lr=0.001"]
MOVES = [0.0012, 0.0015, 0.002, 0.0025, 0.003, 0.004, 0.005]


def main() -> None:
    app = AppTest.from_file(str(ROOT / "pages" / "playground.py"), default_timeout=120)
    app.query_params.update({"surface": "rosenbrock", "steps": "1000"})
    for index, lane in enumerate(LANES, start=1):
        app.query_params[f"lane{index}"] = lane
    started = time.perf_counter()
    app.run()
    first = time.perf_counter() - started
    assert not app.exception, app.exception
    times = []
    for value in MOVES:
        app.select_slider(key="pg_0_hp_lr").set_value(value)
        started = time.perf_counter()
        app.run()
        times.append(time.perf_counter() - started)
        assert not app.exception, app.exception
    print("Playground, Rosenbrock, 5 lanes x 1 000 steps, overlay view")
    print(f"  first run (5 lanes computed, grid, imports): {first * 1000:.0f} ms")
    print(f"  rerun after a learning-rate move: median {statistics.median(times) * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms over {len(times)} moves (target <= 150 ms)")


if __name__ == "__main__":
    main()
