"""The session keys of lane widgets: the one owner of their string protocol.

A lane's widgets live under ``{prefix}{lane_id}_{field}`` (prefix "pg_" on the playground, "nt_" and "nl_" on the
network pages), where field is one of
- "optimizer", "tricks", "schedule", "remove", "tune", "formula" (the lane's picker, multiselect, select box,
  buttons and formula container);
- "hp_<name>" for a hyperparameter, "trick_<trick>_<setting>" for a trick's setting, "sched_<setting>" for the
  schedule's.
Pages and widget modules build and read these keys only through the functions below, so that renaming a field
cannot silently break one page.
"""

from __future__ import annotations

from collections.abc import Iterable

HYPERPARAMETER, TRICK, SCHEDULE = "hp_", "trick_", "sched_"
SETTING_FIELDS = (HYPERPARAMETER, TRICK, SCHEDULE)
VALUELESS_FIELDS = ("remove", "tune", "formula")  # buttons and a container: nothing to copy or restore


def lane_key(lane_id: int, field: str, prefix: str) -> str:
    """The session key of one field of lane `lane_id` under `prefix`."""
    return f"{prefix}{lane_id}_{field}"


def hyperparameter_key(lane_id: int, name: str, prefix: str) -> str:
    """The key of hyperparameter `name`'s widget ('pg_0_hp_lr')."""
    return lane_key(lane_id, HYPERPARAMETER + name, prefix)


def trick_key(lane_id: int, trick: str, setting: str, prefix: str) -> str:
    """The key of one trick setting's widget ('pg_0_trick_clip_norm_max_norm')."""
    return lane_key(lane_id, f"{TRICK}{trick}_{setting}", prefix)


def schedule_key(lane_id: int, setting: str, prefix: str) -> str:
    """The key of one schedule setting's widget ('pg_0_sched_total_steps')."""
    return lane_key(lane_id, SCHEDULE + setting, prefix)


def lane_field(name: str, prefix: str) -> tuple[int, str] | None:
    """(lane id, field) of a lane widget's key under `prefix` ('nt_3_hp_lr' → (3, 'hp_lr')), else None."""
    if not name.startswith(prefix):
        return None
    head, _, field = name[len(prefix):].partition("_")
    if not head.isdigit() or not field:
        return None
    return int(head), field


def lane_keys(names: Iterable[str], prefix: str, lane_id: int | None = None) -> list[str]:
    """The keys among `names` that belong to lane `lane_id` under `prefix` (to any lane when None)."""
    found = []
    for name in names:
        parsed = lane_field(name, prefix)
        if parsed is not None and (lane_id is None or parsed[0] == lane_id):
            found.append(name)
    return found


def is_setting(field: str) -> bool:
    """Whether a lane field holds a hyperparameter, a trick setting or a schedule setting."""
    return field.startswith(SETTING_FIELDS)
