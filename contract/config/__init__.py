"""Site configuration: pydantic models per concern, YAML loading with line numbers."""

from contract.config.device import DeviceConfig
from contract.config.errors import ConfigError, ConfigIssue
from contract.config.loader import LoadedSite, load_profile, load_site
from contract.config.site import SiteConfig

__all__ = [
    "ConfigError",
    "ConfigIssue",
    "DeviceConfig",
    "LoadedSite",
    "SiteConfig",
    "load_profile",
    "load_site",
]
