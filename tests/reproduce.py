"""Run by tests/test_reproducible.py in fresh processes: the numbers the pages show for one URL and seed, as JSON.

Each process is a restart: nothing is shared with the one before but the code. The numbers are what a learner
reads: the playground's leaderboard, the landscape's tables, the networks' test table, the network landscape's
sharpness table (every Markdown table and metric on the page)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PLAYGROUND_URL = {"surface": "rosenbrock:a=1,b=100", "start": "-1.5,2", "steps": "400",
                  "lane1": "sgd;lr=0.001;noise.std=0.5;noise.seed=7",
                  "lane2": "adam;lr=0.05;schedule=cosine", "lane3": "rmsprop;lr=0.01;clip_norm.max_norm=1"}


def numbers(app: AppTest) -> list[str]:
    shown = [element.value for element in app.markdown if element.value.startswith("| ")]
    shown += [f"{metric.label}={metric.value}" for metric in app.metric]
    return shown


def page(name: str, query: dict | None = None, state: dict | None = None, press: str | None = None,
         tab: tuple[str, str] | None = None) -> list[str]:
    app = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=300)
    app.query_params.update(query or {})
    for key, value in (state or {}).items():
        app.session_state[key] = value
    app.run()
    if press:
        next(button for button in app.button if button.label == press).click().run()
    if tab:
        app.session_state[tab[0]] = tab[1]
        app.run()
    if app.exception:
        raise RuntimeError(app.exception[0].message)
    return numbers(app)


def bits() -> dict[str, str]:
    """Digests of full-precision results behind those pages: the playground's three paths (the URL's lanes, run
    by the library as the page runs them) and a network's every step loss and final weights."""
    import hashlib

    import numpy as np
    import torch

    from optviz.nets.data import split
    from optviz.nets.models import MLPSpec
    from optviz.nets.train import TrainConfig, train
    from optviz.runs import lane_from_settings, run_lane
    from optviz.surfaces import surface

    digests = {}
    rosenbrock = surface(PLAYGROUND_URL["surface"])
    for name in ("lane1", "lane2", "lane3"):
        optimizer, *parts = PLAYGROUND_URL[name].split(";")
        lane = lane_from_settings(optimizer, dict(part.split("=", 1) for part in parts))
        path = run_lane(rosenbrock, lane, np.array([-1.5, 2.0]), 400)
        digests[name] = hashlib.sha256(path.positions.tobytes()).hexdigest()
    data = split("moons", 300, 0.2, seed=5)
    spec = MLPSpec(2, 2, (16, 16), "relu", "he", "batch", dropout=0.2)
    history = train(data, spec, lane_from_settings("adam", {"lr": "0.01"}), TrainConfig(8, 16, seed=5))
    weights = torch.cat([parameter.detach().reshape(-1) for parameter in history.model.parameters()]).numpy()
    digests["network"] = hashlib.sha256(np.asarray(history.step_loss).tobytes() + weights.tobytes()).hexdigest()
    return digests


def main() -> None:
    result = {
        "playground": page("playground", PLAYGROUND_URL),
        "landscape": page("landscape", tab=("ls_tab", "Basins of attraction")),  # its tables: the basins' shares
        "networks": page("networks", state={"nt_epochs": 12, "nt_size": 200, "nt_seed": 5, "nt_dropout": 0.2},
                         press="Train"),
        "network_landscape": page("network_landscape", state={"nl_epochs": 10, "nl_size": 200, "nl_seed": 5},
                                  press="Train and record the paths", tab=("nl_tab", "Sharpness")),
        "bits": bits(),
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
