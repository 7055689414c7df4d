"""dynamo-cache: model-cache storage for NVIDIA Dynamo on AKS.

The library core has no click in it; `cli` only parses, calls and prints. The module
map, the twins shared with the chart and how they are held equal: CONTRIBUTING.md.
"""

__version__ = "0.2.0"
