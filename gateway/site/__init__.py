"""The site's own services, beside the gateway's core loop (readings → rules → alerts → outbox → uplinks).

What a site runs around that loop, each over the core's parts and none of them on its path:

- ``siren.py``: the site's audible/visual alarms (声光报警器), following the alerts;
- ``site_work.py``: work windows (a pour, a crane's jacking) started and ended by supervisors, and who of
  the key personnel is on site; ``jacking.py``: a jacking window's closing checks and the crane's height;
- ``weather_warnings.py``: the regional warning signals (气象灾害预警信号), kept and handed to the rules;
- ``papers.py``: every machine's and person's papers, with what is due;
- ``safety_log/``: the daily safety log (施工安全日志) and the key people's attendance;
- ``gb28181/``: the site's cameras as one GB/T 28181 device on a video platform.

The shell (``sitegw/runtime.py``) builds them and hands the API those it serves.
"""
