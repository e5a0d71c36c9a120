"""A lane: one optimizer configuration as plain, hashable data, shared by the surfaces, the networks and the pages.

Pages cache on a lane and URLs carry it; the command line, the URL state and sweeps name its settings in one flat
vocabulary:

    lr=0.1, beta1=0.9, nesterov=true         the optimizer's hyperparameters (torch.optim names)
    clip_norm=1, l2=0.01, noise=0.1          a training trick, switched on with its main setting
    clip_norm.max_norm=1, noise.seed=3       any setting of a trick (switches it on)
    schedule=cosine, schedule.total_steps=50 a learning-rate schedule and its settings

This module sits just above the engine and below everything that runs a lane (2D surfaces, networks), so that the
networks do not import the surface library to name an optimizer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from optviz.engine import OPTIMIZERS, SCHEDULES, TRICKS, Pipeline, build, optimizer_entry
from optviz.engine.spec import BOOL, INT, Spec, parse_boolean

Settings = tuple[tuple[str, Any], ...]
SCHEDULE = "schedule"


def split_setting(key: str) -> tuple[str | None, str]:
    """(trick, setting) for a trick's 'trick.setting' key, (None, key) for a hyperparameter of the optimizer."""
    trick, dot, setting = key.partition(".")
    return (trick, setting) if dot else (None, key)


@dataclass(frozen=True)
class Lane:
    """One optimizer configuration: hashable, validated when its pipeline is built."""

    optimizer: str
    hyperparameters: Settings = ()
    convention: str = "pytorch"
    tricks: tuple[tuple[str, Settings], ...] = ()
    schedule: tuple[str, Settings] | None = None

    def with_settings(self, values: dict[str, Any]) -> Lane:
        """The lane with hyperparameters or 'trick.setting' values replaced (a trick named is switched on)."""
        hyperparameters = dict(self.hyperparameters)
        tricks = {name: dict(settings) for name, settings in self.tricks}
        for key, value in values.items():
            trick, setting = split_setting(key)
            if trick is None:
                hyperparameters[setting] = value
            else:
                tricks.setdefault(trick, {})[setting] = value
        return Lane(self.optimizer, tuple(sorted(hyperparameters.items())), self.convention,
                    tuple((name, tuple(sorted(settings.items()))) for name, settings in tricks.items()), self.schedule)

    def pipeline(self, overrides: dict[str, Any] | None = None) -> Pipeline:
        """The engine pipeline; `overrides` replaces hyperparameters or 'trick.setting' values (e.g. arrays)."""
        lane = self.with_settings(overrides or {})
        schedule = None if lane.schedule is None else (lane.schedule[0], dict(lane.schedule[1]))
        return build(lane.optimizer, dict(lane.hyperparameters), lane.convention,
                     [(name, dict(settings)) for name, settings in lane.tricks], schedule)

    def values(self) -> dict[str, Any]:
        """Every hyperparameter of the optimizer: the lane's, its defaults for the rest."""
        return {**optimizer_entry(self.optimizer).defaults(), **dict(self.hyperparameters)}

    def override_spec(self, key: str) -> Spec | None:
        """The spec of a key that ``with_settings`` takes: a hyperparameter or a 'trick.setting'; None if unknown."""
        trick, setting = split_setting(key)
        if trick is None:
            return optimizer_entry(self.optimizer).specs.get(setting)
        return TRICKS[trick].specs.get(setting) if trick in TRICKS else None

    def compact_settings(self) -> dict[str, Any]:
        """The settings a URL needs: lr always, everything else only where it differs from its default."""
        specs = optimizer_entry(self.optimizer).specs
        settings = {name: value for name, value in self.hyperparameters if name == "lr" or value != specs[name].default}
        for trick, values in self.tricks:
            defaults = TRICKS[trick].defaults()
            changed = {name: value for name, value in values if value != defaults[name]}
            if not changed:  # a trick at its defaults still has to be switched on
                first = next(iter(defaults))
                changed = {first: dict(values).get(first, defaults[first])}
            settings.update({f"{trick}.{name}": value for name, value in changed.items()})
        if self.schedule is not None:
            settings[SCHEDULE] = self.schedule[0]
            defaults = SCHEDULES[self.schedule[0]].defaults()
            settings.update({f"{SCHEDULE}.{name}": value for name, value in self.schedule[1]
                             if value != defaults[name]})
        return settings

    def settings(self) -> dict[str, Any]:
        """The lane as flat settings (the inverse of ``lane_from_settings``)."""
        flat: dict[str, Any] = dict(self.hyperparameters)
        for name, settings in self.tricks:
            for key, value in settings:
                flat[f"{name}.{key}"] = value
            if not settings:
                flat[name] = TRICKS[name].defaults()[next(iter(TRICKS[name].specs))]
        if self.schedule is not None:
            flat[SCHEDULE] = self.schedule[0]
            for key, value in self.schedule[1]:
                flat[f"{SCHEDULE}.{key}"] = value
        return flat


def setting_spec(optimizer: str, key: str, schedule: str | None = None) -> Spec | None:
    """The Spec of one flat setting ('lr', 'clip_norm', 'clip_norm.max_norm', 'schedule.total_steps'), or None
    when the optimizer, trick, schedule or setting is not known."""
    head, dot, tail = key.partition(".")
    if head == SCHEDULE and dot:
        return SCHEDULES[schedule].specs.get(tail) if schedule in SCHEDULES else None
    if head in TRICKS:
        return TRICKS[head].specs.get(tail or next(iter(TRICKS[head].specs)))
    return OPTIMIZERS[optimizer].specs.get(key) if optimizer in OPTIMIZERS else None


def convert(spec: Spec, text: Any, owner: str) -> Any:
    """A setting given as text (CLI, URL) turned into the spec's kind; ValueError names it."""
    if not isinstance(text, str):
        return text
    value = text.strip()
    if spec.kind == BOOL:
        flag = parse_boolean(value)
        if flag is None:
            raise ValueError(f"{owner}: {spec.name} = {value[:40]!r} is not allowed: must be true or false")
        return flag
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{owner}: {spec.name} = {value[:40]!r} is not a number") from None
    if spec.kind == INT and number.is_integer():
        return int(number)
    return number


def known_settings(optimizer: str) -> list[str]:
    """Every key a lane of `optimizer` accepts."""
    keys = list(optimizer_entry(optimizer).specs)
    for name, entry in TRICKS.items():
        keys.append(name)
        keys.extend(f"{name}.{key}" for key in entry.specs)
    keys.append(SCHEDULE)
    for entry in SCHEDULES.values():
        keys.extend(f"{SCHEDULE}.{key}" for key in entry.specs if f"{SCHEDULE}.{key}" not in keys)
    return keys


def lane_from_settings(optimizer: str, settings: dict[str, Any], convention: str = "pytorch") -> Lane:
    """A Lane from flat settings (see the module docstring); every value is validated by building it."""
    entry = optimizer_entry(optimizer)
    hyperparameters: dict[str, Any] = {}
    tricks: dict[str, dict[str, Any]] = {}
    schedule_name = None
    schedule_settings: dict[str, Any] = {}
    for key, raw in settings.items():
        head, dot, tail = key.partition(".")
        if key in entry.specs:
            hyperparameters[key] = convert(entry.specs[key], raw, optimizer)
        elif key == SCHEDULE:
            schedule_name = str(raw).strip()
            if schedule_name not in SCHEDULES:
                raise ValueError(f"unknown schedule {schedule_name[:40]!r}: known are {', '.join(SCHEDULES)}")
        elif head == SCHEDULE and dot:
            schedule_settings[tail] = raw
        elif head in TRICKS and (not dot or tail in TRICKS[head].specs):
            specs = TRICKS[head].specs
            setting = tail if dot else next(iter(specs))
            tricks.setdefault(head, {})[setting] = convert(specs[setting], raw, head)
        else:
            known = ", ".join(known_settings(optimizer))
            raise ValueError(f"unknown setting {key[:40]!r} for {optimizer}: known are {known}")
    schedule = None
    if schedule_name is not None:
        specs = SCHEDULES[schedule_name].specs
        unknown = sorted(set(schedule_settings) - set(specs))
        if unknown:
            known = ", ".join(specs) or "none"
            raise ValueError(f"schedule {schedule_name}: unknown setting {unknown[0]!r}: known are {known}")
        owner = f"schedule {schedule_name}"
        converted = {key: convert(specs[key], value, owner) for key, value in schedule_settings.items()}
        schedule = (schedule_name, tuple(sorted(converted.items())))
    elif schedule_settings:
        raise ValueError("schedule settings were given without schedule=NAME")
    lane = Lane(
        optimizer,
        tuple(sorted(hyperparameters.items())),
        convention,
        tuple((name, tuple(sorted(values.items()))) for name, values in tricks.items()),
        schedule,
    )
    lane.pipeline()  # validate now, with messages that name the parameter
    return lane
