"""The hub's commands: name -> (argument schema, service call).

Each module registers its own commands from its folder (realtime.registry.register_command,
e.g. agenda/hub.py): the argument model, the service it calls, the reply model and the
permission action that service asks. COMMANDS is the registry's table, read by the consumer;
`ping` and `sync` are the consumer's own and not in it.
"""

from .registry import command_table

COMMANDS = command_table
