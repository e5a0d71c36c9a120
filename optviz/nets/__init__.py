"""Small PyTorch networks trained by the optviz engine: data sets, an MLP builder, the training loop.

torch lives here only, and nothing here is imported by the engine or by pages that do not train networks.
Importing the package itself does not import torch: optviz.nets.data and optviz.nets.steps are plain NumPy, so a
page can show a data set and forecast a training's time before it imports torch (about 2 s).

The modules that import torch set it to one intra-op thread (at import). The networks here
are small (a few thousand weights): one thread is as fast, and on a shared machine several threads spinning per
process (OpenMP waits actively) made training up to 25 times slower whenever anything else was running (measured
in the test suite).
"""
