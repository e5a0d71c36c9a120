"""Small PyTorch networks trained by the optviz engine: data sets, an MLP builder, the training loop.

torch lives here only, and nothing here is imported by the engine or by pages that do not train networks.
"""
