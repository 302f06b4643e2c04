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
      const pc = new RTCPeerConnection({ iceServers: this.join.ice_servers || [], iceTransportPolicy: this.join.ice_transport_policy || "all" });
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
  global.VideoMeter = meter;
})(window);
