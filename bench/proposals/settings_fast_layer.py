"""config.settings with bench/proposals/inmemory_layer.py as the in-memory layer (for --settings)."""

from config.settings import *

if CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer":
    CHANNEL_LAYERS["default"]["BACKEND"] = "bench.proposals.inmemory_layer.SweepOnceASecondInMemoryChannelLayer"
