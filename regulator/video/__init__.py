"""Video supervision: the camera patrol wall, the provincial video-monitoring set and vision evidence clips."""
