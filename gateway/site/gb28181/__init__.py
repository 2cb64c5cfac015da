"""The site's cameras as one GB/T 28181-2016 device on a video platform.

``device.py`` registers (SIP digest), keeps alive and answers the platform's queries and INVITEs;
``media.py`` streams a camera as H.264 (ffmpeg) in MPEG-PS (``ps_mux.py``) over RTP (``rtp.py``).
"""
