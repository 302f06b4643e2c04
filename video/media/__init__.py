"""The media engine of videod (docs/decisions/0014-remote-video.md): pure asyncio, no Django.

- `link`: the control link between the hub and videod, JSON lines over TCP with a challenge.
- `aiortc_backend`: `AiortcBackend`, the rooms, their peer connections, the mix-minus and the floor
  video, driven by the ops of the link (`handle(op, args)`).
- `janus_backend`: `JanusBackend`, the same ops over Janus's VideoRoom (media flows browser ↔ Janus,
  videod signals, and receives the sound only to record it); `janus_config`: renders Janus's
  configuration folder from `deploy/janus/`.
- `mixing`: what both backends share of the sound: the jitter buffers, the 20 ms clock that sums
  the live voices (`Mixer`), and the `Recorder` (Ogg/Opus).
- `server`: `serve()`, the link server in front of a backend.
- `synthetic`: peers made of code (a tone, stamped video, a level meter) for the tests and the bench.

Nothing here imports Django: the `video` app's management command wraps `serve()` and adds the
hub follower that calls `set_live`.
"""
