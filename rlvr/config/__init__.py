"""Config handling that runs before any heavy import: CLI override normalisation, validation, building."""

from rlvr.config.build import build, locate_target, node_to_kwargs
from rlvr.config.errors import ConfigIssue, ConfigValidationError
from rlvr.config.overrides import COMPONENT_NODES, group_option_issues, normalise_overrides
from rlvr.config.validate import validate_config

__all__ = [
    "COMPONENT_NODES",
    "ConfigIssue",
    "ConfigValidationError",
    "build",
    "locate_target",
    "node_to_kwargs",
    "group_option_issues",
    "normalise_overrides",
    "validate_config",
]
