"""dynamo-cache: model-cache storage for NVIDIA Dynamo on AKS.

Library core (no click): `catalog`, `model`, `spec`, `rules`, `values`, `chartgen`.
The `gen-values` command line lives in `cli` and only parses, calls and prints.
"""

__version__ = "0.2.0"
