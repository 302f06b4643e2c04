"""Parts of bench/hub_fanout.py: servers.py starts what it measures, clients.py plays the devices."""
