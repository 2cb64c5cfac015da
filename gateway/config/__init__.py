"""Site configuration: pydantic models per concern, YAML loading with line numbers."""

from gateway.config.errors import ConfigError, ConfigIssue
from gateway.config.loader import LoadedSite, load_profile, load_site
from gateway.config.site import DeviceConfig, SiteConfig

__all__ = ["ConfigError", "ConfigIssue", "DeviceConfig", "LoadedSite", "SiteConfig", "load_profile", "load_site"]
