"""Where projects are, for the map: district boundaries (``boundaries``), the projects on the map with their
open hazards (``project_map``) and the map's answers (``map_models``). The cities' table and the map's layout
are regulator/places.py, below every floor that needs them."""
