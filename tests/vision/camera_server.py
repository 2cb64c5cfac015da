"""A real HTTP camera for the tests: JPEG snapshots and an MJPEG stream, which can fail or hang on demand."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support import free_port


class CameraServer:
    """Serves `frames` (JPEG bytes) at /snapshot.jpg and as multipart MJPEG at /stream.mjpg."""

    def __init__(self, frames: list[bytes], fps: float = 10.0) -> None:
        self.frames = frames
        self.fps = fps
        self.mode = "ok"  # ok | fail (HTTP 503) | hang (accepts, never answers)
        self.stream_frames = 10**9  # frames per stream connection before it drops
        self.port = free_port()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if server.mode == "hang":
                    time.sleep(60)
                    return
                if server.mode == "fail":
                    self.send_error(503, "camera busy")
                    return
                if self.path.startswith("/snapshot"):
                    body = server.frames[int(time.time() * server.fps) % len(server.frames)]
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                try:
                    for i in range(server.stream_frames):
                        if server.mode != "ok":
                            return
                        body = server.frames[i % len(server.frames)]
                        self.wfile.write(
                            b"--frame\r\nContent-Type: image/jpeg\r\n"
                            + f"Content-Length: {len(body)}\r\n\r\n".encode()
                            + body
                            + b"\r\n"
                        )
                        time.sleep(1 / server.fps)
                except (BrokenPipeError, ConnectionResetError):
                    return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> CameraServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        """Full URL of a path on this camera."""
        return f"http://127.0.0.1:{self.port}{path}"
