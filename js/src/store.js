// A run's chunks, applied to its Timeline in order whatever order batches come in: the
// snapshot trait and the batch messages overlap, and a view opened late asks for a gap.
import { Timeline } from "./timeline.js";

export class RunStore {
  constructor() {
    this.listeners = new Set();
    this.reset();
  }

  /** Forget every chunk (the widget is being run again); listeners get `null`. */
  reset() {
    this.count = 0; // chunks applied, i.e. the seq the next batch must start at
    this.batches = 0; // batches applied
    this.bytes = 0;
    this.timeline = new Timeline();
    this.items = this.timeline.items; // top-level items, in order
    this.nodes = this.timeline.nodes; // node name -> number of its items
    this.pending = new Map(); // seq -> batch that came early
    this.sections = []; // the runs streamed into this view (the widget's `sections`)
    this.marked = 1; // sections whose marker is placed (the first run needs none)
    for (const listener of this.listeners) listener(null);
  }

  /** Apply a batch; returns false if it came early (kept until the gap is filled). */
  add(batch) {
    if (batch.seq < this.count) return true; // already have it (snapshot and message overlap)
    if (batch.seq > this.count) {
      this.pending.set(batch.seq, batch);
      return false;
    }
    for (let b = batch; b; b = this.pending.get(this.count)) {
      this.pending.delete(b.seq);
      for (let i = 0; i < b.lines.length; i++) {
        const line = b.lines[i];
        this.mark(b.seq + i, b.t[i]);
        this.bytes += line.length;
        try {
          this.timeline.ingest(b.seq + i, b.events[i], line, b.t[i]);
        } catch (err) {
          // One chunk the view cannot read must not stop the run's view: show it as text.
          console.error("lgwidget: could not show chunk", b.seq + i, err);
          this.timeline.unreadable(b.seq + i, b.events[i], line, b.t[i]);
        }
      }
      this.count = b.seq + b.lines.length;
      this.batches += 1;
    }
    const { added, changed } = this.timeline.drain();
    for (const listener of this.listeners) listener(added, changed);
    return true;
  }

  /** The widget's sections: a resume or re-run gets its marker before its first chunk. */
  setSections(sections) {
    this.sections = Array.isArray(sections) ? sections : [];
    if (this.mark(this.count, undefined)) {
      const { added, changed } = this.timeline.drain();
      for (const listener of this.listeners) listener(added, changed);
    }
  }

  /** Place the markers of the sections that start at or before chunk `index`. */
  mark(index, t) {
    let placed = false;
    while (this.marked < this.sections.length && this.sections[this.marked].start <= index) {
      this.timeline.section(this.sections[this.marked++], t);
      placed = true;
    }
    return placed;
  }

  /** The run ended: nothing in it is still streaming, whatever its modes sent. */
  finish() {
    const { added, changed } = this.timeline.finish();
    if (added.length || changed.length) for (const listener of this.listeners) listener(added, changed);
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
