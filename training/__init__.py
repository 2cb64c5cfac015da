"""Training of the hard-hat network (needs the `train` extra: torch, onnx). Not imported at run time."""
