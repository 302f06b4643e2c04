"""Remote participants by video (issue 15; docs/decisions/0014-remote-video.md, docs/video.md).

The hub side: who has joined (RemoteSession), `video.join`/`video.leave` (stored commands: a join
checks a remote participant in), the signals that carry SDP and ICE to the media process, the
`video` state and `you.video`, the rule of who is heard (live.py), and the pages. The media side
(`video/media/`, imported by the media process only) never imports Django.
"""
