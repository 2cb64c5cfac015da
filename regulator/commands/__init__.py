"""The regulator's commands beside ``sitegw regulator serve`` (regulator/cli.py), each a Typer function the
shell registers (sitegw/cli.py): ``add-city`` (cities.py), ``national-export`` (national_export.py),
``video-set`` (video_set.py), ``forwarding`` (quarantine.py), and what they all share, the ``--db`` option and opening its database
(opening.py)."""
