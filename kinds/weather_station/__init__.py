"""The weather_station kind: its declaration and what goes with it (kinds/weather_station/README.md)."""
