/* One RTCPeerConnection to the sitting's media process, negotiated over the hub (signal
 * `video.offer`, docs/protocol.md "Video"). The page offers; the media process answers. What each
 * kind of peer sends and receives is fixed by the order of its media sections (SLOTS), and the
 * media process decides what flows in each, never the page (docs/decisions/0014 §2):
 *   member:  audio sendrecv (your microphone / the hall and the live voices, less yours),
 *            video sendrecv (your camera / the hall camera), video recvonly (the floor: who speaks)
 *   hallcam: audio sendrecv (the mixer's sound / the live remote voices), video sendonly (the camera)
 *   display: video recvonly (the floor: the remote speaker)
 */
(function (global) {
  "use strict";

  const SLOTS = {
    member: [["audio", "sendrecv", "mix"], ["video", "sendrecv", "hall"], ["video", "recvonly", "floor"]],
    hallcam: [["audio", "sendrecv", "voices"], ["video", "sendonly", null]],
    display: [["video", "recvonly", "floor"]],
  };

  function randomHex(bytes) {
    const a = new Uint8Array(bytes);
    global.crypto.getRandomValues(a);
    return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /* All candidates in the offer: our ICE servers only (none by default), so gathering is quick. */
  function gathered(pc, timeoutMs) {
    return new Promise((resolve) => {
      if (pc.iceGatheringState === "complete") return resolve();
      const timer = setTimeout(resolve, timeoutMs);
      pc.addEventListener("icegatheringstatechange", () => {
        if (pc.iceGatheringState === "complete") {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  class VideoPeer {
    /* join: video.join's reply; stream: the local camera and microphone (may lack either);
     * on.track(slot, MediaStream), on.state(connectionState). */
    constructor(hub, join, stream, on) {
      this.hub = hub;
      this.join = join;
      this.stream = stream;
      this.on = on || {};
      this.pc = null;
      this.closed = false;
    }

    async start() {
      const slots = SLOTS[this.join.kind];
      // relay: the TURN server's candidates only, for a network that allows nothing else.
      const cfg = { iceServers: this.join.ice_servers || [] };
      if (this.join.ice_transport_policy) cfg.iceTransportPolicy = this.join.ice_transport_policy;
      const pc = new RTCPeerConnection(cfg);
      this.pc = pc;
      this.id = randomHex(16);
      this.gen = 1;
      const local = { audio: this.stream && this.stream.getAudioTracks()[0], video: this.stream && this.stream.getVideoTracks()[0] };
      const transceivers = slots.map(([kind, direction]) => {
        const t = pc.addTransceiver(kind, { direction });
        if (direction !== "recvonly" && local[kind]) t.sender.replaceTrack(local[kind]);
        return t;
      });
      pc.addEventListener("track", (e) => {
        const i = transceivers.indexOf(e.transceiver);
        const slot = i >= 0 ? slots[i][2] : null;
        if (slot && this.on.track) this.on.track(slot, e.streams[0] || new MediaStream([e.track]));
      });
      pc.addEventListener("connectionstatechange", () => {
        if (this.on.state) this.on.state(pc.connectionState);
      });
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc, 3000);
      const reply = await this.hub.command("video.offer", { token: this.join.token, pc: this.id, gen: this.gen, sdp: pc.localDescription.sdp }, 20000);
      if (this.closed) return;
      await pc.setRemoteDescription({ type: "answer", sdp: reply.sdp });
    }

    close() {
      this.closed = true;
      if (this.pc) this.pc.close();
    }
  }

  /* With Janus (join.backend "janus", docs/video.md "Janus"): two connections. The publisher sends the
   * microphone then the camera (a display publishes nothing); the subscriber receives what Janus
   * offers, each media section named by `slots` (source "hall", "floor" or "m:<id>"). Every audio
   * section is mixed in the page (WebAudio) into one stream, handed on as the same slot as with the
   * embedded backend ("mix" for a member, "voices" for the hall camera), so the pages do not care
   * which backend serves them. `resubscribe()` when somebody starts or stops publishing. */
  class JanusPeer {
    constructor(hub, join, stream, on) {
      this.hub = hub;
      this.join = join;
      this.stream = stream;
      this.on = on || {};
      this.pub = null;
      this.sub = null;
      this.subId = randomHex(16);
      this.subGen = 0;
      this.closed = false;
      this.busy = null;
      this.mixer = null;
      this.sinks = [];
    }

    async start() {
      const cfg = { iceServers: this.join.ice_servers || [] };
      if (this.join.ice_transport_policy) cfg.iceTransportPolicy = this.join.ice_transport_policy;
      this.cfg = cfg;
      if (this.join.kind !== "display") {
        const pub = new RTCPeerConnection(cfg);
        this.pub = pub;
        for (const kind of ["audio", "video"]) {
          const t = pub.addTransceiver(kind, { direction: "sendonly" });
          const track = this.stream && (kind === "audio" ? this.stream.getAudioTracks() : this.stream.getVideoTracks())[0];
          if (track) t.sender.replaceTrack(track);
        }
        pub.addEventListener("connectionstatechange", () => this._state());
        await pub.setLocalDescription(await pub.createOffer());
        await gathered(pub, 3000);
        const reply = await this.hub.command("video.publish", { token: this.join.token, pc: randomHex(16), gen: 1, sdp: pub.localDescription.sdp }, 20000);
        if (this.closed) return;
        await pub.setRemoteDescription({ type: "answer", sdp: reply.sdp });
      }
      await this.resubscribe();
    }

    /* Ask Janus again for what this page receives (after somebody started or stopped publishing). */
    resubscribe() {
      const run = async () => {
        if (this.closed) return;
        let reply;
        try {
          reply = await this.hub.command("video.subscribe", { token: this.join.token, pc: this.subId, gen: ++this.subGen }, 20000);
        } catch (err) {
          if (err && err.code === "no_feeds") return; // nobody to receive yet: the next change asks again
          throw err;
        }
        if (!reply.sdp || this.closed) return;
        if (!this.sub) {
          this.sub = new RTCPeerConnection(this.cfg);
          this.sub.addEventListener("track", (e) => this._track(e));
          this.sub.addEventListener("connectionstatechange", () => this._state());
        }
        this.slots = reply.slots;
        await this.sub.setRemoteDescription({ type: "offer", sdp: reply.sdp });
        await this.sub.setLocalDescription(await this.sub.createAnswer());
        await gathered(this.sub, 3000);
        await this.hub.command("video.answer", { token: this.join.token, pc: this.subId, gen: this.subGen, sdp: this.sub.localDescription.sdp }, 20000);
      };
      this.busy = (this.busy || Promise.resolve()).catch(() => null).then(run);
      return this.busy;
    }

    _slot(mid) {
      return (this.slots || []).find((s) => s.mid === mid) || null;
    }

    _track(e) {
      const slot = this._slot(e.transceiver.mid);
      if (!slot) return;
      if (slot.kind === "video") {
        if (this.on.track) this.on.track(slot.source, new MediaStream([e.track]));
        return;
      }
      // Every voice into one mix (remote audio reaches WebAudio only through a playing element).
      if (!this.mixer) {
        const Ctx = global.AudioContext || global.webkitAudioContext;
        const ctx = new Ctx();
        this.mixer = { ctx, out: ctx.createMediaStreamDestination() };
        if (this.on.track) this.on.track(this.join.kind === "hallcam" ? "voices" : "mix", this.mixer.out.stream);
      }
      const stream = new MediaStream([e.track]);
      const sink = new Audio();
      sink.muted = true;
      sink.srcObject = stream;
      sink.play().catch(() => null);
      this.sinks.push(sink);
      this.mixer.ctx.createMediaStreamSource(stream).connect(this.mixer.out);
    }

    _state() {
      const states = [this.pub, this.sub].filter(Boolean).map((pc) => pc.connectionState);
      const worst = ["failed", "disconnected", "closed", "new", "connecting"].find((s) => states.includes(s));
      if (this.on.state) this.on.state(worst || "connected");
    }

    close() {
      this.closed = true;
      for (const pc of [this.pub, this.sub]) if (pc) pc.close();
      for (const sink of this.sinks) sink.srcObject = null;
      if (this.mixer) this.mixer.ctx.close();
    }
  }

  /* Who publishes, as the state says (the hall camera, the connected remote participants): a page
   * whose peer can receive more (Janus) subscribes again when it changes. */
  function publishers(state) {
    const video = state && state.video;
    if (!video || !video.participants) return "";
    const members = video.participants.filter((p) => p.link === "connected").map((p) => p.member_id).sort((a, b) => a - b);
    return `${video.hall && video.hall.publishing ? "h" : ""}:${members.join(",")}`;
  }

  function follow(peer, state) {
    if (!peer || typeof peer.resubscribe !== "function") return;
    const now = publishers(state);
    if (peer.seen !== undefined && peer.seen !== now) peer.resubscribe().catch(() => null);
    peer.seen = now;
  }

  /* The peer for a join's backend. */
  function peerFor(hub, join, stream, on) {
    return join.backend === "janus" ? new JanusPeer(hub, join, stream, on) : new VideoPeer(hub, join, stream, on);
  }

  /* The sound level of a stream (0..1, RMS), for a meter: `level()` reads it now. */
  function meter(stream) {
    const Ctx = global.AudioContext || global.webkitAudioContext;
    const ctx = new Ctx();
    const source = ctx.createMediaStreamSource(stream);
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 2048;
    source.connect(analyser);
    const buf = new Float32Array(analyser.fftSize);
    return {
      level() {
        analyser.getFloatTimeDomainData(buf);
        let sum = 0;
        for (const v of buf) sum += v * v;
        return Math.sqrt(sum / buf.length);
      },
      close() { ctx.close(); },
      context: ctx,
    };
  }

  global.VideoPeer = VideoPeer;
  global.JanusPeer = JanusPeer;
  global.videoPeerFor = peerFor;
  global.videoFollowPublishers = follow;
  global.VideoMeter = meter;
})(window);
