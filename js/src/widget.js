// The anywidget entry, and the only module that talks to the model: one RunStore per widget
// (fed by the snapshot trait and by batch messages), one RunView per displayed output.
import { MSG, decodeBatch } from "./protocol.js";
import { RunStore } from "./store.js";
import { RunView } from "./view.js";

// One store per widget, found again by render(): anywidget hands initialize() and each
// render() a model object of their own, so the store is keyed by the widget's `_store_key`
// trait, not by the object (keying by object made every view decode every batch again and
// start empty).
const stores = new Map();
const viewsOf = new WeakMap(); // store -> its RunViews, for a render() that adopts one
const owners = new WeakMap(); // view -> the number of the render() that holds it
const keyOf = (model) => model.get("_store_key") || model;

function connect(model) {
  const store = new RunStore();
  let chain = Promise.resolve();
  let askedAt = -1;

  // Batches are decoded one after another so they are applied in the order they came.
  const enqueue = (buffers, firstIndex) => {
    chain = chain
      .then(async () => {
        for (let i = 0; i < buffers.length; i++) {
          // Snapshot blob k is batch k: skip what the messages already brought.
          if (firstIndex !== undefined && firstIndex + i < store.batches) continue;
          store.add(await decodeBatch(buffers[i]));
        }
        if (store.pending.size > 0 && askedAt !== store.count) {
          // A batch was sent before this view existed: ask the kernel for the gap.
          askedAt = store.count;
          model.send({ type: MSG.SYNC, have: store.count });
        }
      })
      .catch((err) => console.error("lgwidget: could not read a batch", err));
  };

  const onSnapshot = () => {
    const blobs = model.get("snapshot") ?? [];
    if (blobs.length === 0) {
      // The widget is being run again. Reset in turn, after the old run's pending batches.
      chain = chain.then(() => {
        if (store.count > 0 || store.pending.size > 0) store.reset();
        askedAt = -1;
      });
      return;
    }
    enqueue(blobs, 0);
  };
  const onMessage = (msg, buffers) => {
    if (msg?.type === MSG.BATCH) enqueue(buffers);
  };
  const onSections = () => {
    chain = chain.then(() => store.setSections(model.get("sections")));
  };
  const onStatus = () => {
    const status = model.get("status");
    // After the batches still being decoded: the status can arrive before the last of them.
    if (status !== "running" && status !== "idle") chain = chain.then(() => store.finish());
  };
  model.on("change:snapshot", onSnapshot);
  model.on("msg:custom", onMessage);
  model.on("change:status", onStatus);
  model.on("change:sections", onSections);
  onSections();
  onSnapshot();
  onStatus(); // a saved notebook: the run is over
  if (model.get("status") === "running") {
    // Opened while the run goes on: batches sent before now were not seen here.
    chain = chain.then(() => {
      askedAt = store.count;
      model.send({ type: MSG.SYNC, have: store.count });
    });
  }
  const key = keyOf(model);
  stores.set(key, store);
  return () => {
    model.off("change:snapshot", onSnapshot);
    model.off("msg:custom", onMessage);
    model.off("change:status", onStatus);
    model.off("change:sections", onSections);
    if (stores.get(key) === store) stores.delete(key);
  };
}

const HEADER = ["status", "run_id", "error", "started_at", "ended_at", "assistant_id", "trace_url", "graph", "graph_note",
  "thread_id", "pending", "answered", "answer_error", "checkpoints", "notes", "sections"];

/** What a RunView needs of the model: its traits, their changes, and what it asks the kernel. */
export function runOf(model) {
  return {
    get: (name) => model.get(name),
    watch(callback) {
      for (const name of HEADER) model.on(`change:${name}`, callback);
      return () => { for (const name of HEADER) model.off(`change:${name}`, callback); };
    },
    stop: () => model.send({ type: MSG.STOP }),
    answer: (id, value) => model.send({ type: MSG.ANSWER, id, value }),
    history: (limit) => model.send({ type: MSG.HISTORY, limit }),
    rerun: (checkpointId, input) => model.send({ type: MSG.RERUN, checkpoint_id: checkpointId, input }),
  };
}

export default {
  initialize({ model }) {
    return connect(model);
  },
  render({ model, el }) {
    if (!stores.has(keyOf(model))) connect(model);
    const store = stores.get(keyOf(model));
    const views = (viewsOf.get(store) ?? viewsOf.set(store, new Set()).get(store));
    // The same widget rendered again where its node was wiped (JupyterLab refreshing the output
    // at the end of a run): the previous view moves in, the reader keeps their place.
    let view = [...views].find((v) => !v.root.isConnected);
    if (view) view.adopt(el, runOf(model));
    else view = new RunView(el, runOf(model), store);
    views.add(view);
    const owner = (owners.get(view) ?? 0) + 1;
    owners.set(view, owner);
    return () => {
      // Only the render that holds the view ends it: an older one's clean-up may come later.
      if (owners.get(view) !== owner) return;
      view.destroy();
      // Kept a moment for a render() that follows the wipe; forgotten once it is gone for good.
      setTimeout(() => { if (!view.root.isConnected && owners.get(view) === owner) views.delete(view); }, 5000);
    };
  },
};
