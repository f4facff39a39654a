"""The settings of metis-distill: `load_settings()` reads every layer; see `settings.py`."""

from metis_distill.config.groups import (
    BudgetSettings,
    CurateSettings,
    ExtractSettings,
    ScaleSettings,
)
from metis_distill.config.places import (
    LOCAL_TOML,
    check_timezone,
    default_data_dir,
    local_timezone,
    sqlite_url,
    user_toml,
)
from metis_distill.config.settings import (
    Settings,
    default_settings,
    load_settings,
    with_values,
)

__all__ = [
    "LOCAL_TOML",
    "BudgetSettings",
    "CurateSettings",
    "ExtractSettings",
    "ScaleSettings",
    "Settings",
    "check_timezone",
    "default_data_dir",
    "default_settings",
    "load_settings",
    "local_timezone",
    "sqlite_url",
    "user_toml",
    "with_values",
]
