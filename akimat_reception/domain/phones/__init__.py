"""The phone directory: when a line counts as verified, stale or failing, when it is open, and the
verbs that change lines, checks and reports.

A line is
- **verified** while its last answered check call is at most `window_days` days old (in the
  akimat's days: answered on 1 March with a 30-day window, it is verified up to and including
  31 March and stale from 1 April);
- **failing** when the last check call failed (no answer, busy, wrong or disconnected number,
  voicemail), or when at least `report_threshold` residents reported "nobody answers" since the
  last answered check (reports are counted per client, so one person cannot fail a line alone);
- **stale** otherwise: never checked, or the answered check is older than the window.
Failing wins over the rest: a resident is better warned than misled.

A line is **due for a check** when it is not verified, when residents reported it, or when its
verification runs out within `due_soon_days` days. The numbers are data (FreshnessPolicy),
overridable with the PHONE_POLICY setting, like the legal terms in deadlines.py.

policy.py holds the pure rules (dates and counts), directory.py the directory as it is read, lines.py
the verbs, one transaction each.
"""

from .directory import (
    STATUS_ORDER,
    DepartmentLines,
    DirectorySummary,
    alternative_for,
    dashboard_summary,
    directory,
    due_for_check,
    lines_in_service,
    local_date,
    matches,
    open_report_counts,
    search_key,
    state_now,
    state_of,
    summarize,
    waiting_since,
)
from .lines import (
    LineData,
    PhoneError,
    add_line,
    checks_of,
    client_hash,
    open_reports_of,
    record_check,
    report_dead,
    retire_line,
    update_line,
)
from .policy import (
    DEFAULT_POLICY,
    LINE_STATUS_LABELS,
    POLICY_DESCRIPTIONS,
    FreshnessPolicy,
    Hours,
    LineState,
    LineStatus,
    current_policy,
    is_due,
    is_open,
    next_opening,
    stale_from,
    status_on,
)

__all__ = [
    "due_for_check",
    "waiting_since",
    "DEFAULT_POLICY",
    "DepartmentLines",
    "DirectorySummary",
    "FreshnessPolicy",
    "Hours",
    "LINE_STATUS_LABELS",
    "LineData",
    "LineState",
    "LineStatus",
    "POLICY_DESCRIPTIONS",
    "PhoneError",
    "STATUS_ORDER",
    "add_line",
    "alternative_for",
    "checks_of",
    "client_hash",
    "current_policy",
    "dashboard_summary",
    "directory",
    "is_due",
    "is_open",
    "lines_in_service",
    "local_date",
    "matches",
    "next_opening",
    "open_report_counts",
    "open_reports_of",
    "record_check",
    "report_dead",
    "retire_line",
    "search_key",
    "stale_from",
    "state_now",
    "state_of",
    "status_on",
    "summarize",
    "update_line",
]
