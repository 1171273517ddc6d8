"""rlvr: reinforcement learning from verifiable rewards (GRPO) for LLMs, configured in YAML.

Run it with ``python run_pipeline.py`` (see README.md). Importing this package is cheap on purpose:
torch, transformers and trl are imported only inside the components that need them, so config
validation and ``--cfg job`` answer in about a second.
"""

__version__ = "0.1.0"
