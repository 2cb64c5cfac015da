"""Where projects are: administrative boundaries, cities' coordinates and the projects' own."""
