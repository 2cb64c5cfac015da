"""Video supervision: the camera patrol wall (``patrol``, ordered by the projects' risk grade) and the vision
alerts' evidence clips (``clips``). The provincial video-monitoring set is regulator/ledger/video_set.py."""
