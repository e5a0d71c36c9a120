"""Small PyTorch networks trained by the optviz engine: data sets, an MLP builder, the training loop.

torch lives here only, and nothing here is imported by the engine or by pages that do not train networks.

Importing this package sets torch to one intra-op thread. The networks here are small (a few thousand weights):
one thread is as fast, and on a shared machine several threads spinning per process (OpenMP waits actively)
made training up to 25 times slower whenever anything else was running (measured in the test suite).
"""

import torch

torch.set_num_threads(1)
